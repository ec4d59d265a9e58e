// Order export: prepare new orders into the outbox, then deliver them. The outbox is the
// cursor (never a wall-clock time), delivery is confirmed before an order counts as exported,
// and a run holds a database lease so two app instances never run it at once.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { OrderDocument } from '../erp/order-document.js';
import { Journal, emptyCounts } from '../plugin/journal.js';
import { LeaseBusyError, withLease } from '../plugin/lease.js';
import { Outbox, type OutboxRow } from '../plugin/outbox.js';
import type { SettingsService } from '../settings/settings-service.js';
import { defaultExportStatuses, findOrdersToPrepare } from '../shop/orders.js';
import { orderDocumentBuilder, replacedNote } from './order-documents.js';
import { formatDateTime } from '../util/time.js';
import { pushTransports, type Transport } from './order-transports.js';

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

  /** New eligible orders become documents in the outbox. Idempotent: an order is added once. */
  async prepare(): Promise<{ prepared: number; attention: number; noted: Array<{ orderId: number; note: string }> }> {
    const s = await this.settings.get();
    const statuses = s.export_statuses.length ? s.export_statuses : await defaultExportStatuses(this.db);
    const builder = await orderDocumentBuilder(this.db, s);
    let prepared = 0;
    let attention = 0;
    const noted: Array<{ orderId: number; note: string }> = [];
    for (;;) {
      const ids = await findOrdersToPrepare(this.db, { statuses, startDate: s.export_start_date, limit: 200 });
      if (ids.length === 0) break;
      const docs = await builder.build(ids);
      prepared += await this.outbox.add(docs);
      attention += docs.filter((d) => d.problem).length;
      for (const d of docs) if (d.replaced.length) noted.push({ orderId: d.orderId, note: replacedNote(d.replaced) });
      if (ids.length < 200) break;
    }
    return { prepared, attention, noted };
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
      const error = 'the stored document cannot be read; retry the order to rebuild it from the shop';
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
      return await withLease(this.db, 'task:order-export', holder, async () => {
        const started = performance.now();
        const run = await this.journal.start('order-export', actor);
        try {
          const p = await this.prepare();
          const d = await this.deliver();
          const counts = { ...emptyCounts(), received: p.prepared, created: p.prepared, updated: d.exported, invalid: p.attention + d.failed, unknown: 0, ignored: 0, unchanged: d.retrying };
          const items = [
            ...d.errors.map((e) => ({ code: String(e.orderId), outcome: 'failed', reason: e.error })),
            ...p.noted.map((n) => ({ code: String(n.orderId), outcome: 'noted', reason: n.note })),
          ];
          await this.journal.addItems(run, items.map((it, i) => ({ seq: i + 1, ...it })));
          await this.journal.finish(run, {
            status: d.errors.length || p.attention ? 'partial' : 'ok', counts, durationMs: performance.now() - started,
            message: `prepared ${p.prepared}, exported ${d.exported}, retrying ${d.retrying}, failed ${d.failed}, needs attention ${p.attention}`,
          });
          return { run, prepared: p.prepared, attention: p.attention, ...d };
        } catch (err) {
          await this.journal.finish(run, { status: 'failed', message: (err as Error).message, durationMs: performance.now() - started }).catch(() => {});
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
