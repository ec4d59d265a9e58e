// One read of the product table, indexed by the configured code field: the shop's code
// columns carry no index (and erp-bridge adds none to the shop's tables), so matching 100k
// codes in memory after one scan is cheaper than joining on TRIM(code) in the database.
import type { Database } from '../db/database.js';
import type { ProductCodeField } from './products.js';

export interface IndexedProduct {
  productId: number;
  price: number;
  quantity: number;
  taxClassId: number;
}

/**
 * code (trimmed as SQL TRIM does) → every product that has it, with the columns a push
 * compares (only those are read: 100k rows decode noticeably faster with three columns).
 */
export async function loadProductIndex(db: Database, field: ProductCodeField, columns: Array<'price' | 'quantity' | 'tax_class_id'>): Promise<Map<string, IndexedProduct[]>> {
  const rows: Array<{ product_id: number; code: string; price?: number | string; quantity?: number; tax_class_id?: number }> = await db
    .knex(db.t('product'))
    .select('product_id', db.knex.raw(`TRIM(${field}) AS code`), ...columns);
  const index = new Map<string, IndexedProduct[]>();
  for (const r of rows) {
    const p = { productId: Number(r.product_id), price: Number(r.price ?? 0), quantity: Number(r.quantity ?? 0), taxClassId: Number(r.tax_class_id ?? 0) };
    const code = String(r.code);
    const list = index.get(code);
    if (list) list.push(p);
    else index.set(code, [p]);
  }
  return index;
}
