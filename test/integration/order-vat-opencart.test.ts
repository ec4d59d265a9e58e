// Order documents against what OpenCart itself charged. Each release is installed once by its
// own installer and served by php -S; taxes, fees, coupons, a voucher and reward points are set
// up in its tables as its admin stores them; orders are placed by OpenCart's own code (the 3.0
// API, the 4.x storefront checkout); then erp-bridge exports them from the shop's database and
// every document line is compared with OpenCart's `order_total` rows and its tax per rate.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { createLogger } from '../../app/log.js';
import { anyOrderToPrepare, defaultExportStatuses, setMethodMapping } from '../../app/shop/orders.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { addStorefrontCustomer, placeOrderAsCustomer } from '../support/opencart/customer-checkout.js';
import { addSecondLanguage } from '../support/second-language.js';
import { installOpenCart, placeOrder, realOpenCartAvailable, RELEASES, type OpenCartShop, type OrderSpec } from '../support/opencart/index.js';
import { configureHungarianTaxes, type TaxedShop } from '../support/opencart/shop-taxes.js';

const enabled = realOpenCartAvailable();

/** Half away from zero, in cents: the rounding the document promises against OpenCart's figures. */
const cents = (x: number) => Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-7);
const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
const NOT_LINES = new Set(['sub_total', 'tax', 'total']);

