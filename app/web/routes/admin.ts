import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { defaultStore } from '../../shop/catalog.js';

// Placeholder until the admin panel issue lands: shows the shop and the integration URLs.
export function adminRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', async (_req, res, next) => {
    try {
      const store = await defaultStore(ctx.db);
      res.render('admin-placeholder', { store, dialect: ctx.db.dialect.name });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
