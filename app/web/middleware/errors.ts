// Every failed request ends here: the answer carries a short message and a reference, the log
// carries the details under the same reference. SQL, stack traces, file paths and connection
// strings stay in the log (at most), never in an answer or a page.
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { isConnectionError } from '../../db/database.js';
import { translator } from '../i18n/messages.js';
import { formatter } from '../i18n/format.js';
import { labels } from '../i18n/labels.js';
import { internalErrorMessage, newReference, referenceOf } from '../../util/reference.js';
import { baseOf } from '../base-path.js';

export type FailureKind = 'unavailable' | 'too_large' | 'bad_request' | 'internal';

export interface PublicFailure {
  status: number;
  kind: FailureKind;
  /** A short English message, safe to show. */
  message: string;
  /** Quoted in the answer and in the log line. */
  ref: string;
  retryAfter?: number;
}

export { newReference };

/** What may be said about an error, and with which status. */
export function classifyError(err: unknown, ref = referenceOf(err)): PublicFailure {
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  if (isConnectionError(err)) return { status: 503, kind: 'unavailable', message: `the shop database is unavailable; try again shortly (reference ${ref})`, ref, retryAfter: 30 };
  if (e?.type === 'entity.too.large' || e?.status === 413) return { status: 413, kind: 'too_large', message: `the request body is too large (reference ${ref})`, ref };
  const status = Number(e?.status ?? e?.statusCode ?? 0);
  if (status >= 400 && status < 500 && e?.expose !== false) return { status, kind: 'bad_request', message: `the request could not be read (reference ${ref})`, ref };
  return { status: 500, kind: 'internal', message: internalErrorMessage(ref), ref };
}

/** The log line for a failure: the error's own message and stack, under the reference. */
export function logFailure(ctx: AppContext, f: PublicFailure, err: unknown, where: string): void {
  const e = err as Error;
  const fields = { ref: f.ref, status: f.status, where, err: { name: e?.name, message: String(e?.message ?? err).slice(0, 2000), stack: e?.stack?.split('\n').slice(0, 8).join('\n') } };
  if (f.status >= 500) ctx.log.error(fields, 'request failed');
  else ctx.log.warn(fields, 'request refused');
}

/** The admin's pages: the error page in the user's language. */
export function adminErrorHandler(ctx: AppContext) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const f = classifyError(err);
    logFailure(ctx, f, err, `admin ${req.method} ${req.path}`);
    // The body parsers run before the page helpers: give the error page what it needs.
    res.locals.lang ??= 'en';
    res.locals.t ??= translator(res.locals.lang);
    res.locals.fmt ??= formatter(res.locals.lang);
    res.locals.label ??= labels(res.locals.t, res.locals.fmt);
    res.locals.url ??= (p: string) => `${baseOf(res)}/admin${p}`;
    res.locals.currentPath ??= req.path;
    res.locals.csrf ??= '';
    if (f.retryAfter) res.set('Retry-After', String(f.retryAfter));
    const message = res.locals.t(`error.${f.kind}`, { ref: f.ref });
    if (req.headers['hx-request']) return void res.status(f.status).type('text/plain').send(message);
    res.status(f.status).render('error', { message, user: res.locals.user ?? null }, (renderErr: Error | null, html: string) => {
      if (renderErr) res.type('text/plain').send(message);
      else res.send(html);
    });
  };
}

/** The integration URLs (and anything outside the admin): JSON, or XML when that was asked for. */
export function apiErrorHandler(ctx: AppContext) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const f = classifyError(err);
    logFailure(ctx, f, err, `${req.method} ${req.path}`);
    if (f.retryAfter) res.set('Retry-After', String(f.retryAfter));
    const run = (err as { run?: number }).run ?? null;
    const xml = /xml/i.test(String(req.headers.accept ?? '').split(',')[0] ?? '') || (!/json/i.test(String(req.headers.accept ?? '')) && /xml/i.test(String(req.headers['content-type'] ?? '')));
    if (xml) res.status(f.status).type('application/xml').send(`<?xml version="1.0" encoding="UTF-8"?>\n<error status="${f.status}" ref="${f.ref}"${run ? ` run="${run}"` : ''}>${f.message}</error>\n`);
    else res.status(f.status).json({ status: f.status, error: f.message, run, ref: f.ref });
  };
}

/** Unknown paths outside the admin: a short 404, never Express's HTML page with the path. */
export function notFound(_req: Request, res: Response) {
  res.status(404).json({ status: 404, error: 'not found' });
}
