// The shop owner's admin panel: server-rendered EJS with htmx, behind a login (standalone or
// the shop's own admin session), CSRF on every state-changing request, strict security headers.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import { resolveAdmin, verifyCsrf, type AdminUser } from '../../middleware/admin-session.js';
import { securityHeaders } from '../../middleware/security-headers.js';
import { adminErrorHandler } from '../../middleware/errors.js';
import { AdminAccounts } from '../../../admin/accounts.js';
import { authRoutes } from './auth.js';
import { viewLocals } from './context.js';
import { journalRoutes } from './journal.js';
import { orderRoutes } from './orders.js';
import { orderStatusAdminRoutes } from './order-status-settings.js';
import { overviewRoutes } from './overview.js';
import { settingsRoutes } from './settings.js';
import { baseOf } from '../../base-path.js';
import { moduleState } from '../../../shop/extension.js';

export function adminRoutes(ctx: AppContext): Router {
  const router = Router();
  const accounts = new AdminAccounts(ctx.db);
  router.use(securityHeaders);
  router.use(express.urlencoded({ extended: false, limit: '200kb' }));
  router.use(resolveAdmin(ctx));
  router.use(viewLocals(ctx));
  router.use(authRoutes(ctx));

  const requireLogin = async (req: Request, res: Response, next: NextFunction) => {
    const user = res.locals.user as AdminUser | null;
    if (user) {
      if (req.method !== 'GET' && !user.canModify) return void res.status(403).send(res.locals.t('error.forbidden'));
      return next();
    }
    const login = `${baseOf(res)}/admin/login`;
    if (req.headers['hx-request']) return void res.status(401).set('HX-Redirect', login).end();
    res.redirect((await accounts.exists()) ? login : `${baseOf(res)}/admin/setup`);
  };
  router.use(requireLogin);
  // Every page says when the module is uninstalled in the shop (erp-bridge is then disabled).
  router.use(async (_req: Request, res: Response, next: NextFunction) => {
    res.locals.moduleState = await moduleState(ctx.db).catch(() => 'standalone');
    next();
  });
  router.use(verifyCsrf);
  router.use(overviewRoutes(ctx));
  // Before the settings' and orders' own routes: /settings/:group and /orders/:id/:action would take its paths.
  router.use(orderStatusAdminRoutes(ctx));
  router.use(settingsRoutes(ctx));
  router.use(journalRoutes(ctx));
  router.use(orderRoutes(ctx));
  // An admin address that does not exist: the admin's own page, in the user's language.
  router.use((_req: Request, res: Response) => void res.status(404).render('not-found'));
  router.use(adminErrorHandler(ctx));
  return router;
}
