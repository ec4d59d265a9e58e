import type { Database } from '../db/database.js';

export const PRODUCT_CODE_FIELDS = ['model', 'sku', 'ean', 'upc', 'jan', 'isbn', 'mpn'] as const;
export type ProductCodeField = (typeof PRODUCT_CODE_FIELDS)[number];

export interface ProductRef {
  productId: number;
  code: string;
}

/** Products whose code field equals `code` (trimmed, byte for byte): 0, 1 or several. */
export async function findProductsByCode(db: Database, field: ProductCodeField, code: string): Promise<ProductRef[]> {
  const col = `p.${field}`;
  const rows = await db.knex(`${db.t('product')} as p`)
    .whereRaw(db.dialect.binaryEquals(`TRIM(${col})`, '?'), [code.trim()])
    .select({ productId: 'p.product_id', code: col });
  return rows.map((r) => ({ productId: Number(r.productId), code: String(r.code) }));
}

export interface ProductSummary {
  productId: number;
  name: string;
  price: number;
  quantity: number;
  status: number;
}

/** Name (in `languageId`), price, stock and status of the given products, by primary key. */
export async function productSummaries(db: Database, productIds: number[], languageId: number): Promise<ProductSummary[]> {
  if (!productIds.length) return [];
  const rows = await db.knex(`${db.t('product')} as p`)
    .leftJoin(`${db.t('product_description')} as d`, (j) => j.on('d.product_id', 'p.product_id').andOn('d.language_id', db.knex.raw('?', [languageId])))
    .whereIn('p.product_id', productIds)
    .select('p.product_id', 'd.name', 'p.price', 'p.quantity', 'p.status');
  return rows.map((r) => ({ productId: Number(r.product_id), name: String(r.name ?? ''), price: Number(r.price), quantity: Number(r.quantity), status: Number(r.status) }));
}
