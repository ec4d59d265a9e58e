// The four integration URLs the ERP calls. The route only translates HTTP to the push service
// and back: credentials, body limit, content negotiation.
import { Router, type Request, type Response } from 'express';
import { answerToXml, errorToXml } from '../../erp/answer.js';
import { describeDbError, isConnectionError } from '../../db/database.js';
import type { AppContext } from '../../context.js';
import { checkErpCredentials, parseBasicAuth } from '../../sync/erp-credentials.js';
import { isIntegrationKind, isPushKind, type PushKind } from '../../sync/push-kinds.js';
import { PushError, PushService } from '../../sync/push-service.js';
import { FailureThrottle } from '../middleware/failure-throttle.js';
import { FEED_MAX_LIMIT, OrderFeed } from '../../sync/order-feed.js';
import { DocumentError } from '../../erp/errors.js';
import type { OrderFormat } from '../../erp/order-formats.js';
import type { Settings } from '../../settings/schema.js';
import { BodyTooLargeError, readRawBody } from '../middleware/raw-body.js';
import { FALSE_WORDS, TRUE_WORDS, parseCount, parseFlag } from '../../util/flags.js';
import { moduleState } from '../../shop/extension.js';
import { OrderStatusService, STATUS_KIND } from '../../sync/order-status.js';
import { statusAnswerToXml } from '../../erp/order-status-answer.js';
import { translator, type Lang } from '../i18n/messages.js';

/** A browser's request: its Accept header names HTML first. */
function wantsHtml(req: Request): boolean {
  return /^\s*text\/html/i.test(String(req.headers.accept ?? ''));
}

/** XML when Accept asks for it, else when the request was XML; JSON otherwise. */
function wantsXml(req: Request): boolean {
  const accept = String(req.headers.accept ?? '').toLowerCase();
  const first = accept.split(',')[0] ?? '';
  if (first.includes('json')) return false;
  if (first.includes('xml')) return true;
  return /xml/i.test(String(req.headers['content-type'] ?? ''));
}

function sendError(req: Request, res: Response, status: number, message: string, run: number | null, retryAfter?: number) {
  if (retryAfter) res.set('Retry-After', String(retryAfter));
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="erp-bridge", charset="UTF-8"');
  if (wantsXml(req)) res.status(status).type('application/xml').send(errorToXml(status, message, run));
  else res.status(status).json({ status, error: message, run });
}

type Authed = { settings: Settings; actor: string };

/**
 * Credentials for every integration URL: import password (?key= / X-Import-Password) or HTTP
 * Basic; failures are journalled and slowed down per address. Answers itself and returns null
 * when the call may not go on.
 */
async function authenticate(ctx: AppContext, pushes: PushService, throttle: FailureThrottle, kind: PushKind | 'orders' | typeof STATUS_KIND, req: Request, res: Response): Promise<Authed | null> {
  const address = req.ip ?? 'unknown';
  const actor = `erp ${address}`;
  const wait = throttle.retryAfter(address);
  if (wait > 0) {
    sendError(req, res, 429, 'too many failed logins from this address; wait before trying again', null, wait);
    return null;
  }
  let settings: Settings;
  try {
    // Uninstalling the module in the shop's admin switches erp-bridge off, keeping everything.
    if ((await moduleState(ctx.db)) === 'uninstalled') {
      req.resume();
      const run = await rejectCall(ctx, pushes, kind, actor, 503, 'disabled in the shop');
      sendError(req, res, 503, 'disabled in the shop: the erp-bridge module is uninstalled in the shop\'s admin (Extensions → Modules)', run, 300);
      return null;
    }
    settings = await ctx.settings.get();
  } catch (err) {
    if (isConnectionError(err)) {
      sendError(req, res, 503, `the shop database is unavailable: ${describeDbError(err)}`, null, 30);
      return null;
    }
    throw err;
  }
  const key = typeof req.query.key === 'string' ? req.query.key : (req.headers['x-import-password'] as string | undefined);
  const check = checkErpCredentials(settings, { key, basic: parseBasicAuth(req.headers.authorization) });
  if (check === 'ok') {
    throttle.succeed(address);
    return { settings, actor };
  }
  req.resume();
  if (check === 'not_configured') {
    const run = await rejectCall(ctx, pushes, kind, actor, 503, 'not configured');
    sendError(req, res, 503, 'not configured: set the webshop id and password or an import password in the erp-bridge settings', run);
    return null;
  }
  throttle.fail(address);
  const message = check === 'missing' ? 'credentials required (?key=, X-Import-Password or HTTP Basic)' : 'wrong credentials';
  const run = await rejectCall(ctx, pushes, kind, actor, 401, message);
  sendError(req, res, 401, message, run);
  return null;
}

