// Per-line tax as OpenCart computes it, on hand-written rows shaped like OpenCart's (fast unit
// tests; the same scenarios run through OpenCart itself in test/integration/order-vat-opencart).
// Every expected figure below is worked out by hand from OpenCart's total models.
import { describe, expect, it } from 'vitest';
import { buildOrderDocument } from '../../app/erp/order-document.js';
import { ordersToCsv, orderToXml } from '../../app/erp/order-formats.js';
import { apportion, priceOrder, ratesForOrder, reconcile } from '../../app/erp/order-vat.js';
import { DEFAULTS, parseSetting, type Settings } from '../../app/settings/schema.js';
import type { OrderTaxFacts, ShopTaxConfig, TaxRuleRate } from '../../app/shop/order-tax.js';
import type { ShopOrder, ShopOrderProduct, ShopOrderTotal } from '../../app/shop/orders.js';

const HU = 97;
const rule = (taxClassId: number, taxRateId: number, name: string, rate: number, type: 'P' | 'F' = 'P', based: TaxRuleRate['based'] = 'shipping', geoZoneId = 1): TaxRuleRate =>
  ({ taxClassId, based, priority: 1, taxRateId, geoZoneId, name, rate, type });
const config = (over: Partial<ShopTaxConfig> = {}): ShopTaxConfig => ({
  rules: [rule(10, 1, 'ÁFA 27%', 27), rule(11, 2, 'ÁFA 5%', 5), rule(12, 4, 'VAT 20%', 20), rule(12, 3, 'Eco Tax (-2.00)', 2, 'F', 'store')],
  geoZones: new Map([[1, [{ countryId: HU, zoneId: 0 }]], [2, [{ countryId: HU, zoneId: 5 }]]]),
  rateGroups: new Map([1, 2, 3, 4, 5].map((id) => [id, new Set([1])])),
  store: { countryId: HU, zoneId: 1 },
  otherStores: new Map([[2, { countryId: HU, zoneId: 5 }]]),
  taxDefault: 'shipping',
  currency: 'HUF',
  feeClasses: new Map([['shipping:flat', 10], ['handling', 10], ['low_order_fee', 11]]),
  ...over,
});
const P1 = { id: 1, cls: 10, price: 1000 }; // 27%
const P2 = { id: 2, cls: 11, price: 2000 }; // 5%
const P3 = { id: 3, cls: 12, price: 100 }; // 20% + 2.00 fixed
const facts = (points: Record<number, number> = {}, coupons: OrderTaxFacts['coupons'] = new Map()): OrderTaxFacts => ({
  products: new Map([P1, P2, P3, { id: 4, cls: 10, price: 0 }].map((p) => [p.id, { taxClassId: p.cls, points: points[p.id] ?? 0 }])),
  coupons,
});
const order = (over: Partial<ShopOrder> = {}): ShopOrder => ({
  order_id: 7, invoice_prefix: 'INV-', store_name: 'Bolt', customer_id: 3, customer_group_id: 1, firstname: 'Éva', lastname: 'Kovács', email: 'eva@example.hu',
  telephone: '1', custom_field: '{}', payment_firstname: 'Éva', payment_lastname: 'Kovács', payment_company: '', payment_address_1: 'Fő u. 1', payment_address_2: '',
  payment_city: 'Szeged', payment_postcode: '6720', payment_country: 'Hungary', payment_zone: 'Csongrád', payment_country_id: HU, payment_zone_id: 1, payment_custom_field: '[]',
  payment_method: 'Utánvét', payment_code: 'cod', shipping_firstname: 'Éva', shipping_lastname: 'Kovács', shipping_company: '', shipping_address_1: 'Fő u. 1',
  shipping_address_2: '', shipping_city: 'Szeged', shipping_postcode: '6720', shipping_country: 'Hungary', shipping_zone: 'Csongrád', shipping_country_id: HU,
  shipping_zone_id: 1, shipping_method: 'Futár', shipping_code: 'flat.flat', comment: '', total: 0, order_status_id: 2, status_name: 'Processing',
  currency_code: 'HUF', currency_value: 1, date_added: '2026-11-20 10:00:00', ...over,
});
const line = (p: { id: number; price: number }, quantity: number, tax: number, i = p.id): ShopOrderProduct =>
  ({ order_product_id: i, order_id: 7, product_id: p.id, name: `P${p.id}`, model: `M-${p.id}`, code: `SKU-${p.id}`, unit: 'db', quantity, price: p.price, total: p.price * quantity, tax });
