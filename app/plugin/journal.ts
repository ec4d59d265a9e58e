// The journal: one run per sync call (push, export, test), with counts and every record that
// was not applied. Written whatever the outcome, rejected documents included.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { now } from '../util/time.js';

export const OUTCOMES = ['received', 'updated', 'unchanged', 'created', 'unknown', 'ambiguous', 'invalid', 'ignored'] as const;
export type Counts = Record<(typeof OUTCOMES)[number], number>;
export type RunStatus = 'running' | 'ok' | 'partial' | 'rejected' | 'failed';

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

  async progress(runId: number, processed: number): Promise<void> {
    await this.db.knex(this.db.own('journal_run')).where({ id: runId }).update({ progress: processed });
  }

  async finish(runId: number, r: { status: RunStatus; httpStatus?: number; counts?: Counts; message?: string; durationMs: number }): Promise<void> {
    await this.db.knex(this.db.own('journal_run'))
      .where({ id: runId })
      .update({ status: r.status, http_status: r.httpStatus ?? null, message: r.message?.slice(0, 4000) ?? null, finished_at: now(), duration_ms: Math.round(r.durationMs), ...(r.counts ?? {}) });
  }

  async addItems(runId: number, items: JournalItem[]): Promise<void> {
    const rows = items.map((i) => ({ run_id: runId, seq: i.seq, code: i.code.slice(0, 255), outcome: i.outcome, reason: i.reason.slice(0, 500) }));
    for (const chunk of chunkRows(rows, 5, this.db.dialect.maxBindings)) await this.db.knex(this.db.own('journal_item')).insert(chunk);
  }

  async get(runId: number): Promise<RunRow | undefined> {
    return this.db.knex(this.db.own('journal_run')).where({ id: runId }).first();
  }

  async items(runId: number, limit = 1000, offset = 0): Promise<JournalItem[]> {
    return this.db.knex(this.db.own('journal_item')).where({ run_id: runId }).orderBy('seq').limit(limit).offset(offset).select('seq', 'code', 'outcome', 'reason');
  }

  /** Runs left 'running' by a process that died are closed as failed. */
  async markInterrupted(runId: number): Promise<void> {
    await this.db.knex(this.db.own('journal_run')).where({ id: runId, status: 'running' }).update({ status: 'failed', message: 'interrupted: the process stopped before the run finished', finished_at: now() });
  }
}
