// erp-bridge may be mounted under a path (nginx `location /erp-bridge/`): every link, form,
// redirect, asset, htmx request and cookie must then carry that path. It comes from the
// proxy's X-Forwarded-Prefix when given, else from PUBLIC_URL's own path.
import type { NextFunction, Request, Response } from 'express';

const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/;

/** '/erp-bridge' for https://shop.example.hu/erp-bridge/, '' for a URL without a path. */
export function pathOf(publicUrl: string): string {
  const p = new URL(publicUrl).pathname.replace(/\/+$/, '');
  return PREFIX.test(p) ? p : '';
}

/** The request's base path; a malformed X-Forwarded-Prefix is ignored. */
export function basePath(req: Request, configured: string): string {
  const header = req.headers['x-forwarded-prefix'];
  if (typeof header === 'string' && header !== '') {
    const p = header.trim().replace(/\/+$/, '');
    if (PREFIX.test(p)) return p;
  }
  return configured;
}

/**
 * Sets res.locals.base. A proxy that forwards the prefix unchanged (no trailing slash on
 * proxy_pass) is served too: the prefix is taken off the URL before routing.
 */
export function mountPath(configured: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const base = basePath(req, configured);
    if (base && (req.url === base || req.url.startsWith(`${base}/`) || req.url.startsWith(`${base}?`))) req.url = req.url.slice(base.length) || '/';
    res.locals.base = base;
    next();
  };
}

/** The base of the current request (set by mountPath). */
export function baseOf(res: Response): string {
  return typeof res.locals.base === 'string' ? res.locals.base : '';
}

/** PUBLIC_URL's origin with the request's base path: the address printed for the ERP. */
export function publicUrlOf(res: Response, publicUrl: string): string {
  return new URL(publicUrl).origin + baseOf(res);
}
