// POST /integration/order-status: the ERP tells the shop what became of its orders. Like every
// push: journalled, the whole document parsed first (a malformed one changes nothing), every
// record checked and answered (updated / unchanged / unknown / invalid), dry run possible.
//
// A change is never written into the shop's tables by erp-bridge: it goes into a queue (a
// plugin table) and is handed to the shop's own API (shop-api.ts), so OpenCart adds the history
// row, sends its e-mail and fires its events. The push applies what it can at once; what the
// shop cannot take now (API down, not set up) waits and the scheduler retries it, in order per
// order, never dropped. Only when the owner switched on the direct fallback is a history row
// written straight into the database (no e-mail).
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { describeDbError, isConnectionError } from '../db/database.js';
import { parseDocument } from '../erp/document.js';
import { candidateIds } from '../erp/order-ack.js';
import type { OrderDocument } from '../erp/order-document.js';
import { readStatusRecords, renderComment, trackingLink, type ErpState, type StatusRecord } from '../erp/order-status-records.js';
import type { DocumentFormat } from '../erp/record.js';
import { Journal, emptyCounts, type Counts, type JournalItem } from '../plugin/journal.js';
import { LeaseBusyError, withLease } from '../plugin/lease.js';
import { STATUS_LEASE_WAIT_MS, pushLease } from '../plugin/run-leases.js';
import type { Settings } from '../settings/schema.js';
import type { SettingsService } from '../settings/settings-service.js';
import { addHistoryDirectly, currentOrderStatuses, listAdminOrderStatuses } from '../shop/order-history.js';
import { echo } from '../util/echo.js';
import { formatDateTime, now } from '../util/time.js';
import { finalStatuses, resolveStatusMap } from './order-status-map.js';
import { PushError, toPushError, type PushAnswer } from './push-service.js';
import { ORDER_STATUS_KIND } from './push-kinds.js';
import { ShopApi } from './shop-api.js';
import { backoffMs } from './order-export.js';
import { orderProblem } from '../erp/order-problems.js';

export const STATUS_KIND = ORDER_STATUS_KIND;

export interface StatusPushRequest {
  body: Buffer;
  contentType?: string;
  format?: DocumentFormat;
  dryRun?: boolean;
  actor: string;
}

/** A push's answer, with what the shop made of the status changes. */
export interface StatusAnswer extends Omit<PushAnswer, 'kind'> {
  kind: typeof STATUS_KIND;
  /** The updated records' changes in the shop: applied through its API (or the fallback), or waiting for it. */
  shop: { applied: number; waiting: number; failed: number; error: string | null };
}

interface ErpStateRow {
  erp_state: string;
  invoice_number: string;
  tracking_number: string;
  carrier: string;
  shop_status_id: number;
}

interface Queued {
  order_id: number;
  erp_state: ErpState;
  order_status_id: number;
  notify: number;
  override: number;
  comment: string;
}

export interface DrainReport {
  applied: number;
  direct: number;
  retrying: number;
  failed: number;
  skipped?: string;
  error: string | null;
}

export class OrderStatusService {
  readonly journal: Journal;

  constructor(
    private readonly db: Database,
    private readonly settings: SettingsService,
    // leaseWaitMs: how long a push waits for the one before it (STATUS_LEASE_WAIT_MS, which the
    // dead-run sweep also reads); only tests shorten it, to see the busy answer without waiting a minute.
    private readonly opts: { apiTimeoutMs?: number; applyBudgetMs?: number; leaseWaitMs?: number } = {},
  ) {
    const wait = opts.leaseWaitMs;
    if (wait !== undefined && !(Number.isFinite(wait) && wait >= 0)) throw new RangeError(`leaseWaitMs must be a number of at least 0, not ${wait}`);
    this.journal = new Journal(db);
  }

  private get queue() {
    return this.db.own('status_queue');
  }

  private get states() {
    return this.db.own('order_erp_state');
  }

