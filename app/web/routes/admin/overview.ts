import { Router, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import { loadDashboard } from '../../../admin/dashboard.js';
import { alertState, mailSettingsView, reasonText, sendTestAlert } from '../../../admin/alerts.js';
import { failureKey, OPTIONAL_KINDS, type Reason } from '../../../admin/health.js';
import type { Formatter } from '../../i18n/format.js';
import { handoverSheet } from '../../../admin/handover.js';
import { testPush } from '../../../admin/test-push.js';
import { integrationUrls } from '../../../sync/integration-urls.js';
import { isIntegrationKind } from '../../../sync/push-kinds.js';
import { SettingsValidationError } from '../../../settings/settings-service.js';
import type { AdminUser } from '../../middleware/admin-session.js';
import { baseOf, publicUrlOf } from '../../base-path.js';

/** A refusal's words in the page's language (falls back to the English message). */
function refusalText(res: Response, r: { code: string; vars: Record<string, string | number>; message: string }): string {
  const text = res.locals.t(`err.${r.code}`, r.vars) as string;
  return text === `err.${r.code}` ? r.message : text;
}

/** Times, numbers and reasons in the page's language (times and numbers by app/web/i18n/format.ts). */
function viewHelpers(res: Response) {
  const t = res.locals.t as (key: string, vars?: Record<string, string | number>) => string;
  const fmt = res.locals.fmt as Formatter;
  return {
    ago: (ms: number | null) => (ms === null ? t('health.never_succeeded') : fmt.relative(new Date(Date.now() - ms))),
    since: (at: string | null) => fmt.relative(at),
    failureKey,
    optionalKinds: OPTIONAL_KINDS,
    reasonText: (r: Reason) => reasonText(t, r),
    num: (n: number) => fmt.number(n, 0),
  };
}

export function overviewRoutes(ctx: AppContext): Router {
  const router = Router();

  const renderDashboard = async (res: Response, alerts: { saved?: boolean; errors?: Record<string, string>; values?: Record<string, string>; test?: { ok: boolean; error?: string } } = {}, status = 200) => {
    const [d, mail, state] = await Promise.all([loadDashboard(ctx), mailSettingsView(ctx.db).catch(() => null), alertState(ctx.db).catch(() => null)]);
    res.status(status).render('dashboard', {
      d,
      alerts: {
        ...alerts,
        values: { alert_email: d.alertEmail, stale_after_hours: String(d.staleAfterHours), ...(alerts.values ?? {}) },
        errors: alerts.errors ?? {},
        mail,
        state,
      },
      canModify: (res.locals.user as AdminUser).canModify,
      ...viewHelpers(res),
    });
  };

  router.get('/', async (_req, res) => {
    await renderDashboard(res);
  });

  // The alert settings live on the dashboard, beside the verdict they watch.
  router.post('/alerts', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { alert_email: String(body.alert_email ?? ''), stale_after_hours: String(body.stale_after_hours ?? '') };
    try {
      await ctx.settings.update(values);
    } catch (err) {
      if (!(err instanceof SettingsValidationError)) throw err;
      const errors = Object.fromEntries(Object.entries(err.refusals).map(([k, r]) => [k, refusalText(res, r)]));
      return renderDashboard(res, { errors, values }, 422);
    }
    await renderDashboard(res, { saved: true });
  });

  // A form address opened directly (a bookmark, a reload after posting): back to the dashboard.
  router.get(['/alerts', '/alerts/test'], (_req, res) => res.redirect(`${baseOf(res)}/admin/#alerts`));

  router.post('/alerts/test', async (_req, res) => {
    await renderDashboard(res, { test: await sendTestAlert(ctx, res.locals.lang) });
  });

  router.get('/integration', async (_req, res) => {
    const settings = await ctx.settings.get();
    // The URLs carry the import password: a read-only user sees them without it.
    const canModify = (res.locals.user as AdminUser).canModify;
    const shown = canModify ? settings : { ...settings, import_password: '' };
    res.render('integration', { urls: integrationUrls(publicUrlOf(res, ctx.config.publicUrl), shown), canModify, hasCredentials: !!(settings.import_password || (settings.webshop_id && settings.password)) });
  });

  // The printable sheet the owner hands to whoever sets up the ERP.
  router.get('/integration/handover', async (_req, res) => {
    const canModify = (res.locals.user as AdminUser).canModify;
    res.render('handover', { sheet: handoverSheet(publicUrlOf(res, ctx.config.publicUrl), await ctx.settings.get(), canModify), canModify });
  });

  router.post('/integration/test/:kind', async (req, res) => {
    const kind = req.params.kind!;
    if (!isIntegrationKind(kind)) return res.status(404).end();
    const result = await testPush(ctx, kind, req.socket.localPort!);
    res.render('partials/test-result', { result });
  });
  return router;
}
