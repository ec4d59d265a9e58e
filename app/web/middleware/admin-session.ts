// Who is using the admin: one signed, HttpOnly, SameSite=Lax cookie holding the user, how they
// came in (the standalone login, or a signed launch from the shop's admin), whether they may
// change things, the expiry and the CSRF token. Its path is the app's base path.
import { createHmac, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { safeEqual } from '../../util/secrets.js';
import { baseOf } from '../base-path.js';
import { readCookies } from './cookies.js';

export const SESSION_COOKIE = 'erpb_session';
const TTL_MS = 8 * 3600_000;

export interface AdminUser {
  name: string;
  via: 'standalone' | 'opencart';
  canModify: boolean;
  csrf: string;
  language: string | null;
}

interface SessionPayload {
  u: string;
  v: AdminUser['via'];
  m: boolean;
  l: string | null;
  exp: number;
  csrf: string;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

const cookiePath = (res: Response) => `${baseOf(res)}/`;

export function issueSession(res: Response, req: Request, secret: string, user: string, opts: { via?: AdminUser['via']; canModify?: boolean; language?: string | null } = {}): void {
  const session: SessionPayload = {
    u: user, v: opts.via ?? 'standalone', m: opts.canModify ?? true, l: opts.language ?? null,
    exp: Date.now() + TTL_MS, csrf: randomBytes(18).toString('base64url'),
  };
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  res.cookie(SESSION_COOKIE, `${payload}.${sign(secret, payload)}`, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: cookiePath(res), maxAge: TTL_MS });
}

export function clearSession(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: cookiePath(res) });
}

function readSession(req: Request, secret: string): AdminUser | null {
  const raw = readCookies(req)[SESSION_COOKIE];
  if (!raw) return null;
  const [payload, mac] = raw.split('.');
  if (!payload || !mac || !safeEqual(mac, sign(secret, payload))) return null;
  try {
    const s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionPayload;
    if (!(s.exp > Date.now())) return null;
    return { name: s.u, via: s.v === 'opencart' ? 'opencart' : 'standalone', canModify: s.m !== false, csrf: s.csrf, language: s.l ?? null };
  } catch {
    return null;
  }
}

export function resolveAdmin(ctx: AppContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.user = readSession(req, ctx.config.appSecret);
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
