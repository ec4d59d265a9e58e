import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { describeDbError } from '../../db/database.js';
import { schemaVersion } from '../../db/migrate.js';
import { defaultLanguage } from '../../shop/catalog.js';

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      const [version, language] = await Promise.all([schemaVersion(ctx.db), defaultLanguage(ctx.db)]);
      res.json({ status: 'ok', dialect: ctx.db.dialect.name, schemaVersion: version, shopLanguage: language.code });
    } catch (err) {
      res.status(503).set('Retry-After', '30').json({ status: 'unavailable', dialect: ctx.db.dialect.name, error: describeDbError(err) });
    }
  });
  return router;
}
