// Names the shop's customers saw for its payment and shipping methods, and the shop's custom
// fields by name: what the settings page shows instead of codes and ids. OpenCart keeps method
// titles in its language files, not its database, so the names come from the newest orders
// (3.x: payment_method + payment_code; 4.x: JSON {name, code} in payment_method): one read of at
// most RECENT rows along the primary key, whatever the order table's size.
import type { Database } from '../db/database.js';
import { decodeLikeOpenCart } from '../util/html.js';
import { methodOf } from './orders.js';
import { shopSchema } from './schema.js';

const RECENT = 2000;

/** "payment:cod" → "Utánvét" (the method's name on the newest order that used it). */
export async function shopMethodNames(db: Database): Promise<Map<string, string>> {
  const schema = await shopSchema(db);
  const cols = ['payment_method', 'shipping_method', 'payment_code', 'shipping_code'].filter((c) => schema.has('order', c));
  const names = new Map<string, string>();
  if (!cols.includes('payment_method')) return names;
  const rows = await db.knex(db.t('order')).orderBy('order_id', 'desc').limit(RECENT).select(cols);
  for (const r of rows) {
    for (const type of ['payment', 'shipping'] as const) {
      const m = methodOf(String(r[`${type}_method`] ?? ''), String(r[`${type}_code`] ?? ''));
      // 3.x codes name the quote ("flat.flat"); the extension's code is the part before the dot.
      const code = m.code.split('.')[0]!;
      const key = `${type}:${code}`;
      if (code && m.name && !names.has(key)) names.set(key, decodeLikeOpenCart(m.name));
    }
  }
  return names;
}

export interface CustomField {
  id: number;
  name: string;
  location: string;
}

/** The shop's custom fields (account and address ones: where a tax number can live), by name. */
export async function listCustomFields(db: Database, languageId: number): Promise<CustomField[]> {
  const schema = await shopSchema(db);
  if (!schema.has('custom_field') || !schema.has('custom_field_description')) return [];
  const rows = await db.knex(`${db.t('custom_field')} as f`)
    .leftJoin(`${db.t('custom_field_description')} as d`, (j) => j.on('d.custom_field_id', 'f.custom_field_id').andOn('d.language_id', db.knex.raw('?', [languageId])))
    .orderBy('f.sort_order').orderBy('f.custom_field_id')
    .select('f.custom_field_id', 'd.name', 'f.location');
  return rows.map((r) => ({ id: Number(r.custom_field_id), name: decodeLikeOpenCart(String(r.name ?? '')), location: String(r.location ?? '') }));
}