const totals = (rows: Array<[string, string, number]>): ShopOrderTotal[] => rows.map(([code, title, value], i) => ({ order_id: 7, code, title, value, sort_order: i + 1 }));
const codes: Partial<Settings> = { shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ', low_order_fee_code: 'KISR', coupon_code: 'KUPON', reward_code: 'PONT', voucher_code: 'UTALV', credit_code: 'JOVA', other_total_code: 'EGYEB' };
const build = (products: ShopOrderProduct[], rows: ShopOrderTotal[], o: Partial<ShopOrder> = {}, s: Partial<Settings> = {}, f = facts(), cfg = config()) => {
  const total = rows.find((r) => r.code === 'total')!.value;
  return buildOrderDocument(order({ total, ...o }), products, [], rows, { ...DEFAULTS, ...codes, ...s }, new Map(), 'Shop', { config: cfg, facts: f });
};
const summary = (r: ReturnType<typeof build>) => r.document.lines.map((l) => [l.kind, l.code, l.vatRate, l.net, l.vat, l.gross]);

describe('per-line tax as OpenCart computes it', () => {
  it('a 27% + 5% cart with taxed shipping and a 10% coupon: the coupon is split per rate', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    // 27%: 540 (P1) + 270 (shipping) − 54 (10% of P1's 2000, its tax taken back) = 756; 5%: 100 − 10 = 90.
    const r = build([line(P1, 2, 270), line(P2, 1, 100)], totals([['sub_total', 'Részösszeg', 4000], ['shipping', 'Futár', 1000], ['coupon', 'Kupon (NYAR10)', -400], ['tax', 'ÁFA 27%', 756], ['tax', 'ÁFA 5%', 90], ['total', 'Összesen', 5446]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r)).toEqual([
      ['product', 'SKU-1', 27, 2000, 540, 2540],
      ['product', 'SKU-2', 5, 2000, 100, 2100],
      ['shipping', 'SZALL', 27, 1000, 270, 1270],
      ['coupon', 'KUPON', 27, -200, -54, -254],
      ['coupon', 'KUPON', 5, -200, -10, -210],
    ]);
    expect(r.document.totals).toEqual({ net: 4600, vat: [{ rate: 27, net: 2800, vat: 756 }, { rate: 5, net: 1800, vat: 90 }], fixedTaxes: [], gross: 5446, shopTotal: 5446 });
  });

  it('untaxed shipping carries no VAT', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['shipping', 'Futár', 500], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1770]]), {}, {}, facts(), config({ feeClasses: new Map([['shipping:flat', 0]]) }));
    expect(r.problem).toBeNull();
    expect(summary(r)[1]).toEqual(['shipping', 'SZALL', 0, 500, 0, 500]);
  });

  it('a fixed-amount tax is its own amount, never folded into the rate', () => {
    // 20% of 100 = 20 per unit, plus the fixed 2.00 per unit (store-based): 66 on three units.
    const r = build([line(P3, 3, 22)], totals([['sub_total', 'Részösszeg', 300], ['tax', 'VAT 20%', 60], ['tax', 'Eco Tax (-2.00)', 6], ['total', 'Összesen', 366]]));
    expect(r.problem).toBeNull();
    expect(r.document.lines[0]).toMatchObject({ vatRate: 20, net: 300, vat: 60, fixedTax: 6, gross: 366 });
    expect(r.document.totals).toMatchObject({ vat: [{ rate: 20, net: 300, vat: 60 }], fixedTaxes: [{ name: 'Eco Tax (-2.00)', amount: 6 }], gross: 366 });
  });

  it('a free-shipping coupon carries shipping\'s rate, even when the fee nets sum to zero', () => {
    const coupons = new Map([['INGYEN', { type: 'F' as const, discount: 0, freeShipping: true, productIds: null }]]);
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['shipping', 'Futár', 500], ['coupon', 'Kupon (INGYEN)', -500], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1270]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r).slice(1)).toEqual([['shipping', 'SZALL', 27, 500, 135, 635], ['coupon', 'KUPON', 27, -500, -135, -635]]);
  });

  it('a fixed coupon limited to one product takes back only that product\'s rate', () => {
    const coupons = new Map([['CSAK2', { type: 'F' as const, discount: 300, freeShipping: false, productIds: new Set([2]) }]]);
    const r = build([line(P1, 1, 270), line(P2, 1, 100)], totals([['sub_total', 'Részösszeg', 3000], ['coupon', 'Kupon (CSAK2)', -300], ['tax', 'ÁFA 27%', 270], ['tax', 'ÁFA 5%', 85], ['total', 'Összesen', 3055]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r)[2]).toEqual(['coupon', 'KUPON', 5, -300, -15, -315]);
  });

  it('handling and the low-order fee: each its own line, by its own tax class', () => {
    const r = build([line({ id: 2, price: 200 }, 1, 10)], totals([['sub_total', 'Részösszeg', 200], ['handling', 'Kezelési díj', 100], ['low_order_fee', 'Kis rendelés', 50], ['tax', 'ÁFA 5%', 12.5], ['tax', 'ÁFA 27%', 27], ['total', 'Összesen', 389.5]]));
    expect(r.problem).toBeNull();
    expect(summary(r).slice(1)).toEqual([['handling', 'KEZ', 27, 100, 27, 127], ['low_order_fee', 'KISR', 5, 50, 2.5, 52.5]]);
  });

  it('reward points discount the products that have a points price, at their rates', () => {
    const r = build([line(P1, 1, 270), line(P2, 1, 100)], totals([['sub_total', 'Részösszeg', 3000], ['reward', 'Pontok (300)', -300], ['tax', 'ÁFA 27%', 189], ['tax', 'ÁFA 5%', 100], ['total', 'Összesen', 2989]]), {}, {}, facts({ 1: 100 }));
    expect(r.problem).toBeNull();
    expect(summary(r)[2]).toEqual(['reward', 'PONT', 27, -300, -81, -381]);
  });

  it('gift vouchers and store credit are means of payment: no VAT, no rate', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 270], ['voucher', 'Ajándékutalvány (AJ1)', -500], ['credit', 'Jóváírás', -100], ['total', 'Összesen', 670]]));
    expect(r.problem).toBeNull();
    expect(summary(r).slice(1)).toEqual([['voucher', 'UTALV', null, -500, 0, -500], ['credit', 'JOVA', null, -100, 0, -100]]);
    expect(r.document.totals.vat).toEqual([{ rate: 27, net: 1000, vat: 270 }]);
    expect(r.document.totals.gross).toBe(670);
  });

  it('a gift voucher bought in the order is its own untaxed line (OpenCart counts it in sub_total)', () => {
    const rows = totals([['sub_total', 'Részösszeg', 6000], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 6270]]);
    const r = buildOrderDocument(order({ total: 6270 }), [line(P1, 1, 270)], [], rows, { ...DEFAULTS, ...codes }, new Map(), 'Shop', { config: config(), facts: facts() },
      [{ order_id: 7, description: '5000 Ft ajándékutalvány Annának', code: 'AB12', amount: 5000 }]);
    expect(r.problem).toBeNull();
    expect(summary(r)).toEqual([['product', 'SKU-1', 27, 1000, 270, 1270], ['gift_voucher', 'UTALV', null, 5000, 0, 5000]]);
  });

  it('another extension\'s total is its own line under the default code', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 270], ['klarna_fee', 'Klarna', 90], ['total', 'Összesen', 1360]]));
    expect(r.problem).toBeNull();
    expect(summary(r)[1]).toEqual(['klarna_fee', 'EGYEB', 0, 90, 0, 90]);
  });

  it('cents: each rate\'s lines equal the tax row rounded, and the lines sum to the total', () => {
    const p = { id: 4, price: 10.01 };
    // 2.7027 tax per line rounds to 2.70 three times (8.10); OpenCart's row is 8.1081 → 8.11.
    const r = build([line(p, 1, 2.7027, 1), line(p, 1, 2.7027, 2), line(p, 1, 2.7027, 3)], totals([['sub_total', 'Részösszeg', 30.03], ['tax', 'ÁFA 27%', 8.1081], ['total', 'Összesen', 38.1381]]));
    expect(r.problem).toBeNull();
    const vat = r.document.lines.map((l) => l.vat);
    expect(vat.slice().sort()).toEqual([2.7, 2.7, 2.71]);
    expect(r.document.totals).toMatchObject({ vat: [{ rate: 27, net: 30.03, vat: 8.11 }], gross: 38.14, shopTotal: 38.14 });
  });

  it('a second currency: the document says its currency, amounts converted and reconciled to the cent', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    const rows = totals([['sub_total', 'Részösszeg', 4000], ['shipping', 'Futár', 1000], ['coupon', 'Kupon (NYAR10)', -400], ['tax', 'ÁFA 27%', 756], ['tax', 'ÁFA 5%', 90], ['total', 'Összesen', 5446]]);
    const products = [line(P1, 2, 270), line(P2, 1, 100)];
    const shop = build(products, rows, { currency_code: 'EUR', currency_value: 0.0025 }, {}, facts({}, coupons));
    expect(shop.document).toMatchObject({ currency: 'HUF', currencyValue: 1, orderCurrency: { code: 'EUR', value: 0.0025 } });
    expect(shop.document.totals.gross).toBe(5446);
    const eur = build(products, rows, { currency_code: 'EUR', currency_value: 0.0025 }, { order_currency: 'order' }, facts({}, coupons));
    expect(eur.problem).toBeNull();
    expect(eur.document).toMatchObject({ currency: 'EUR', currencyValue: 0.0025 });
    // 5446 × 0.0025 = 13.615 → 13.62; 27%: 1.89; 5%: 0.225 → 0.23.
    expect(eur.document.totals).toMatchObject({ vat: [{ rate: 27, vat: 1.89 }, { rate: 5, vat: 0.23 }], gross: 13.62, shopTotal: 13.62 });
    expect(eur.document.lines[0]).toMatchObject({ netUnitPrice: 2.5, net: 5 });
  });

  it('holds a document that does not reconcile, naming the rate and the difference', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 300], ['total', 'Összesen', 1300]]));
    expect(r.problem).toMatch(/the lines' tax "ÁFA 27%" 270.00 differs from OpenCart's 300.00 by -30.00/);
  });

  it('holds a document whose line has no ERP code, naming the setting', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['reward', 'Pontok (100)', -100], ['tax', 'ÁFA 27%', 243], ['total', 'Összesen', 1143]]), {}, { reward_code: '' }, facts({ 1: 50 }));
    expect(r.problem).toBe("the ERP item code setting reward_code is not set (needed for the order's reward line)");
  });

  it('finds the product\'s tax class from the stored tax when the product changed class since', () => {
    const f = facts();
    f.products.set(2, { taxClassId: 10, points: 0 }); // now 27%, ordered at 5%
    const r = build([line(P2, 1, 100)], totals([['sub_total', 'Részösszeg', 2000], ['tax', 'ÁFA 5%', 100], ['total', 'Összesen', 2100]]), {}, {}, f);
    expect(r.problem).toBeNull();
    expect(r.document.lines[0]).toMatchObject({ vatRate: 5, vat: 100 });
  });
});

