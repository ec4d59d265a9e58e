// Each order-export setting's effect on the document, on rows shaped as OpenCart stores them.
import { describe, expect, it } from 'vitest';
import { buildOrderDocument } from '../../app/erp/order-document.js';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import type { ShopTaxConfig } from '../../app/shop/order-tax.js';
import type { ShopOrder, ShopOrderProduct, ShopOrderTotal } from '../../app/shop/orders.js';

// One 27% rate for Hungary, flat shipping untaxed; products of class 9 (see order-vat.test.ts for the tax cases).
const taxConfig: ShopTaxConfig = {
  rules: [{ taxClassId: 9, based: 'shipping', priority: 1, taxRateId: 1, geoZoneId: 1, name: 'ÁFA 27%', rate: 27, type: 'P' }],
  geoZones: new Map([[1, [{ countryId: 97, zoneId: 0 }]]]), rateGroups: new Map([[1, new Set([1])]]), store: { countryId: 97, zoneId: 1 }, otherStores: new Map(),
  taxDefault: 'shipping', currency: 'HUF', feeClasses: new Map(),
};
const tax = { config: taxConfig, facts: { products: new Map([[5, { taxClassId: 9, points: 0 }]]), coupons: new Map() } };

const order = (over: Partial<ShopOrder> = {}): ShopOrder => ({
  order_id: 7, invoice_prefix: 'INV-', store_name: 'Bolt &amp; Kert', customer_id: 0, firstname: 'Éva', lastname: 'Kovács', email: 'Eva@Example.hu',
  telephone: '1', custom_field: '{"2":"11111111-1-11"}', payment_firstname: 'Éva', payment_lastname: 'Kovács', payment_company: '', payment_address_1: 'Fő u. 1',
  payment_address_2: '', payment_city: 'Szeged', payment_postcode: '6720', payment_country: 'HU', payment_zone: '', payment_custom_field: '[]',
  payment_method: 'Utánvét', payment_code: 'cod', shipping_firstname: 'Éva', shipping_lastname: 'Kovács', shipping_company: '', shipping_address_1: 'Fő u. 1',
  shipping_address_2: '', shipping_city: 'Szeged', shipping_postcode: '6721', shipping_country: 'HU', shipping_zone: '', shipping_method: 'Futár',
  shipping_code: 'flat.flat', comment: '', total: 1270, order_status_id: 2, status_name: 'Processing', currency_code: 'HUF', currency_value: 1,
  date_added: '2026-11-20 10:00:00', customer_group_id: 1, shipping_country_id: 97, shipping_zone_id: 1, payment_country_id: 97, payment_zone_id: 1, ...over,
});
const products: ShopOrderProduct[] = [{ order_product_id: 1, order_id: 7, product_id: 5, name: 'Kés', model: 'M-1', code: 'SKU-1', unit: 'db', quantity: 1, price: 1000, total: 1000, tax: 270 }];
const totals: ShopOrderTotal[] = [
  { order_id: 7, code: 'sub_total', title: 'Részösszeg', value: 1000, sort_order: 1 },
  { order_id: 7, code: 'tax', title: 'ÁFA 27%', value: 270, sort_order: 2 },
  { order_id: 7, code: 'total', title: 'Összesen', value: 1270, sort_order: 3 },
];
const build = (s: Partial<Settings>, o: Partial<ShopOrder> = {}) => buildOrderDocument(order(o), products, [], totals, { ...DEFAULTS, ...s }, new Map(), 'Shop', tax).document;

