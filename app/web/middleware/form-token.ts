// CSRF for the forms used before anyone is logged in (login, setup): a random value in an
// HttpOnly, SameSite=Strict cookie, and its HMAC in the form. Another site can make a browser
// post the form, but cannot read the cookie to forge the field. A cross-site Origin is refused
// outright too.
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { safeEqual } from '../../util/secrets.js';
import { readCookies } from './cookies.js';
import { baseOf } from '../base-path.js';

export const FORM_COOKIE = 'erpb_form';

const mac = (secret: string, value: string) => createHmac('sha256', secret).update(`form:${value}`).digest('base64url');

/** The token for the page's form; sets the cookie when the browser has none yet. */
export function formToken(req: Request, res: Response, secret: string): string {
  let value = readCookies(req)[FORM_COOKIE];
  if (!value || !/^[\w-]{24,64}$/.test(value)) {
    value = randomBytes(24).toString('base64url');
    res.cookie(FORM_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: `${baseOf(res)}/admin` });
  }
  return mac(secret, value);
}

/** True when the request came from our own page: same-origin (when the browser says) and a matching token. */
export function formTokenValid(req: Request, secret: string): boolean {
  if (!sameOrigin(req)) return false;
  const value = readCookies(req)[FORM_COOKIE];
  const sent = String(req.body?._csrf ?? req.headers['x-csrf-token'] ?? '');
  return !!value && !!sent && safeEqual(sent, mac(secret, value));
}

/** A cross-site Origin (or Referer) is refused; requests without either (curl, old browsers) rely on the token. */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin || origin === 'null') return origin !== 'null';
  try {
    return new URL(String(origin)).host === req.headers.host;
  } catch {
    return false;
  }
}
