// The journal (app/plugin/journal.ts) on each database, through its own methods: a run is
// finished once, with its counts and a bounded message; the dashboard's daily totals add each
// finished run once; the admin's lists filter and page; records keep their reason code and values
// only when those fit; a run left by a dead process is closed as interrupted. Each test journals
// under its own kind, so it stands alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE, Journal, emptyCounts, type JournalItem } from '../../app/plugin/journal.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { uniqueCode } from '../support/shop.js';

const kindOf = () => `k${uniqueCode('')}`;
const item = (seq: number, code: string, outcome = 'unknown', extra: Partial<JournalItem> = {}): JournalItem => ({ seq, code, outcome, reason: `reason ${seq}`, ...extra });

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('the journal on $name', (target) => {
  let env: TargetEnv;
  let journal: Journal;
  const db = () => env.ctx.db;
  const dayOf = async (kind: string) => (await journal.days('2000-01-01')).filter((d) => d.kind === kind);

  beforeAll(async () => {
    env = await openTarget(target);
    journal = new Journal(db());
  });
  afterAll(async () => env?.cleanup());

  it('a run starts running with its actor cut to 128 characters, and is finished once: a second finish changes nothing', async () => {
    const kind = kindOf();
    const run = await journal.start(kind, 'a'.repeat(200), true);
    expect(await journal.get(run)).toMatchObject({ kind, actor: 'a'.repeat(128), status: 'running', finished_at: null });
    expect(Boolean((await journal.get(run))!.dry_run)).toBe(true);
    expect(Boolean((await journal.get(await journal.start(kind, 'erp')))!.dry_run)).toBe(false); // not a dry run unless said
    const counts = { ...emptyCounts(), received: 5, updated: 2, created: 1, unknown: 1, invalid: 1 };
    await journal.finish(run, { status: 'partial', httpStatus: 200, counts, message: 'm'.repeat(5000), durationMs: 12.6 });
    const done = (await journal.get(run))!;
    expect(done).toMatchObject({ status: 'partial', http_status: 200, duration_ms: 13, received: 5, updated: 2, created: 1, unknown: 1, invalid: 1 });
    expect(done.message).toBe('m'.repeat(4000));
    expect(done.finished_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await journal.finish(run, { status: 'failed', message: 'again', durationMs: 1 });
    expect(await journal.get(run)).toMatchObject({ status: 'partial', message: 'm'.repeat(4000) });
    // The day's totals counted it once: applied = updated + created, problems = unknown + ambiguous + invalid.
    expect(await dayOf(kind)).toEqual([{ day: String(done.started_at).slice(0, 10), kind, runs: 1, applied: 3, problems: 2 }]);
  });

  it('the daily totals add every finished run of the day, a refused or failed run as one more problem; a run without counts applies nothing', async () => {
    const kind = kindOf();
    const a = await journal.start(kind, 'erp');
    await journal.finish(a, { status: 'ok', counts: { ...emptyCounts(), updated: 4, ambiguous: 2 }, durationMs: 0 });
    const b = await journal.start(kind, 'erp');
    await journal.finish(b, { status: 'failed', message: 'boom', durationMs: 0 });
    expect(await journal.get(b)).toMatchObject({ status: 'failed', http_status: null, message: 'boom' });
    const c = await journal.start(kind, 'erp');
    await journal.finish(c, { status: 'ok', durationMs: 0 });
    expect((await journal.get(c))!.message).toBeNull();
    const rejected = await journal.reject(kind, 'erp', 401, 'wrong key');
    expect(await journal.get(rejected!)).toMatchObject({ kind, status: 'rejected', http_status: 401, message: 'wrong key', duration_ms: 0 });
    const [day] = await dayOf(kind);
    expect(day).toMatchObject({ runs: 4, applied: 4, problems: 4 });
    // days(from) starts at its day: a later day has none of these.
    const later = `${Number(day!.day.slice(0, 4)) + 1}${day!.day.slice(4)}`;
    expect((await journal.days(later)).filter((d) => d.kind === kind)).toEqual([]);
    expect((await journal.days(day!.day)).filter((d) => d.kind === kind)).toHaveLength(1);
  });

  it('a refused call the journal cannot record (its table missing) is answered null, not an error', async () => {
    const noJournal = new Journal({ ...db(), own: (name: string) => `${db().own(name)}_missing` });
    expect(await noJournal.reject(kindOf(), 'erp', 401, 'wrong key')).toBeNull();
  });

  it('the daily totals come in day order from the day asked for', async () => {
    const kind = kindOf();
    const t = db().own('journal_day');
    await db().knex(t).insert([
      { day: '2026-03-02', kind, runs: 2, applied: 5, problems: 1 },
      { day: '2026-03-01', kind, runs: 1, applied: 0, problems: 0 },
      { day: '2026-02-28', kind, runs: 9, applied: 9, problems: 9 },
    ]);
    const mine = [
      { day: '2026-03-01', kind, runs: 1, applied: 0, problems: 0 },
      { day: '2026-03-02', kind, runs: 2, applied: 5, problems: 1 },
    ];
    expect((await journal.days('2026-03-01')).filter((d) => d.kind === kind)).toEqual(mine);
    // A run of another kind finishing adds to its own day's row only.
    const run = await journal.start(kindOf(), 'erp');
    await journal.finish(run, { status: 'failed', durationMs: 0 });
    expect((await journal.days('2026-03-01')).filter((d) => d.kind === kind)).toEqual(mine);
  });

  it('a run\'s records come a thousand at a time unless a page size is asked for', async () => {
    const run = await journal.start(kindOf(), 'erp');
    await journal.addItems(run, Array.from({ length: 1001 }, (_, i) => item(i + 1, `C${i}`)));
    const page = await journal.items(run);
    expect(page).toHaveLength(1000);
    expect(page[999]!.seq).toBe(1000);
    expect(await journal.itemTotals(run)).toEqual({ unknown: 1001 });
  });

  it('a running push\'s progress: records read, its phase, and a percent kept within 0–100 in whole numbers; a finished run is not moved', async () => {
    const kind = kindOf();
    const run = await journal.start(kind, 'erp');
    await journal.progress(run, 10);
    expect(await journal.get(run)).toMatchObject({ progress: 10, phase: null, percent: null });
    await journal.progress(run, 20, 'reading', 42.9);
    expect(await journal.get(run)).toMatchObject({ progress: 20, phase: 'reading', percent: 42 });
    await journal.progress(run, 30, 'writing', 180);
    expect(await journal.get(run)).toMatchObject({ progress: 30, phase: 'writing', percent: 100 });
    await journal.progress(run, 31, 'matching', -5);
    expect(await journal.get(run)).toMatchObject({ progress: 31, phase: 'matching', percent: 0 });
    await journal.progress(run, 32, 'writing');
    expect(await journal.get(run)).toMatchObject({ progress: 32, phase: 'writing', percent: null });
    await journal.finish(run, { status: 'ok', durationMs: 0 });
    await journal.progress(run, 99, 'reading', 5);
    expect(await journal.get(run)).toMatchObject({ progress: 32, phase: 'writing' });
  });

  it('lists runs newest first, by kind, by status and before an id; the newest run of a kind', async () => {
    const kind = kindOf();
    const ids: number[] = [];
    for (const status of ['ok', 'failed', 'ok', 'ok'] as const) {
      const id = await journal.start(kind, 'erp');
      await journal.finish(id, { status, durationMs: 0 });
      ids.push(id);
    }
    const other = await journal.start(kindOf(), 'erp');
    expect((await journal.list({ kind, limit: 10 })).map((r) => r.id)).toEqual([...ids].reverse());
    expect((await journal.list({ kind, limit: 2 })).map((r) => r.id)).toEqual([ids[3], ids[2]]);
    expect((await journal.list({ kind, status: 'ok', limit: 10 })).map((r) => r.id)).toEqual([ids[3], ids[2], ids[0]]);
    expect((await journal.list({ kind, beforeId: ids[2], limit: 10 })).map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect((await journal.list({ limit: 1 })).map((r) => r.id)).toEqual([other]);
    expect((await journal.lastOf(kind))!.id).toBe(ids[3]);
    expect(await journal.lastOf(kindOf())).toBeUndefined();
  });

  it('a record keeps its reason code and values only when they fit (500 characters), else the English sentence alone; long texts are cut to their columns', async () => {
    const run = await journal.start(kindOf(), 'erp');
    const fits = { v: 'x'.repeat(492) }; // {"v":"…"} is exactly 500 characters
    await journal.addItems(run, [
      item(1, 'c'.repeat(300), 'invalid', { reason: 'r'.repeat(600), reasonCode: 'q'.repeat(60), reasonVars: { field: 'ar', n: 3 } }),
      item(2, 'B', 'invalid', { reasonCode: 'number', reasonVars: fits }),
      item(3, 'C', 'invalid', { reasonCode: 'number', reasonVars: { v: 'x'.repeat(493) } }),
      item(4, 'D', 'unknown', { reasonCode: 'unknown' }),
      item(5, 'E', 'unknown', { reasonVars: { v: 1 } }),
    ]);
    const rows = await journal.items(run);
    expect(rows.map((r) => [r.seq, r.code.length, r.reason.length, r.reason_code, r.reason_vars])).toEqual([
      [1, 255, 500, 'q'.repeat(48), '{"field":"ar","n":3}'],
      [2, 1, 8, 'number', JSON.stringify(fits)],
      [3, 1, 8, null, null],
      [4, 1, 8, 'unknown', '{}'],
      [5, 1, 8, null, null],
    ]);
    // A record as the admin reads it: these columns and no others.
    expect(rows[1]).toEqual({ run_id: run, seq: 2, code: 'B', outcome: 'invalid', reason: 'reason 2', reason_code: 'number', reason_vars: JSON.stringify(fits) });
  });

  it('pages a run\'s records in record order after a seq, optionally of one outcome, and counts them per outcome', async () => {
    const run = await journal.start(kindOf(), 'erp');
    const other = await journal.start(kindOf(), 'erp');
    await journal.addItems(run, [item(3, 'C', 'invalid'), item(1, 'A'), item(2, 'B', 'ambiguous'), item(4, 'D')]);
    await journal.addItems(other, [item(1, 'Z')]);
    expect((await journal.items(run)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect((await journal.items(run, { limit: 2 })).map((r) => r.seq)).toEqual([1, 2]);
    expect((await journal.items(run, { afterSeq: 2, limit: 10 })).map((r) => r.seq)).toEqual([3, 4]);
    expect((await journal.items(run, { afterSeq: 0, limit: 10 })).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect((await journal.items(run, { outcome: 'unknown', limit: 10 })).map((r) => r.code)).toEqual(['A', 'D']);
    expect(await journal.itemTotals(run)).toEqual({ unknown: 2, ambiguous: 1, invalid: 1 });
  });

  it('finds a code\'s records across runs, newest run first, with the run\'s time and kind, before a run and up to a limit', async () => {
    const code = uniqueCode('JC');
    const kind = kindOf();
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await journal.start(kind, 'erp', i === 1);
      await journal.addItems(run, [item(1, code), item(2, uniqueCode('JX'))]);
      runs.push(run);
    }
    expect(await journal.itemsByCode([], { limit: 10 })).toEqual([]);
    const found = await journal.itemsByCode([code], { limit: 10 });
    expect(found.map((r) => [r.run_id, r.code, r.kind])).toEqual([[runs[2], code, kind], [runs[1], code, kind], [runs[0], code, kind]]);
    expect(found.map((r) => Boolean(r.dry_run))).toEqual([false, true, false]);
    expect(found[0]!.started_at).toBe((await journal.get(runs[2]!))!.started_at);
    expect((await journal.itemsByCode([code], { beforeRun: runs[2], limit: 10 })).map((r) => r.run_id)).toEqual([runs[1], runs[0]]);
    expect((await journal.itemsByCode([code], { limit: 1 })).map((r) => r.run_id)).toEqual([runs[2]]);
    expect(Object.keys(found[0]!).sort()).toEqual(['code', 'dry_run', 'kind', 'outcome', 'reason', 'reason_code', 'reason_vars', 'run_id', 'seq', 'started_at']);
    // The same code twice in one run: the later record first.
    const twice = await journal.start(kind, 'erp');
    await journal.addItems(twice, [item(1, code, 'invalid'), item(2, code, 'unknown')]);
    expect((await journal.itemsByCode([code], { limit: 2 })).map((r) => [r.run_id, r.seq])).toEqual([[twice, 2], [twice, 1]]);
  });

  it('closes as interrupted a run still running, and every running run of one kind; a finished run and other kinds keep theirs', async () => {
    const kind = kindOf();
    const other = kindOf();
    const a = await journal.start(kind, 'erp');
    const b = await journal.start(kind, 'erp');
    const done = await journal.start(kind, 'erp');
    await journal.finish(done, { status: 'ok', durationMs: 0 });
    const elsewhere = await journal.start(other, 'erp');
    await journal.markInterrupted(done);
    expect((await journal.get(done))!.status).toBe('ok');
    await journal.markInterrupted(a);
    expect(await journal.get(a)).toMatchObject({ status: 'interrupted', message: INTERRUPTED_MESSAGE });
    expect((await journal.get(a))!.finished_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await journal.get(b))!.status).toBe('running');
    expect(await journal.markKindInterrupted(kind)).toBe(1);
    expect(await journal.get(b)).toMatchObject({ status: 'interrupted', message: INTERRUPTED_MESSAGE });
    expect((await journal.get(b))!.finished_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await journal.get(done))!.status).toBe('ok');
    expect((await journal.get(elsewhere))!.status).toBe('running');
  });
});
