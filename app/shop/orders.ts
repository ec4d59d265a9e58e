// Reading orders as OpenCart's checkout writes them: `order` (status 0 = abandoned checkout),
// `order_product` (price net, tax per unit), `order_option`, `order_total` (shipping, fees,
// coupons, tax, total). Set-based: one query per table for a whole batch of orders.
import type { Database } from '../db/database.js';
import type { AccountAddress } from './customer-addresses.js';

export interface ShopOrder {
  order_id: number;
  invoice_prefix: string;
  store_name: string;
  customer_id: number;
  customer_group_id?: number;
  store_id?: number;
  payment_country_id?: number;
  payment_zone_id?: number;
  shipping_country_id?: number;
  shipping_zone_id?: number;
  firstname: string;
  lastname: string;
  email: string;
  telephone: string;
  custom_field: string;
  payment_firstname: string;
  payment_lastname: string;
  payment_company: string;
  payment_address_1: string;
  payment_address_2: string;
  payment_city: string;
  payment_postcode: string;
  payment_country: string;
  payment_zone: string;
  payment_custom_field: string;
  payment_method: string;
  payment_code: string;
  shipping_firstname: string;
  shipping_lastname: string;
  shipping_company: string;
  shipping_address_1: string;
  shipping_address_2: string;
  shipping_city: string;
  shipping_postcode: string;
  shipping_country: string;
  shipping_zone: string;
  shipping_method: string;
  shipping_code: string;
  comment: string;
  total: number;
  order_status_id: number;
  status_name: string | null;
  currency_code: string;
  currency_value: number;
  date_added: string;
  /** The customer account's default address, read only for an order with no address of its own. */
  account_address?: AccountAddress;
}

export interface ShopOrderProduct {
  order_product_id: number;
  order_id: number;
  product_id: number;
  name: string;
  model: string;
  code: string | null;
  unit: string | null;
  quantity: number;
  price: number;
  total: number;
  tax: number;
}

export interface ShopOrderOption {
  order_product_id: number;
  name: string;
  value: string;
}

export interface ShopOrderTotal {
  order_id: number;
  code: string;
  title: string;
  value: number;
  sort_order: number;
}

export interface OrderBatch {
  orders: ShopOrder[];
  products: ShopOrderProduct[];
  options: ShopOrderOption[];
  totals: ShopOrderTotal[];
}

export interface EligibleFilter {
  statuses: number[];
  startDate: string;
  /** At most this many (the oldest); none: every one. */
  limit?: number;
}

/** Orders in an eligible status (never 0) that the outbox does not hold yet (no order). */
function ordersToPrepare(db: Database, f: Omit<EligibleFilter, 'limit'>) {
  const q = db.knex(`${db.t('order')} as o`)
    .whereIn('o.order_status_id', f.statuses.filter((s) => s !== 0))
    .whereNotExists(db.knex(db.own('outbox') + ' as ob').select(db.knex.raw('1')).whereRaw('ob.order_id = o.order_id'));
  if (f.startDate) q.andWhere('o.date_added', '>=', `${f.startDate} 00:00:00`);
  return q;
}

/**
 * Orders in an eligible status (never 0) that the outbox does not hold yet, oldest first. Their
 * ids are read in the table's own order and sorted here: an ORDER BY walked the order table by
 * its primary key, a row read apart for each, through every order already in the outbox (the
 * usual state: most orders exported, a few new). `OrderExporter.prepare` reads them once per run.
 * 10,000 orders prepared (the bench, 3.0's MyISAM): 3.77–3.78 s before, 2.15 s after (round 25).
 */
export async function findOrdersToPrepare(db: Database, f: EligibleFilter): Promise<number[]> {
  if (f.statuses.length === 0) return [];
  const ids = (await ordersToPrepare(db, f).pluck('o.order_id')).map(Number).sort((a, b) => a - b);
  return f.limit === undefined ? ids : ids.slice(0, f.limit);
}

/**
 * Whether any order waits to be prepared (the dashboard's verdict): the first one found, in the
 * table's own order (with 10,000 orders all in the outbox, on 3.0's MyISAM: 14 ms against 61 ms
 * for the oldest first; round 25).
 */
export async function anyOrderToPrepare(db: Database, f: Omit<EligibleFilter, 'limit'>): Promise<boolean> {
  if (f.statuses.length === 0) return false;
  return (await ordersToPrepare(db, f).limit(1).pluck('o.order_id')).length > 0;
}

