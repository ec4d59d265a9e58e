// Orders as OpenCart 3.0's checkout writes them: the order is inserted at status 0 with its
// products and totals, and gets its status later through addOrderHistory (order_history row).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../app/db/database.js';

export interface OrderSpec {
  customerId?: number;
  email?: string;
  postcode?: string;
  /** The title of the tax row: OpenCart titles it with the tax rate's name (see configureVat). */
  taxTitle?: string;
  products: Array<{ productId: number; name: string; model: string; quantity: number; price: number; tax: number; options?: Array<[string, string]> }>;
  shipping?: number;
  handling?: number;
  coupon?: number;
  vatRate?: number;
  /** Override of the order total (to provoke a mismatch). */
  total?: number;
  paymentCode?: string;
  shippingCode?: string;
  customField?: Record<string, string>;
  comment?: string;
  dateAdded?: string;
}

const round4 = (n: number) => Math.round(n * 10000) / 10000;

export const VAT_RATE_NAME = 'ÁFA 27% (teszt)';

/**
 * A 27% tax class for Hungary (country 97), as OpenCart's admin stores one: tax class, geo zone
 * and its member, rate, the rate's customer group, a shipping-based rule; flat shipping and
 * handling taxed by it. For the hand-written orders of placeOrder (customer group 1, Hungary).
 */
export async function configureVat(db: Database): Promise<number> {
  const k = db.knex;
  const at = '2026-01-01 00:00:00';
  const [taxClassId] = await k(db.t('tax_class')).insert({ title: 'Áfa 27% teszt', description: '', date_added: at, date_modified: at });
  const [geoZoneId] = await k(db.t('geo_zone')).insert({ name: 'HU teszt', description: '', date_added: at, date_modified: at });
  await k(db.t('zone_to_geo_zone')).insert({ country_id: 97, zone_id: 0, geo_zone_id: geoZoneId, date_added: at, date_modified: at });
  const [taxRateId] = await k(db.t('tax_rate')).insert({ geo_zone_id: geoZoneId, name: VAT_RATE_NAME, rate: 27, type: 'P', date_added: at, date_modified: at });
  await k(db.t('tax_rate_to_customer_group')).insert({ tax_rate_id: taxRateId, customer_group_id: 1 });
  await k(db.t('tax_rule')).insert({ tax_class_id: taxClassId, tax_rate_id: taxRateId, based: 'shipping', priority: 1 });
  for (const [code, key] of [['shipping_flat', 'shipping_flat_tax_class_id'], ['total_handling', 'total_handling_tax_class_id']]) {
    await k(db.t('setting')).where({ store_id: 0, key }).delete();
    await k(db.t('setting')).insert({ store_id: 0, code, key, value: String(taxClassId), serialized: 0 });
  }
  return Number(taxClassId);
}

