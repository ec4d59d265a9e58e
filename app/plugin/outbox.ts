// The order-export outbox: one row per order, holding the prepared ERP document. It is the
// export's cursor (an order is new while it has no row), and delivery is confirmed here before
// an order counts as exported. Rows are claimed with row locks (SKIP LOCKED) or a lease column.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import type { OrderDocument } from '../erp/order-document.js';
import { formatDateTime, now } from '../util/time.js';

export type OutboxState = 'waiting' | 'exported' | 'failed' | 'attention';

export interface OutboxRow {
  order_id: number;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  erp_document_id: string | null;
  document: string;
  total: number;
  prepared_at: string;
  exported_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
}

export class Outbox {
  private skipLocked: boolean | undefined;

  constructor(private readonly db: Database) {}

  private get table() {
    return this.db.own('outbox');
  }

  /** Adds prepared documents; an order already in the outbox is left as it is (never twice). */
  async add(rows: Array<{ orderId: number; document: OrderDocument; problem: string | null }>): Promise<number> {
    const at = now();
    const values = rows.map((r) => ({
      order_id: r.orderId, state: r.problem ? 'attention' : 'waiting', attempts: 0, next_attempt_at: null, last_error: r.problem,
      erp_document_id: null, document: JSON.stringify(r.document), total: r.document.totals.shopTotal, prepared_at: at, exported_at: null,
      claimed_by: null, claimed_until: null, updated_at: at,
    }));
    let added = 0;
    for (const chunk of chunkRows(values, 14, this.db.dialect.maxBindings)) {
      if (chunk.length === 0) continue;
      const cols = Object.keys(chunk[0]!);
      const sql = `${this.db.dialect.insertIgnore()} INTO ${this.table} (${cols.join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`;
      const result = await this.db.knex.raw(sql, chunk.flatMap((r) => cols.map((c) => (r as Record<string, unknown>)[c])) as never);
      added += this.db.dialect.affectedRows(result);
    }
    return added;
  }

  /** Waiting documents, oldest first, after an order id (the feed's pagination). */
  async waiting(limit: number, afterOrderId = 0): Promise<OutboxRow[]> {
    return this.db.knex(this.table).where('state', 'waiting').andWhere('order_id', '>', afterOrderId).orderBy('order_id').limit(limit).select();
  }

  /** The admin's queue: newest first, keyset-paginated by order id. */
  async list(f: { state?: string; beforeOrderId?: number; limit: number }): Promise<OutboxRow[]> {
    const q = this.db.knex(this.table).orderBy('order_id', 'desc').limit(f.limit);
    if (f.state) q.where({ state: f.state });
    if (f.beforeOrderId) q.where('order_id', '<', f.beforeOrderId);
    return q.select();
  }

  async get(orderId: number): Promise<OutboxRow | undefined> {
    return this.db.knex(this.table).where({ order_id: orderId }).first();
  }

  /** Claims due waiting rows for one worker until `untilMs`. */
  async claim(worker: string, limit: number, untilMs: number): Promise<OutboxRow[]> {
    this.skipLocked ??= await this.db.dialect.supportsSkipLocked(this.db.knex);
    const at = now();
    const ids = await this.db.dialect.claimRows(this.db.knex, {
      table: this.table,
      key: 'order_id',
      where: `state = 'waiting' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (claimed_until IS NULL OR claimed_until < ?)`,
      bindings: [at, at],
      order: 'order_id',
      limit,
      worker,
      until: formatDateTime(new Date(untilMs)),
      skipLocked: this.skipLocked,
    });
    if (ids.length === 0) return [];
    return this.db.knex(this.table).whereIn('order_id', ids).orderBy('order_id').select();
  }

  async markExported(orderId: number, erpDocumentId: string | null): Promise<void> {
    const at = now();
    await this.db.knex(this.table)
      .where({ order_id: orderId })
      .whereNot('state', 'exported')
      .update({ state: 'exported', exported_at: at, erp_document_id: erpDocumentId, last_error: null, claimed_by: null, claimed_until: null, updated_at: at });
  }

  async markRetry(orderId: number, error: string, attempts: number, nextAttemptAt: string | null): Promise<void> {
    await this.db.knex(this.table)
      .where({ order_id: orderId, state: 'waiting' })
      .update({ attempts, last_error: error.slice(0, 2000), next_attempt_at: nextAttemptAt, state: nextAttemptAt ? 'waiting' : 'failed', claimed_by: null, claimed_until: null, updated_at: now() });
  }

  /** The feed's acknowledgement: marks the given orders exported. */
  async acknowledge(acks: Array<{ orderId: number; erpDocumentId: string | null }>): Promise<{ acknowledged: number[]; unknown: number[] }> {
    const acknowledged: number[] = [];
    const unknown: number[] = [];
    const rows = await this.db.knex(this.table).whereIn('order_id', acks.map((a) => a.orderId)).select('order_id', 'state');
    const state = new Map(rows.map((r) => [Number(r.order_id), String(r.state)]));
    for (const a of acks) {
      const s = state.get(a.orderId);
      if (s === undefined || s === 'attention') unknown.push(a.orderId);
      else {
        if (s !== 'exported') await this.markExported(a.orderId, a.erpDocumentId);
        acknowledged.push(a.orderId);
      }
    }
    return { acknowledged, unknown };
  }

  /** A rebuilt document for an order in one of `from` states: waiting again, or held with its problem. */
  async replace(orderId: number, document: OrderDocument, problem: string | null, from: OutboxState[]): Promise<boolean> {
    const n = await this.db.knex(this.table).where({ order_id: orderId }).whereIn('state', from).update({
      document: JSON.stringify(document), total: document.totals.shopTotal, state: problem ? 'attention' : 'waiting', last_error: problem,
      attempts: 0, next_attempt_at: null, claimed_by: null, claimed_until: null, updated_at: now(),
    });
    return Number(n) === 1;
  }

  /** Admin actions: send a failed or held order again, or re-export an exported one. */
  async requeue(orderId: number, from: OutboxState[]): Promise<boolean> {
    const n = await this.db.knex(this.table).where({ order_id: orderId }).whereIn('state', from).update({ state: 'waiting', attempts: 0, next_attempt_at: null, claimed_by: null, claimed_until: null, updated_at: now() });
    return Number(n) === 1;
  }

  async counts(): Promise<Record<string, number>> {
    const rows: Array<{ state: string; n: number | string }> = await this.db.knex(this.table).groupBy('state').select('state').count({ n: '*' });
    return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
  }
}