export async function loadOrders(db: Database, ids: number[], codeField: string, languageId: number): Promise<OrderBatch> {
  if (ids.length === 0) return { orders: [], products: [], options: [], totals: [] };
  const k = db.knex;
  const orders = await k(`${db.t('order')} as o`)
    .leftJoin(`${db.t('order_status')} as os`, function () {
      this.on('os.order_status_id', 'o.order_status_id').andOn('os.language_id', k.raw('?', [languageId]));
    })
    .whereIn('o.order_id', ids)
    .select('o.*', 'os.name as status_name');
  const products = await k(`${db.t('order_product')} as op`)
    .leftJoin(`${db.t('product')} as p`, 'p.product_id', 'op.product_id')
    .leftJoin(`${db.own('product_map')} as pm`, 'pm.product_id', 'op.product_id')
    .whereIn('op.order_id', ids)
    .orderBy(['op.order_id', 'op.order_product_id'])
    .select('op.order_product_id', 'op.order_id', 'op.product_id', 'op.name', 'op.model', `p.${codeField} as code`, 'pm.unit', 'op.quantity', 'op.price', 'op.total', 'op.tax');
  const options = await k(db.t('order_option')).whereIn('order_id', ids).orderBy('order_option_id').select('order_product_id', 'name', 'value');
  const totals = await k(db.t('order_total')).whereIn('order_id', ids).orderBy(['order_id', 'sort_order']).select('order_id', 'code', 'title', 'value', 'sort_order');
  const num = <T>(rows: T[], cols: string[]) => rows.map((r) => { const o = r as Record<string, unknown>; for (const c of cols) o[c] = Number(o[c]); return r; });
  return {
    orders: num(orders as ShopOrder[], ['order_id', 'store_id', 'customer_id', 'customer_group_id', 'payment_country_id', 'payment_zone_id', 'shipping_country_id', 'shipping_zone_id', 'total', 'order_status_id', 'currency_value']),
    products: num(products as ShopOrderProduct[], ['order_product_id', 'order_id', 'product_id', 'quantity', 'price', 'total', 'tax']),
    options: num(options as ShopOrderOption[], ['order_product_id']),
    totals: num(totals as ShopOrderTotal[], ['order_id', 'value', 'sort_order']),
  };
}

/** OpenCart 3.x keeps payment_code/shipping_code; 4.x keeps JSON in payment_method/shipping_method. */
export function methodOf(name: string, code: string): { code: string; name: string } {
  const trimmed = (name ?? '').trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as { code?: string; name?: string };
      return { code: String(j.code ?? code ?? ''), name: String(j.name ?? '') };
    } catch {
      /* not JSON after all */
    }
  }
  return { code: code ?? '', name: trimmed };
}

export async function loadMethodMap(db: Database): Promise<Map<string, string>> {
  const rows = await db.knex(db.own('method_map')).select('type', 'shop_code', 'erp_code');
  return new Map(rows.map((r) => [`${r.type}:${r.shop_code}`, String(r.erp_code)]));
}

export async function setMethodMapping(db: Database, type: 'payment' | 'shipping', shopCode: string, erpCode: string): Promise<void> {
  await db.knex(db.own('method_map')).where({ type, shop_code: shopCode }).delete();
  if (erpCode) await db.knex(db.own('method_map')).insert({ type, shop_code: shopCode, erp_code: erpCode });
}

/** The statuses that count when the owner chose none: the shop's processing and complete ones. */
export async function defaultExportStatuses(db: Database): Promise<number[]> {
  const rows = await db.knex(db.t('setting')).where({ store_id: 0, code: 'config' }).whereIn('key', ['config_processing_status', 'config_complete_status']).select('value');
  const ids = new Set<number>();
  for (const r of rows) {
    try {
      for (const v of JSON.parse(r.value) as string[]) ids.add(Number(v));
    } catch {
      /* a hand-edited value: ignore */
    }
  }
  ids.delete(0);
  return [...ids].sort((a, b) => a - b);
}

/** Payment and shipping methods the shop has installed (3.x `extension` rows), with their mapping. */
export async function listShopMethods(db: Database): Promise<Array<{ type: 'payment' | 'shipping'; code: string; erpCode: string }>> {
  const installed = await db.knex(db.t('extension')).whereIn('type', ['payment', 'shipping']).orderBy(['type', 'code']).select('type', 'code');
  const mapped = await loadMethodMap(db);
  const out = new Map<string, { type: 'payment' | 'shipping'; code: string; erpCode: string }>();
  for (const r of installed) out.set(`${r.type}:${r.code}`, { type: r.type, code: String(r.code), erpCode: mapped.get(`${r.type}:${r.code}`) ?? '' });
  for (const [key, erpCode] of mapped) {
    const [type, ...code] = key.split(':');
    if (!out.has(key)) out.set(key, { type: type as 'payment' | 'shipping', code: code.join(':'), erpCode });
  }
  return [...out.values()];
}
