import { Router, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import { AdminAccounts, MIN_PASSWORD } from '../../../admin/accounts.js';
import { clearSession, issueSession, type AdminUser } from '../../middleware/admin-session.js';
import { FailureThrottle } from '../../middleware/failure-throttle.js';
import { formToken, formTokenValid, sameOrigin } from '../../middleware/form-token.js';
import { isLang } from '../../i18n/messages.js';
import { safeEqual } from '../../../util/secrets.js';
import { LANG_COOKIE } from './context.js';
import { baseOf } from '../../base-path.js';
import { acceptLaunch, LaunchError } from '../../../admin/launch.js';

export function authRoutes(ctx: AppContext, throttle = new FailureThrottle(5, 15 * 60_000)): Router {
  const router = Router();
  const accounts = new AdminAccounts(ctx.db);
  const secret = ctx.config.appSecret;
  const to = (res: Response, path: string) => res.redirect(`${baseOf(res)}/admin${path === '/' ? '' : path}`);

  router.get('/login', async (req, res) => {
    if (!(await accounts.exists())) return to(res, '/setup');
    res.locals.csrf = formToken(req, res, secret);
    res.render('login', { error: null, username: '' });
  });

  router.post('/login', async (req, res) => {
    const address = req.ip ?? 'unknown';
    const username = String(req.body?.username ?? '').slice(0, 64);
    res.locals.csrf = formToken(req, res, secret);
    if (!formTokenValid(req, secret)) return res.status(403).render('login', { error: res.locals.t('error.csrf'), username });
    if (throttle.retryAfter(address) > 0) return res.status(429).render('login', { error: res.locals.t('login.throttled'), username });
    if (!(await accounts.verify(username, String(req.body?.password ?? '')))) {
      throttle.fail(address);
      return res.status(401).render('login', { error: res.locals.t('login.failed'), username });
    }
    throttle.succeed(address);
    await issueSession(res, req, ctx, username);
    to(res, '/');
  });

  router.get('/setup', async (req, res) => {
    if (await accounts.exists()) return to(res, '/login');
    res.locals.csrf = formToken(req, res, secret);
    res.render('setup', { error: null });
  });

  router.post('/setup', async (req, res) => {
    if (await accounts.exists()) return to(res, '/login');
    res.locals.csrf = formToken(req, res, secret);
    if (!formTokenValid(req, secret)) return res.status(403).render('setup', { error: res.locals.t('error.csrf') });
    const pw = String(req.body?.password ?? '');
    const pw2 = String(req.body?.password2 ?? '');
    if (pw !== pw2) return res.status(400).render('setup', { error: res.locals.t('setup.mismatch') });
    if (pw.length < MIN_PASSWORD) return res.status(400).render('setup', { error: res.locals.t('setup.short') });
    // Exactly one of parallel setups creates the account; the others get no session.
    if (!(await accounts.createFirst('admin', pw))) return to(res, '/login');
    await issueSession(res, req, ctx, 'admin');
    to(res, '/');
  });

  router.post('/logout', async (req, res) => {
    const user = res.locals.user as AdminUser | null;
    const sent = String(req.body?._csrf ?? req.headers['x-csrf-token'] ?? '');
    if (user && (!sameOrigin(req) || !sent || !safeEqual(sent, user.csrf))) return res.status(403).send(res.locals.t('error.csrf'));
    await clearSession(req, res, ctx);
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
      await issueSession(res, req, ctx, who.username, { via: 'opencart', canModify: who.canModify, language: who.language, shopUserId: who.userId });
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