describe('the wire formats carry the fixed tax apart and no rate on a means of payment', () => {
  it('XML and CSV', () => {
    const d = build([line(P3, 1, 22)], totals([['sub_total', 'Részösszeg', 100], ['tax', 'VAT 20%', 20], ['tax', 'Eco Tax (-2.00)', 2], ['voucher', 'Utalvány (AJ1)', -50], ['total', 'Összesen', 72]])).document;
    const xml = orderToXml(d);
    expect(xml).toContain('<tetel tipus="product"><cikkszam>SKU-3</cikkszam><megnevezes>P3</megnevezes><mennyiseg>1</mennyiseg><mee>db</mee><nettoegysegar>100</nettoegysegar><afakulcs>20</afakulcs><netto>100</netto><afa>20</afa><egyebado>2</egyebado><brutto>122</brutto></tetel>');
    expect(xml).toContain('<tetel tipus="voucher"><cikkszam>UTALV</cikkszam><megnevezes>Utalvány (AJ1)</megnevezes><mennyiseg>1</mennyiseg><nettoegysegar>-50</nettoegysegar><netto>-50</netto><afa>0</afa><brutto>-50</brutto></tetel>');
    expect(xml).toContain('<egyebado nev="Eco Tax (-2.00)">2</egyebado><brutto>72</brutto></osszesen>');
    const csv = ordersToCsv([d]).split('\r\n');
    expect(csv[0]!.endsWith(';egyebado')).toBe(true);
    expect(csv[2]).toBe('INV-7;2026-11-20 10:00:00;C3;Éva Kovács;eva@example.hu;voucher;UTALV;Utalvány (AJ1);1;;-50;;-50;0;-50;cod;flat.flat;');
    expect(csv[1]!.split(';').at(-1)).toBe('2');
  });
});

