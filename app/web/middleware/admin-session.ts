// Who is using the admin: a standalone login (a signed, HttpOnly, SameSite=Lax cookie holding
// the user, expiry and CSRF token), or the shop's own admin session (OCSESSID + user_token).
import { createHmac, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { shopAdminFromSession } from '../../admin/opencart-session.js';
import { safeEqual } from '../../util/secrets.js';
import { readCookies } from './cookies.js';

export const SESSION_COOKIE = 'erpb_session';
const TTL_MS = 8 * 3600_000;

export interface AdminUser {
  name: string;
  via: 'standalone' | 'opencart';
  canModify: boolean;
  csrf: string;
  /** Carried on every link when inside the shop's admin. */
  userToken: string | null;
  language: string | null;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function issueSession(res: Response, req: Request, secret: string, user: string): void {
  const payload = Buffer.from(JSON.stringify({ u: user, exp: Date.now() + TTL_MS, csrf: randomBytes(18).toString('base64url') })).toString('base64url');
  res.cookie(SESSION_COOKIE, `${payload}.${sign(secret, payload)}`, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: TTL_MS });
}

export function clearSession(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}

function readStandalone(req: Request, secret: string): AdminUser | null {
  const raw = readCookies(req)[SESSION_COOKIE];
  if (!raw) return null;
  const [payload, mac] = raw.split('.');
  if (!payload || !mac || !safeEqual(mac, sign(secret, payload))) return null;
  try {
    const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string; exp: number; csrf: string };
    if (s.exp < Date.now()) return null;
    return { name: s.u, via: 'standalone', canModify: true, csrf: s.csrf, userToken: null, language: null };
  } catch {
    return null;
  }
}

export function resolveAdmin(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let user = readStandalone(req, ctx.config.appSecret);
    if (!user) {
      const ocsessid = readCookies(req).OCSESSID;
      const token = typeof req.query.user_token === 'string' ? req.query.user_token : String(req.body?.user_token ?? '');
      if (ocsessid && token) {
        const admin = await shopAdminFromSession(ctx.db, ocsessid, token).catch(() => null);
        if (admin)
          user = {
            name: admin.username, via: 'opencart', canModify: admin.canModify,
            csrf: sign(ctx.config.appSecret, `csrf:${ocsessid}`).slice(0, 24), userToken: token, language: admin.language,
          };
      }
    }
    res.locals.user = user;
    next();
  };
}

/** State-changing requests need the session's CSRF token (form field or htmx header). */
export function verifyCsrf(req: Request, res: Response, next: NextFunction) {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const user = res.locals.user as AdminUser | null;
  const sent = String(req.headers['x-csrf-token'] ?? req.body?._csrf ?? '');
  if (!user || !sent || !safeEqual(sent, user.csrf)) {
    res.status(403).send(res.locals.t('error.csrf'));
    return;
  }
  next();
}
