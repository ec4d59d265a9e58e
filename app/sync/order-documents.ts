// Builds the ERP documents of shop orders from the shop's current rows: used when new orders are
// prepared, and again when the owner retries or re-exports one (a stored document is never
// resent as it was frozen: a fixed name or total must reach the ERP).
import type { Database } from '../db/database.js';
import { buildOrderDocument, type OrderDocument } from '../erp/order-document.js';
import type { Settings } from '../settings/schema.js';
import { defaultLanguage, defaultStore } from '../shop/catalog.js';
import { loadMethodMap, loadOrders } from '../shop/orders.js';

export interface BuiltOrder {
  orderId: number;
  document: OrderDocument;
  problem: string | null;
  /** Fields where characters XML cannot carry were replaced with U+FFFD. */
  replaced: string[];
}

export interface OrderDocumentBuilder {
  build(ids: number[]): Promise<BuiltOrder[]>;
}

/** Reads the shop's language, store and method mapping once, then builds batch after batch. */
export async function orderDocumentBuilder(db: Database, s: Settings): Promise<OrderDocumentBuilder> {
  const [lang, store, methods] = await Promise.all([defaultLanguage(db), defaultStore(db), loadMethodMap(db)]);
  return {
    async build(ids) {
      if (ids.length === 0) return [];
      const batch = await loadOrders(db, ids, s.product_code_field, lang.languageId);
      return batch.orders.map((o) => {
        const r = buildOrderDocument(
          o,
          batch.products.filter((p) => p.order_id === o.order_id),
          batch.options,
          batch.totals.filter((t) => t.order_id === o.order_id),
          s,
          methods,
          store.name,
        );
        return { orderId: o.order_id, document: r.document, problem: r.problem, replaced: r.replaced };
      });
    },
  };
}

/** The journal's note for an order whose text was changed to be deliverable. */
export function replacedNote(replaced: string[]): string {
  return `characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: ${replaced.join(', ')}`.slice(0, 500);
}