describe('the address OpenCart\'s tax rules use', () => {
  const cfg = config({ rules: [rule(20, 5, 'ÁFA 27% (zone 5)', 27, 'P', 'payment', 2)] });
  const o = (payment: { countryId: number; zoneId: number } | null) => ({ customerGroupId: 1, shippingAddress: { countryId: HU, zoneId: 1 }, paymentAddress: payment, shippingMethod: 'flat' });
  it('a payment-based rule applies for a payment address in its geo zone only', () => {
    expect(ratesForOrder(o({ countryId: HU, zoneId: 5 }), cfg).get(20)?.map((r) => r.rate)).toEqual([27]);
    expect(ratesForOrder(o({ countryId: HU, zoneId: 1 }), cfg).get(20)).toBeUndefined();
  });
  it('no payment address (OpenCart 4.x default checkout): the store address stands in only when config_tax_default is payment', () => {
    expect(ratesForOrder(o(null), cfg).get(20)).toBeUndefined();
    expect(ratesForOrder(o(null), { ...cfg, taxDefault: 'payment', store: { countryId: HU, zoneId: 5 } }).get(20)?.length).toBe(1);
  });
  it('a store-based rule uses the address of the store the order was placed in', () => {
    const storeRule = config({ rules: [rule(21, 5, 'Helyi adó', 3, 'P', 'store', 2)] });
    const order = { customerGroupId: 1, shippingAddress: null, paymentAddress: null, shippingMethod: '' };
    expect(ratesForOrder(order, storeRule).get(21)).toBeUndefined(); // store 0 is in zone 1
    expect(ratesForOrder({ ...order, storeId: 2 }, storeRule).get(21)?.map((r) => r.rate)).toEqual([3]); // store 2 is in zone 5
  });
  it('the order\'s shipping country and zone choose the rules, the store standing in when it has none; the store the order was placed in counts', () => {
    const zone5 = config({ rules: [rule(10, 1, 'ÁFA 27%', 27, 'P', 'shipping', 2)] }); // HU, zone 5 only; store 0 is in zone 1
    const rows = totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1270]]);
    expect(build([line(P1, 1, 270)], rows, { shipping_zone_id: 5 }, {}, facts(), zone5).problem).toBeNull();
    expect(build([line(P1, 1, 270)], rows, { shipping_zone_id: 1 }, {}, facts(), zone5).problem).toMatch(/matches none of the shop's tax classes/);
    const noAddress = { shipping_country_id: 0, shipping_zone_id: 0 };
    expect(build([line(P1, 1, 270)], rows, noAddress, {}, facts(), { ...zone5, store: { countryId: HU, zoneId: 5 } }).problem).toBeNull();
    const storeBased = config({ rules: [rule(10, 1, 'ÁFA 27%', 27, 'P', 'store', 2)] }); // store 2 is in zone 5
    expect(build([line(P1, 1, 270)], rows, { store_id: 2 }, {}, facts(), storeBased).problem).toBeNull();
    expect(build([line(P1, 1, 270)], rows, { store_id: 0 }, {}, facts(), storeBased).problem).toMatch(/matches none/);
  });
  it('a rate not given to the order\'s customer group does not apply', () => {
    expect(ratesForOrder({ ...o({ countryId: HU, zoneId: 5 }), customerGroupId: 2 }, cfg).get(20)).toBeUndefined();
  });
});

