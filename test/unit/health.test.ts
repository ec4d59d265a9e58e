// The verdict's rules for the optional order-status URL (app/admin/health.ts), pure: no database,
// no clock. The dashboard's rendering of the same rules is in test/integration/owner-health.test.ts.
import { describe, expect, it } from 'vitest';
import { failureKey, judge, URL_KINDS, type HealthInput, type UrlState } from '../../app/admin/health.js';
import type { RunRow } from '../../app/plugin/journal.js';

const NOW = new Date('2026-12-02T12:00:00');
const at = (hoursAgo: number) => {
  const d = new Date(NOW.getTime() - hoursAgo * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
let nextId = 1;
const run = (kind: string, status: string, hoursAgo: number, extra: Partial<RunRow> = {}): RunRow =>
  ({ id: nextId++, kind, status, http_status: status === 'ok' || status === 'partial' ? 200 : 400, started_at: at(hoursAgo), finished_at: at(hoursAgo), message: null, ...extra }) as unknown as RunRow;

/** Prices and stock pushed an hour ago, everything else as given. */
function input(urls: Partial<Record<string, Partial<UrlState>>> = {}): HealthInput {
  return {
    now: NOW, databaseOk: true, moduleUninstalled: false, missingSettings: [], missingExport: [], staleAfterHours: 24,
    schedulerOn: true, ordersWaiting: 0, ordersHeld: 0, ordersFailed: 0, lastExport: null,
    urls: URL_KINDS.map((kind) => ({
      kind, active: kind !== 'categories', lastFailure: null,
      lastSuccess: kind === 'prices' || kind === 'stock' ? run(kind, 'ok', 1) : null,
      ...urls[kind],
    })),
  };
}
const codes = (i: HealthInput) => judge(i).reasons.map((r) => `${r.level}:${r.code}.${r.kind ?? ''}`);

describe('health of the order-status URL', () => {
  it('is judged with the other URLs', () => {
    expect(URL_KINDS).toContain('order-status');
  });

  it('never used, or silent for days after a success: no warning', () => {
    expect(judge(input()).verdict).toBe('working');
    expect(judge(input({ 'order-status': { lastSuccess: run('order-status', 'ok', 24 * 30) } })).verdict).toBe('working');
    // The same silence on stock is a warning: the exemption is the optional URL's alone.
    expect(codes(input({ stock: { lastSuccess: run('stock', 'ok', 30) } }))).toEqual(['attention:stale.stock']);
  });

  it('a wrong key on the never-used URL is a warning, not a stop; once it was used and went quiet, a stop like the others', () => {
    const wrongKey = run('order-status', 'rejected', 0, { http_status: 401, message: 'wrong import password' });
    expect(codes(input({ 'order-status': { lastFailure: wrongKey } }))).toEqual(['attention:optional_refused.order-status']);
    const old = run('order-status', 'ok', 72);
    expect(codes(input({ 'order-status': { lastSuccess: old, lastFailure: run('order-status', 'rejected', 0, { http_status: 401 }) } }))).toEqual(['stopped:url_failing.order-status']);
  });

  it('a refused document or a failure stops, a partial push needs attention', () => {
    expect(codes(input({ 'order-status': { lastFailure: run('order-status', 'rejected', 0, { http_status: 400, message: 'malformed JSON' }) } }))).toEqual(['stopped:url_failing.order-status']);
    expect(codes(input({ 'order-status': { lastSuccess: run('order-status', 'partial', 0) } }))).toEqual(['attention:partial.order-status']);
  });

  it('another order-status push still running is "busy", a caller failure (not a stop while the last success is recent)', () => {
    const success = run('order-status', 'ok', 2);
    const busy = run('order-status', 'failed', 0, { http_status: 503, message: 'another order status push is still running; try again shortly' });
    expect(failureKey(busy)).toBe('failure.busy');
    expect(failureKey({ ...busy, message: 'another push to this URL is still running; try again shortly' })).toBe('failure.busy');
    expect(codes(input({ 'order-status': { lastSuccess: success, lastFailure: busy } }))).toEqual(['attention:url_refused.order-status']);
  });
});
