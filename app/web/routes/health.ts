import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { describeDbError, isConnectionError } from '../../db/database.js';
import { schemaVersion } from '../../db/migrate.js';
import { defaultLanguage } from '../../shop/catalog.js';
import { newReference } from '../../util/reference.js';

/** The shop's tables and the plugin's own that every push, export and login reads or writes. */
const SHOP_TABLES = ['product', 'setting', 'language', 'order'];
const OWN_TABLES = ['journal_run', 'journal_item', 'product_change', 'product_change_block', 'product_change_run', 'outbox', 'lease', 'admin_user', 'admin_session'];

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      const db = ctx.db;
      // One cheap read per table: a missing or unreadable table fails here, not in the ERP's next push.
      await Promise.all([...SHOP_TABLES.map((t) => db.t(t)), ...OWN_TABLES.map((t) => db.own(t))].map((t) => db.knex(t).select(db.knex.raw('1 AS ok')).limit(1)));
      const [version, language] = await Promise.all([schemaVersion(db), defaultLanguage(db)]);
      res.json({ status: 'ok', dialect: db.dialect.name, schemaVersion: version, shopLanguage: language.code });
    } catch (err) {
      // Details (SQL, table names with the prefix) go to the log only.
      const ref = newReference();
      ctx.log.error({ ref, err: String((err as Error)?.message ?? err).slice(0, 1000) }, 'health check failed');
      const error = isConnectionError(err) ? `the shop database is unavailable: ${describeDbError(err)}` : 'a table erp-bridge needs is missing or unreadable';
      res.status(503).set('Retry-After', '30').json({ status: 'unavailable', dialect: ctx.db.dialect.name, error, ref });
    }
  });
  return router;
}
