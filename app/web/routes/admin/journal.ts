// The journal: every run newest first (keyset pagination, no count over a million rows), a
// run's records not applied (all of them, page by page, by outcome), a product code's history
// across runs, CSV downloads in the page's language, and live progress of a running push.
import { Router, type Response } from 'express';
import type { AppContext } from '../../../context.js';
import { Journal, NOT_APPLIED, OUTCOMES, type RunRow } from '../../../plugin/journal.js';
import { ProductHistory } from '../../../plugin/product-history.js';
import { defaultLanguage } from '../../../shop/catalog.js';
import { findProductsByCode, productSummaries } from '../../../shop/products.js';
import { readConfigValue } from '../../../shop/setting-rows.js';
import { toCsv } from '../../../util/csv.js';
import { decodeLikeOpenCart, encodeLikeOpenCart } from '../../../util/html.js';
import type { Labels } from '../../i18n/labels.js';
import type { Translate } from '../../i18n/messages.js';
import type { Formatter } from '../../i18n/format.js';

const KINDS = ['prices', 'stock', 'promo-prices', 'categories', 'order-status', 'order-export', 'order-ack', 'orders'];
const STATUSES = ['ok', 'partial', 'rejected', 'failed', 'running', 'interrupted'];
/** Product pushes count every outcome on the run itself: their totals need no COUNT. */
const COUNTED_KINDS = new Set(['prices', 'stock', 'promo-prices', 'categories']);
const PAGE = 50;
const ITEM_PAGE = 100;
const ITEM_OUTCOMES = [...NOT_APPLIED, 'failed', 'noted'];

const csv = (rows: unknown[][]) => toCsv(rows, true);
const words = (res: Response) => ({ t: res.locals.t as Translate, fmt: res.locals.fmt as Formatter, label: res.locals.label as Labels });

export function journalRoutes(ctx: AppContext): Router {
  const router = Router();
  const journal = new Journal(ctx.db);
  const history = new ProductHistory(ctx.db);
  const filters = (q: Record<string, unknown>) => ({
    kind: KINDS.includes(String(q.kind)) ? String(q.kind) : undefined,
    status: STATUSES.includes(String(q.status)) ? String(q.status) : undefined,
    beforeId: Number(q.before) > 0 ? Number(q.before) : undefined,
  });

  /** Records not applied, per outcome: from the run's own counters where it keeps them. */
  const totalsOf = async (run: RunRow): Promise<Record<string, number>> => {
    if (run.status !== 'running' && COUNTED_KINDS.has(run.kind)) return Object.fromEntries(NOT_APPLIED.map((o) => [o, Number(run[o] ?? 0)]).filter(([, n]) => Number(n) > 0));
    return journal.itemTotals(run.id);
  };

  router.get('/journal', async (req, res) => {
    const f = filters(req.query);
    const runs = await journal.list({ ...f, limit: PAGE });
    res.render('journal', { runs, f, kinds: KINDS, statuses: STATUSES, outcomes: OUTCOMES, older: runs.length === PAGE ? runs[runs.length - 1]!.id : null });
  });

  router.get('/journal.csv', async (req, res) => {
    const f = filters(req.query);
    const { t, fmt, label } = words(res);
    const runs = await journal.list({ ...f, limit: 10_000 });
    res.type('text/csv; charset=utf-8').attachment('erp-bridge-journal.csv');
    const head = ['id', 'started_at', 'kind', 'actor', 'status', 'http_status', 'dry_run'].map((k) => t(`csv.${k}`));
    res.send(csv([
      [...head, ...OUTCOMES.map((o) => t(`outcome.${o}`)), t('csv.duration_ms'), t('csv.message')],
      ...runs.map((r) => [r.id, fmt.dateTime(r.started_at), t(`kind.${r.kind}`), label.actor(r.actor), t(`status.${r.status}`), r.http_status, t(r.dry_run ? 'csv.yes' : 'csv.no'), ...OUTCOMES.map((o) => r[o]), r.duration_ms, r.message]),
    ]));
  });

  // A product code across runs: what the ERP changed on it and which of its records were refused.
  router.get('/journal/product', async (req, res) => {
    const code = String(req.query.code ?? '').trim().slice(0, 255);
    if (!code) return res.redirect(res.locals.url('/journal'));
    // The shop stores codes HTML-encoded (as its admin writes them); the journal keeps them as sent.
    const codes = [...new Set([code, encodeLikeOpenCart(code)])];
    const beforeRun = Number(req.query.before) > 0 ? Number(req.query.before) : undefined;
    // Side by side: the page waits for the slowest read, not for their sum.
    const [settings, changes, problems, lang, currency] = await Promise.all([
      ctx.settings.get(),
      history.changes({ codes, beforeRun, limit: PAGE }),
      journal.itemsByCode(codes, { limit: PAGE }),
      defaultLanguage(ctx.db),
      readConfigValue(ctx.db, 'config_currency').then((v) => v ?? '', () => ''),
    ]);
    // Without history the product is found by its code: a scan, as OpenCart has no index on model or sku.
    const ids = changes.length ? [...new Set(changes.map((c) => c.product_id))] : (await findProductsByCode(ctx.db, settings.product_code_field, encodeLikeOpenCart(code))).map((p) => p.productId);
    const products = (await productSummaries(ctx.db, ids, lang.languageId)).map((p) => ({ ...p, name: decodeLikeOpenCart(p.name) }));
    res.render('product', { code, codeField: settings.product_code_field, products, currency, changes, problems, older: changes.length >= PAGE ? changes[changes.length - 1]!.run_id : null });
  });

  router.get('/journal/:id', async (req, res) => {
    const run = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).render('not-found');
    const outcome = ITEM_OUTCOMES.includes(String(req.query.outcome)) ? String(req.query.outcome) : undefined;
    const after = Number(req.query.after) >= 0 && req.query.after !== undefined ? Number(req.query.after) : undefined;
    const shown = Math.max(0, Number(req.query.shown) || 0);
    const items = await journal.items(run.id, { outcome, afterSeq: after, limit: ITEM_PAGE });
    const totals = await totalsOf(run);
    const total = outcome ? (totals[outcome] ?? 0) : Object.values(totals).reduce((a, b) => a + b, 0);
    const next = items.length === ITEM_PAGE ? items[items.length - 1]!.seq : null;
    res.render('run', { run, items, outcomes: OUTCOMES, totals, total, outcome, shown, next, pageSize: ITEM_PAGE });
  });

  router.get('/journal/:id/progress', async (req, res) => {
    const run = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).end();
    res.render('partials/run-progress', { run });
  });

  router.get('/journal/:id/items.csv', async (req, res) => {
    const run: RunRow | undefined = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).end();
    const { t, label } = words(res);
    const outcome = ITEM_OUTCOMES.includes(String(req.query.outcome)) ? String(req.query.outcome) : undefined;
    res.type('text/csv; charset=utf-8').attachment(`erp-bridge-run-${run.id}.csv`);
    const rows: unknown[][] = [[t('csv.record'), t('csv.code'), t('csv.outcome'), t('csv.reason')]];
    // Page through the run by keyset, whatever its size.
    for (let after: number | undefined; ; ) {
      const items = await journal.items(run.id, { outcome, afterSeq: after, limit: 20_000 });
      for (const i of items) rows.push([i.seq, i.code, label.outcome(i.outcome), label.reason(i)]);
      if (items.length < 20_000) break;
      after = items[items.length - 1]!.seq;
    }
    res.send(csv(rows));
  });
  return router;
}
