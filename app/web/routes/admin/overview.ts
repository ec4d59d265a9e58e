import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import { loadDashboard } from '../../../admin/dashboard.js';
import { testPush } from '../../../admin/test-push.js';
import { integrationUrls } from '../../../sync/integration-urls.js';
import { isIntegrationKind } from '../../../sync/push-kinds.js';
import type { AdminUser } from '../../middleware/admin-session.js';
import { publicUrlOf } from '../../base-path.js';

export function overviewRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.render('dashboard', { d: await loadDashboard(ctx) });
  });

  router.get('/integration', async (_req, res) => {
    const settings = await ctx.settings.get();
    // The URLs carry the import password: a read-only user sees them without it.
    const canModify = (res.locals.user as AdminUser).canModify;
    const shown = canModify ? settings : { ...settings, import_password: '' };
    res.render('integration', { urls: integrationUrls(publicUrlOf(res, ctx.config.publicUrl), shown), canModify, hasCredentials: !!(settings.import_password || (settings.webshop_id && settings.password)) });
  });

  router.post('/integration/test/:kind', async (req, res) => {
    const kind = req.params.kind!;
    if (!isIntegrationKind(kind)) return res.status(404).end();
    const result = await testPush(ctx, kind, req.socket.localPort!);
    res.render('partials/test-result', { result });
  });
  return router;
}
