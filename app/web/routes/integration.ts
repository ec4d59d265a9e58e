// The four integration URLs the ERP calls. The route only translates HTTP to the push service
// and back: credentials, body limit, content negotiation.
import { Router, type Request, type Response } from 'express';
import { answerToXml, errorToXml } from '../../erp/answer.js';
import { describeDbError, isConnectionError } from '../../db/database.js';
import type { AppContext } from '../../context.js';
import { checkErpCredentials, parseBasicAuth } from '../../sync/erp-credentials.js';
import { isPushKind, type PushKind } from '../../sync/push-kinds.js';
import { PushError, PushService } from '../../sync/push-service.js';
import { FailureThrottle } from '../middleware/failure-throttle.js';
import { BodyTooLargeError, readRawBody } from '../middleware/raw-body.js';

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

export function integrationRoutes(ctx: AppContext, throttle = new FailureThrottle()): Router {
  const router = Router();
  const pushes = new PushService(ctx.db, ctx.settings);

  router.post('/integration/:kind', async (req, res) => {
    const kind = req.params.kind!;
    if (!isPushKind(kind)) return sendError(req, res, 404, `unknown integration URL "${kind}" (prices, stock, promo-prices, categories)`, null);
    const address = req.ip ?? 'unknown';
    const actor = `erp ${address}`;
    const wait = throttle.retryAfter(address);
    if (wait > 0) return sendError(req, res, 429, 'too many failed logins from this address; wait before trying again', null, wait);

    let settings;
    try {
      settings = await ctx.settings.get();
    } catch (err) {
      if (isConnectionError(err)) return sendError(req, res, 503, `the shop database is unavailable: ${describeDbError(err)}`, null, 30);
      throw err;
    }
    const key = typeof req.query.key === 'string' ? req.query.key : (req.headers['x-import-password'] as string | undefined);
    const check = checkErpCredentials(settings, { key, basic: parseBasicAuth(req.headers.authorization) });
    if (check !== 'ok') {
      req.resume();
      if (check === 'not_configured') {
        const run = await pushes.reject(kind as PushKind, actor, 503, 'not configured');
        return sendError(req, res, 503, 'not configured: set the webshop id and password or an import password in the erp-bridge settings', run);
      }
      throttle.fail(address);
      const message = check === 'missing' ? 'credentials required (?key=, X-Import-Password or HTTP Basic)' : 'wrong credentials';
      const run = await pushes.reject(kind as PushKind, actor, 401, message);
      return sendError(req, res, 401, message, run);
    }
    throttle.succeed(address);

    let body: Buffer;
    try {
      body = await readRawBody(req, settings.max_body_mb * 1024 * 1024);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      const run = await pushes.reject(kind as PushKind, actor, 413, err.message);
      res.set('Connection', 'close');
      return sendError(req, res, 413, err.message, run);
    }
    const dryRun = ['1', 'true', 'yes'].includes(String(req.query.dry_run ?? ''));
    try {
      const answer = await pushes.push({ kind: kind as PushKind, body, contentType: req.headers['content-type'], dryRun, actor });
      if (wantsXml(req)) res.type('application/xml').send(answerToXml(answer));
      else res.json(answer);
    } catch (err) {
      if (!(err instanceof PushError)) throw err;
      if (err.status >= 500) ctx.log.error({ err: err.message, run: err.run }, 'push failed');
      sendError(req, res, err.status, err.message, err.run, err.retryAfter);
    }
  });
  return router;
}
