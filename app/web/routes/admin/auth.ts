import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import { AdminAccounts, MIN_PASSWORD } from '../../../admin/accounts.js';
import { clearSession, issueSession } from '../../middleware/admin-session.js';
import { FailureThrottle } from '../../middleware/failure-throttle.js';
import { isLang } from '../../i18n/messages.js';
import { LANG_COOKIE } from './context.js';

export function authRoutes(ctx: AppContext, throttle = new FailureThrottle(5, 15 * 60_000)): Router {
  const router = Router();
  const accounts = new AdminAccounts(ctx.db);

  router.get('/login', async (_req, res) => {
    if (!(await accounts.exists())) return res.redirect('/admin/setup');
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
    res.redirect('/admin');
  });

  router.get('/setup', async (_req, res) => {
    if (await accounts.exists()) return res.redirect('/admin/login');
    res.render('setup', { error: null });
  });

  router.post('/setup', async (req, res) => {
    const pw = String(req.body?.password ?? '');
    const pw2 = String(req.body?.password2 ?? '');
    if (pw !== pw2) return res.status(400).render('setup', { error: res.locals.t('setup.mismatch') });
    if (pw.length < MIN_PASSWORD) return res.status(400).render('setup', { error: res.locals.t('setup.short') });
    if (!(await accounts.createFirst('admin', pw))) return res.redirect('/admin/login');
    issueSession(res, req, ctx.config.appSecret, 'admin');
    res.redirect('/admin');
  });

  router.post('/logout', (_req, res) => {
    clearSession(res);
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
