// An OpenCart order as the ERP receives it: customer, lines (products, then one line per
// OpenCart total, or one per VAT rate for coupons and reward points, under their ERP item codes),
// methods, totals. Pure: built from rows already read, so it can be tested without a database.
// The tax of each line is computed as OpenCart did (order-vat.ts).
import type { Settings } from '../settings/schema.js';
import type { ShopOrder, ShopOrderOption, ShopOrderProduct, ShopOrderTotal } from '../shop/orders.js';
import { methodOf } from '../shop/orders.js';
import type { OrderTaxFacts, ShopTaxConfig } from '../shop/order-tax.js';
import type { SoldVoucher } from '../shop/order-vouchers.js';
import { decodeLikeOpenCart } from '../util/html.js';
import { sanitizeStrings } from './xml-text.js';
import { priceOrder, reconcile, type Address, type VatOrder } from './order-vat.js';
import { roundHalfAway } from './numbers.js';
import { orderProblem } from './order-problems.js';

export interface OrderLine {
  /** 'product', or the code of the OpenCart total the line comes from (shipping, handling, coupon, …). */
  kind: string;
  code: string;
  name?: string;
  quantity: number;
  unit?: string;
  netUnitPrice?: number;
  /** A real percentage rate of the shop; null on a means of payment (voucher, store credit): outside VAT. */
  vatRate?: number | null;
  net: number;
  /** The percentage (VAT) tax. */
  vat: number;
  /** Fixed-amount taxes (OpenCart rate type F, e.g. an eco tax): never folded into the VAT rate. */
  fixedTax?: number;
  /** net + vat + fixedTax */
  gross: number;
}

export interface Party {
  name: string;
  company: string;
  address1: string;
  address2: string;
  city: string;
  postcode: string;
  country: string;
  zone: string;
}

export interface OrderDocument {
  orderNumber: string;
  orderId: number;
  date: string;
  /** The currency of every amount in the document. */
  currency: string;
  /** Its rate to the shop's default currency (1 when the document is in the shop's currency). */
  currencyValue: number;
  /** What the customer chose at checkout: the order's currency and its rate then. */
  orderCurrency: { code: string; value: number };
  shopStatus: { id: number; name: string };
  description: string;
  headerComment: string;
  internalNote: string;
  customer: {
    key: string;
    recognition: Settings['customer_recognition'];
    processing: Settings['customer_processing'];
    code: string;
    name: string;
    company: string;
    taxNumber: string;
    email: string;
    phone: string;
    billing: Party;
    shipping: Party;
  };
  articleProcessing: Settings['article_processing'];
  revenueGroup: string;
  payment: { shopCode: string; name: string; erpCode: string };
  shipping: { shopCode: string; name: string; erpCode: string };
  lines: OrderLine[];
  totals: {
    net: number;
    vat: Array<{ rate: number; net: number; vat: number }>;
    fixedTaxes: Array<{ name: string; amount: number }>;
    gross: number;
    shopTotal: number;
  };
}

export interface BuildResult {
  document: OrderDocument;
  /** Why the document must be held: it does not reconcile with OpenCart's totals, or an ERP code is missing. */
  problem: string | null;
  /** Fields where characters XML cannot carry (NUL, vertical tab, …) were replaced with U+FFFD. */
  replaced: string[];
}

// PHP's rounding (half away from zero, without floating-point noise), as the shop rounds.
const round2 = (n: number) => roundHalfAway(n, 2);
const round4 = (n: number) => roundHalfAway(n, 4);
const text = (s: string | null | undefined) => decodeLikeOpenCart(String(s ?? '')).trim();


function customFieldValue(json: string, id: string): string {
  if (!id) return '';
  try {
    const v = (JSON.parse(json || '{}') as Record<string, unknown>)[id];
    return v === undefined || v === null ? '' : String(v);
  } catch {
    return '';
  }
}

function party(o: ShopOrder, side: 'payment' | 'shipping'): Party {
  const f = (k: string) => text((o as unknown as Record<string, string>)[`${side}_${k}`]);
  return {
    name: `${f('firstname')} ${f('lastname')}`.trim(),
    company: f('company'),
    address1: f('address_1'),
    address2: f('address_2'),
    city: f('city'),
    postcode: f('postcode'),
    country: f('country'),
    zone: f('zone'),
  };
}

const isEmptyParty = (p: Party) => !p.address1 && !p.city && !p.postcode && !p.country;

/**
 * The billing address: the order's payment address; OpenCart 4.x asks for none unless
 * config_checkout_payment_address is on, so an empty one takes the shipping address, and an order
 * with neither (nothing to ship) the customer account's default address, else the customer's
 * name as the order holds it.
 */
