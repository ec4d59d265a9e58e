// The order-export outbox: one row per order, holding the prepared ERP document. It is the
// export's cursor (an order is new while it has no row), and delivery is confirmed here before
// an order counts as exported. Rows are claimed with row locks (SKIP LOCKED) or a lease column.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import type { OrderDocument } from '../erp/order-document.js';
import { formatDateTime, now } from '../util/time.js';
import { candidateIds, type AckRecord } from '../erp/order-ack.js';

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
  fed_at?: string | null;
}

/** Test seams, injected by the race tests only. */
export interface OutboxHooks {
  /** Runs inside a claim between its locking read and its write (MySQL 8 / MariaDB 10.6+). */
  afterClaimRead?: (orderIds: number[]) => Promise<void>;
}

export class Outbox {
  private skipLocked: boolean | undefined;

  constructor(
    private readonly db: Database,
    private readonly hooks: OutboxHooks = {},
  ) {}

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
      afterRead: this.hooks.afterClaimRead,
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

  /**
   * The feed's acknowledgement: marks exported the orders the feed served. An order number
   * counts only when exactly one stored document carries it; an order the feed never served
   * (or one held for attention) is refused, so an ack cannot take an order from another path.
   */
  async acknowledge(acks: AckRecord[]): Promise<{ acknowledged: number[]; unknown: Array<number | string>; refused: Array<{ record: number; order: string; reason: string }> }> {
    const acknowledged: number[] = [];
    const unknown: Array<number | string> = [];
    const refused: Array<{ record: number; order: string; reason: string }> = [];
    const wanted = new Set<number>();
    for (const a of acks) for (const id of a.ref.kind === 'id' ? [a.ref.id] : candidateIds(a.ref.number)) wanted.add(id);
    const rows = new Map<number, { state: string; fed: boolean; number: string | null }>();
    for (const chunk of chunkRows([...wanted], 1, 1000)) {
      if (chunk.length === 0) continue;
      for (const r of await this.db.knex(this.table).whereIn('order_id', chunk).select('order_id', 'state', 'fed_at', 'document')) {
        let number: string | null = null;
        try {
          number = String((JSON.parse(String(r.document)) as OrderDocument).orderNumber);
        } catch {
          /* an unreadable document matches no order number */
        }
        rows.set(Number(r.order_id), { state: String(r.state), fed: !!r.fed_at, number });
      }
    }
    const toMark = new Map<number, string | null>();
    for (const a of acks) {
      let id: number;
      if (a.ref.kind === 'id') id = a.ref.id;
      else {
        const number = a.ref.number;
        const matches = candidateIds(number).filter((c) => rows.get(c)?.number === number);
        if (matches.length > 1) {
          refused.push({ record: a.seq, order: number, reason: `order number "${number}" is held by orders ${matches.join(', ')}: acknowledge by orderId` });
          continue;
        }
        if (matches.length === 0) {
          unknown.push(number);
          continue;
        }
        id = matches[0]!;
      }
      const row = rows.get(id);
      if (!row || row.state === 'attention') {
        unknown.push(a.ref.kind === 'id' ? id : a.ref.text);
        continue;
      }
      if (row.state !== 'exported' && !row.fed) {
        refused.push({ record: a.seq, order: a.ref.text, reason: 'the orders feed has not served this order yet: nothing to acknowledge' });
        continue;
      }
      if (row.state !== 'exported' && !toMark.has(id)) toMark.set(id, a.erpDocumentId);
      acknowledged.push(id);
    }
    await this.markManyExported(toMark);
    return { acknowledged, unknown, refused };
  }

  /** One UPDATE per chunk: each order's ERP document id through a CASE. */
  private async markManyExported(ids: Map<number, string | null>): Promise<void> {
    const at = now();
    for (const chunk of chunkRows([...ids], 3, 3000)) {
      if (chunk.length === 0) continue;
      const kase = `CASE order_id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END`;
      await this.db.knex.raw(
        `UPDATE ${this.table} SET state = 'exported', exported_at = ?, last_error = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = ?, erp_document_id = ${kase} WHERE order_id IN (${chunk.map(() => '?').join(', ')}) AND state <> 'exported'`,
        [at, at, ...chunk.flatMap(([id, erp]) => [id, erp]), ...chunk.map(([id]) => id)] as never,
      );
    }
  }

  /** Claims of a worker that died (the export lease was taken over from it): its orders go at once. */
  async releaseClaims(): Promise<number> {
    return Number(await this.db.knex(this.table).where('state', 'waiting').whereNotNull('claimed_by').update({ claimed_by: null, claimed_until: null }));
  }

  /** The feed served these orders: from now on an acknowledgement of them counts. */
  async markFed(orderIds: number[]): Promise<void> {
    if (orderIds.length === 0) return;
    await this.db.knex(this.table).whereIn('order_id', orderIds).whereNull('fed_at').update({ fed_at: now() });
  }

  /** An order that cannot be delivered is held aside with its reason; the others flow on. */
  async hold(orderId: number, reason: string): Promise<void> {
    await this.db.knex(this.table).where({ order_id: orderId }).whereNot('state', 'exported').update({ state: 'attention', last_error: reason.slice(0, 2000), claimed_by: null, claimed_until: null, updated_at: now() });
  }

  /** A rebuilt document for an order in one of `from` states: waiting again, or held with its problem. */
  async replace(orderId: number, document: OrderDocument, problem: string | null, from: OutboxState[]): Promise<boolean> {
    const n = await this.db.knex(this.table).where({ order_id: orderId }).whereIn('state', from).update({
      document: JSON.stringify(document), total: document.totals.shopTotal, state: problem ? 'attention' : 'waiting', last_error: problem,
      // Served again before it may be acknowledged again.
      attempts: 0, next_attempt_at: null, claimed_by: null, claimed_until: null, fed_at: null, updated_at: now(),
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
