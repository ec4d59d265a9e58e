// Order export: prepare new orders into the outbox, then deliver them. The outbox is the
// cursor (never a wall-clock time), delivery is confirmed before an order counts as exported,
// and a run holds a database lease so two app instances never run it at once.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { buildOrderDocument, type OrderDocument } from '../erp/order-document.js';
import type { Settings } from '../settings/schema.js';
import { readAccountAddresses } from '../shop/customer-addresses.js';
import { readSoldVouchers } from '../shop/order-vouchers.js';
import { readOrderTaxFacts, readShopTaxConfig, type ShopTaxConfig } from '../shop/order-tax.js';
import { Journal, emptyCounts } from '../plugin/journal.js';
import { LeaseBusyError, withLease } from '../plugin/lease.js';
import { EXPORT_LEASE } from '../plugin/run-leases.js';
import { Outbox, type OutboxRow } from '../plugin/outbox.js';
import type { SettingsService } from '../settings/settings-service.js';
import { defaultLanguage, defaultStore } from '../shop/catalog.js';
import { defaultExportStatuses, findOrdersToPrepare, loadMethodMap, loadOrders } from '../shop/orders.js';
import { replacedNote } from './order-documents.js';
import { formatDateTime } from '../util/time.js';
import { internalErrorMessage, referenceOf } from '../util/reference.js';
import { pushTransports, type Transport } from './order-transports.js';
import { orderProblem } from '../erp/order-problems.js';

/** Orders whose documents are built and queued at a time. */
const PREPARE_BATCH = 200;

export interface ExportReport {
  run: number | null;
  skipped?: string;
  prepared: number;
  attention: number;
  exported: number;
  retrying: number;
  failed: number;
  errors: Array<{ orderId: number; error: string }>;
}

export interface ExportOptions {
  /** Per-attempt HTTP timeout. */
  timeoutMs?: number;
  /** Attempts before an order is `failed` (visible in the admin, retried only by hand). */
  maxAttempts?: number;
  /** First retry delay; doubled per attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claim holds before another worker may take the order over. */
  claimMs?: number;
  /** Called after the ERP accepted an order, before it is marked exported (crash tests). */
  afterDelivered?: (orderId: number) => Promise<void> | void;
}

/**
 * The settings without which no order is queued: the connection (webshop id and password), the
 * shipping line's ERP code, and the date from which orders go to the ERP (the first setup asks
 * for it, default today), so a fresh install never queues the shop's months-old orders.
 */
export const REQUIRED_FOR_EXPORT = ['webshop_id', 'password', 'shipping_fee_code', 'export_start_date'] as const;

export function missingForExport(s: Settings): string[] {
  return REQUIRED_FOR_EXPORT.filter((k) => String(s[k] ?? '').trim() === '');
}

