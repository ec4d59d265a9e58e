// An OpenCart order as the ERP receives it: customer, lines (products, then shipping fee,
// payment fee and coupon under their ERP item codes), methods, totals. Pure: built from rows
// already read, so it can be tested without a database.
import type { Settings } from '../settings/schema.js';
import type { ShopOrder, ShopOrderOption, ShopOrderProduct, ShopOrderTotal } from '../shop/orders.js';
import { methodOf } from '../shop/orders.js';
import { decodeLikeOpenCart } from '../util/html.js';
import { sanitizeStrings } from './xml-text.js';

export interface OrderLine {
  kind: 'product' | 'shipping' | 'payment_fee' | 'coupon';
  code: string;
  name?: string;
  quantity: number;
  unit?: string;
  netUnitPrice?: number;
  vatRate?: number;
  net: number;
  vat: number;
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
  currency: string;
  currencyValue: number;
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
  totals: { net: number; vat: Array<{ rate: number; net: number; vat: number }>; gross: number; shopTotal: number };
}

export interface BuildResult {
  document: OrderDocument;
  /** Set when the document's gross total differs from the order's total by a cent or more. */
  problem: string | null;
  /** Fields where characters XML cannot carry (NUL, vertical tab, …) were replaced with U+FFFD. */
  replaced: string[];
}

const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const text = (s: string | null | undefined) => decodeLikeOpenCart(String(s ?? '')).trim();

const FEE_CODES = new Set(['handling', 'low_order_fee']);
const NOT_LINES = new Set(['sub_total', 'tax', 'total']);

/** A VAT rate from net and tax: 26.99… → 27, 5.0001 → 5. */
function rateOf(net: number, tax: number): number {
  if (Math.abs(net) < 0.00001) return 0;
  return Math.round((tax / net) * 100 * 100) / 100;
}

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

export function buildOrderDocument(
  o: ShopOrder,
  products: ShopOrderProduct[],
  options: ShopOrderOption[],
  totals: ShopOrderTotal[],
  s: Settings,
  methods: Map<string, string>,
  shopName: string,
): BuildResult {
  const number = `${o.invoice_prefix ?? ''}${o.order_id}`.trim() || String(o.order_id);
  const lines: OrderLine[] = [];
  let productTax = 0;
  for (const p of products) {
    const opts = options.filter((x) => x.order_product_id === p.order_product_id).map((x) => `${text(x.name)}: ${text(x.value)}`);
    const net = round4(p.price * p.quantity);
    const vat = round4(p.tax * p.quantity);
    productTax += vat;
    const line: OrderLine = {
      kind: 'product',
      code: text(p.code ?? '') || text(p.model),
      quantity: p.quantity,
      net: round2(net),
      vat: round2(vat),
      gross: round2(net + vat),
    };
    if (s.order_lines === 'full') {
      line.name = text(p.name) + (opts.length ? ` (${opts.join(', ')})` : '');
      line.unit = p.unit || '';
    }
    if (s.order_lines !== 'code_quantity') line.netUnitPrice = round4(p.price);
    if (s.order_lines === 'full') line.vatRate = rateOf(p.price, p.tax);
    lines.push(line);
  }

  // Fees and coupons: order_total rows other than sub_total/tax/total. Their VAT comes from the
  // order's tax totals: what the tax rows hold beyond the products' own tax.
  const fees = totals.filter((t) => !NOT_LINES.has(t.code) && t.value !== 0);
  const taxTotal = totals.filter((t) => t.code === 'tax').reduce((a, t) => a + t.value, 0);
  const feeNet = fees.reduce((a, t) => a + t.value, 0);
  const feeRate = rateOf(feeNet, taxTotal - productTax);
  const feeLine = (kind: OrderLine['kind'], code: string, title: string, net: number): OrderLine => {
    const vat = round4((net * feeRate) / 100);
    const line: OrderLine = { kind, code, quantity: 1, net: round2(net), vat: round2(vat), gross: round2(net + vat) };
    if (s.order_lines === 'full') {
      line.name = title;
      line.vatRate = feeRate;
    }
    if (s.order_lines !== 'code_quantity') line.netUnitPrice = round4(net);
    return line;
  };
  const shippingNet = fees.filter((t) => t.code === 'shipping').reduce((a, t) => a + t.value, 0);
  const feeNetSum = fees.filter((t) => t.code !== 'shipping' && (FEE_CODES.has(t.code) || t.value > 0)).reduce((a, t) => a + t.value, 0);
  const couponNet = fees.filter((t) => t.code !== 'shipping' && !FEE_CODES.has(t.code) && t.value < 0).reduce((a, t) => a + t.value, 0);
  const titles = (pred: (t: ShopOrderTotal) => boolean) => fees.filter(pred).map((t) => text(t.title)).join(', ');
  if (shippingNet) lines.push(feeLine('shipping', s.shipping_fee_code, titles((t) => t.code === 'shipping'), shippingNet));
  if (feeNetSum) lines.push(feeLine('payment_fee', s.payment_fee_code, titles((t) => t.code !== 'shipping' && (FEE_CODES.has(t.code) || t.value > 0)), feeNetSum));
  if (couponNet) lines.push(feeLine('coupon', s.coupon_code, titles((t) => t.code !== 'shipping' && !FEE_CODES.has(t.code) && t.value < 0), couponNet));

  const byRate = new Map<number, { net: number; vat: number }>();
  for (const l of lines) {
    const rate = l.vatRate ?? rateOf(l.net, l.vat);
    const r = byRate.get(rate) ?? { net: 0, vat: 0 };
    r.net += l.net;
    r.vat += l.vat;
    byRate.set(rate, r);
  }
  const net = round2(lines.reduce((a, l) => a + l.net, 0));
  const gross = round2(lines.reduce((a, l) => a + l.gross, 0));
  const shopTotal = round2(o.total);

  const pay = methodOf(o.payment_method, o.payment_code);
  const ship = methodOf(o.shipping_method, o.shipping_code);
  const shipKey = ship.code.split('.')[0] ?? ship.code;
  const document: OrderDocument = {
    orderNumber: number,
    orderId: o.order_id,
    date: o.date_added,
    currency: o.currency_code,
    currencyValue: o.currency_value,
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
      company: text(o.payment_company),
      taxNumber: customFieldValue(o.payment_custom_field, s.tax_number_field) || customFieldValue(o.custom_field, s.tax_number_field),
      email: text(o.email),
      phone: text(o.telephone),
      billing: party(o, 'payment'),
      shipping: party(o, 'shipping'),
    },
    articleProcessing: s.article_processing,
    revenueGroup: s.revenue_group,
    payment: { shopCode: pay.code, name: text(pay.name), erpCode: methods.get(`payment:${pay.code}`) ?? '' },
    shipping: { shopCode: ship.code, name: text(ship.name), erpCode: methods.get(`shipping:${ship.code}`) ?? methods.get(`shipping:${shipKey}`) ?? '' },
    lines,
    totals: { net, vat: [...byRate].sort((a, b) => b[0] - a[0]).map(([rate, v]) => ({ rate, net: round2(v.net), vat: round2(v.vat) })), gross, shopTotal },
  };
  // Once, here, so the feed, the HTTP push and the file drop (XML, JSON, CSV) all carry the same text.
  const replaced = sanitizeStrings(document);
  const diff = round2(gross - shopTotal);
  return { document, replaced, problem: Math.abs(diff) >= 0.01 ? `the document's gross total ${gross.toFixed(2)} differs from the order total ${shopTotal.toFixed(2)} by ${diff.toFixed(2)}` : null };
}
