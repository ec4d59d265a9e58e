import { Router, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import { AdminAccounts, MIN_PASSWORD } from '../../../admin/accounts.js';
import { clearSession, issueSession } from '../../middleware/admin-session.js';
import { FailureThrottle } from '../../middleware/failure-throttle.js';
import { isLang } from '../../i18n/messages.js';
import { LANG_COOKIE } from './context.js';
import { baseOf } from '../../base-path.js';
import { acceptLaunch, LaunchError } from '../../../admin/launch.js';

export function authRoutes(ctx: AppContext, throttle = new FailureThrottle(5, 15 * 60_000)): Router {
  const router = Router();
  const accounts = new AdminAccounts(ctx.db);
  const to = (res: Response, path: string) => res.redirect(`${baseOf(res)}/admin${path === '/' ? '' : path}`);

  router.get('/login', async (_req, res) => {
    if (!(await accounts.exists())) return to(res, '/setup');
    res.render('login', { error: null, username: '' });
  });

  router.post('/login', async (req, res) => {
    const address = req.ip ?? 'unknown';
    const username = String(req.body?.username ?? '').slice(0, 64);
    if (throttle.retryAfter(address) > 0) return res.status(429).render('login', { error: res.locals.t('login.throttled'), username });
    if (!(await accounts.verify(username, String(req.body?.password ?? '')))) {
      throttle.fail(address);
      return res.status(401).render('login', { error: res.locals.t('login.failed'), username });
    }
    throttle.succeed(address);
    issueSession(res, req, ctx.config.appSecret, username);
    to(res, '/');
  });

  router.get('/setup', async (_req, res) => {
    if (await accounts.exists()) return to(res, '/login');
    res.render('setup', { error: null });
  });

  router.post('/setup', async (req, res) => {
    const pw = String(req.body?.password ?? '');
    const pw2 = String(req.body?.password2 ?? '');
    if (pw !== pw2) return res.status(400).render('setup', { error: res.locals.t('setup.mismatch') });
    if (pw.length < MIN_PASSWORD) return res.status(400).render('setup', { error: res.locals.t('setup.short') });
    if (!(await accounts.createFirst('admin', pw))) return to(res, '/login');
    issueSession(res, req, ctx.config.appSecret, 'admin');
    to(res, '/');
  });

  router.post('/logout', (_req, res) => {
    clearSession(res);
    to(res, '/login');
  });

  router.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang;
    if (isLang(lang)) res.cookie(LANG_COOKIE, lang, { sameSite: 'lax', path: `${baseOf(res)}/`, maxAge: 365 * 86400_000 });
    const back = String(req.query.back ?? '/');
    to(res, /^\/[A-Za-z0-9/_-]*$/.test(back) && !back.startsWith('//') ? back : '/');
  });

  // A signed launch from the shop's admin (the PHP module in opencart/) becomes a session.
  router.get('/launch', async (req, res) => {
    try {
      const who = await acceptLaunch(ctx.db, req.query as Record<string, unknown>);
      issueSession(res, req, ctx.config.appSecret, who.username, { via: 'opencart', canModify: who.canModify, language: who.language });
      ctx.log.info({ user: who.username, modify: who.canModify }, 'opened from the shop admin');
      to(res, '/');
    } catch (err) {
      if (!(err instanceof LaunchError)) throw err;
      ctx.log.warn({ reason: err.reason }, 'launch refused');
      res.status(err.reason === 'malformed' ? 400 : 403).render('launch-refused', { reason: err.reason, user: null });
    }
  });
  return router;
}