function billingParty(o: ShopOrder): Party {
  const billing = party(o, 'payment');
  if (!isEmptyParty(billing)) return billing;
  const shipping = party(o, 'shipping');
  if (!isEmptyParty(shipping)) return { ...shipping, company: billing.company || shipping.company };
  const a = o.account_address;
  if (a) {
    return {
      name: `${text(a.firstname)} ${text(a.lastname)}`.trim(), company: text(a.company), address1: text(a.address_1), address2: text(a.address_2),
      city: text(a.city), postcode: text(a.postcode), country: text(a.country), zone: text(a.zone),
    };
  }
  return { ...billing, name: billing.name || `${text(o.firstname)} ${text(o.lastname)}`.trim() };
}

function customerKey(o: ShopOrder, s: Settings): string {
  const code = o.customer_id > 0 ? `C${o.customer_id}` : '';
  const email = text(o.email).toLowerCase();
  const postcode = text(o.shipping_postcode || o.payment_postcode).replace(/\s+/g, '');
  const emailPost = `${email}|${postcode}`;
  switch (s.customer_recognition) {
    case 'code':
      return code;
    case 'email':
      return email;
    case 'code_or_email':
      return code || email;
    case 'email_postcode':
      return emailPost;
    case 'code_or_email_postcode':
      return code || emailPost;
    case 'smart':
      return code || emailPost;
  }
}

function description(o: ShopOrder, number: string, s: Settings, shopName: string): string {
  switch (s.order_description) {
    case 'empty':
      return '';
    case 'shop_name':
      return text(o.store_name) || shopName;
    case 'webshop_order':
      return `Webshop-order ${number}`;
    case 'generated':
      return `${text(o.store_name) || shopName} #${number}, ${o.date_added.slice(0, 10)}, ${text(o.firstname)} ${text(o.lastname)}`.trim();
  }
}

/** The shop's tax configuration and this batch's product and coupon facts (read in app/shop/order-tax.ts). */
export interface TaxContext {
  config: ShopTaxConfig;
  facts: OrderTaxFacts;
}

/** The setting holding each total's ERP item code; a total nobody mapped uses `other_total_code`. */
export const LINE_CODE_SETTINGS: Record<string, keyof Settings> = {
  shipping: 'shipping_fee_code',
  handling: 'payment_fee_code',
  low_order_fee: 'low_order_fee_code',
  coupon: 'coupon_code',
  reward: 'reward_code',
  voucher: 'voucher_code',
  gift_voucher: 'voucher_code', // a gift voucher bought in the order (order_voucher)
  credit: 'credit_code',
};
const codeSettingOf = (kind: string): keyof Settings => LINE_CODE_SETTINGS[kind] ?? 'other_total_code';

const address = (countryId: number | undefined, zoneId: number | undefined): Address | null => (Number(countryId) > 0 ? { countryId: Number(countryId), zoneId: Number(zoneId ?? 0) } : null);

/** A method's ERP code: the mapping of its full code (`cod.cod`), else of its extension (`cod`). */
function mappedMethod(methods: Map<string, string>, type: 'payment' | 'shipping', code: string): string {
  const ext = code.split('.')[0] ?? code;
  return methods.get(`${type}:${code}`) ?? methods.get(`${type}:${ext}`) ?? '';
}

