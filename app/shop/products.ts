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