describe('order document settings', () => {
  it('order_description', () => {
    expect(build({ order_description: 'empty' }).description).toBe('');
    expect(build({ order_description: 'shop_name' }).description).toBe('Bolt & Kert');
    expect(build({ order_description: 'webshop_order' }).description).toBe('Webshop-order INV-7');
    expect(build({ order_description: 'generated' }).description).toBe('Bolt & Kert #INV-7, 2026-11-20, Éva Kovács');
  });

  it('customer_recognition', () => {
    const key = (r: Settings['customer_recognition'], customer_id = 0) => build({ customer_recognition: r }, { customer_id }).customer.key;
    expect(key('code', 12)).toBe('C12');
    expect(key('email')).toBe('eva@example.hu');
    expect(key('code_or_email')).toBe('eva@example.hu');
    expect(key('code_or_email', 12)).toBe('C12');
    expect(key('email_postcode')).toBe('eva@example.hu|6721');
    expect(key('code_or_email_postcode')).toBe('eva@example.hu|6721');
    expect(key('smart', 12)).toBe('C12');
    expect(key('smart')).toBe('eva@example.hu|6721');
  });

  it('order_lines', () => {
    expect(build({ order_lines: 'full' }).lines[0]).toEqual({ kind: 'product', code: 'SKU-1', name: 'Kés', unit: 'db', quantity: 1, netUnitPrice: 1000, vatRate: 27, net: 1000, vat: 270, gross: 1270 });
    expect(build({ order_lines: 'code_quantity' }).lines[0]).toEqual({ kind: 'product', code: 'SKU-1', quantity: 1, net: 1000, vat: 270, gross: 1270 });
    expect(build({ order_lines: 'code_quantity_price' }).lines[0]).toEqual({ kind: 'product', code: 'SKU-1', quantity: 1, netUnitPrice: 1000, net: 1000, vat: 270, gross: 1270 });
  });

  it('processing instructions, revenue group and tax number', () => {
    const d = build({ customer_processing: 'manual', article_processing: 'add_update', revenue_group: 'WEB', tax_number_field: '2' });
    expect(d.customer.processing).toBe('manual');
    expect(d.articleProcessing).toBe('add_update');
    expect(d.revenueGroup).toBe('WEB');
    expect(d.customer.taxNumber).toBe('11111111-1-11');
  });

  it('reads OpenCart 4.x JSON payment and shipping methods', () => {
    const d = buildOrderDocument(order({ payment_method: '{"name":"Átutalás","code":"bank_transfer.bank_transfer"}', payment_code: '', shipping_method: '{"name":"GLS","code":"gls.gls"}', shipping_code: '' }), products, [], totals, DEFAULTS, new Map([['payment:bank_transfer', 'ATUT'], ['shipping:gls', 'GLS']]), 'Shop', tax).document;
    expect(d.payment).toEqual({ shopCode: 'bank_transfer.bank_transfer', name: 'Átutalás', erpCode: 'ATUT' });
    expect(d.shipping).toEqual({ shopCode: 'gls.gls', name: 'GLS', erpCode: 'GLS' });
    const exact = buildOrderDocument(order({ payment_method: '{"name":"Utánvét","code":"cod.cod"}', payment_code: '' }), products, [], totals, DEFAULTS, new Map([['payment:cod.cod', 'UTV'], ['payment:cod', 'X']]), 'Shop', tax).document;
    expect(exact.payment.erpCode).toBe('UTV');
  });

  it('an order without a billing address (OpenCart 4.x) takes the shipping address, else the account\'s, else the customer\'s name', () => {
    const noBilling = { payment_firstname: '', payment_lastname: '', payment_address_1: '', payment_city: '', payment_postcode: '', payment_country: '', payment_zone: '', payment_country_id: 0, payment_zone_id: 0 };
    const d = build({}, { ...noBilling, shipping_company: 'Kert Bt.' });
    expect(d.customer.billing).toEqual({ name: 'Éva Kovács', company: 'Kert Bt.', address1: 'Fő u. 1', address2: '', city: 'Szeged', postcode: '6721', country: 'HU', zone: '' });
    expect(d.lines[0]).toMatchObject({ vat: 270, vatRate: 27 }); // the 27% rule is shipping-based: still applies
    const noShipping = { shipping_firstname: '', shipping_lastname: '', shipping_address_1: '', shipping_city: '', shipping_postcode: '', shipping_country: '', shipping_country_id: 0 };
    const neither = build({}, { ...noBilling, ...noShipping });
    expect(neither.customer.billing).toMatchObject({ name: 'Éva Kovács', address1: '' });
    const account = { firstname: 'Éva', lastname: 'Kovács', company: 'K &amp; K Bt.', address_1: 'Kossuth tér 2.', address_2: '', city: 'Pécs', postcode: '7621', country: 'Hungary', zone: '' };
    expect(build({}, { ...noBilling, ...noShipping, account_address: account }).customer.billing).toEqual({ name: 'Éva Kovács', company: 'K & K Bt.', address1: 'Kossuth tér 2.', address2: '', city: 'Pécs', postcode: '7621', country: 'Hungary', zone: '' });
  });
});

