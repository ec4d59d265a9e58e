// The journal: one run per sync call (push, export, test), with counts and every record that
// was not applied. Written whatever the outcome, rejected documents included.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { now } from '../util/time.js';

export const OUTCOMES = ['received', 'updated', 'unchanged', 'created', 'unknown', 'ambiguous', 'invalid', 'ignored'] as const;
export type Counts = Record<(typeof OUTCOMES)[number], number>;
/** What a running push is doing: reading the body (and checking records), matching codes, writing the shop. */
export const RUN_PHASES = ['reading', 'matching', 'writing'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];
/** The journal's word for a run whose process stopped before it finished. */
export const INTERRUPTED_MESSAGE = 'interrupted: the process stopped before the run finished';
export type RunStatus = 'running' | 'ok' | 'partial' | 'rejected' | 'failed' | 'interrupted';

export const emptyCounts = (): Counts => ({ received: 0, updated: 0, unchanged: 0, created: 0, unknown: 0, ambiguous: 0, invalid: 0, ignored: 0 });

export interface JournalItem {
  seq: number;
  code: string;
  outcome: string;
  /** The English sentence (as the ERP's answer carries it). */
  reason: string;
  /** The same reason as a code and its values (app/erp/reasons.ts), for the admin's language. */
  reasonCode?: string;
  reasonVars?: Record<string, string | number>;
}

/** A journal item as the admin reads it. */
export interface JournalItemRow {
  run_id: number;
  seq: number;
  code: string;
  outcome: string;
  reason: string;
  reason_code: string | null;
  reason_vars: string | null;
}

/** The outcomes of records that were not applied. */
export const NOT_APPLIED = ['unknown', 'ambiguous', 'invalid', 'ignored'] as const;

const varsJson = (i: JournalItem): string | null => {
  if (!i.reasonCode) return null;
  const s = JSON.stringify(i.reasonVars ?? {});
  // Too long to keep whole (a quoted value): the admin shows the stored English sentence instead.
  return s.length <= 500 ? s : null;
};

export interface RunRow {
  id: number;
  kind: string;
  actor: string;
  status: RunStatus;
  http_status: number | null;
  dry_run: number | boolean;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  message: string | null;
  progress: number;
  phase?: RunPhase | null;
  percent?: number | null;
  [count: string]: unknown;
}

export class Journal {
  constructor(private readonly db: Database) {}

  private get runs() {
    return this.db.knex(this.db.own('journal_run'));
  }

  async start(kind: string, actor: string, dryRun = false): Promise<number> {
    const [id] = await this.runs.insert({ kind, actor: actor.slice(0, 128), status: 'running', dry_run: dryRun, started_at: now() });
    return Number(id);
  }

  /** A running push's progress: records read so far, and (when known) its phase and percent. */
  async progress(runId: number, processed: number, phase?: RunPhase, percent?: number): Promise<void> {
    const pct = percent === undefined ? null : Math.max(0, Math.min(100, Math.floor(percent)));
    await this.db.knex(this.db.own('journal_run')).where({ id: runId, status: 'running' }).update({ progress: processed, ...(phase ? { phase, percent: pct } : {}) });
  }

  /**
   * Journals a call refused before its document was read (credentials, size, a bad flag) as one
   * finished run; null when even the journal cannot be written (the caller still answers).
   */
  async reject(kind: string, actor: string, httpStatus: number, message: string): Promise<number | null> {
    try {
      const run = await this.start(kind, actor);
      await this.finish(run, { status: 'rejected', httpStatus, message, durationMs: 0 });
      return run;
    } catch {
      return null;
    }
  }

  async finish(runId: number, r: { status: RunStatus; httpStatus?: number; counts?: Counts; message?: string; durationMs: number }): Promise<void> {
    const n = await this.db.knex(this.db.own('journal_run'))
      .where({ id: runId })
      .whereIn('status', ['running'])
      .update({ status: r.status, http_status: r.httpStatus ?? null, message: r.message?.slice(0, 4000) ?? null, finished_at: now(), duration_ms: Math.round(r.durationMs), ...(r.counts ?? {}) });
    if (Number(n) !== 1) return;
    const run = await this.get(runId);
    if (!run) return;
    const c = r.counts;
    const applied = c ? c.updated + c.created : 0;
    const problems = (c ? c.unknown + c.ambiguous + c.invalid : 0) + (r.status === 'rejected' || r.status === 'failed' ? 1 : 0);
    await this.bumpDay(String(run.started_at).slice(0, 10), run.kind, applied, problems);
  }

  /** Daily totals for the dashboard chart: insert the day's row once, then add to it. */
  private async bumpDay(day: string, kind: string, applied: number, problems: number): Promise<void> {
    const t = this.db.own('journal_day');
    await this.db.knex.raw(`${this.db.dialect.insertIgnore()} INTO ${t} (day, kind, runs, applied, problems) VALUES (?, ?, 0, 0, 0)`, [day, kind]);
    await this.db.knex(t).where({ day, kind }).update({
      runs: this.db.knex.raw('runs + 1'),
      applied: this.db.knex.raw('applied + ?', [applied]),
      problems: this.db.knex.raw('problems + ?', [problems]),
    });
  }