describe('the order line settings', () => {
  it('parse and refuse like every other setting', () => {
    expect(parseSetting('order_currency', ' order ')).toBe('order');
    expect(() => parseSetting('order_currency', 'EUR')).toThrow('order_currency: must be one of shop, order');
    expect(parseSetting('voucher_code', ' UTALV ')).toBe('UTALV');
    expect(() => parseSetting('other_total_code', 'x'.repeat(65))).toThrow('other_total_code: must be at most 64 characters');
    expect(DEFAULTS).toMatchObject({ order_currency: 'shop', low_order_fee_code: '', reward_code: '', voucher_code: '', credit_code: '', other_total_code: '' });
  });
});

describe('apportion', () => {
  it('sums to the target, moving the cents rounded furthest', () => {
    expect(apportion([0.3333, 0.3333, 0.3334], 100)).toEqual([33, 33, 34]);
    expect(apportion([0.004, 0.004, 0.004], 1)).toEqual([1, 0, 0]);
    expect(apportion([-0.025, 0.25], 23)).toEqual([-2, 25]);
  });
});

describe('OpenCart\'s tax rules, case by case', () => {
  const AT = 14;
  const at = (zoneId = 0) => ({ countryId: AT, zoneId });
  const o = (shipping: { countryId: number; zoneId: number } | null, payment: { countryId: number; zoneId: number } | null = null, storeId?: number) => ({ customerGroupId: 1, storeId, shippingAddress: shipping, paymentAddress: payment, shippingMethod: 'flat' });
  const ids = (m: Map<number, TaxRuleRate[]>, cls: number) => m.get(cls)?.map((r) => r.taxRateId) ?? [];

  it('a rate given to no customer group, or in a geo zone the shop no longer has, does not apply', () => {
    const cfg = config({ rules: [rule(10, 1, 'ÁFA 27%', 27), rule(10, 6, 'Nincs csoport', 10), rule(10, 7, 'Nincs zóna', 10, 'P', 'shipping', 9)], rateGroups: new Map([[1, new Set([1])], [7, new Set([1])]]) });
    expect(ids(ratesForOrder(o({ countryId: HU, zoneId: 1 }), cfg), 10)).toEqual([1]);
  });

  it('a geo zone of several countries matches an address in any of them, and never one of another country', () => {
    const cfg = config({ rules: [rule(10, 1, 'ÁFA 27%', 27, 'P', 'shipping', 3), rule(11, 2, 'ÁFA 5%', 5)], geoZones: new Map([[1, [{ countryId: HU, zoneId: 0 }]], [3, [{ countryId: HU, zoneId: 0 }, { countryId: AT, zoneId: 0 }]]]) });
    expect(ids(ratesForOrder(o({ countryId: HU, zoneId: 1 }), cfg), 10)).toEqual([1]);
    expect(ids(ratesForOrder(o(at()), cfg), 10)).toEqual([1]);
    expect(ids(ratesForOrder(o(at()), cfg), 11)).toEqual([]); // geo zone 1 is Hungary only
  });

  it('a payment-based rule looks at the payment address only; the store stands in for a missing one only when config_tax_default is payment', () => {
    const cfg = config({ rules: [rule(20, 5, 'ÁFA 27% (zone 5)', 27, 'P', 'payment', 2)], store: { countryId: HU, zoneId: 5 } });
    expect(ids(ratesForOrder(o({ countryId: HU, zoneId: 5 }, { countryId: HU, zoneId: 1 }), cfg), 20)).toEqual([]);
    expect(ids(ratesForOrder(o({ countryId: HU, zoneId: 1 }, null), cfg), 20)).toEqual([]);
    expect(ids(ratesForOrder(o({ countryId: HU, zoneId: 1 }, null), { ...cfg, taxDefault: 'payment' }), 20)).toEqual([5]);
  });

  it('a store the configuration does not know uses the default store\'s address', () => {
    const cfg = config({ rules: [rule(21, 5, 'Helyi adó', 3, 'P', 'store', 1)], otherStores: undefined as never });
    expect(ids(ratesForOrder(o(null, null, 2), cfg), 21)).toEqual([5]);
  });
});