  /** Journals a call refused before its document was read (credentials, size). */
  reject(actor: string, status: number, message: string): Promise<number | null> {
    return this.journal.reject(STATUS_KIND, actor, status, message);
  }

  async push(req: StatusPushRequest): Promise<StatusAnswer> {
    const started = performance.now();
    const dryRun = !!req.dryRun;
    let run: number;
    try {
      run = await this.journal.start(STATUS_KIND, req.actor, dryRun);
    } catch (err) {
      if (isConnectionError(err)) throw new PushError(503, `the shop database is unavailable: ${describeDbError(err)}`, null, 30);
      throw err;
    }
    try {
      const settings = await this.settings.get();
      if (req.body.length > settings.max_body_mb * 1024 * 1024)
        throw new PushError(413, `the document is ${req.body.length} bytes, over the limit of ${settings.max_body_mb} MB (setting max_body_mb)`, run);
      const doc = parseDocument(req.body, req.contentType, req.format);
      const counts = emptyCounts();
      counts.received = doc.records.length;
      const checked = readStatusRecords(doc.records);
      let notApplied: JournalItem[] = [...checked.refused];
      let queued: Queued[] = [];
      await withLease(this.db, pushLease(STATUS_KIND), `run:${run}`, async () => {
        const decided = await this.decide(checked.valid, settings);
        queued = decided.queued;
        counts.updated = decided.updated;
        counts.unchanged = decided.unchanged;
        notApplied = [...notApplied, ...decided.notApplied].sort((a, b) => a.seq - b.seq);
        if (!dryRun) await this.store(run, queued, decided.erpStates);
      }, { waitMs: this.opts.leaseWaitMs ?? STATUS_LEASE_WAIT_MS, onTakeOver: async (holder) => this.journal.markInterrupted(Number(holder.replace('run:', ''))) });
      for (const n of notApplied) counts[n.outcome as 'unknown' | 'invalid'] += 1;

      let shop: StatusAnswer['shop'] = { applied: 0, waiting: 0, failed: 0, error: null };
      if (!dryRun && queued.length) {
        const drained = await this.drain({ waitMs: 30_000, budgetMs: this.opts.applyBudgetMs ?? 60_000 }).catch((err: Error) => {
          // The changes stay queued and the scheduler retries them. An exception's own text may hold
          // SQL, so the ERP's answer and the journal get a plain sentence, the process's stderr the detail.
          process.emitWarning(`order-status: applying in the shop failed: ${err.message}`.slice(0, 2000));
          return { error: 'applying the changes in the shop failed; they wait and are retried' } as Partial<DrainReport>;
        });
        shop = { ...(await this.runOutcome(run)), error: drained.error ?? null };
      }
      const status = notApplied.length ? 'partial' : 'ok';
      await this.journal.addItems(run, notApplied);
      const message = dryRun
        ? 'dry run: nothing was written'
        : queued.length
          ? `in the shop: ${shop.applied} applied, ${shop.waiting} waiting for the shop's API${shop.failed ? `, ${shop.failed} refused by the shop` : ''}${shop.error ? ` (${shop.error})` : ''}`
          : undefined;
      await this.journal.finish(run, { status, httpStatus: 200, counts, durationMs: performance.now() - started, message });
      return {
        run, kind: STATUS_KIND, dryRun, status, format: doc.format, charset: doc.charset, counts,
        ignoredFields: [], unknownFields: checked.unknownFields.map((f) => echo(f, 64)),
        notApplied: notApplied.map((n) => ({ record: n.seq, code: echo(n.code, 255), outcome: n.outcome, reason: echo(n.reason, 500) })),
        shop,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (err) {
      const e = toStatusError(err, run);
      await this.journal.finish(run, { status: e.status >= 500 ? 'failed' : 'rejected', httpStatus: e.status, message: e.message, durationMs: performance.now() - started }).catch(() => {});
      throw e;
    }
  }

  /** Orders named by number: the exported document that carried it (as the feed's acknowledgement reads them). */
  private async resolveNumbers(numbers: string[]): Promise<Map<string, number[]>> {
    const wanted = new Set<number>();
    for (const n of numbers) for (const id of candidateIds(n)) wanted.add(id);
    const docNumber = new Map<number, string>();
    for (const chunk of chunkRows([...wanted], 1, 1000)) {
      if (chunk.length === 0) continue;
      for (const r of await this.db.knex(this.db.own('outbox')).whereIn('order_id', chunk).select('order_id', 'document')) {
        try {
          docNumber.set(Number(r.order_id), String((JSON.parse(String(r.document)) as OrderDocument).orderNumber));
        } catch {
          /* an unreadable document carries no number */
        }
      }
    }
    return new Map(numbers.map((n) => [n, candidateIds(n).filter((id) => docNumber.get(id) === n)]));
  }

  /** The record-by-record decisions, from one read of each table involved (nothing written). */
  private async decide(records: StatusRecord[], settings: Settings) {
    const notApplied: JournalItem[] = [];
    const byNumber = await this.resolveNumbers([...new Set(records.filter((r) => r.ref.kind === 'number').map((r) => (r.ref as { number: string }).number))]);
    const target = new Map<StatusRecord, number>();
    for (const r of records) {
      if (r.ref.kind === 'id') target.set(r, r.ref.id);
      else {
        const ids = byNumber.get(r.ref.number) ?? [];
        if (ids.length > 1) notApplied.push({ seq: r.seq, code: r.ref.text, outcome: 'invalid', reason: `order number "${r.ref.number}" is carried by orders ${ids.join(', ')}: name the order by order_id` });
        else if (ids.length === 0) notApplied.push({ seq: r.seq, code: r.ref.text, outcome: 'unknown', reason: 'no order exported by erp-bridge carries this order number' });
        else target.set(r, ids[0]!);
      }
    }
    const orderIds = [...new Set(target.values())];
    const shopStatus = await currentOrderStatuses(this.db, orderIds);
    const pending = new Map<number, number>();
    const erpStates = new Map<number, ErpStateRow & { erp_state: string }>();
    for (const chunk of chunkRows(orderIds, 1, 1000)) {
      if (chunk.length === 0) continue;
      for (const q of await this.db.knex(this.queue).whereIn('order_id', chunk).where('state', 'waiting').orderBy('id').select('order_id', 'order_status_id'))
        pending.set(Number(q.order_id), Number(q.order_status_id));
      for (const s of await this.db.knex(this.states).whereIn('order_id', chunk).select())
        erpStates.set(Number(s.order_id), { erp_state: String(s.erp_state), invoice_number: String(s.invoice_number), tracking_number: String(s.tracking_number), carrier: String(s.carrier), shop_status_id: Number(s.shop_status_id) });
    }
    const statuses = await listAdminOrderStatuses(this.db);
    const names = new Map(statuses.map((s) => [s.orderStatusId, s.name]));
    const map = resolveStatusMap(settings, statuses);
    const finals = finalStatuses(map);
    const queued: Queued[] = [];
    const changed = new Set<number>();
    let updated = 0;
    let unchanged = 0;
    for (const r of records) {
      const orderId = target.get(r);
      if (orderId === undefined) continue;
      const current = pending.get(orderId) ?? shopStatus.get(orderId);
      if (current === undefined) {
        notApplied.push({ seq: r.seq, code: r.ref.text, outcome: 'unknown', reason: `the shop has no order ${orderId}` });
        continue;
      }
      const to = map[r.state].id;
      if (!to) {
        notApplied.push({ seq: r.seq, code: r.ref.text, outcome: 'invalid', reason: `no shop order status is chosen for "${r.state}" and none has a matching name (setting status_map_${r.state})` });
        continue;
      }
      const before = erpStates.get(orderId);
      const newInfo = (r.invoiceNumber && r.invoiceNumber !== before?.invoice_number) || (r.trackingNumber && r.trackingNumber !== before?.tracking_number) || (r.carrier && r.carrier !== before?.carrier);
      if (to === current && !newInfo) {
        unchanged++;
        continue;
      }
      if (to !== current && finals.has(current) && !r.force) {
        notApplied.push({ seq: r.seq, code: r.ref.text, outcome: 'invalid', reason: `order ${orderId} is "${names.get(current) ?? current}", a final status: send force=1 to change it to "${names.get(to) ?? to}"` });
        continue;
      }
      const info = { invoice: r.invoiceNumber || before?.invoice_number || '', tracking: r.trackingNumber || before?.tracking_number || '', carrier: r.carrier || before?.carrier || '' };
      const comment = renderComment(settings.status_comment, {
        szamlaszam: info.invoice, szallito: info.carrier, fuvarlevelszam: info.tracking, tracking_link: trackingLink(settings.tracking_links, info.carrier, info.tracking),
      }, r.note);
      queued.push({ order_id: orderId, erp_state: r.state, order_status_id: to, notify: (r.notify ?? settings.status_notify === 'yes') ? 1 : 0, override: 0, comment });
      erpStates.set(orderId, { erp_state: r.state, invoice_number: info.invoice, tracking_number: info.tracking, carrier: info.carrier, shop_status_id: to });
      pending.set(orderId, to);
      changed.add(orderId);
      updated++;
    }
    return { queued, updated, unchanged, notApplied, erpStates: new Map([...erpStates].filter(([id]) => changed.has(id))) };
  }

  /** The queue rows and what the ERP said, in one transaction of the plugin's own (InnoDB) tables. */
  private async store(run: number, queued: Queued[], erpStates: Map<number, ErpStateRow>): Promise<void> {
    if (!queued.length) return;
    const at = now();
    await this.db.knex.transaction(async (trx) => {
      for (const chunk of chunkRows(queued, 10, this.db.dialect.maxBindings, this.db.dialect.maxInsertRows))
        await trx(this.queue).insert(chunk.map((q) => ({ ...q, state: 'waiting', attempts: 0, run_id: run, created_at: at })));
      const rows = [...erpStates].map(([order_id, s]) => ({ order_id, ...s, run_id: run, updated_at: at }));
      for (const chunk of chunkRows(rows, 9, this.db.dialect.maxBindings, this.db.dialect.maxInsertRows)) {
        await trx(this.states).whereIn('order_id', chunk.map((r) => r.order_id)).delete();
        await trx(this.states).insert(chunk);
      }
    });
  }

  private async runOutcome(run: number): Promise<{ applied: number; waiting: number; failed: number }> {
    const rows: Array<{ state: string; n: number | string }> = await this.db.knex(this.queue).where({ run_id: run }).groupBy('state').select('state').count({ n: '*' });
    const of = (s: string) => Number(rows.find((r) => r.state === s)?.n ?? 0);
    return { applied: of('applied'), waiting: of('waiting'), failed: of('failed') };
  }

  /**
   * Hands waiting changes to the shop, oldest first and in order per order (a later change of an
   * order never overtakes an earlier one). One runner at a time across app instances (a lease),
   * so no change is sent twice. `all` ignores the retry delay (the admin's "apply now").
   */
  async drain(o: { waitMs?: number; budgetMs?: number; all?: boolean } = {}): Promise<DrainReport> {
    const report: DrainReport = { applied: 0, direct: 0, retrying: 0, failed: 0, error: null };
    if (!(await this.db.knex(this.queue).where('state', 'waiting').first('id'))) return report;
    try {
      return await withLease(this.db, 'task:status-queue', `drain:${process.pid}:${Math.random().toString(36).slice(2, 8)}`, async () => {
        const settings = await this.settings.get();
        const api = new ShopApi(this.db, settings, this.opts.apiTimeoutMs);
        const deadline = Date.now() + (o.budgetMs ?? 120_000);
        const rows = await this.db.knex(this.queue).where('state', 'waiting').orderBy('id').limit(500).select();
        const blocked = new Set<number>();
        const nowText = now();
        for (const row of rows) {
          const orderId = Number(row.order_id);
          if (blocked.has(orderId)) continue;
          if (!o.all && row.next_attempt_at && String(row.next_attempt_at) > nowText) {
            blocked.add(orderId);
            continue;
          }
          if (Date.now() > deadline) break;
          const call = { orderId, orderStatusId: Number(row.order_status_id), notify: Number(row.notify) === 1, override: Number(row.override) === 1, comment: String(row.comment ?? '') };
          const r = await api.addHistory(call);
          if (r.ok) {
            await this.db.knex(this.queue).where({ id: row.id }).update({ state: 'applied', applied_via: 'api', applied_at: now(), last_error: null, attempts: Number(row.attempts) + 1 });
            report.applied++;
            continue;
          }
          if (r.retry && settings.status_direct_fallback === 'yes') {
            await addHistoryDirectly(this.db, { orderId, orderStatusId: call.orderStatusId, comment: call.comment });
            await this.db.knex(this.queue).where({ id: row.id }).update({ state: 'applied', applied_via: 'direct', applied_at: now(), last_error: `${r.error}; ${orderProblem('written_directly')}`.slice(0, 2000), attempts: Number(row.attempts) + 1 });
            report.direct++;
            continue;
          }
          const attempts = Number(row.attempts) + 1;
          if (!r.retry) {
            await this.db.knex(this.queue).where({ id: row.id }).update({ state: 'failed', attempts, last_error: r.error.slice(0, 2000) });
            report.failed++;
            report.error = r.error;
            blocked.add(orderId);
            continue;
          }
          // The shop cannot take changes now (down, not set up, refused the login): every
          // waiting change is retried later; this one first.
          const next = formatDateTime(new Date(Date.now() + backoffMs(attempts, 30_000, 3_600_000)));
          await this.db.knex(this.queue).where('state', 'waiting').where('id', '>=', row.id).update({ last_error: r.error.slice(0, 2000) });
          await this.db.knex(this.queue).where({ id: row.id }).update({ attempts, next_attempt_at: next });
          report.retrying = rows.length - rows.indexOf(row);
          report.error = r.error;
          break;
        }
        return report;
      }, { waitMs: o.waitMs ?? 0 });
    } catch (err) {
      if (err instanceof LeaseBusyError) return { ...report, skipped: 'another run is applying status changes' };
      throw err;
    }
  }

  /** What the admin shows: how many changes wait for the shop, and why. */
  async waiting(): Promise<{ waiting: number; failed: number; lastError: string | null }> {
    const rows: Array<{ state: string; n: number | string }> = await this.db.knex(this.queue).whereIn('state', ['waiting', 'failed']).groupBy('state').select('state').count({ n: '*' });
    const first = await this.db.knex(this.queue).where('state', 'waiting').whereNotNull('last_error').orderBy('id').first('last_error');
    return { waiting: Number(rows.find((r) => r.state === 'waiting')?.n ?? 0), failed: Number(rows.find((r) => r.state === 'failed')?.n ?? 0), lastError: first ? String(first.last_error) : null };
  }

  /** The ERP's word on each order, for the orders page. */
  async erpStatesOf(orderIds: number[]): Promise<Map<number, { state: string; invoice: string; tracking: string; carrier: string; waiting: boolean }>> {
    const out = new Map<number, { state: string; invoice: string; tracking: string; carrier: string; waiting: boolean }>();
    if (!orderIds.length) return out;
    const rows = await this.db.knex(this.states).whereIn('order_id', orderIds).select();
    const waiting = new Set((await this.db.knex(this.queue).whereIn('order_id', orderIds).where('state', 'waiting').select('order_id')).map((r) => Number(r.order_id)));
    for (const r of rows) out.set(Number(r.order_id), { state: String(r.erp_state), invoice: String(r.invoice_number), tracking: String(r.tracking_number), carrier: String(r.carrier), waiting: waiting.has(Number(r.order_id)) });
    return out;
  }
}


const toStatusError = (err: unknown, run: number): PushError => toPushError(err, run, 'another order status push is still running; try again shortly');