  async days(fromDay: string): Promise<Array<{ day: string; kind: string; runs: number; applied: number; problems: number }>> {
    const rows = await this.db.knex(this.db.own('journal_day')).where('day', '>=', fromDay).orderBy('day').select();
    return rows.map((r) => ({ day: String(r.day), kind: String(r.kind), runs: Number(r.runs), applied: Number(r.applied), problems: Number(r.problems) }));
  }

  /** Newest first, keyset-paginated (no COUNT over a million rows). */
  async list(f: { kind?: string; status?: string; beforeId?: number; limit: number }): Promise<RunRow[]> {
    const q = this.db.knex(this.db.own('journal_run')).orderBy('id', 'desc').limit(f.limit);
    if (f.kind) q.where('kind', f.kind);
    if (f.status) q.where('status', f.status);
    if (f.beforeId) q.where('id', '<', f.beforeId);
    return q.select();
  }

  async lastOf(kind: string): Promise<RunRow | undefined> {
    return this.db.knex(this.db.own('journal_run')).where({ kind }).orderBy('id', 'desc').first();
  }

  async addItems(runId: number, items: JournalItem[]): Promise<void> {
    const rows = items.map((i) => {
      const vars = varsJson(i);
      return { run_id: runId, seq: i.seq, code: i.code.slice(0, 255), outcome: i.outcome, reason: i.reason.slice(0, 500), reason_code: vars === null ? null : i.reasonCode!.slice(0, 48), reason_vars: vars };
    });
    for (const chunk of chunkRows(rows, 7, this.db.dialect.maxBindings, this.db.dialect.maxInsertRows)) await this.db.knex(this.db.own('journal_item')).insert(chunk);
  }

  async get(runId: number): Promise<RunRow | undefined> {
    return this.db.knex(this.db.own('journal_run')).where({ id: runId }).first();
  }

  /**
   * A run's records, in record order, from after `afterSeq` (keyset: the index on run_id, outcome,
   * seq answers a page without reading what came before); optionally of one outcome only.
   */
  async items(runId: number, f: { outcome?: string; afterSeq?: number; limit: number } = { limit: 1000 }): Promise<JournalItemRow[]> {
    const q = this.db.knex(this.db.own('journal_item')).where({ run_id: runId }).orderBy('seq').limit(f.limit)
      .select('run_id', 'seq', 'code', 'outcome', 'reason', 'reason_code', 'reason_vars');
    if (f.outcome) q.where('outcome', f.outcome);
    if (f.afterSeq !== undefined) q.where('seq', '>', f.afterSeq);
    return q;
  }

  /** How many records of each outcome a run journaled (one grouped read of the run's index range). */
  async itemTotals(runId: number): Promise<Record<string, number>> {
    const rows: Array<{ outcome: string; n: number | string }> = await this.db.knex(this.db.own('journal_item')).where({ run_id: runId }).groupBy('outcome').select('outcome').count({ n: '*' });
    return Object.fromEntries(rows.map((r) => [String(r.outcome), Number(r.n)]));
  }

  /** Every journaled record of a product code across runs, newest run first (index on code, run_id). */
  async itemsByCode(codes: string[], f: { beforeRun?: number; limit: number }): Promise<Array<JournalItemRow & { started_at: string; kind: string; dry_run: number | boolean }>> {
    if (!codes.length) return [];
    const q = this.db.knex(`${this.db.own('journal_item')} as i`)
      .join(`${this.db.own('journal_run')} as r`, 'r.id', 'i.run_id')
      .whereIn('i.code', codes)
      // Both descending: the index (code, run_id) with the primary key behind it gives this order without a sort.
      .orderBy('i.run_id', 'desc').orderBy('i.id', 'desc')
      .limit(f.limit)
      .select('i.run_id', 'i.seq', 'i.code', 'i.outcome', 'i.reason', 'i.reason_code', 'i.reason_vars', 'r.started_at', 'r.kind', 'r.dry_run');
    if (f.beforeRun) q.where('i.run_id', '<', f.beforeRun);
    return q;
  }

  /** Runs left 'running' by a process that died are closed as interrupted (found when their lease is taken over). */
  async markInterrupted(runId: number): Promise<void> {
    await this.db.knex(this.db.own('journal_run')).where({ id: runId, status: 'running' }).update({ status: 'interrupted', message: INTERRUPTED_MESSAGE, finished_at: now() });
  }

  /** Every run of a kind still 'running' (one lease covers the kind, so its holder's run is the only one). */
  async markKindInterrupted(kind: string): Promise<number> {
    return Number(await this.db.knex(this.db.own('journal_run')).where({ kind, status: 'running' }).update({ status: 'interrupted', message: INTERRUPTED_MESSAGE, finished_at: now() }));
  }
}