/** Journals a refused call under its own URL's kind. */
function rejectCall(ctx: AppContext, pushes: PushService, kind: PushKind | 'orders' | typeof STATUS_KIND, actor: string, status: number, message: string) {
  return kind === STATUS_KIND ? new OrderStatusService(ctx.db, ctx.settings).reject(actor, status, message) : pushes.reject(kind, actor, status, message);
}

export function integrationRoutes(ctx: AppContext, throttle = new FailureThrottle()): Router {
  const router = Router();
  const pushes = new PushService(ctx.db, ctx.settings, { imageDir: ctx.config.shopImageDir });
  const feed = new OrderFeed(ctx.db);

  /** The feed answers only when the owner chose it (export_transport): an ack must not take an order from the HTTP push. */
  const feedOff = (req: Request, res: Response, settings: Settings, status: 404 | 409) => {
    if (settings.export_transport.includes('feed')) return false;
    sendError(req, res, status, 'the orders feed is off (setting export_transport does not include "feed")', null);
    return true;
  };

  // A browser opening an integration URL gets a short page saying what it is for (instead of
  // "Cannot GET"); it names nothing of the shop and needs no credentials.
  router.get(['/integration/:kind', '/integration/orders/ack'], (req, res, next) => {
    const kind = req.path.endsWith('/orders/ack') ? 'orders-ack' : String(req.params.kind);
    if (kind === 'orders') {
      // The feed itself is a GET: only a browser (HTML first in Accept) without credentials gets the page.
      const credentials = req.query.key !== undefined || req.headers['x-import-password'] !== undefined || req.headers.authorization !== undefined;
      if (credentials || !wantsHtml(req)) return next();
    } else if (!isIntegrationKind(kind) && kind !== 'orders-ack') return next();
    const lang: Lang = /^\s*hu\b/i.test(String(req.headers['accept-language'] ?? '')) ? 'hu' : 'en';
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Cache-Control', 'no-store');
    if (kind !== 'orders') res.set('Allow', 'POST');
    res.status(kind === 'orders' ? 200 : 405).render('integration-info', { lang, t: translator(lang), kind });
  });

  router.get('/integration/orders', async (req, res) => {
    const authed = await authenticate(ctx, pushes, throttle, 'orders', req, res);
    if (!authed || feedOff(req, res, authed.settings, 404)) return;
    const q = String(req.query.format ?? '').toLowerCase();
    const format: OrderFormat = q === 'json' || q === 'csv' || q === 'xml' ? q : /json/i.test(String(req.headers.accept ?? '')) ? 'json' : 'xml';
    const limit = parseCount(req.query.limit, 100);
    const after = parseCount(req.query.after, 0);
    if (limit === null || limit < 1) return sendError(req, res, 400, `limit must be a whole number from 1 to ${FEED_MAX_LIMIT} (larger values give ${FEED_MAX_LIMIT})`, null);
    if (after === null) return sendError(req, res, 400, 'after must be an order id (a whole number)', null);
    const page = await feed.page(format, limit, after);
    if (page.held.length) ctx.log.warn({ held: page.held }, 'orders held aside: their stored documents cannot be served');
    res.type(page.type).send(page.body);
  });

  router.post('/integration/orders/ack', async (req, res) => {
    const authed = await authenticate(ctx, pushes, throttle, 'orders', req, res);
    if (!authed || feedOff(req, res, authed.settings, 409)) return;
    try {
      const body = await readRawBody(req, authed.settings.max_body_mb * 1024 * 1024);
      res.json(await feed.acknowledge(body, req.headers['content-type'], authed.actor));
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendError(req, res, 413, err.message, null);
      if (err instanceof DocumentError) return sendError(req, res, err.status, err.message, (err as { run?: number }).run ?? null);
      throw err;
    }
  });

  // The ERP's word on orders (issue 15): same credentials, formats, dry run and answer as the pushes.
  const statuses = new OrderStatusService(ctx.db, ctx.settings);
  router.post(`/integration/${STATUS_KIND}`, async (req, res) => {
    const authed = await authenticate(ctx, pushes, throttle, STATUS_KIND, req, res);
    if (!authed) return;
    const { settings, actor } = authed;
    let body: Buffer;
    try {
      body = await readRawBody(req, settings.max_body_mb * 1024 * 1024);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      const run = await statuses.reject(actor, 413, err.message);
      res.set('Connection', 'close');
      return sendError(req, res, 413, err.message, run);
    }
    const dryRun = parseFlag(req.query.dry_run);
    if (dryRun === null) {
      const run = await statuses.reject(actor, 400, 'bad dry_run');
      return sendError(req, res, 400, `dry_run must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')} (or absent); nothing was written`, run);
    }
    try {
      const answer = await statuses.push({ body, contentType: req.headers['content-type'], dryRun, actor });
      if (wantsXml(req)) res.type('application/xml').send(statusAnswerToXml(answer));
      else res.json(answer);
    } catch (err) {
      if (!(err instanceof PushError)) throw err;
      if (err.status >= 500) ctx.log.error({ err: err.message, detail: err.detail, ref: err.ref, run: err.run }, 'order status push failed');
      sendError(req, res, err.status, err.message, err.run, err.retryAfter);
    }
  });

  router.post('/integration/:kind', async (req, res) => {
    const kind = req.params.kind!;
    if (!isPushKind(kind)) return sendError(req, res, 404, `unknown integration URL "${kind}" (prices, stock, promo-prices, categories, order-status)`, null);
    const authed = await authenticate(ctx, pushes, throttle, kind, req, res);
    if (!authed) return;
    const { settings, actor } = authed;
    // The body is read by the push as it arrives (never held whole); a declared length over the
    // limit is refused before reading any of it.
    const limit = settings.max_body_mb * 1024 * 1024;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      const err = new BodyTooLargeError(limit);
      const run = await pushes.reject(kind, actor, 413, err.message);
      res.set('Connection', 'close');
      return sendError(req, res, 413, err.message, run);
    }
    const dryRun = parseFlag(req.query.dry_run);
    if (dryRun === null) {
      req.resume();
      const run = await pushes.reject(kind, actor, 400, 'bad dry_run');
      return sendError(req, res, 400, `dry_run must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')} (or absent); nothing was written`, run);
    }
    try {
      const answer = await pushes.push({ kind, body: req as AsyncIterable<Buffer>, size: Number.isFinite(declared) ? declared : undefined, contentType: req.headers['content-type'], dryRun, actor });
      if (wantsXml(req)) res.type('application/xml').send(answerToXml(answer));
      else res.json(answer);
      // No full garbage collection is forced after a big push (earlier rounds did, from
      // 5d9e2cd): a forced one threw away the push's optimized code (V8 drops code whose embedded
      // maps and objects it collects), so the next push paid 0.3–0.4 s of CPU compiling it again;
      // the peak stays flat without it (round 18, README's Benchmarks).
    } catch (err) {
      if (!(err instanceof PushError)) throw err;
      // The rest of a refused body is not read: the connection closes after the answer.
      if (!req.readableEnded) {
        res.set('Connection', 'close');
        req.resume();
      }
      if (err.status >= 500) ctx.log.error({ err: err.message, detail: err.detail, ref: err.ref, run: err.run }, 'push failed');
      sendError(req, res, err.status, err.message, err.run, err.retryAfter);
    }
  });
  return router;
}
