// The health rules (app/admin/health.ts) one by one, on hand-made inputs: each reason appears
// exactly when its rule says, with the level, URL, run and counts the dashboard and alerts show
// (the optional order-status URL has its own cases in health.test.ts).
import { describe, expect, it } from 'vitest';
import { failureKey, judge, runTime, type HealthInput, type UrlKind, type UrlState } from '../../app/admin/health.js';
import type { RunRow } from '../../app/plugin/journal.js';

const NOW = new Date('2026-12-02T12:00:00');
// A journal time `hours` before NOW, as the journal writes it (local wall clock).
const ago = (hours: number) => {
  const d = new Date(NOW.getTime() - hours * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
const run = (id: number, status: RunRow['status'], hoursAgo: number, over: Partial<RunRow> = {}): RunRow =>
  ({ id, kind: 'prices', actor: 'erp', status, http_status: null, dry_run: 0, started_at: ago(hoursAgo), finished_at: ago(hoursAgo), duration_ms: 1, message: null, progress: 0, ...over });
const url = (kind: UrlKind, lastSuccess: RunRow | null, lastFailure: RunRow | null = null, active = true): UrlState => ({ kind, active, lastSuccess, lastFailure });
const fine = (): UrlState[] => [url('prices', run(10, 'ok', 1)), url('stock', run(11, 'ok', 1))];
const input = (over: Partial<HealthInput> = {}): HealthInput => ({
  now: NOW, databaseOk: true, moduleUninstalled: false, missingSettings: [], missingExport: [], staleAfterHours: 24, urls: fine(),
  schedulerOn: true, ordersWaiting: 0, ordersHeld: 0, ordersFailed: 0, lastExport: null, ...over,
});
const codes = (i: Partial<HealthInput>) => judge(input(i)).reasons.map((r) => `${r.level}:${r.code}${r.kind ? `.${r.kind}` : ''}`);

describe('the health verdict', () => {
  it('working when prices and stock were pushed lately and nothing waits', () => {
    expect(judge(input())).toMatchObject({ verdict: 'working', reasons: [], signature: 'working' });
  });

  it('a database that cannot be reached stops everything, and nothing else is judged', () => {
    expect(judge(input({ databaseOk: false, moduleUninstalled: true }))).toEqual({ verdict: 'stopped', reasons: [{ level: 'stopped', code: 'db_down' }], urls: [], signature: 'stopped:db_down' });
  });

  it('the module uninstalled and missing settings stop, with the count of missing settings', () => {
    const h = judge(input({ moduleUninstalled: true, missingSettings: ['webshop_id', 'password'] }));
    expect(h.reasons).toEqual([{ level: 'stopped', code: 'module_off' }, { level: 'stopped', code: 'settings_missing', vars: { count: 2 } }]);
    expect(h.signature).toBe('stopped:module_off,settings_missing');
  });

  it('a URL whose last push failed after its last success stops, pointing at the failed run', () => {
    const urls = [url('prices', run(10, 'ok', 1), run(12, 'failed', 0.5, { http_status: 500 })), url('stock', run(11, 'ok', 1))];
    expect(judge(input({ urls })).reasons).toEqual([{ level: 'stopped', code: 'url_failing', kind: 'prices', run: 12 }]);
    // The failure before the last success is history.
    expect(codes({ urls: [url('prices', run(13, 'ok', 1), run(12, 'failed', 2, { http_status: 500 })), url('stock', run(11, 'ok', 1))] })).toEqual([]);
  });

  it('a wrong key, throttling or a busy URL with a recent success is "needs attention", not "stopped"', () => {
    for (const [http_status, message] of [[401, 'bad key'], [403, 'forbidden'], [429, 'slow down'], [503, 'another push is running']] as const) {
      const urls = [url('prices', run(10, 'ok', 1), run(12, 'rejected', 0.5, { http_status, message })), url('stock', run(11, 'ok', 1))];
      expect(judge(input({ urls })).reasons, `${http_status}`).toEqual([{ level: 'attention', code: 'url_refused', kind: 'prices', run: 12 }]);
    }
  });

  it('the same refusal stops when the URL\'s last success is older than the threshold (24 h when the threshold is 0)', () => {
    const refusedAfter = (hours: number, staleAfterHours: number) => codes({ staleAfterHours, urls: [url('prices', run(10, 'ok', hours), run(12, 'rejected', 0.5, { http_status: 401 })), url('stock', run(11, 'ok', 1))] });
    expect(refusedAfter(30, 24)).toEqual(['stopped:url_failing.prices']);
    expect(refusedAfter(23, 24)).toEqual(['attention:url_refused.prices']);
    expect(refusedAfter(23, 0)).toEqual(['attention:url_refused.prices']);
    expect(refusedAfter(25, 0)).toEqual(['stopped:url_failing.prices']);
    expect(refusedAfter(40, 48)).toEqual(['attention:url_refused.prices']);
  });

  it('a refusal about the document itself (a 400) stops even with a recent success', () => {
    expect(codes({ urls: [url('prices', run(10, 'ok', 1), run(12, 'rejected', 0.5, { http_status: 400 })), url('stock', run(11, 'ok', 1))] })).toEqual(['stopped:url_failing.prices']);
  });

  it('prices and stock never pushed need attention; the other URLs do not', () => {
    expect(codes({ urls: [url('prices', null), url('stock', null), url('promo-prices', null), url('categories', null), url('order-status', null)] })).toEqual(['attention:never.prices', 'attention:never.stock']);
  });

  it('a URL not pushed for longer than the threshold is stale, unless inactive, optional or the threshold is 0', () => {
    const h = judge(input({ urls: [url('prices', run(10, 'ok', 30)), url('stock', run(11, 'ok', 1))] }));
    expect(h.reasons).toEqual([{ level: 'attention', code: 'stale', kind: 'prices', vars: { hours: 24 }, run: 10 }]);
    expect(h.urls[0]).toMatchObject({ stale: true, sinceSuccessMs: 30 * 3_600_000, failing: false, refused: false, partial: false });
    expect(codes({ urls: [url('prices', run(10, 'ok', 24)), url('stock', run(11, 'ok', 1))] })).toEqual([]);
    expect(codes({ staleAfterHours: 0, urls: [url('prices', run(10, 'ok', 300)), url('stock', run(11, 'ok', 1))] })).toEqual([]);
    expect(codes({ urls: [...fine(), url('categories', run(12, 'ok', 30), null, false), url('order-status', run(13, 'ok', 300))] })).toEqual([]);
    expect(codes({ urls: [...fine(), url('categories', run(12, 'ok', 30), null, true)] })).toEqual(['attention:stale.categories']);
  });

  it('the time since a success counts from its end, else its start; never negative', () => {
    const h = judge(input({ urls: [url('prices', run(10, 'ok', 5, { finished_at: null })), url('stock', run(11, 'ok', -1))] }));
    expect(h.urls.map((u) => u.sinceSuccessMs)).toEqual([5 * 3_600_000, 0]);
    expect(judge(input({ urls: [url('prices', run(10, 'ok', 5, { started_at: ago(9) }))] })).urls[0]!.sinceSuccessMs).toBe(5 * 3_600_000);
  });

  it('an optional URL the ERP never used: a refusal there is a warning of its own, a failed document still stops', () => {
    const refused = [...fine(), url('order-status', null, run(12, 'rejected', 1, { http_status: 401 }))];
    expect(judge(input({ urls: refused })).reasons).toEqual([{ level: 'attention', code: 'optional_refused', kind: 'order-status', run: 12 }]);
    expect(codes({ urls: [...fine(), url('order-status', null, run(12, 'rejected', 1, { http_status: 400 }))] })).toEqual(['stopped:url_failing.order-status']);
    expect(codes({ urls: [url('prices', null, run(12, 'rejected', 1, { http_status: 401 })), url('stock', run(11, 'ok', 1))] })).toEqual(['stopped:url_failing.prices']);
  });

  it('a push that applied only part of its records needs attention, pointing at it', () => {
    expect(judge(input({ urls: [url('prices', run(10, 'partial', 1)), url('stock', run(11, 'ok', 1))] })).reasons).toEqual([{ level: 'attention', code: 'partial', kind: 'prices', run: 10 }]);
  });

  it('orders waiting while nothing exports them stop; a recent export run (a system cron) counts', () => {
    expect(judge(input({ ordersWaiting: 3, schedulerOn: false })).reasons).toEqual([{ level: 'stopped', code: 'export_stopped', vars: { count: 3 } }]);
    expect(codes({ ordersWaiting: 3, schedulerOn: false, lastExport: run(20, 'ok', 2) })).toEqual([]);
    expect(codes({ ordersWaiting: 3, schedulerOn: false, lastExport: run(20, 'ok', 25) })).toEqual(['stopped:export_stopped']);
    expect(codes({ ordersWaiting: 3, schedulerOn: false, staleAfterHours: 48, lastExport: run(20, 'ok', 25) })).toEqual([]);
    expect(codes({ ordersWaiting: 3, schedulerOn: true })).toEqual([]);
    expect(codes({ ordersWaiting: 0, schedulerOn: false })).toEqual([]);
  });

  it('held and failed orders, a failing export and a missing export setting need attention, with their counts', () => {
    const h = judge(input({ ordersHeld: 2, ordersFailed: 1, lastExport: run(20, 'partial', 1), missingExport: ['a', 'b', 'c'] }));
    expect(h.reasons).toEqual([
      { level: 'attention', code: 'orders_held', vars: { count: 2 } },
      { level: 'attention', code: 'orders_failed', vars: { count: 1 } },
      { level: 'attention', code: 'export_failing', run: 20 },
      { level: 'attention', code: 'export_not_set_up', vars: { count: 3 } },
    ]);
    expect(h.verdict).toBe('attention');
    expect(h.signature).toBe('attention:export_failing,export_not_set_up,orders_failed,orders_held');
    for (const status of ['failed', 'interrupted', 'rejected'] as const) expect(codes({ lastExport: run(20, status, 1) }), status).toEqual(['attention:export_failing']);
    expect(codes({ lastExport: run(20, 'ok', 1) })).toEqual([]);
  });

  it('the signature names each reason once, with its URL, sorted, and no counts', () => {
    const urls = [url('prices', run(10, 'partial', 1)), url('stock', run(11, 'partial', 1))];
    expect(judge(input({ urls, ordersHeld: 5 })).signature).toBe('attention:orders_held,partial.prices,partial.stock');
    expect(judge(input({ urls, ordersHeld: 6 })).signature).toBe('attention:orders_held,partial.prices,partial.stock');
  });
});

describe('the words for a failed run', () => {
  it.each([
    [{ status: 'interrupted', http_status: 500 }, 'failure.interrupted'],
    [{ status: 'rejected', http_status: 401 }, 'failure.credentials'],
    [{ status: 'rejected', http_status: 403 }, 'failure.credentials'],
    [{ status: 'rejected', http_status: 429 }, 'failure.throttled'],
    [{ status: 'rejected', http_status: 503, message: 'the integration is disabled' }, 'failure.disabled'],
    [{ status: 'rejected', http_status: 503, message: 'the shop is not configured' }, 'failure.not_configured'],
    [{ status: 'rejected', http_status: 413 }, 'failure.too_large'],
    [{ status: 'rejected', http_status: 409 }, 'failure.sync_type'],
    [{ status: 'rejected', http_status: 503, message: 'another push is running' }, 'failure.busy'],
    [{ status: 'rejected', http_status: 503, message: 'another order status push is running' }, 'failure.busy'],
    [{ status: 'failed', http_status: 503, message: 'database unavailable' }, 'failure.database'],
    [{ status: 'rejected', http_status: 400 }, 'failure.document'],
    [{ status: 'rejected', http_status: 499 }, 'failure.document'],
    [{ status: 'failed', http_status: 500 }, 'failure.server'],
    [{ status: 'failed', http_status: 503, message: null }, 'failure.server'],
    [{ status: 'failed', http_status: null }, 'failure.server'],
  ] as const)('%j is %s', (r, want) => expect(failureKey({ message: null, ...r } as never)).toBe(want));
});

describe('journal times', () => {
  it('reads the journal\'s wall-clock time, and nothing from nothing or garbage', () => {
    expect(runTime('2026-12-02 10:30:00')?.getTime()).toBe(new Date('2026-12-02T10:30:00').getTime());
    expect(runTime(null)).toBeNull();
    expect(runTime('')).toBeNull();
    expect(runTime('not a time')).toBeNull();
  });
});

describe('the health rules at their exact limits', () => {
  it('a success exactly at the threshold is still recent; an export exactly a window ago still counts', () => {
    const refused = codes({ urls: [url('prices', run(10, 'ok', 24), run(12, 'rejected', 0.5, { http_status: 401 })), url('stock', run(11, 'ok', 1))] });
    expect(refused).toEqual(['attention:url_refused.prices']);
    expect(codes({ ordersWaiting: 1, schedulerOn: false, lastExport: run(20, 'ok', 24) })).toEqual([]);
  });

  it('with no staleness threshold (0) an export run within 24 hours still counts', () => {
    expect(codes({ ordersWaiting: 1, schedulerOn: false, staleAfterHours: 0, lastExport: run(20, 'ok', 2) })).toEqual([]);
    expect(codes({ ordersWaiting: 1, schedulerOn: false, staleAfterHours: 0, lastExport: run(20, 'ok', 25) })).toEqual(['stopped:export_stopped']);
  });

  it('the words of a 503 message count only on a 503', () => {
    for (const message of ['the integration is disabled', 'the shop is not configured', 'another push is running', 'database unavailable'])
      expect(failureKey({ status: 'failed', http_status: 500, message }), message).toBe('failure.server');
  });
});