describe('per-line tax: the less common orders', () => {
  const row = (rows: Array<[string, string, number]>) => totals(rows);

  it('a product whose class gives the same tax as another class keeps its own class and rate name', () => {
    const cfg = config({ rules: [rule(10, 1, 'ÁFA 27%', 27), rule(14, 9, 'ÁFA 27% (B)', 27)], rateGroups: new Map([1, 9].map((id) => [id, new Set([1])])) });
    const f = facts();
    f.products.set(5, { taxClassId: 14, points: 0 });
    const r = build([line({ id: 5, price: 1000 }, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27% (B)', 270], ['total', 'Összesen', 1270]]), {}, {}, f, cfg);
    expect(r.problem).toBeNull();
    expect(r.document.lines[0]).toMatchObject({ vatRate: 27, vat: 270 });
  });

  it('a product, coupon or points product the shop no longer has: the stored tax finds the class, the discount spreads over every product', () => {
    const gone = { id: 99, price: 1000 };
    const coupon = build([line(gone, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['coupon', 'Kupon (GONE)', -100], ['tax', 'ÁFA 27%', 243], ['total', 'Összesen', 1143]]));
    expect(coupon.problem).toBeNull();
    expect(summary(coupon)).toEqual([['product', 'SKU-99', 27, 1000, 270, 1270], ['coupon', 'KUPON', 27, -100, -27, -127]]);
    const reward = build([line(gone, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['reward', 'Pontok (100)', -100], ['tax', 'ÁFA 27%', 243], ['total', 'Összesen', 1143]]));
    expect(reward.problem).toBeNull();
    expect(summary(reward)[1]).toEqual(['reward', 'PONT', 27, -100, -27, -127]);
  });

  it('a product taxed by no class of the order\'s address: untaxed when its stored tax is zero, held otherwise', () => {
    const untaxed = build([line(P1, 1, 0)], row([['sub_total', 'Részösszeg', 1000], ['total', 'Összesen', 1000]]));
    expect(untaxed.problem).toBeNull();
    expect(summary(untaxed)).toEqual([['product', 'SKU-1', 0, 1000, 0, 1000]]);
    const held = build([line(P1, 1, 100)], row([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 10%', 100], ['total', 'Összesen', 1100]]));
    expect(held.problem).toContain('the tax of "P1" (100 per unit) matches none of the shop\'s tax classes for this order\'s address');
  });

  it('a free-shipping coupon takes back shipping at shipping\'s rate and the rest of the discount from the products', () => {
    const coupons = new Map([['FREE10', { type: 'P' as const, discount: 10, freeShipping: true, productIds: null }]]);
    // Shipping 500 at 27% (135); P2 2000 at 5% (100). Coupon −700: 500 shipping (−135) + 10% of 2000 (−200, −10).
    const r = build([line(P2, 1, 100)], row([['sub_total', 'Részösszeg', 2000], ['shipping', 'Futár', 500], ['coupon', 'Kupon (FREE10)', -700], ['tax', 'ÁFA 5%', 90], ['total', 'Összesen', 1890]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r)).toEqual([
      ['product', 'SKU-2', 5, 2000, 100, 2100],
      ['shipping', 'SZALL', 27, 500, 135, 635],
      ['coupon', 'KUPON', 27, -500, -135, -635],
      ['coupon', 'KUPON', 5, -200, -10, -210],
    ]);
  });

  it('a coupon over two products of one rate is one line holding both products\' tax, and takes back no fixed tax', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    const p4 = { id: 4, price: 500 };
    const r = build([line(P1, 1, 270), line(p4, 1, 135)], row([['sub_total', 'Részösszeg', 1500], ['coupon', 'Kupon (NYAR10)', -150], ['tax', 'ÁFA 27%', 364.5], ['total', 'Összesen', 1714.5]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r)[2]).toEqual(['coupon', 'KUPON', 27, -150, -40.5, -190.5]);
    // P3: 20% and a fixed 2.00 per unit; the 10% coupon takes back 10% of the 20% only.
    const eco = build([line(P3, 1, 22)], row([['sub_total', 'Részösszeg', 100], ['coupon', 'Kupon (NYAR10)', -10], ['tax', 'VAT 20%', 18], ['tax', 'Eco Tax (-2.00)', 2], ['total', 'Összesen', 110]]), {}, {}, facts({}, coupons));
    expect(eco.problem).toBeNull();
    expect(eco.document.lines[1]).toMatchObject({ kind: 'coupon', vatRate: 20, net: -10, vat: -2, gross: -12 });
    expect(eco.document.lines[1]!.fixedTax).toBeUndefined();
  });

  it('a coupon for products no longer in the order is spread over the order\'s products', () => {
    const coupons = new Map([['CSAK3', { type: 'F' as const, discount: 100, freeShipping: false, productIds: new Set([3]) }]]);
    const r = build([line(P1, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['coupon', 'Kupon (CSAK3)', -100], ['tax', 'ÁFA 27%', 243], ['total', 'Összesen', 1143]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r)[1]).toEqual(['coupon', 'KUPON', 27, -100, -27, -127]);
  });

  it('a discount with no priced product to spread over is one line without VAT', () => {
    const free = { id: 4, price: 0 };
    const r = build([line(free, 1, 0)], row([['sub_total', 'Részösszeg', 0], ['coupon', 'Kupon (X)', -100], ['total', 'Összesen', -100]]));
    expect(r.problem).toBeNull();
    expect(summary(r)).toEqual([['product', 'SKU-4', 27, 0, 0, 0], ['coupon', 'KUPON', 0, -100, 0, -100]]);
  });

  // The discount's parts are grouped by the set of percentage rates they take back (order-vat.ts
  // `pKey`): one line per set of rates, whatever order the rates come in, and never one line for
  // two different sets.
  it('a coupon over two classes holding the same two rates at different priorities is one line', () => {
    // readShopTaxConfig gives the rules by priority: class 20 collects rate 5 then 6, class 21
    // rate 6 then 5. Both classes are 20% + 7%, the same set of rates.
    const cfg = config({
      rules: [{ ...rule(20, 5, 'VAT 20%', 20), priority: 1 }, { ...rule(21, 6, 'Local 7%', 7), priority: 1 }, { ...rule(20, 6, 'Local 7%', 7), priority: 2 }, { ...rule(21, 5, 'VAT 20%', 20), priority: 2 }],
      rateGroups: new Map([5, 6].map((id) => [id, new Set([1])])),
    });
    const f = facts({}, new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]));
    f.products.set(5, { taxClassId: 20, points: 0 });
    f.products.set(6, { taxClassId: 21, points: 0 });
    // Each product 1000 + 200 + 70; the coupon takes 100 of each and 20 + 7 of each one's tax.
    const r = build([line({ id: 5, price: 1000 }, 1, 270), line({ id: 6, price: 1000 }, 1, 270)],
      row([['sub_total', 'Részösszeg', 2000], ['coupon', 'Kupon (NYAR10)', -200], ['tax', 'VAT 20%', 360], ['tax', 'Local 7%', 126], ['total', 'Összesen', 2286]]), {}, {}, f, cfg);
    expect(r.problem).toBeNull();
    expect(summary(r).slice(2)).toEqual([['coupon', 'KUPON', 27, -200, -54, -254]]);
  });

  it('a coupon over two classes whose rate ids read alike when run together (1 and 12, 112) is two lines', () => {
    const cfg = config({
      rules: [rule(30, 1, 'VAT 20%', 20), rule(30, 12, 'Local 7%', 7), rule(31, 112, 'ÁFA 5%', 5)],
      rateGroups: new Map([1, 12, 112].map((id) => [id, new Set([1])])),
    });
    const f = facts({}, new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]));
    f.products.set(5, { taxClassId: 30, points: 0 });
    f.products.set(6, { taxClassId: 31, points: 0 });
    const r = build([line({ id: 5, price: 1000 }, 1, 270), line({ id: 6, price: 1000 }, 1, 50)],
      row([['sub_total', 'Részösszeg', 2000], ['coupon', 'Kupon (NYAR10)', -200], ['tax', 'VAT 20%', 180], ['tax', 'Local 7%', 63], ['tax', 'ÁFA 5%', 45], ['total', 'Összesen', 2088]]), {}, {}, f, cfg);
    expect(r.problem).toBeNull();
    expect(summary(r).slice(2)).toEqual([['coupon', 'KUPON', 27, -100, -27, -127], ['coupon', 'KUPON', 5, -100, -5, -105]]);
  });

  it('the discount lines run from the highest rate down, whatever the order of the products', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    const r = build([line(P2, 1, 100), line(P1, 1, 270)], row([['sub_total', 'Részösszeg', 3000], ['coupon', 'Kupon (NYAR10)', -300], ['tax', 'ÁFA 27%', 243], ['tax', 'ÁFA 5%', 90], ['total', 'Összesen', 3033]]), {}, {}, facts({}, coupons));
    expect(r.problem).toBeNull();
    expect(summary(r).slice(2)).toEqual([['coupon', 'KUPON', 27, -100, -27, -127], ['coupon', 'KUPON', 5, -200, -10, -210]]);
  });

  it('a total of zero makes no line; a coupon or points total that adds to the price is a line of its own', () => {
    const zero = build([line(P1, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['shipping', 'Ingyenes szállítás', 0], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1270]]));
    expect(summary(zero).map((l) => l[0])).toEqual(['product']);
    const plus = build([line(P1, 1, 270)], row([['sub_total', 'Részösszeg', 1000], ['coupon', 'Felár', 100], ['reward', 'Pont felár', 50], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1420]]));
    expect(plus.problem).toBeNull();
    expect(summary(plus).slice(1)).toEqual([['coupon', 'KUPON', 0, 100, 0, 100], ['reward', 'PONT', 0, 50, 0, 50]]);
  });

  it('a second currency: every line\'s VAT converted and rounded, each rate summing to its converted row', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    const rows = row([['sub_total', 'Részösszeg', 4000], ['shipping', 'Futár', 1000], ['coupon', 'Kupon (NYAR10)', -400], ['tax', 'ÁFA 27%', 756], ['tax', 'ÁFA 5%', 90], ['total', 'Összesen', 5446]]);
    const eur = build([line(P1, 2, 270), line(P2, 1, 100)], rows, { currency_code: 'EUR', currency_value: 0.0025 }, { order_currency: 'order' }, facts({}, coupons));
    // 27%: 1.35 + 0.675 (→ 0.68) − 0.135 (→ −0.14) = 1.89; 5%: 0.25 − 0.025 (−0.03, then the missing cent: −0.02) = 0.23.
    expect(eur.document.lines.map((l) => l.vat)).toEqual([1.35, 0.25, 0.68, -0.14, -0.02]);
  });
});