export function backoffMs(attempt: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

export class OrderExporter {
  readonly outbox: Outbox;
  private readonly journal: Journal;
  readonly worker = `w-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: Database,
    private readonly settings: SettingsService,
    private readonly opts: ExportOptions = {},
  ) {
    this.outbox = new Outbox(db);
    this.journal = new Journal(db);
  }

  /** What the run reads once (the shop's tax rules, methods, store): never per order. */
  private async runContext(s: Settings) {
    const [lang, store, methods, taxConfig] = await Promise.all([defaultLanguage(this.db), defaultStore(this.db), loadMethodMap(this.db), readShopTaxConfig(this.db)]);
    return { s, lang, store, methods, taxConfig };
  }

  /** Builds the documents of a batch of orders from their current rows and the current settings. */
  private async buildDocuments(ids: number[], c: { s: Settings; lang: { languageId: number }; store: { name: string }; methods: Map<string, string>; taxConfig: ShopTaxConfig }) {
    const batch = await loadOrders(this.db, ids, c.s.product_code_field, c.lang.languageId);
    const [facts, sold] = await Promise.all([readOrderTaxFacts(this.db, batch.products.map((p) => p.product_id), batch.totals), readSoldVouchers(this.db, ids)]);
    // Orders with neither a payment nor a shipping address take the account's default address.
    const addressless = batch.orders.filter((o) => o.customer_id > 0 && !String(o.payment_address_1 ?? '').trim() && !String(o.shipping_address_1 ?? '').trim());
    const accounts = await readAccountAddresses(this.db, addressless.map((o) => o.customer_id), c.lang.languageId);
    for (const o of addressless) o.account_address = accounts.get(o.customer_id);
    return batch.orders.map((o) => {
      const r = buildOrderDocument(
        o,
        batch.products.filter((p) => p.order_id === o.order_id),
        batch.options,
        batch.totals.filter((t) => t.order_id === o.order_id),
        c.s,
        c.methods,
        c.store.name,
        { config: c.taxConfig, facts },
        sold.filter((v) => v.order_id === o.order_id),
      );
      return { orderId: o.order_id, document: r.document, problem: r.problem, replaced: r.replaced };
    });
  }

  /** New eligible orders become documents in the outbox. Idempotent: an order is added once. Nothing is queued before the export is set up. */
  async prepare(): Promise<{ prepared: number; attention: number; notReady?: string[]; noted?: Array<{ orderId: number; note: string }> }> {
    const s = await this.settings.get();
    const notReady = missingForExport(s);
    if (notReady.length) return { prepared: 0, attention: 0, notReady };
    const statuses = s.export_statuses.length ? s.export_statuses : await defaultExportStatuses(this.db);
    const c = await this.runContext(s);
    let prepared = 0;
    let attention = 0;
    const noted: Array<{ orderId: number; note: string }> = [];
    // The waiting orders' ids, read once (a read per batch of 200 went through the order table
    // each time: quadratic in a backlog), then their documents 200 at a time; an order that
    // became eligible meanwhile waits for the next run.
    const waiting = await findOrdersToPrepare(this.db, { statuses, startDate: s.export_start_date });
    for (let i = 0; i < waiting.length; i += PREPARE_BATCH) {
      const docs = await this.buildDocuments(waiting.slice(i, i + PREPARE_BATCH), c);
      prepared += await this.outbox.add(docs);
      attention += docs.filter((d) => d.problem).length;
      for (const d of docs) if (d.replaced.length) noted.push({ orderId: d.orderId, note: replacedNote(d.replaced) });
    }
    return { prepared, attention, noted };
  }

  /**
   * Re-send from the admin: the document is built again from the order's current rows and the
   * current settings (a code set since, a corrected tax rule), then queued, or held again with
   * the reason. `from` are the states the order may be re-sent from.
   */
  async resend(orderId: number, from: Array<'failed' | 'attention' | 'exported'>): Promise<{ requeued: boolean; problem: string | null }> {
    const row = await this.outbox.get(orderId);
    if (!row || !from.includes(row.state as 'failed')) return { requeued: false, problem: null };
    const c = await this.runContext(await this.settings.get());
    const [doc] = await this.buildDocuments([orderId], c);
    if (!doc) return { requeued: false, problem: null }; // the order was deleted from the shop
    const requeued = await this.outbox.replace(orderId, doc.document, doc.problem, from);
    return { requeued, problem: doc.problem };
  }

  /** Delivers claimed waiting orders through the push transports (HTTP, file). */
  async deliver(): Promise<Pick<ExportReport, 'exported' | 'retrying' | 'failed' | 'errors'>> {
    const s = await this.settings.get();
    const transports = pushTransports(s, this.opts.timeoutMs);
    const out = { exported: 0, retrying: 0, failed: 0, errors: [] as ExportReport['errors'] };
    if (transports.length === 0) return out;
    const claimMs = this.opts.claimMs ?? 5 * 60_000;
    for (;;) {
      const rows = await this.outbox.claim(this.worker, 20, Date.now() + claimMs);
      if (rows.length === 0) break;
      for (const row of rows) await this.deliverOne(row, transports, out);
    }
    return out;
  }

  private async deliverOne(row: OutboxRow, transports: Transport[], out: Awaited<ReturnType<OrderExporter['deliver']>>): Promise<void> {
    let doc: OrderDocument;
    try {
      doc = JSON.parse(row.document) as OrderDocument;
    } catch {
      // A poison row is held aside with its reason; the orders behind it still go.
      const error = orderProblem('unreadable');
      await this.outbox.hold(row.order_id, error);
      out.failed++;
      out.errors.push({ orderId: row.order_id, error });
      return;
    }
    let erpDocumentId: string | null = null;
    for (const t of transports) {
      const r = await t.deliver(doc);
      if (!r.ok) {
        const attempts = Number(row.attempts) + 1;
        const max = this.opts.maxAttempts ?? 10;
        const next = r.retry && attempts < max ? formatDateTime(new Date(Date.now() + backoffMs(attempts, this.opts.baseDelayMs ?? 30_000, this.opts.maxDelayMs ?? 3_600_000))) : null;
        await this.outbox.markRetry(row.order_id, `${t.name}: ${r.error}`, attempts, next);
        if (next) out.retrying++;
        else out.failed++;
        out.errors.push({ orderId: row.order_id, error: `${t.name}: ${r.error}` });
        return;
      }
      erpDocumentId ??= r.erpDocumentId;
    }
    await this.opts.afterDelivered?.(row.order_id);
    await this.outbox.markExported(row.order_id, erpDocumentId);
    out.exported++;
  }

  /** One export run (schedule, "export now", CLI): prepare, then deliver, journalled. */
  async run(actor: string): Promise<ExportReport> {
    const holder = `export:${this.worker}`;
    try {
      return await withLease(this.db, EXPORT_LEASE, holder, async () => {
        const started = performance.now();
        const notReady = missingForExport(await this.settings.get());
        if (notReady.length) return { run: null, skipped: `the order export is not set up yet: ${notReady.join(', ')} not set`, prepared: 0, attention: 0, exported: 0, retrying: 0, failed: 0, errors: [] };
        const run = await this.journal.start('order-export', actor);
        try {
          const p = await this.prepare();
          const d = await this.deliver();
          const counts = { ...emptyCounts(), received: p.prepared, created: p.prepared, updated: d.exported, invalid: p.attention + d.failed, unknown: 0, ignored: 0, unchanged: d.retrying };
          const items = [
            ...d.errors.map((e) => ({ code: String(e.orderId), outcome: 'failed', reason: e.error })),
            ...(p.noted ?? []).map((n) => ({ code: String(n.orderId), outcome: 'noted', reason: n.note })),
          ];
          await this.journal.addItems(run, items.map((it, i) => ({ seq: i + 1, ...it })));
          await this.journal.finish(run, {
            status: d.errors.length || p.attention ? 'partial' : 'ok', counts, durationMs: performance.now() - started,
            message: `prepared ${p.prepared}, exported ${d.exported}, retrying ${d.retrying}, failed ${d.failed}, needs attention ${p.attention}`,
          });
          return { run, prepared: p.prepared, attention: p.attention, ...d };
        } catch (err) {
          // The error's text (SQL, paths) goes to the log by whoever catches it; the journal names its reference.
          await this.journal.finish(run, { status: 'failed', message: internalErrorMessage(referenceOf(err)), durationMs: performance.now() - started }).catch(() => {});
          throw err;
        }
      }, {
        waitMs: 0,
        // The run before died holding the lease: its journal run is closed and its claims freed now.
        onTakeOver: async () => {
          await this.journal.markKindInterrupted('order-export');
          await this.outbox.releaseClaims();
        },
      });
    } catch (err) {
      if (err instanceof LeaseBusyError) return { run: null, skipped: 'another export run is in progress', prepared: 0, attention: 0, exported: 0, retrying: 0, failed: 0, errors: [] };
      throw err;
    }
  }
}