describe.skipIf(!enabled).each(RELEASES)('order documents equal what OpenCart %s charged', (release) => {
  let shop: OpenCartShop;
  let taxed: TaxedShop;
  let ctx: AppContext;
  let dataDir: string;
  const exporter = () => new OrderExporter(ctx.db, ctx.settings);
  const p = () => shop.prefix;

  beforeAll(async () => {
    // One release under another table prefix, as many real shops have.
    shop = await installOpenCart(release, { prefix: release === '4.0.2.3' ? 'bolt_' : 'oc_' });
    await addSecondLanguage(shop.databaseUrl, shop.prefix, { enabled: false }); // a second language, as on every database the suites use
    taxed = await configureHungarianTaxes(shop);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-ocvat-'));
    const config = loadConfig({
      DATABASE_URL: shop.databaseUrl, TABLE_PREFIX: shop.prefix, DATA_DIR: dataDir, APP_SECRET: 'test-secret-0123456789abcdef', PUBLIC_URL: 'http://shop.test', LOG_LEVEL: 'silent',
    });
    ctx = createContext(config, createLogger('silent'));
    await install(ctx);
    const statuses = (await shop.query<Array<{ id: number }>>(`SELECT DISTINCT order_status_id AS id FROM \`${p()}order_status\``)).map((r) => r.id).join(',');
    await ctx.settings.update({
      webshop_id: 'bolt1', password: 'erp-pw', export_start_date: '2020-01-01', export_statuses: statuses, shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ',
      low_order_fee_code: 'KISR', coupon_code: 'KUPON', reward_code: 'PONT', voucher_code: 'UTALV', credit_code: 'JOVA', other_total_code: 'EGYEB',
    });
    await setMethodMapping(ctx.db, 'payment', 'cod', 'UTANVET');
    await setMethodMapping(ctx.db, 'shipping', 'flat', 'FUTAR');
  }, 120_000);

  afterAll(async () => {
    await ctx?.close().catch(() => {});
    await shop?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Places an order through OpenCart, exports it, and checks its document against OpenCart's rows. */
  const placeAndExport = async (spec: OrderSpec | (() => Promise<{ orderId: number }>), opts: { currencyMode?: 'shop' | 'order' } = {}) => {
    const { orderId } = typeof spec === 'function' ? await spec() : await placeOrder(shop, spec);
    await exporter().prepare();
    const row = await ctx.db.knex(ctx.db.own('outbox')).where({ order_id: orderId }).first();
    expect(row, `order ${orderId} was not prepared`).toBeTruthy();
    let doc = JSON.parse(row.document) as OrderDocument;
    expect(row.last_error).toBeNull();
    expect(row.state).toBe('waiting');
    if (opts.currencyMode === 'order') {
      // Re-send with the document in the order's own currency.
      await ctx.settings.update({ order_currency: 'order' });
      await ctx.db.knex(ctx.db.own('outbox')).where({ order_id: orderId }).update({ state: 'exported' });
      try {
        expect(await exporter().resend(orderId, ['exported'])).toEqual({ requeued: true, problem: null });
      } finally {
        await ctx.settings.update({ order_currency: 'shop' });
      }
      doc = JSON.parse((await ctx.db.knex(ctx.db.own('outbox')).where({ order_id: orderId }).first()).document) as OrderDocument;
    }
    const [order] = await shop.query<Array<{ total: string; currency_code: string; currency_value: string }>>(`SELECT total, currency_code, currency_value FROM \`${p()}order\` WHERE order_id = ?`, [orderId]);
    const rate = opts.currencyMode === 'order' ? Number(order!.currency_value) : 1;
    const totals = (await shop.query<Array<{ code: string; title: string; value: string }>>(`SELECT code, title, value FROM \`${p()}order_total\` WHERE order_id = ? ORDER BY sort_order`, [orderId]))
      .map((t) => ({ ...t, value: Number(t.value) }));
    const products = await shop.query<Array<{ product_id: number; price: string; quantity: number; tax: string }>>(`SELECT product_id, price, quantity, tax FROM \`${p()}order_product\` WHERE order_id = ? ORDER BY order_product_id`, [orderId]);

    // Per rate: the lines' VAT (or fixed tax) equals OpenCart's tax row, to the cent.
    const taxRows = totals.filter((t) => t.code === 'tax');
    for (const t of taxRows) {
      const info = taxed.rates.get(t.title);
      expect(info, `tax row "${t.title}" is one of the shop's rates`).toBeTruthy();
      const onLines = info!.type === 'P' ? doc.lines.filter((l) => l.vatRate === info!.rate).map((l) => l.vat) : doc.lines.map((l) => l.fixedTax ?? 0);
      expect(cents(sum(onLines)), `${t.title} on the lines`).toBe(cents(t.value * rate));
    }
    // A rate OpenCart charged nothing for carries no VAT on the lines either.
    for (const [name, info] of taxed.rates) {
      if (info.type === 'P' && !taxRows.some((t) => t.title === name)) expect(cents(sum(doc.lines.filter((l) => l.vatRate === info.rate).map((l) => l.vat)))).toBe(0);
    }
    // The lines sum to OpenCart's total exactly.
    const total = totals.find((t) => t.code === 'total')!.value;
    expect(cents(sum(doc.lines.map((l) => l.gross)))).toBe(cents(total * rate));
    expect(doc.totals.shopTotal).toBe(cents(total * rate) / 100);
    // One line (or one per VAT rate) per OpenCart total, with its net.
    const rows = totals.filter((t) => !NOT_LINES.has(t.code) && t.value !== 0);
    // (Gift vouchers bought are no total: OpenCart counts them in sub_total; checked by their test.)
    expect([...new Set(doc.lines.filter((l) => l.kind !== 'product' && l.kind !== 'gift_voucher').map((l) => l.kind))].sort()).toEqual([...new Set(rows.map((t) => t.code))].sort());
    for (const t of rows) expect(Math.abs(cents(sum(doc.lines.filter((l) => l.kind === t.code).map((l) => l.net))) - cents(t.value * rate)), `${t.code} net`).toBeLessThanOrEqual(1);
    // Products: net as charged; VAT at the product's rate.
    const productLines = doc.lines.filter((l) => l.kind === 'product');
    expect(productLines).toHaveLength(products.length);
    products.forEach((op, i) => {
      expect(Math.abs(cents(productLines[i]!.net) - cents(Number(op.price) * op.quantity * rate))).toBeLessThanOrEqual(1);
    });
    expect(doc.payment.erpCode).toBe('UTANVET');
    expect(doc.shipping.erpCode).toBe('FUTAR');
    expect(doc.customer.billing.address1).toBe('Fő utca 1.'); // 4.x stores no billing address: the shipping one
    return { orderId, doc, totals };
  };

  const lineOf = (doc: OrderDocument, kind: string) => doc.lines.filter((l) => l.kind === kind);

  it('queues no order before the first setup says from which date orders go to the ERP', async () => {
    await ctx.settings.update({ export_start_date: '' }); // as on a fresh install
    const { orderId } = await placeOrder(shop, { products: [{ productId: taxed.products.a27, quantity: 1 }] });
    const queued = async () => !!(await ctx.db.knex(ctx.db.own('outbox')).where({ order_id: orderId }).first());
    expect(await exporter().prepare()).toMatchObject({ prepared: 0, notReady: ['export_start_date'] });
    expect(await queued()).toBe(false);
    // A start date after the order: still not queued.
    await ctx.settings.update({ export_start_date: '2099-01-01' });
    await exporter().prepare();
    expect(await queued()).toBe(false);
    await ctx.settings.update({ export_start_date: '2020-01-01' });
    // The dashboard's question (whether any order waits) sees OpenCart's order, until it is queued.
    const s = await ctx.settings.get();
    const waits = async () => anyOrderToPrepare(ctx.db, { statuses: s.export_statuses.length ? s.export_statuses : await defaultExportStatuses(ctx.db), startDate: s.export_start_date });
    expect(await waits()).toBe(true);
    await exporter().prepare();
    expect(await queued()).toBe(true);
    expect(await waits()).toBe(false);
  });

  it('a 27% + 5% cart with taxed shipping', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 2 }, { productId: taxed.products.b5, quantity: 3 }] });
    expect(doc.lines.map((l) => [l.kind, l.vatRate])).toEqual([['product', 27], ['product', 5], ['shipping', 27]]);
    expect(lineOf(doc, 'shipping')[0]).toMatchObject({ code: 'SZALL', net: 1000, vat: 270 });
  });

  it('untaxed shipping', async () => {
    await taxed.setSetting('shipping_flat', 'shipping_flat_tax_class_id', 0);
    try {
      const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 1 }] });
      expect(lineOf(doc, 'shipping')[0]).toMatchObject({ vatRate: 0, net: 1000, vat: 0, gross: 1000 });
    } finally {
      await taxed.setSetting('shipping_flat', 'shipping_flat_tax_class_id', taxed.classes.vat27);
    }
  });

  it('a payment-based tax rule follows the address OpenCart used (4.x has no billing address by default)', async () => {
    await shop.query(`UPDATE \`${p()}tax_rule\` SET based = 'payment' WHERE tax_class_id = ?`, [taxed.classes.vat5]);
    try {
      const { doc } = await placeAndExport({ products: [{ productId: taxed.products.b5, quantity: 1 }] });
      // 3.0's API always sets the payment address; 4.x's guest checkout sets none, and
      // config_tax_default (shipping) does not stand in for it: OpenCart charged no 5% then.
      expect(doc.lines[0]).toMatchObject(shop.major === 3 ? { vatRate: 5, vat: 49.38 } : { vatRate: 0, vat: 0 });
    } finally {
      await shop.query(`UPDATE \`${p()}tax_rule\` SET based = 'shipping' WHERE tax_class_id = ?`, [taxed.classes.vat5]);
    }
  });

  it('a percentage coupon, split per VAT rate', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 2 }, { productId: taxed.products.b5, quantity: 1 }], coupon: 'PCT10' });
    expect(lineOf(doc, 'coupon').map((l) => [l.code, l.vatRate])).toEqual([['KUPON', 27], ['KUPON', 5]]);
    // 10% of each product's net: 246.91 at 27%, 98.77 at 5% (a net may give a cent to the total's reconciliation).
    const nets = lineOf(doc, 'coupon').map((l) => cents(l.net));
    expect(Math.abs(nets[0]! + 24691)).toBeLessThanOrEqual(1);
    expect(Math.abs(nets[1]! + 9877)).toBeLessThanOrEqual(1);
  });

  it('a fixed coupon, split per VAT rate in proportion to the products', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 1 }, { productId: taxed.products.b5, quantity: 1 }], coupon: 'FIX500' });
    expect(lineOf(doc, 'coupon').map((l) => l.vatRate)).toEqual([27, 5]);
    expect(cents(sum(lineOf(doc, 'coupon').map((l) => l.net)))).toBe(-50000);
  });

  it('a free-shipping coupon carries shipping\'s rate: the fee nets sum to zero', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 1 }], coupon: 'FREESHIP' });
    expect(lineOf(doc, 'coupon')).toEqual([expect.objectContaining({ vatRate: 27, net: -1000, vat: -270 })]);
    expect(lineOf(doc, 'shipping')[0]!.net + lineOf(doc, 'coupon')[0]!.net).toBe(0);
  });

  it('handling and the low-order fee, each by its own tax class', async () => {
    await taxed.setSetting('total_handling', 'total_handling_status', 1);
    await taxed.setSetting('total_low_order_fee', 'total_low_order_fee_status', 1);
    try {
      const { doc } = await placeAndExport({ products: [{ productId: taxed.products.cEco, quantity: 1 }] });
      expect(lineOf(doc, 'handling')).toEqual([expect.objectContaining({ code: 'KEZ', vatRate: 27, net: 150, vat: 40.5 })]);
      expect(lineOf(doc, 'low_order_fee')).toEqual([expect.objectContaining({ code: 'KISR', vatRate: 5, net: 200, vat: 10 })]);
    } finally {
      await taxed.setSetting('total_handling', 'total_handling_status', 0);
      await taxed.setSetting('total_low_order_fee', 'total_low_order_fee_status', 0);
    }
  });

  it('a fixed-amount tax is its own amount, the VAT rate stays 27', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.cEco, quantity: 3 }] });
    expect(doc.lines[0]).toMatchObject({ kind: 'product', vatRate: 27, net: 300, vat: 81, fixedTax: 6, gross: 387 });
    expect(doc.totals.fixedTaxes).toEqual([{ name: 'Öko & termékdíj', amount: 6 }]);
  });

  it.skipIf(release === '4.1.0.3')('a gift voucher is a means of payment, outside VAT', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 1 }], voucher: 'AJANDEK' });
    expect(lineOf(doc, 'voucher')).toEqual([expect.objectContaining({ code: 'UTALV', vatRate: null, vat: 0, net: -500, gross: -500 })]);
  });

  it('reward points take back the VAT of the products that have a points price', async () => {
    const products = [{ productId: taxed.products.a27, quantity: 1 }, { productId: taxed.products.b5, quantity: 1 }];
    // 3.0: the admin's order form (API) for a customer with points; 4.x: the customer logged in at the storefront.
    const { doc } = await placeAndExport(shop.major === 3
      ? { products, reward: 300, customer: { customerId: taxed.rewardCustomerId, email: 'pont@example.com', firstname: 'Pont', lastname: 'Vevő' } }
      : async () => placeOrderAsCustomer(shop, await addStorefrontCustomer(shop, taxed.customerGroupId, { points: 1000 }), { products, reward: 300 }));
    // 300 of the 500 points price of the 27% product: 60% of its net.
    expect(lineOf(doc, 'reward')).toEqual([expect.objectContaining({ code: 'PONT', vatRate: 27, net: -740.74, vat: -200 })]);
  });

  it.skipIf(!release.startsWith('3.'))('a gift voucher bought in the order is its own untaxed line', async () => {
    const { doc } = await placeAndExport({ products: [{ productId: taxed.products.a27, quantity: 1 }], buyVouchers: [{ toName: 'Anna', toEmail: 'anna@example.com', amount: 50, themeId: taxed.voucherThemeId }] });
    expect(lineOf(doc, 'gift_voucher')).toEqual([expect.objectContaining({ code: 'UTALV', vatRate: null, net: 50, vat: 0, gross: 50 })]);
    const [sold] = await shop.query<Array<{ amount: string }>>(`SELECT amount FROM \`${p()}order_voucher\` WHERE order_id = ?`, [doc.orderId]);
    expect(Number(sold!.amount)).toBe(50);
  });

  it('store credit is a means of payment, outside VAT', async () => {
    const products = [{ productId: taxed.products.b5, quantity: 1 }];
    const { doc } = await placeAndExport(shop.major === 3
      ? { products, customer: { customerId: taxed.creditCustomerId, email: 'hitel@example.com', firstname: 'Hitel', lastname: 'Vevő' } }
      : async () => placeOrderAsCustomer(shop, await addStorefrontCustomer(shop, taxed.customerGroupId, { credit: 300 }), { products }));
    expect(lineOf(doc, 'credit')).toEqual([expect.objectContaining({ code: 'JOVA', vatRate: null, vat: 0, net: -300, gross: -300 })]);
  });

  it('an order in a second currency: in the shop\'s currency by default, converted and reconciled on request', async () => {
    const spec: OrderSpec = { products: [{ productId: taxed.products.a27, quantity: 1 }, { productId: taxed.products.b5, quantity: 2 }], coupon: 'PCT10', currency: 'EUR' };
    const shopCurrency = await placeAndExport(spec);
    expect(shopCurrency.doc).toMatchObject({ currency: 'USD', currencyValue: 1, orderCurrency: { code: 'EUR' } });
    const own = await placeAndExport(spec, { currencyMode: 'order' });
    expect(own.doc.currency).toBe('EUR');
    expect(own.doc.currencyValue).toBeLessThan(1);
  });

  it('OpenCart raised no PHP problem while it took these orders', () => {
    expect(shop.phpProblems()).toEqual([]);
  });
});
