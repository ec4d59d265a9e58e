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
export type RunStatus = 'running' | 'ok' | 'partial' | 'rejected' | 'failed' | 'interrupted';

export const emptyCounts = (): Counts => ({ received: 0, updated: 0, unchanged: 0, created: 0, unknown: 0, ambiguous: 0, invalid: 0, ignored: 0 });

export interface JournalItem {
  seq: number;
  code: string;
  outcome: string;
  reason: string;
}

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
    const rows = items.map((i) => ({ run_id: runId, seq: i.seq, code: i.code.slice(0, 255), outcome: i.outcome, reason: i.reason.slice(0, 500) }));
    for (const chunk of chunkRows(rows, 5, this.db.dialect.maxBindings, this.db.dialect.maxInsertRows)) await this.db.knex(this.db.own('journal_item')).insert(chunk);
  }

  async get(runId: number): Promise<RunRow | undefined> {
    return this.db.knex(this.db.own('journal_run')).where({ id: runId }).first();
  }

  async items(runId: number, limit = 1000, offset = 0): Promise<JournalItem[]> {
    return this.db.knex(this.db.own('journal_item')).where({ run_id: runId }).orderBy('seq').limit(limit).offset(offset).select('seq', 'code', 'outcome', 'reason');
  }

  /** Runs left 'running' by a process that died are closed as interrupted (found when their lease is taken over). */
  async markInterrupted(runId: number): Promise<void> {
    await this.db.knex(this.db.own('journal_run')).where({ id: runId, status: 'running' }).update({ status: 'interrupted', message: 'interrupted: the process stopped before the run finished', finished_at: now() });
  }

  /** Every run of a kind still 'running' (one lease covers the kind, so its holder's run is the only one). */
  async markKindInterrupted(kind: string): Promise<number> {
    return Number(await this.db.knex(this.db.own('journal_run')).where({ kind, status: 'running' }).update({ status: 'interrupted', message: 'interrupted: the process stopped before the run finished', finished_at: now() }));
  }
}