describe('reconciling to the cent', () => {
  const tax = (name: string, amount: number, type: 'P' | 'F' = 'P', rate = 27) => ({ taxRateId: 1, name, rate, type, amount });
  const exact = (net: number, taxes: ReturnType<typeof tax>[] = []) => ({ kind: 'product', title: 'x', net, taxes, vatRate: 27 });

  it('holds an order whose tax row no line explains, and one whose lines differ from a row by exactly a cent', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 270], ['tax', 'Luxusadó', 50], ['total', 'Összesen', 1320]]));
    expect(r.problem).toContain('the order\'s tax "Luxusadó" (50.00) is not explained by the shop\'s tax rules for its lines');
    expect(reconcile([exact(1, [tax('A', 0.01)])], totals([['tax', 'A', 0.02], ['total', 'T', 1.02]])).problems).toEqual(['the lines\' tax "A" 0.01 differs from OpenCart\'s 0.02 by -0.01']);
  });

  it('the missing cent goes to a line that carries the tax, never to one without it', () => {
    // 0.0051 rounds to 0.01; OpenCart's row 0.015 rounds to 0.02: the cent goes to the taxed line.
    const r = reconcile([exact(1, [tax('A', 0.0051)]), exact(1)], totals([['tax', 'A', 0.015], ['total', 'T', 2.015]]));
    expect(r.lines.map((l) => l.vat)).toEqual([0.02, 0]);
  });

  it('lists each tax with its rounded amount, leaving out one that rounds to nothing; no total row is a total of 0', () => {
    const r = reconcile([exact(1, [tax('A', 0.27), tax('Öko', 0.004, 'F', 2)])], totals([['tax', 'A', 0.27], ['tax', 'Öko', 0.004]]));
    expect(r.taxes).toEqual([{ name: 'A', type: 'P', rate: 27, amount: 0.27 }]);
    expect(r.total).toBe(0);
  });
});