// Amounts that round: 3-decimal unit prices and half cents, on two rates. Every amount is hand-checked
// below; the floating sums of cent amounts (10.00 + 0.03 = 10.029999…) are where truncation shows.
describe('order document amounts round to the cent (never truncate)', () => {
  const twoRates: ShopTaxConfig = {
    ...taxConfig,
    rules: [...taxConfig.rules, { taxClassId: 8, based: 'shipping', priority: 1, taxRateId: 2, geoZoneId: 1, name: 'ÁFA 5%', rate: 5, type: 'P' }],
    rateGroups: new Map([[1, new Set([1])], [2, new Set([1])]]),
  };
  const twoTax = { config: twoRates, facts: { products: new Map([[5, { taxClassId: 9, points: 0 }], [6, { taxClassId: 8, points: 0 }]]), coupons: new Map() } };
  const line = (id: number, productId: number, price: number, quantity: number, rate: number): ShopOrderProduct => ({
    order_product_id: id, order_id: 7, product_id: productId, name: `P${id}`, model: `M-${id}`, code: `SKU-${id}`, unit: 'db', quantity, price, total: price * quantity, tax: (price * rate) / 100,
  });
  // 3 × 12.345 at 27% (net 37.035, tax 9.99945), 1 × 0.70 at 5% (tax 0.035: a half cent), 1 × 0.10 at 27% (tax 0.027).
  const lines = [line(1, 5, 12.345, 3, 27), line(2, 6, 0.7, 1, 5), line(3, 5, 0.1, 1, 27)];
  const sub = 37.835, tax27 = 10.02645, tax5 = 0.035;
  const rows: ShopOrderTotal[] = [
    { order_id: 7, code: 'sub_total', title: 'Részösszeg', value: sub, sort_order: 1 },
    { order_id: 7, code: 'tax', title: 'ÁFA 27%', value: tax27, sort_order: 2 },
    { order_id: 7, code: 'tax', title: 'ÁFA 5%', value: tax5, sort_order: 3 },
    { order_id: 7, code: 'total', title: 'Összesen', value: sub + tax27 + tax5, sort_order: 4 },
  ];

  it('sums each rate\'s VAT to the nearest cent: 10.00 + 0.03 is 10.03, not 10.02', () => {
    const { document: d, problem } = buildOrderDocument(order({ total: 47.89645 }), lines, [], rows, { ...DEFAULTS, order_lines: 'full' }, new Map(), 'Shop', twoTax);
    expect(problem).toBeNull();
    expect(d.lines.map((l) => [l.net, l.vat, l.gross])).toEqual([[37.03, 10, 47.03], [0.7, 0.04, 0.74], [0.1, 0.03, 0.13]]);
    expect(d.totals.vat).toEqual([{ rate: 27, net: 37.13, vat: 10.03 }, { rate: 5, net: 0.7, vat: 0.04 }]);
    expect(d.totals).toMatchObject({ net: 37.83, gross: 47.9, shopTotal: 47.9 });
  });

  it('lists the VAT totals from the highest rate down, whatever the order of the lines', () => {
    const { document: d, problem } = buildOrderDocument(order({ total: 47.89645 }), [lines[1]!, lines[0]!, lines[2]!], [], rows, DEFAULTS, new Map(), 'Shop', twoTax);
    expect(problem).toBeNull();
    expect(d.totals.vat).toEqual([{ rate: 27, net: 37.13, vat: 10.03 }, { rate: 5, net: 0.7, vat: 0.04 }]);
  });

  it('holds a document whose lines miss the order total by a single cent, naming every difference', () => {
    const onlyTotal: ShopOrderTotal[] = [{ order_id: 7, code: 'total', title: 'Összesen', value: 0.01, sort_order: 1 }];
    const r = buildOrderDocument(order({ total: 0.01 }), [], [], onlyTotal, DEFAULTS, new Map(), 'Shop', twoTax);
    expect(r.document.totals).toMatchObject({ gross: 0, shopTotal: 0.01 });
    expect(r.problem).toBe("the lines' net 0.00 differs from OpenCart's total before tax 0.01 by -0.01; the document's gross total 0.00 differs from the order total 0.01 by -0.01");
  });

  it('rounds a converted 3-decimal unit price to 4 decimals: 12.345 × 0.0025 is 0.0309, not 0.0308', () => {
    const d = buildOrderDocument(order({ currency_code: 'EUR', currency_value: 0.0025, total: 47.89645 }), lines, [], rows, { ...DEFAULTS, order_lines: 'full', order_currency: 'order' }, new Map(), 'Shop', twoTax).document;
    expect(d.currency).toBe('EUR');
    // 12.345 × 0.0025 = 0.0308625 and 0.10 × 0.0025 = 0.00025 (a half): both round up.
    expect([d.lines[0]!.netUnitPrice, d.lines[2]!.netUnitPrice]).toEqual([0.0309, 0.0003]);
    // 0.70 × 0.0025 = 0.00175, a half at the fourth decimal, held by floating point as 0.0017499…: PHP gives 0.0018.
    expect(d.lines[1]!.netUnitPrice).toBe(0.0018);
  });
});

