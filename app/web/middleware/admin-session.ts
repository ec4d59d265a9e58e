// Who is using the admin. The browser holds a random session id in a signed, HttpOnly,
// SameSite=Lax cookie (its path is the app's base path); the session itself lives on the server:
// the user, how they came in (the standalone login, or a signed launch from the shop's admin),
// whether they may change things, the language and the CSRF token. Logout, a password change and
// a shop user disabled in the shop end it at once.
import { createHmac } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { AdminSessions, SESSION_TTL_MS } from '../../admin/admin-sessions.js';
import { safeEqual } from '../../util/secrets.js';
import { baseOf } from '../base-path.js';
import { readCookies } from './cookies.js';

export const SESSION_COOKIE = 'erpb_session';
const TTL_MS = SESSION_TTL_MS;

export interface AdminUser {
  name: string;
  via: 'standalone' | 'opencart';
  canModify: boolean;
  csrf: string;
  language: string | null;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

const cookiePath = (res: Response) => `${baseOf(res)}/`;

export interface SessionOptions {
  via?: AdminUser['via'];
  canModify?: boolean;
  language?: string | null;
  /** The shop's user_id of a launch from the shop's admin: checked on every request. */
  shopUserId?: number | null;
}

/** Starts a server-side session and sets its cookie: the random id, signed (garbage never reaches the database). */
export async function issueSession(res: Response, req: Request, ctx: AppContext, user: string, opts: SessionOptions = {}): Promise<void> {
  const session = await new AdminSessions(ctx.db).create(user, {
    via: opts.via ?? 'standalone', canModify: opts.canModify ?? true, language: opts.language ?? null, shopUserId: opts.shopUserId ?? null,
  }, TTL_MS);
  res.cookie(SESSION_COOKIE, `${session.id}.${sign(ctx.config.appSecret, session.id)}`, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: cookiePath(res), maxAge: TTL_MS });
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
  res.clearCookie(SESSION_COOKIE, { path: cookiePath(res) });
}

async function readSession(req: Request, ctx: AppContext): Promise<AdminUser | null> {
  const id = sessionId(req, ctx.config.appSecret);
  if (!id) return null;
  const sessions = new AdminSessions(ctx.db);
  const s = await sessions.find(id);
  if (!s) return null;
  if (s.via === 'opencart' && !(await shopUserActive(ctx, s.shopUserId))) {
    // Disabled or removed in the shop: the session ends now, not in 8 hours.
    await sessions.end(id);
    return null;
  }
  return { name: s.username, via: s.via, canModify: s.canModify, csrf: s.csrf, language: s.language };
}

async function shopUserActive(ctx: AppContext, userId: number | null): Promise<boolean> {
  if (!userId) return false;
  return !!(await ctx.db.knex(ctx.db.t('user')).where({ user_id: userId, status: 1 }).first('user_id'));
}

export function resolveAdmin(ctx: AppContext) {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.user = await readSession(req, ctx);
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
