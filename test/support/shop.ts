// Test helpers that read and write the shop the way OpenCart does, on either dialect.
import request from 'supertest';
import type { Express } from 'express';
import type { Database } from '../../app/db/database.js';
import { decodeLikeOpenCart } from '../../app/util/html.js';
import { shopSchema } from '../../app/shop/schema.js';
import { defaultLanguage } from '../../app/shop/catalog.js';

let seq = 0;

/** Inserts a product with every NOT NULL column, as OpenCart's admin would; returns its id. */
export async function addProduct(db: Database, p: { model: string; price?: number; quantity?: number; tax_class_id?: number; sku?: string; name?: string }): Promise<number> {
  const schema = await shopSchema(db);
  const [id] = await db.knex(db.t('product')).insert(schema.completeRow('product', {
    model: p.model, sku: p.sku ?? '', upc: '', ean: '', jan: '', isbn: '', mpn: '', location: '', quantity: p.quantity ?? 5,
    stock_status_id: 7, image: '', manufacturer_id: 0, shipping: 1, price: p.price ?? 100, points: 0, tax_class_id: p.tax_class_id ?? 9,
    date_available: '2026-01-01', weight: 0, weight_class_id: 1, length: 0, width: 0, height: 0, length_class_id: 1, subtract: 1,
    minimum: 1, sort_order: 0, status: 1, viewed: 0, date_added: '2026-01-01 10:00:00', date_modified: '2026-01-01 10:00:00',
    master_id: 0, variant: '', override: '', rating: 0,
  }));
  const languages = await db.knex(db.t('language')).select('language_id');
  await db.knex(db.t('product_description')).insert(languages.map((l) => ({
    product_id: id, language_id: l.language_id, name: p.name ?? `Test ${p.model}`, description: '', tag: '', meta_title: p.model, meta_description: '', meta_keyword: '',
  })));
  await db.knex(db.t('product_to_store')).insert({ product_id: id, store_id: 0 });
  return Number(id);
}

export const uniqueCode = (prefix = 'T') => `${prefix}-${process.pid}-${++seq}`;

export async function product(db: Database, id: number) {
  return db.knex(db.t('product')).where({ product_id: id }).first();
}

/**
 * The special the storefront shows: OpenCart's own query (catalog/model/catalog/product.php;
 * 4.1 reads product_discount rows with special = 1), with NOW() replaced by the moment given.
 */
export async function effectiveSpecial(db: Database, productId: number, customerGroupId: number, at: string): Promise<number | null> {
  const sp = (await shopSchema(db)).specials;
  const row = await db.knex(sp.table + ' as ps')
    .whereRaw(sp.filter('ps'))
    .where({ 'ps.product_id': productId, 'ps.customer_group_id': customerGroupId })
    .andWhere((q) => q.where('ps.date_start', '0000-00-00').orWhere('ps.date_start', '<', at))
    .andWhere((q) => q.where('ps.date_end', '0000-00-00').orWhere('ps.date_end', '>', at))
    .orderBy([{ column: 'ps.priority', order: 'asc' }, { column: 'ps.price', order: 'asc' }])
    .first('ps.price');
  return row ? Number(row.price) : null;
}

/** The product's specials (every priority), wherever the release keeps them. */
export async function specials(db: Database, productId: number) {
  const sp = (await shopSchema(db)).specials;
  return db.knex(sp.table + ' as ps').whereRaw(sp.filter('ps')).where({ product_id: productId }).orderBy(['customer_group_id', 'priority', sp.idColumn]).select('customer_group_id', 'priority', 'price', 'date_start', 'date_end');
}

/** Adds a special as the release's admin stores one (the owner's own, at the priority given). */
export async function addSpecial(db: Database, s: { product_id: number; customer_group_id: number; priority: number; price: number; date_start?: string; date_end?: string }): Promise<void> {
  const sp = (await shopSchema(db)).specials;
  await db.knex(sp.table).insert({ date_start: '0000-00-00', date_end: '0000-00-00', ...s, ...sp.marker, ...sp.fixed });
}

/** A category's breadcrumb as the storefront builds it from category_path. */
export async function breadcrumb(db: Database, categoryId: number, languageId: number): Promise<string> {
  const rows = await db.knex(db.t('category_path') + ' as cp')
    .join(db.t('category_description') + ' as cd', 'cd.category_id', 'cp.path_id')
    .where({ 'cp.category_id': categoryId, 'cd.language_id': languageId })
    .orderBy('cp.level')
    .select('cd.name');
  return rows.map((r) => decodeLikeOpenCart(String(r.name))).join(' > ');
}

export async function categoryIdOf(db: Database, erpCode: string): Promise<number | undefined> {
  const row = await db.knex(db.own('category_map')).where({ erp_code: erpCode }).first('category_id');
  return row ? Number(row.category_id) : undefined;
}

export async function defaultLanguageId(db: Database): Promise<number> {
  return (await defaultLanguage(db)).languageId;
}

export function xmlDoc(records: Array<Record<string, string | number>>, root = 'termekek', item = 'termek'): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>\n${records
    .map((r) => `  <${item}>${Object.entries(r).map(([k, v]) => `<${k}>${esc(String(v))}</${k}>`).join('')}</${item}>`)
    .join('\n')}\n</${root}>\n`;
}

export const KEY = 'import-key-123';

export function pushXml(app: Express, kind: string, records: Array<Record<string, string | number>>, query = '') {
  return request(app).post(`/integration/${kind}?key=${KEY}${query}`).set('Content-Type', 'application/xml').set('Accept', 'application/json').send(xmlDoc(records, kind === 'categories' ? 'kategoriak' : 'termekek', kind === 'categories' ? 'kategoria' : 'termek'));
}

/** A date-time string shifted by days from today (local), for special date checks. */
export function dayAt(offsetDays: number, time = '12:00:00'): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