// What the document says about the order, its customer and its addresses, field by field.
describe('the document carries the order as OpenCart holds it', () => {
  const noBilling = { payment_firstname: '', payment_lastname: '', payment_company: '', payment_address_1: '', payment_address_2: '', payment_city: '', payment_postcode: '', payment_country: '', payment_zone: '', payment_country_id: 0, payment_zone_id: 0 };

  it('the billing address is the order\'s payment address and the shipping address its own, each with its second line and zone', () => {
    const d = build({}, {
      payment_company: 'Bolt Kft.', payment_address_2: 'II. em.', payment_zone: 'Csongrád',
      shipping_firstname: 'Péter', shipping_lastname: 'Nagy', shipping_company: 'Kert Bt.', shipping_address_1: 'Kossuth u. 2', shipping_address_2: 'fsz.', shipping_city: 'Pécs', shipping_zone: 'Baranya',
    });
    expect(d.customer.billing).toEqual({ name: 'Éva Kovács', company: 'Bolt Kft.', address1: 'Fő u. 1', address2: 'II. em.', city: 'Szeged', postcode: '6720', country: 'HU', zone: 'Csongrád' });
    expect(d.customer.shipping).toEqual({ name: 'Péter Nagy', company: 'Kert Bt.', address1: 'Kossuth u. 2', address2: 'fsz.', city: 'Pécs', postcode: '6721', country: 'HU', zone: 'Baranya' });
  });

  it('a billing address with only a street, a city, a postcode or a country is still the order\'s own', () => {
    const own = { address_1: ['address1', 'Tisza u. 9'], city: ['city', 'Makó'], postcode: ['postcode', '6900'], country: ['country', 'RO'] } as const;
    for (const [field, [key, value]] of Object.entries(own)) {
      const billing = build({}, { ...noBilling, [`payment_${field}`]: value }).customer.billing;
      expect(billing, field).toEqual({ name: '', company: '', address1: '', address2: '', city: '', postcode: '', country: '', zone: '', [key]: value });
    }
  });

  it('the customer\'s company is the billing company, else the shipping company', () => {
    expect(build({}, { payment_company: 'Bolt Kft.', shipping_company: 'Kert Bt.' }).customer.company).toBe('Bolt Kft.');
    expect(build({}, { payment_company: '', shipping_company: 'Kert Bt.' }).customer.company).toBe('Kert Bt.');
    expect(build({}, { payment_company: '', shipping_company: '' }).customer.company).toBe('');
  });

  it('a name with only a first name carries no stray space (customer, account address, fallback, description)', () => {
    const noShipping = { shipping_firstname: '', shipping_lastname: '', shipping_address_1: '', shipping_city: '', shipping_postcode: '', shipping_country: '', shipping_country_id: 0 };
    const d = build({ order_description: 'generated' }, { lastname: '' });
    expect(d.customer.name).toBe('Éva');
    expect(d.description).toBe('Bolt & Kert #INV-7, 2026-11-20, Éva');
    expect(build({}, { ...noBilling, ...noShipping, lastname: '' }).customer.billing.name).toBe('Éva');
    const account = { firstname: 'Éva', lastname: '', company: '', address_1: 'Kossuth tér 2.', address_2: '', city: 'Pécs', postcode: '7621', country: 'Hungary', zone: '' };
    expect(build({}, { ...noBilling, ...noShipping, account_address: account }).customer.billing.name).toBe('Éva');
    expect(build({ order_description: 'shop_name' }, { store_name: '  Bolt  ' }).description).toBe('Bolt');
  });

  it('a registered customer is C<id>, a guest has no code; email recognition ignores the code', () => {
    expect(build({}, { customer_id: 12 }).customer.code).toBe('C12');
    expect(build({}, { customer_id: 0 }).customer.code).toBe('');
    expect(build({ customer_recognition: 'email' }, { customer_id: 12 }).customer.key).toBe('eva@example.hu');
    expect(build({ customer_recognition: 'email_postcode' }, { customer_id: 12 }).customer.key).toBe('eva@example.hu|6721');
    expect(build({ customer_recognition: 'email_postcode' }, { shipping_postcode: ' 67 21 ' }).customer.key).toBe('eva@example.hu|6721');
  });

  it('the tax number: the configured custom field, the billing one first; none when no field is set, the value is null or the JSON is broken', () => {
    expect(build({ tax_number_field: '2' }, { payment_custom_field: '{"2":"22222222-2-22"}' }).customer.taxNumber).toBe('22222222-2-22');
    expect(build({ tax_number_field: '' }, { custom_field: '{"":"11111111-1-11"}' }).customer.taxNumber).toBe('');
    expect(build({ tax_number_field: '2' }, { custom_field: '{"2":null}' }).customer.taxNumber).toBe('');
    expect(build({ tax_number_field: '2' }, { custom_field: '{"2":' }).customer.taxNumber).toBe('');
  });

  it('the order number is the invoice prefix and the id, the prefix blank or missing giving the id alone', () => {
    expect(build({}).orderNumber).toBe('INV-7');
    expect(build({}).headerComment).toBe('Webshop order INV-7');
    expect(build({}, { invoice_prefix: '  ' }).orderNumber).toBe('7');
    expect(build({}, { invoice_prefix: null as unknown as string }).orderNumber).toBe('7');
  });

  it('the shop status carries its id and name, an unnamed status an empty name', () => {
    expect(build({}).shopStatus).toEqual({ id: 2, name: 'Processing' });
    expect(build({}, { status_name: null }).shopStatus).toEqual({ id: 2, name: '' });
  });

  it('order_currency=order falls back to the shop\'s currency when the order has no currency code or no rate', () => {
    for (const o of [{ currency_code: '', currency_value: 0.5 }, { currency_code: 'EUR', currency_value: 0 }]) {
      const d = build({ order_currency: 'order' }, o);
      expect(d, JSON.stringify(o)).toMatchObject({ currency: 'HUF', currencyValue: 1, totals: { gross: 1270 } });
    }
  });

  it('a product line names its own options only, and a product without a unit has an empty unit', () => {
    const two: ShopOrderProduct[] = [products[0]!, { ...products[0]!, order_product_id: 2, name: 'Villa', code: 'SKU-2', unit: null }];
    const rows = totals.map((t) => (t.code === 'sub_total' ? { ...t, value: 2000 } : t.code === 'tax' ? { ...t, value: 540 } : t.code === 'total' ? { ...t, value: 2540 } : t));
    const options = [{ order_product_id: 1, name: 'Szín', value: 'piros' }, { order_product_id: 2, name: 'Szín', value: 'kék' }, { order_product_id: 1, name: 'Méret', value: 'L' }];
    const r = buildOrderDocument(order({ total: 2540 }), two, options, rows, { ...DEFAULTS, order_lines: 'full' }, new Map(), 'Shop', tax);
    expect(r.problem).toBeNull();
    expect(r.document.lines.map((l) => [l.name, l.unit])).toEqual([['Kés (Szín: piros, Méret: L)', 'db'], ['Villa (Szín: kék)', '']]);
  });

  it('a value the shop left NULL reads as empty text: the store name falls back to the shop\'s, a code setting missing holds the line', () => {
    expect(build({ order_description: 'shop_name' }, { store_name: null as unknown as string }).description).toBe('Shop');
    const klarna: ShopOrderTotal[] = [...totals.slice(0, 2), { order_id: 7, code: 'klarna_fee', title: 'Klarna', value: 90, sort_order: 3 }, { ...totals[2]!, value: 1360 }];
    const r = buildOrderDocument(order({ total: 1360 }), products, [], klarna, { ...DEFAULTS, other_total_code: undefined as unknown as string }, new Map(), 'Shop', tax);
    expect(r.document.lines[1]!.code).toBe('');
    expect(r.problem).toBe("the ERP item code setting other_total_code is not set (needed for the order's klarna_fee line)");
  });

  it('a product without SKU or model is never blamed on an item code setting', () => {
    const r = buildOrderDocument(order(), [{ ...products[0]!, code: null, model: '' }], [], totals, DEFAULTS, new Map(), 'Shop', tax);
    expect(r.document.lines[0]!.code).toBe('');
    expect(r.problem).toBeNull();
  });
});