export function buildOrderDocument(
  o: ShopOrder,
  products: ShopOrderProduct[],
  options: ShopOrderOption[],
  totals: ShopOrderTotal[],
  s: Settings,
  methods: Map<string, string>,
  shopName: string,
  tax: TaxContext,
  soldVouchers: SoldVoucher[] = [],
): BuildResult {
  const number = `${o.invoice_prefix ?? ''}${o.order_id}`.trim() || String(o.order_id);
  const pay = methodOf(o.payment_method, o.payment_code);
  const ship = methodOf(o.shipping_method, o.shipping_code);
  const vatOrder: VatOrder = {
    customerGroupId: Number(o.customer_group_id ?? 0),
    storeId: Number(o.store_id ?? 0),
    shippingAddress: address(o.shipping_country_id, o.shipping_zone_id),
    paymentAddress: address(o.payment_country_id, o.payment_zone_id),
    shippingMethod: ship.code.split('.')[0] ?? ship.code,
  };
  const priced = priceOrder(vatOrder, products.map((p) => ({ productId: p.product_id, name: text(p.name), price: p.price, quantity: p.quantity, tax: p.tax })), totals, tax.config, tax.facts, soldVouchers.map((v) => ({ description: text(v.description), amount: v.amount })));
  // The document's currency: the shop's own (what OpenCart stores), or the order's, converted at
  // the rate the order was placed with (order.currency_value) and reconciled again to the cent.
  const inOrderCurrency = s.order_currency === 'order' && o.currency_code !== '' && o.currency_value > 0;
  const rate = inOrderCurrency ? o.currency_value : 1;
  const rounded = reconcile(priced.lines, totals, rate);
  const problems = [...priced.problems, ...rounded.problems];

  const lines: OrderLine[] = priced.lines.map((exact, i) => {
    const r = rounded.lines[i]!;
    const p = exact.product === undefined ? undefined : products[exact.product];
    if (p) {
      const opts = options.filter((x) => x.order_product_id === p.order_product_id).map((x) => `${text(x.name)}: ${text(x.value)}`);
      const line: OrderLine = { kind: 'product', code: text(p.code ?? '') || text(p.model), quantity: p.quantity, net: r.net, vat: r.vat, gross: r.gross };
      if (s.order_lines === 'full') {
        line.name = text(p.name) + (opts.length ? ` (${opts.join(', ')})` : '');
        line.unit = p.unit || '';
      }
      if (s.order_lines !== 'code_quantity') line.netUnitPrice = round4(p.price * rate);
      if (s.order_lines === 'full') line.vatRate = exact.vatRate ?? 0;
      if (r.fixedTax) line.fixedTax = r.fixedTax;
      return line;
    }
    const line: OrderLine = { kind: exact.kind, code: String(s[codeSettingOf(exact.kind)] ?? ''), quantity: 1, vatRate: exact.vatRate, net: r.net, vat: r.vat, gross: r.gross };
    if (s.order_lines === 'full') line.name = text(exact.title);
    if (s.order_lines !== 'code_quantity') line.netUnitPrice = r.net;
    if (r.fixedTax) line.fixedTax = r.fixedTax;
    return line;
  });
  for (const kind of new Set(lines.filter((l) => l.kind !== 'product' && !l.code).map((l) => l.kind)))
    problems.push(orderProblem('code_missing', { setting: codeSettingOf(kind), line: kind }));

  const byRate = new Map<number, { net: number; vat: number }>();
  for (const [i, l] of lines.entries()) {
    const vatRate = priced.lines[i]!.vatRate;
    if (vatRate === null) continue; // a means of payment: outside VAT
    const r = byRate.get(vatRate) ?? { net: 0, vat: 0 };
    r.net += l.net;
    r.vat += l.vat;
    byRate.set(vatRate, r);
  }
  const net = round2(lines.reduce((a, l) => a + l.net, 0));
  const gross = round2(lines.reduce((a, l) => a + l.gross, 0));
  const shopTotal = rounded.total;
  const fixedTaxes = rounded.taxes.filter((t) => t.type === 'F').map((t) => ({ name: text(t.name), amount: t.amount }));

  const document: OrderDocument = {
    orderNumber: number,
    orderId: o.order_id,
    date: o.date_added,
    currency: inOrderCurrency ? o.currency_code : tax.config.currency || o.currency_code,
    currencyValue: rate,
    orderCurrency: { code: o.currency_code, value: o.currency_value },
    shopStatus: { id: o.order_status_id, name: o.status_name ?? '' },
    description: description(o, number, s, shopName),
    headerComment: `Webshop order ${number}`,
    internalNote: text(o.comment),
    customer: {
      key: customerKey(o, s),
      recognition: s.customer_recognition,
      processing: s.customer_processing,
      code: o.customer_id > 0 ? `C${o.customer_id}` : '',
      name: `${text(o.firstname)} ${text(o.lastname)}`.trim(),
      company: text(o.payment_company) || text(o.shipping_company),
      taxNumber: customFieldValue(o.payment_custom_field, s.tax_number_field) || customFieldValue(o.custom_field, s.tax_number_field),
      email: text(o.email),
      phone: text(o.telephone),
      billing: billingParty(o),
      shipping: party(o, 'shipping'),
    },
    articleProcessing: s.article_processing,
    revenueGroup: s.revenue_group,
    payment: { shopCode: pay.code, name: text(pay.name), erpCode: mappedMethod(methods, 'payment', pay.code) },
    shipping: { shopCode: ship.code, name: text(ship.name), erpCode: mappedMethod(methods, 'shipping', ship.code) },
    lines,
    totals: { net, vat: [...byRate].sort((a, b) => b[0] - a[0]).map(([r, v]) => ({ rate: r, net: round2(v.net), vat: round2(v.vat) })), fixedTaxes, gross, shopTotal },
  };
  // Once, here, so the feed, the HTTP push and the file drop (XML, JSON, CSV) all carry the same text.
  const replaced = sanitizeStrings(document);
  const diff = round2(gross - shopTotal);
  if (Math.abs(diff) >= 0.01) problems.push(orderProblem('total_differs', { gross: gross.toFixed(2), total: shopTotal.toFixed(2), diff: diff.toFixed(2) }));
  return { document, replaced, problem: problems.length ? problems.join('; ') : null };
}
