// The orders feed, for ERPs that download: waiting documents oldest first, and the
// acknowledgement that marks them exported. An order not acknowledged is offered again.
import type { Database } from '../db/database.js';
import { parseDocument } from '../erp/document.js';
import { DocumentError } from '../erp/errors.js';
import { readAcks } from '../erp/order-ack.js';
import type { OrderDocument } from '../erp/order-document.js';
import { orderToXml, renderOrders, type OrderFormat } from '../erp/order-formats.js';
import { Journal, emptyCounts } from '../plugin/journal.js';
import { Outbox } from '../plugin/outbox.js';
import { assertWellFormedXml } from '../erp/xml-text.js';
import { orderProblem } from '../erp/order-problems.js';
import { internalErrorMessage, referenceOf } from '../util/reference.js';

export const FEED_MAX_LIMIT = 1000;

export class OrderFeed {
  private readonly outbox: Outbox;
  private readonly journal: Journal;

  constructor(db: Database) {
    this.outbox = new Outbox(db);
    this.journal = new Journal(db);
  }

  /**
   * One page, oldest first. A stored document that cannot be read or written is held aside
   * (state attention, with the reason) instead of being served, so it never blocks the orders
   * behind it. `next` is set whenever more waiting orders follow.
   */
  async page(format: OrderFormat, limit: number, after: number): Promise<{ body: string; type: string; count: number; held: number[] }> {
    const size = Math.min(Math.max(1, Math.trunc(limit)), FEED_MAX_LIMIT);
    const docs: OrderDocument[] = [];
    const held: number[] = [];
    let cursor = after;
    let more = false;
    // Held rows leave the page short: read on until it is full or nothing waits.
    for (;;) {
      const rows = await this.outbox.waiting(size - docs.length + 1, cursor);
      const take = rows.slice(0, size - docs.length);
      for (const r of take) {
        try {
          const doc = JSON.parse(r.document) as OrderDocument;
          assertWellFormedXml(orderToXml(doc));
          docs.push(doc);
        } catch (err) {
          held.push(Number(r.order_id));
          await this.outbox.hold(Number(r.order_id), orderProblem('unservable', { detail: (err as Error).message.split('\n')[0]!.slice(0, 200) }));
        }
      }
      if (take.length) cursor = Number(take[take.length - 1]!.order_id);
      more = rows.length > take.length;
      if (docs.length >= size || !more) break;
    }
    await this.outbox.markFed(docs.map((d) => d.orderId));
    const next = more ? cursor : null;
    return { ...renderOrders(docs, format, next), count: docs.length, held };
  }

  /** Reads [{orderId|rendelesazonosito|orderNumber|rendelesszam, erpDocumentId|bizonylatszam}]. */
  async acknowledge(body: Buffer, contentType: string | undefined, actor: string) {
    const started = performance.now();
    const run = await this.journal.start('order-ack', actor);
    try {
      const acks = readAcks(parseDocument(body, contentType).records);
      const result = await this.outbox.acknowledge(acks);
      const counts = { ...emptyCounts(), received: acks.length, updated: result.acknowledged.length, unknown: result.unknown.length, invalid: result.refused.length };
      await this.journal.addItems(run, [
        ...result.unknown.map((id) => ({ code: String(id), outcome: 'unknown', reason: 'not an order waiting in the outbox' })),
        ...result.refused.map((r) => ({ code: r.order, outcome: 'invalid', reason: r.reason })),
      ].map((it, i) => ({ seq: i + 1, ...it })));
      const partial = result.unknown.length + result.refused.length > 0;
      await this.journal.finish(run, { status: partial ? 'partial' : 'ok', httpStatus: 200, counts, durationMs: performance.now() - started });
      return { run, ...result };
    } catch (err) {
      // A broken document is the ERP's to fix and its message says how; any other error's text
      // (SQL, paths) goes to the log under the reference the journal names.
      const refused = err instanceof DocumentError;
      const entry = refused
        ? { status: 'rejected' as const, httpStatus: err.status, message: err.message }
        : { status: 'failed' as const, httpStatus: 500, message: internalErrorMessage(referenceOf(err)) };
      await this.journal.finish(run, { ...entry, durationMs: performance.now() - started }).catch(() => {});
      throw Object.assign(err as Error, { run });
    }
  }
}