describe('a fee line follows the order line settings, and carries its fixed tax apart', () => {
  // Shipping of class 7: an eco tax of 2.00 (rate type F) and no VAT.
  const ecoConfig: ShopTaxConfig = {
    ...taxConfig,
    rules: [...taxConfig.rules, { taxClassId: 7, based: 'shipping', priority: 1, taxRateId: 3, geoZoneId: 1, name: 'Öko díj', rate: 2, type: 'F' }],
    rateGroups: new Map([[1, new Set([1])], [3, new Set([1])]]),
    feeClasses: new Map([['shipping:flat', 7]]),
  };
  const rows: ShopOrderTotal[] = [
    { order_id: 7, code: 'sub_total', title: 'Részösszeg', value: 1000, sort_order: 1 },
    { order_id: 7, code: 'shipping', title: 'Futár', value: 500, sort_order: 2 },
    { order_id: 7, code: 'tax', title: 'ÁFA 27%', value: 270, sort_order: 3 },
    { order_id: 7, code: 'tax', title: 'Öko díj', value: 2, sort_order: 4 },
    { order_id: 7, code: 'total', title: 'Összesen', value: 1772, sort_order: 5 },
  ];
  const shippingLine = (order_lines: Settings['order_lines']) => {
    const r = buildOrderDocument(order({ total: 1772 }), products, [], rows, { ...DEFAULTS, order_lines, shipping_fee_code: 'SZALL' }, new Map(), 'Shop', { ...tax, config: ecoConfig });
    expect(r.problem).toBeNull();
    return r.document.lines[1];
  };

  it('code_quantity: code, quantity and amounts only', () => {
    expect(shippingLine('code_quantity')).toEqual({ kind: 'shipping', code: 'SZALL', quantity: 1, vatRate: 0, net: 500, vat: 0, fixedTax: 2, gross: 502 });
  });
  it('code_quantity_price: and the unit price, no name', () => {
    expect(shippingLine('code_quantity_price')).toEqual({ kind: 'shipping', code: 'SZALL', quantity: 1, netUnitPrice: 500, vatRate: 0, net: 500, vat: 0, fixedTax: 2, gross: 502 });
  });
  it('full: and the total\'s title as its name', () => {
    expect(shippingLine('full')).toEqual({ kind: 'shipping', code: 'SZALL', name: 'Futár', quantity: 1, netUnitPrice: 500, vatRate: 0, net: 500, vat: 0, fixedTax: 2, gross: 502 });
  });
});
