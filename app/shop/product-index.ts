// One read of the product table, indexed by the configured code field: the shop's code
// columns carry no index (and erp-bridge adds none to the shop's tables), so matching 100k
// codes in memory after one scan is cheaper than joining on TRIM(code) in the database.
import type { Database } from '../db/database.js';
import { decodeLikeOpenCart } from '../util/html.js';
import type { ProductCodeField } from './products.js';

export interface IndexedProduct {
  productId: number;
  /** The code as the shop stores it (HTML-encoded by its admin, trimmed). */
  storedCode: string;
  price: number;
  quantity: number;
  taxClassId: number;
}

/**
 * code (trimmed as SQL TRIM does, and decoded: OpenCart's admin stores `KV&1` as `KV&amp;1`)
 * → every product that has it, with the columns a push compares (only those are read: 100k
 * rows decode noticeably faster with three columns). Keyed by the decoded text, so the ERP's
 * `KV&1` finds the owner's product whether it was saved by the admin or written raw.
 */
export async function loadProductIndex(db: Database, field: ProductCodeField, columns: Array<'price' | 'quantity' | 'tax_class_id'>): Promise<Map<string, IndexedProduct[]>> {
  const rows: Array<{ product_id: number; code: string; price?: number | string; quantity?: number; tax_class_id?: number }> = await db
    .knex(db.t('product'))
    .select('product_id', db.knex.raw(`TRIM(${field}) AS code`), ...columns);
  const index = new Map<string, IndexedProduct[]>();
  for (const r of rows) {
    const storedCode = String(r.code ?? '');
    const p = { productId: Number(r.product_id), storedCode, price: Number(r.price ?? 0), quantity: Number(r.quantity ?? 0), taxClassId: Number(r.tax_class_id ?? 0) };
    const code = storedCode.includes('&') ? decodeLikeOpenCart(storedCode) : storedCode;
    const list = index.get(code);
    if (list) list.push(p);
    else index.set(code, [p]);
  }
  return index;
}
