// The orders feed, for ERPs that download: waiting documents oldest first, and the
// acknowledgement that marks them exported. An order not acknowledged is offered again.
import type { Database } from '../db/database.js';
import { parseDocument } from '../erp/document.js';
import { DocumentError } from '../erp/errors.js';
import type { OrderDocument } from '../erp/order-document.js';
import { renderOrders, type OrderFormat } from '../erp/order-formats.js';
import { Journal, emptyCounts } from '../plugin/journal.js';
import { Outbox } from '../plugin/outbox.js';

export class OrderFeed {
  private readonly outbox: Outbox;
  private readonly journal: Journal;

  constructor(db: Database) {
    this.outbox = new Outbox(db);
    this.journal = new Journal(db);
  }

  async page(format: OrderFormat, limit: number, after: number): Promise<{ body: string; type: string; count: number }> {
    const rows = await this.outbox.waiting(Math.min(Math.max(1, limit), 1000), after);
    const docs = rows.map((r) => JSON.parse(r.document) as OrderDocument);
    const next = rows.length === limit ? rows[rows.length - 1]!.order_id : null;
    return { ...renderOrders(docs, format, next), count: docs.length };
  }

  /** Reads [{orderId|rendelesazonosito|orderNumber|rendelesszam, erpDocumentId|bizonylatszam}]. */
  async acknowledge(body: Buffer, contentType: string | undefined, actor: string) {
    const started = performance.now();
    const run = await this.journal.start('order-ack', actor);
    try {
      const records = parseDocument(body, contentType).records;
      const acks = records.map((r) => {
        const f = r.fields;
        const idText = f.orderId ?? f.rendelesazonosito ?? f.orderNumber ?? f.rendelesszam ?? '';
        const m = /(\d+)\s*$/.exec(idText);
        if (!m) throw new DocumentError(400, `record ${r.seq}: no order id (orderId / rendelesazonosito / orderNumber)`);
        return { orderId: Number(m[1]), erpDocumentId: (f.erpDocumentId ?? f.bizonylatszam ?? '').trim() || null };
      });
      const result = await this.outbox.acknowledge(acks);
      const counts = { ...emptyCounts(), received: acks.length, updated: result.acknowledged.length, unknown: result.unknown.length };
      await this.journal.addItems(run, result.unknown.map((id, i) => ({ seq: i + 1, code: String(id), outcome: 'unknown', reason: 'not an order waiting in the outbox' })));
      await this.journal.finish(run, { status: result.unknown.length ? 'partial' : 'ok', httpStatus: 200, counts, durationMs: performance.now() - started });
      return { run, ...result };
    } catch (err) {
      const status = err instanceof DocumentError ? err.status : 500;
      await this.journal.finish(run, { status: 'rejected', httpStatus: status, message: (err as Error).message, durationMs: performance.now() - started }).catch(() => {});
      throw Object.assign(err as Error, { run });
    }
  }
}
