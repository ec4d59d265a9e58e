// The journal: every run newest first (keyset pagination, no count over a million rows), a
// run's records not applied, CSV downloads, and live progress of a running push.
import { Router } from 'express';
import type { AppContext } from '../../../context.js';
import { Journal, OUTCOMES, type RunRow } from '../../../plugin/journal.js';
import { toCsv } from '../../../util/csv.js';

const KINDS = ['prices', 'stock', 'promo-prices', 'categories', 'order-status', 'order-export', 'order-ack', 'orders'];
const STATUSES = ['ok', 'partial', 'rejected', 'failed', 'running', 'interrupted'];
const PAGE = 50;

const csv = (rows: unknown[][]) => toCsv(rows, true);

export function journalRoutes(ctx: AppContext): Router {
  const router = Router();
  const journal = new Journal(ctx.db);
  const filters = (q: Record<string, unknown>) => ({
    kind: KINDS.includes(String(q.kind)) ? String(q.kind) : undefined,
    status: STATUSES.includes(String(q.status)) ? String(q.status) : undefined,
    beforeId: Number(q.before) > 0 ? Number(q.before) : undefined,
  });

  router.get('/journal', async (req, res) => {
    const f = filters(req.query);
    const runs = await journal.list({ ...f, limit: PAGE });
    res.render('journal', { runs, f, kinds: KINDS, statuses: STATUSES, outcomes: OUTCOMES, older: runs.length === PAGE ? runs[runs.length - 1]!.id : null });
  });

  router.get('/journal.csv', async (req, res) => {
    const f = filters(req.query);
    const runs = await journal.list({ ...f, limit: 10_000 });
    res.type('text/csv; charset=utf-8').attachment('erp-bridge-journal.csv');
    res.send(csv([['id', 'started_at', 'kind', 'actor', 'status', 'http_status', 'dry_run', ...OUTCOMES, 'duration_ms', 'message'], ...runs.map((r) => [r.id, r.started_at, r.kind, r.actor, r.status, r.http_status, r.dry_run ? 1 : 0, ...OUTCOMES.map((o) => r[o]), r.duration_ms, r.message])]));
  });

  router.get('/journal/:id', async (req, res) => {
    const run = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).render('not-found');
    res.render('run', { run, items: await journal.items(run.id, 1000), outcomes: OUTCOMES });
  });

  router.get('/journal/:id/progress', async (req, res) => {
    const run = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).end();
    res.render('partials/run-progress', { run });
  });

  router.get('/journal/:id/items.csv', async (req, res) => {
    const run: RunRow | undefined = await journal.get(Number(req.params.id));
    if (!run) return res.status(404).end();
    const items = await journal.items(run.id, 1_000_000);
    res.type('text/csv; charset=utf-8').attachment(`erp-bridge-run-${run.id}.csv`);
    res.send(csv([['record', 'code', 'outcome', 'reason'], ...items.map((i) => [i.seq, i.code, i.outcome, i.reason])]));
  });
  return router;
}
