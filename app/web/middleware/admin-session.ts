// Who is using the admin: a standalone login (a signed, HttpOnly, SameSite=Lax cookie holding a
// random session id; the session itself, with its CSRF token, is a row on the server), or the
// shop's own admin session (OCSESSID + user_token), checked against the shop on every request.
import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { shopAdminFromSession } from '../../admin/opencart-session.js';
import { AdminSessions, SESSION_TTL_MS } from '../../admin/admin-sessions.js';
import { safeEqual } from '../../util/secrets.js';
import { readCookies } from './cookies.js';

export const SESSION_COOKIE = 'erpb_session';
const TTL_MS = SESSION_TTL_MS;

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

/** Starts a server-side session and sets its cookie: the random id, signed (garbage never reaches the database). */
export async function issueSession(res: Response, req: Request, ctx: AppContext, user: string): Promise<void> {
  const session = await new AdminSessions(ctx.db).create(user, TTL_MS);
  res.cookie(SESSION_COOKIE, `${session.id}.${sign(ctx.config.appSecret, session.id)}`, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: TTL_MS });
}

function sessionId(req: Request, secret: string): string | null {
  const raw = readCookies(req)[SESSION_COOKIE];
  if (!raw) return null;
  const [id, mac] = raw.split('.');
  if (!id || !mac || !safeEqual(mac, sign(secret, id))) return null;
  return id;
}

/** Logout: the session ends on the server too, so a copy of the cookie is worthless. */
export async function clearSession(req: Request, res: Response, ctx: AppContext): Promise<void> {
  const id = sessionId(req, ctx.config.appSecret);
  if (id) await new AdminSessions(ctx.db).end(id);
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}

async function readStandalone(req: Request, ctx: AppContext): Promise<AdminUser | null> {
  const id = sessionId(req, ctx.config.appSecret);
  if (!id) return null;
  const s = await new AdminSessions(ctx.db).find(id);
  if (!s) return null;
  return { name: s.username, via: 'standalone', canModify: true, csrf: s.csrf, userToken: null, language: null };
}

export function resolveAdmin(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let user = await readStandalone(req, ctx);
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