describe('apportion, more cents to move', () => {
  it('moves several cents, one per amount, the ties in order', () => {
    expect(apportion([0.004, 0.004, 0.004], 2)).toEqual([1, 1, 0]);
    expect(apportion([0.006, 0.006, 0.006], 1)).toEqual([0, 0, 1]);
    expect(apportion([0.004, 0.004, 0.004, 0.004, 0.004], 2)).toEqual([1, 1, 0, 0, 0]);
  });
});

describe('per-line tax: what the first mutation runs left open', () => {
  it('the store stands in for a missing shipping address only when config_tax_default is shipping', () => {
    const cfg = config({ rules: [rule(10, 1, 'ÁFA 27%', 27, 'P', 'shipping', 2)], store: { countryId: HU, zoneId: 5 }, taxDefault: 'payment' });
    expect(ratesForOrder({ customerGroupId: 1, shippingAddress: null, paymentAddress: { countryId: HU, zoneId: 5 }, shippingMethod: '' }, cfg).get(10)).toBeUndefined();
  });

  it('holds an order whose lines\' net misses OpenCart\'s total before tax, naming both', () => {
    const r = build([line(P1, 1, 270)], totals([['sub_total', 'Részösszeg', 1000], ['tax', 'ÁFA 27%', 270], ['total', 'Összesen', 1300]]));
    expect(r.problem).toContain('the lines\' net 1000.00 differs from OpenCart\'s total before tax 1030.00 by -30.00');
  });

  it('prices the products as product lines, and no gift voucher when none was sold', () => {
    const o = { customerGroupId: 1, shippingAddress: { countryId: HU, zoneId: 1 }, paymentAddress: null, shippingMethod: 'flat' };
    const priced = priceOrder(o, [{ productId: 1, name: 'P1', price: 1000, quantity: 2, tax: 270 }], [], config(), facts());
    expect(priced).toEqual({ lines: [{ kind: 'product', product: 0, title: 'P1', net: 2000, taxes: [{ taxRateId: 1, name: 'ÁFA 27%', rate: 27, type: 'P', amount: 540 }], vatRate: 27 }], problems: [] });
  });

  it('one coupon line per set of percentage rates: a fixed tax beside the rate, or two classes with the same rates, make no second line', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    // Class 13 has only the 20% of class 12 (which also has the fixed eco tax).
    const cfg = config({ rules: [...config().rules, rule(13, 4, 'VAT 20%', 20)] });
    const f = facts({}, coupons);
    f.products.set(5, { taxClassId: 13, points: 0 });
    const r = build([line(P3, 1, 22), line({ id: 5, price: 100 }, 1, 20)], totals([['sub_total', 'Részösszeg', 200], ['coupon', 'Kupon (NYAR10)', -20], ['tax', 'VAT 20%', 36], ['tax', 'Eco Tax (-2.00)', 2], ['total', 'Összesen', 218]]), {}, {}, f, cfg);
    expect(r.problem).toBeNull();
    expect(summary(r).slice(2)).toEqual([['coupon', 'KUPON', 20, -20, -4, -24]]);
  });

  it('a coupon over a class of two percentage rates takes back each rate apart', () => {
    const coupons = new Map([['NYAR10', { type: 'P' as const, discount: 10, freeShipping: false, productIds: null }]]);
    // Class 15: 27% and a 3% local tax, both percentages, on two products.
    const cfg = config({ rules: [...config().rules, rule(15, 1, 'ÁFA 27%', 27), rule(15, 6, 'Helyi 3%', 3)], rateGroups: new Map([1, 2, 3, 4, 5, 6].map((id) => [id, new Set([1])])) });
    const f = facts({}, coupons);
    f.products.set(5, { taxClassId: 15, points: 0 });
    f.products.set(6, { taxClassId: 15, points: 0 });
    const r = build([line({ id: 5, price: 1000 }, 1, 300), line({ id: 6, price: 500 }, 1, 150)], totals([['sub_total', 'Részösszeg', 1500], ['coupon', 'Kupon (NYAR10)', -150], ['tax', 'ÁFA 27%', 364.5], ['tax', 'Helyi 3%', 40.5], ['total', 'Összesen', 1755]]), {}, {}, f, cfg);
    expect(r.problem).toBeNull();
    expect(summary(r).slice(2)).toEqual([['coupon', 'KUPON', 30, -150, -45, -195]]);
    expect(r.document.totals.vat).toEqual([{ rate: 30, net: 1350, vat: 405 }]);
  });
});
