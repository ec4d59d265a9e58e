import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import { AdminAccounts, MIN_PASSWORD } from '../../../admin/accounts.js';
import { clearSession, issueSession, type AdminUser } from '../../middleware/admin-session.js';
import { FailureThrottle } from '../../middleware/failure-throttle.js';
import { formToken, formTokenValid, sameOrigin } from '../../middleware/form-token.js';
import { isLang } from '../../i18n/messages.js';
import { safeEqual } from '../../../util/secrets.js';
import { LANG_COOKIE } from './context.js';

export function authRoutes(ctx: AppContext, throttle = new FailureThrottle(5, 15 * 60_000)): Router {
  const router = Router();
  const accounts = new AdminAccounts(ctx.db);
  const secret = ctx.config.appSecret;

  router.get('/login', async (req, res) => {
    if (!(await accounts.exists())) return res.redirect('/admin/setup');
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
    res.redirect('/admin');
  });

  router.get('/setup', async (req, res) => {
    if (await accounts.exists()) return res.redirect('/admin/login');
    res.locals.csrf = formToken(req, res, secret);
    res.render('setup', { error: null });
  });

  router.post('/setup', async (req, res) => {
    if (await accounts.exists()) return res.redirect('/admin/login');
    res.locals.csrf = formToken(req, res, secret);
    if (!formTokenValid(req, secret)) return res.status(403).render('setup', { error: res.locals.t('error.csrf') });
    const pw = String(req.body?.password ?? '');
    const pw2 = String(req.body?.password2 ?? '');
    if (pw !== pw2) return res.status(400).render('setup', { error: res.locals.t('setup.mismatch') });
    if (pw.length < MIN_PASSWORD) return res.status(400).render('setup', { error: res.locals.t('setup.short') });
    // Exactly one of parallel setups creates the account; the others get no session.
    if (!(await accounts.createFirst('admin', pw))) return res.redirect('/admin/login');
    await issueSession(res, req, ctx, 'admin');
    res.redirect('/admin');
  });

  router.post('/logout', async (req, res) => {
    const user = res.locals.user as AdminUser | null;
    const sent = String(req.body?._csrf ?? req.headers['x-csrf-token'] ?? '');
    if (user && (!sameOrigin(req) || !sent || !safeEqual(sent, user.csrf))) return res.status(403).send(res.locals.t('error.csrf'));
    if (user?.via === 'standalone') await clearSession(req, res, ctx);
    res.redirect('/admin/login');
  });

  router.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang;
    if (isLang(lang)) res.cookie(LANG_COOKIE, lang, { sameSite: 'lax', path: '/', maxAge: 365 * 86400_000 });
    const back = String(req.query.back ?? '/admin');
    res.redirect(back.startsWith('/admin') && !back.startsWith('//') ? back : '/admin');
  });
  return router;
}