export async function placeOrder(db: Database, spec: OrderSpec): Promise<{ orderId: number; total: number }> {
  const rate = (spec.vatRate ?? 27) / 100;
  const sub = spec.products.reduce((a, p) => a + p.price * p.quantity, 0);
  const productTax = spec.products.reduce((a, p) => a + p.tax * p.quantity, 0);
  const fees = (spec.shipping ?? 0) + (spec.handling ?? 0) + (spec.coupon ?? 0);
  const tax = round4(productTax + fees * rate);
  const total = spec.total ?? round4(sub + fees + tax);
  const when = spec.dateAdded ?? '2026-11-20 10:00:00';
  const addr = (p: string) => ({
    [`${p}_firstname`]: 'Kovács', [`${p}_lastname`]: 'Éva', [`${p}_company`]: p === 'payment' ? 'Kovács Kft.' : '', [`${p}_address_1`]: 'Fő utca 1.',
    [`${p}_address_2`]: '', [`${p}_city`]: 'Szeged', [`${p}_postcode`]: spec.postcode ?? '6720', [`${p}_country`]: 'Hungary', [`${p}_country_id`]: 97,
    [`${p}_zone`]: 'Csongrád', [`${p}_zone_id`]: 1, [`${p}_address_format`]: '', [`${p}_custom_field`]: p === 'payment' ? JSON.stringify(spec.customField ?? {}) : '[]',
  });
  const [orderId] = await db.knex(db.t('order')).insert({
    invoice_no: 0, invoice_prefix: 'INV-2026-', store_id: 0, store_name: 'Teszt Bolt', store_url: 'http://shop.test/', customer_id: spec.customerId ?? 0,
    customer_group_id: 1, firstname: 'Éva', lastname: 'Kovács', email: spec.email ?? 'eva@example.hu', telephone: '+36 30 123 4567', fax: '',
    custom_field: '[]', ...addr('payment'), payment_method: 'Utánvét', payment_code: spec.paymentCode ?? 'cod', ...addr('shipping'),
    shipping_method: 'Futárszolgálat', shipping_code: spec.shippingCode ?? 'flat.flat', comment: spec.comment ?? 'Délután hozzák', total,
    order_status_id: 0, affiliate_id: 0, commission: 0, marketing_id: 0, tracking: '', language_id: 1, currency_id: 1, currency_code: 'HUF',
    currency_value: 1, ip: '127.0.0.1', forwarded_ip: '', user_agent: 'test', accept_language: 'hu', date_added: when, date_modified: when,
  });
  for (const p of spec.products) {
    const [opId] = await db.knex(db.t('order_product')).insert({ order_id: orderId, product_id: p.productId, name: p.name, model: p.model, quantity: p.quantity, price: p.price, total: p.price * p.quantity, tax: p.tax, reward: 0 });
    for (const [name, value] of p.options ?? [])
      await db.knex(db.t('order_option')).insert({ order_id: orderId, order_product_id: opId, product_option_id: 1, product_option_value_id: 1, name, value, type: 'select' });
  }
  const totals: Array<[string, string, number]> = [['sub_total', 'Részösszeg', sub]];
  if (spec.shipping) totals.push(['shipping', 'Futárszolgálat', spec.shipping]);
  if (spec.handling) totals.push(['handling', 'Kezelési költség', spec.handling]);
  if (spec.coupon) totals.push(['coupon', 'Kupon (NYAR10)', spec.coupon]);
  totals.push(['tax', spec.taxTitle ?? VAT_RATE_NAME, tax], ['total', 'Összesen', total]);
  await db.knex(db.t('order_total')).insert(totals.map(([code, title, value], i) => ({ order_id: orderId, code, title, value, sort_order: i + 1 })));
  return { orderId: Number(orderId), total };
}

/** OpenCart's addOrderHistory: the status changes and a history row is written. */
export async function setOrderStatus(db: Database, orderId: number, statusId: number): Promise<void> {
  await db.knex(db.t('order')).where({ order_id: orderId }).update({ order_status_id: statusId, date_modified: '2026-11-20 10:05:00' });
  await db.knex(db.t('order_history')).insert({ order_id: orderId, order_status_id: statusId, notify: 0, comment: '', date_added: '2026-11-20 10:05:00' });
}

export type ErpBehaviour = (attempt: number, key: string) => 'ok' | 'fail' | 'store-then-fail' | 'hang' | 'reject';

/** A fake ERP: a real HTTP server on 127.0.0.1 that books orders once per Idempotency-Key. */
export async function startFakeErp(behaviour: ErpBehaviour = () => 'ok') {
  const attempts = new Map<string, number>();
  const stored = new Map<string, string>();
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      auth.push(String(req.headers.authorization ?? ''));
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const what = behaviour(n, key);
      if (what === 'hang') return; // never answers: the client's timeout must fire
      if (what === 'fail') return void res.writeHead(500).end('ERP busy');
      if (what === 'reject') return void res.writeHead(422).end('unknown article');
      if (!stored.has(key)) stored.set(key, Buffer.concat(chunks).toString('utf8'));
      if (what === 'store-then-fail') return void res.writeHead(500).end('stored, but the answer got lost');
      res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bizonylatszam: `VR-${key.split('-').pop()}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    attempts,
    stored,
    auth,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
