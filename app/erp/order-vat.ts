// Per-line tax of an OpenCart order, computed the way OpenCart computed it at checkout, then
// rounded to the cent so that each rate's lines equal OpenCart's own `tax` total rows and the
// lines sum to its `total`. Pure: the shop's tax configuration comes in already read.
//
// What OpenCart does (catalog/model/extension/total/*.php in 3.0, extension/opencart/catalog/
// model/total/*.php in 4.x, over system/library/cart/tax.php):
// - the applicable rates per tax class come from tax_rule rows based on the shipping address,
//   the payment address (or the store's, per config_tax_default, when one is missing) and the
//   store address, for the order's customer group;
// - a product's tax is its rates on its unit price, times the quantity; fixed-amount (F) rates
//   add their amount per unit;
// - shipping, handling and low-order fee are taxed by their tax class on their value;
// - a coupon or reward points discount each eligible product in proportion to its net total and
//   take back only the percentage (P) part of that product's tax; a free-shipping coupon also
//   takes back shipping's percentage tax;
// - gift vouchers and store credit reduce what is paid after tax: no tax at all;
// - one `tax` total per tax rate (titled with the rate's name) holds the sum, unrounded.
import type { CouponFacts, OrderTaxFacts, ShopTaxConfig, TaxBase, TaxRuleRate } from '../shop/order-tax.js';
import { couponCodeOf } from '../shop/order-tax.js';
import type { ShopOrderTotal } from '../shop/orders.js';
import { orderProblem } from './order-problems.js';

export interface Address {
  countryId: number;
  zoneId: number;
}

export interface VatOrder {
  customerGroupId: number;
  /** The store the order was placed in (0 = the default store). */
  storeId?: number;
  shippingAddress: Address | null;
  paymentAddress: Address | null;
  /** The shipping method's extension code (`flat` of `flat.flat`). */
  shippingMethod: string;
}

export interface VatProduct {
  productId: number;
  name: string;
  price: number;
  quantity: number;
  /** order_product.tax: the tax of one unit, as OpenCart stored it. */
  tax: number;
}

export interface LineTax {
  taxRateId: number;
  name: string;
  rate: number;
  type: 'P' | 'F';
  amount: number;
}

/** A line before rounding: exact amounts in the shop's default currency. */
export interface ExactLine {
  /** 'product', or the order_total code it comes from. */
  kind: string;
  /** Index into the products for product lines. */
  product?: number;
  title: string;
  net: number;
  taxes: LineTax[];
  /** The line's VAT rate: its percentage rates (null for a means of payment: voucher, credit). */
  vatRate: number | null;
}

export interface PricedOrder {
  lines: ExactLine[];
  /** Why a line's tax could not be derived as OpenCart did (the document is then held). */
  problems: string[];
}

const NOT_LINES = new Set(['sub_total', 'tax', 'total']);
const MEANS_OF_PAYMENT = new Set(['voucher', 'credit']);
const TOLERANCE = 0.0001 + 1e-9; // order_product.tax is stored with 4 decimals

/** The rates of each tax class that apply to an order, as Cart\Tax collects them. */
export function ratesForOrder(o: VatOrder, cfg: ShopTaxConfig): Map<number, TaxRuleRate[]> {
  const other = o.storeId ? cfg.otherStores?.get(o.storeId) : undefined;
  const store = other && other.countryId ? other : cfg.store;
  const bases: Array<[TaxBase, Address | null]> = [
    ['shipping', o.shippingAddress ?? (cfg.taxDefault === 'shipping' ? store : null)],
    ['payment', o.paymentAddress ?? (cfg.taxDefault === 'payment' ? store : null)],
    ['store', store],
  ];
  const byClass = new Map<number, Map<number, TaxRuleRate>>();
  for (const [base, addr] of bases) {
    if (!addr) continue;
    for (const r of cfg.rules) {
      if (r.based !== base || !cfg.rateGroups.get(r.taxRateId)?.has(o.customerGroupId)) continue;
      const inZone = (cfg.geoZones.get(r.geoZoneId) ?? []).some((m) => m.countryId === addr.countryId && (m.zoneId === 0 || m.zoneId === addr.zoneId));
      if (!inZone) continue;
      const rates = byClass.get(r.taxClassId) ?? new Map<number, TaxRuleRate>();
      rates.set(r.taxRateId, r);
      byClass.set(r.taxClassId, rates);
    }
  }
  return new Map([...byClass].map(([c, m]) => [c, [...m.values()]]));
}

/** Cart\Tax::getRates: percentage rates on the amount, fixed ones once per call (per unit). */
function taxesOn(amount: number, rates: TaxRuleRate[], units = 1, only?: 'P'): LineTax[] {
  return rates
    .filter((r) => !only || r.type === only)
    .map((r) => ({ taxRateId: r.taxRateId, name: r.name, rate: r.rate, type: r.type, amount: r.type === 'P' ? (amount / 100) * r.rate * units : r.rate * units }));
}

const percentOf = (rates: Array<{ type: 'P' | 'F'; rate: number }>) => rates.filter((r) => r.type === 'P').reduce((a, r) => a + r.rate, 0);
const pKey = (rates: TaxRuleRate[]) => rates.filter((r) => r.type === 'P').map((r) => r.taxRateId).sort((a, b) => a - b).join(',');

/** A gift voucher bought in the order: part of OpenCart's sub_total, untaxed. */
export interface VatSoldVoucher {
  description: string;
  amount: number;
}

/** Prices every line of one order: products, gift vouchers bought, then one line (or one per VAT rate) per total. */
export function priceOrder(o: VatOrder, products: VatProduct[], totals: ShopOrderTotal[], cfg: ShopTaxConfig, facts: OrderTaxFacts, sold: VatSoldVoucher[] = []): PricedOrder {
  const rates = ratesForOrder(o, cfg);
  const classRates = (c: number) => rates.get(c) ?? [];
  const problems: string[] = [];
  const lines: ExactLine[] = [];

  // Products: the product's tax class, checked against the tax OpenCart stored for the line. A
  // class changed since the order is caught here; then the class whose rates give the stored tax
  // is used.
  const unitTax = (price: number, rs: TaxRuleRate[]) => taxesOn(price, rs).reduce((a, t) => a + t.amount, 0);
  const productRates: TaxRuleRate[][] = products.map((p) => {
    const current = facts.products.get(p.productId)?.taxClassId ?? 0;
    if (Math.abs(unitTax(p.price, classRates(current)) - p.tax) <= TOLERANCE) return classRates(current);
    for (const rs of rates.values()) if (Math.abs(unitTax(p.price, rs) - p.tax) <= TOLERANCE) return rs;
    if (Math.abs(p.tax) <= TOLERANCE) return [];
    problems.push(orderProblem('tax_unmatched', { name: p.name, tax: p.tax }));
    return [];
  });
  products.forEach((p, i) => {
    const rs = productRates[i]!;
    lines.push({ kind: 'product', product: i, title: p.name, net: p.price * p.quantity, taxes: taxesOn(p.price, rs, p.quantity), vatRate: percentOf(rs) });
  });

  // A gift voucher sold is a prepayment, not a supply: OpenCart taxes it with nothing.
  for (const v of sold) lines.push({ kind: 'gift_voucher', title: v.description, net: v.amount, taxes: [], vatRate: null });

  const shippingRow = totals.find((t) => t.code === 'shipping');
  const shippingRates = classRates(cfg.feeClasses.get(`shipping:${o.shippingMethod}`) ?? 0);

  /** A discount spread over products in proportion to their net totals, taking back their P tax. */
  const discountLines = (t: ShopOrderTotal, amount: number, eligible: (p: VatProduct) => boolean, extra: { amount: number; rates: TaxRuleRate[] } | null) => {
    const parts = new Map<string, ExactLine>();
    const add = (net: number, rs: TaxRuleRate[]) => {
      const key = pKey(rs);
      const line = parts.get(key) ?? { kind: t.code, title: t.title, net: 0, taxes: [], vatRate: percentOf(rs) };
      line.net -= net;
      for (const tax of taxesOn(net, rs, 1, 'P')) {
        const same = line.taxes.find((x) => x.taxRateId === tax.taxRateId);
        if (same) same.amount -= tax.amount;
        else line.taxes.push({ ...tax, amount: -tax.amount });
      }
      parts.set(key, line);
    };
    let chosen = products.map((p, i) => [p, i] as const).filter(([p]) => eligible(p));
    if (chosen.length === 0) chosen = products.map((p, i) => [p, i] as const);
    const base = chosen.reduce((a, [p]) => a + p.price * p.quantity, 0);
    if (extra && extra.amount) add(extra.amount, extra.rates);
    if (amount && base) for (const [p, i] of chosen) add((amount * p.price * p.quantity) / base, productRates[i]!);
    else if (amount) add(amount, []);
    lines.push(...[...parts.values()].sort((a, b) => (b.vatRate ?? 0) - (a.vatRate ?? 0)));
  };

  for (const t of totals) {
    if (NOT_LINES.has(t.code) || t.value === 0) continue;
    if (t.code === 'shipping') {
      lines.push({ kind: t.code, title: t.title, net: t.value, taxes: taxesOn(t.value, shippingRates), vatRate: percentOf(shippingRates) });
    } else if (t.code === 'handling' || t.code === 'low_order_fee') {
      const rs = classRates(cfg.feeClasses.get(t.code) ?? 0);
      lines.push({ kind: t.code, title: t.title, net: t.value, taxes: taxesOn(t.value, rs), vatRate: percentOf(rs) });
    } else if (t.code === 'coupon' && t.value < 0) {
      const coupon: CouponFacts | undefined = facts.coupons.get(couponCodeOf(t.title));
      const freeShipping = coupon?.freeShipping && shippingRow ? Math.min(shippingRow.value, -t.value) : 0;
      discountLines(t, -t.value - freeShipping, (p) => !coupon?.productIds || coupon.productIds.has(p.productId), { amount: freeShipping, rates: shippingRates });
    } else if (t.code === 'reward' && t.value < 0) {
      discountLines(t, -t.value, (p) => (facts.products.get(p.productId)?.points ?? 0) > 0, null);
    } else if (MEANS_OF_PAYMENT.has(t.code)) {
      lines.push({ kind: t.code, title: t.title, net: t.value, taxes: [], vatRate: null });
    } else {
      // Another extension's total: its own line; a tax it added shows up as a difference below.
      lines.push({ kind: t.code, title: t.title, net: t.value, taxes: [], vatRate: 0 });
    }
  }
  return { lines, problems };
}

export interface RoundedLine {
  net: number;
  vat: number;
  fixedTax: number;
  gross: number;
}

export interface Reconciled {
  lines: RoundedLine[];
  /** Each tax row of the order as the document carries it: name, type, percent, amount. */
  taxes: Array<{ name: string; type: 'P' | 'F'; rate: number; amount: number }>;
  total: number;
  problems: string[];
}

/** Half away from zero, in cents (no binary drift: 2.675 → 268). */
const cents = (x: number) => Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-7);

/** Rounds amounts to cents so they sum to `target` cents: the cents missing go to the amounts rounded the furthest (largest remainder). */
export function apportion(exact: number[], target: number): number[] {
  const out = exact.map(cents);
  let diff = target - out.reduce((a, c) => a + c, 0);
  if (exact.length === 0 || diff === 0) return out;
  const step = Math.sign(diff);
  const order = exact.map((x, i) => [x * 100 - out[i]!, i] as const).sort((a, b) => (step > 0 ? b[0] - a[0] : a[0] - b[0]) || a[1] - b[1]);
  for (let k = 0; diff !== 0; k++) {
    out[order[k % order.length]![1]] += step;
    diff -= step;
  }
  return out;
}

const money = (c: number) => c / 100;
const fmt = (x: number) => x.toFixed(2);

/**
 * Rounds the exact lines to the cent in the document's currency (`rate` = order currency value,
 * or 1 for the shop's own): per tax rate, the lines' tax equals OpenCart's `tax` row (rounded);
 * the nets take what remains of the rounded order total, so the lines' gross sums to it exactly.
 * A difference of a cent or more before rounding (OpenCart computed something else) is reported.
 */
export function reconcile(lines: ExactLine[], totals: ShopOrderTotal[], rate = 1): Reconciled {
  const problems: string[] = [];
  const rows = new Map<string, number>();
  for (const t of totals.filter((x) => x.code === 'tax')) rows.set(t.title, (rows.get(t.title) ?? 0) + t.value);
  const names = new Map<string, { type: 'P' | 'F'; rate: number }>();
  for (const l of lines) for (const t of l.taxes) if (!names.has(t.name)) names.set(t.name, { type: t.type, rate: t.rate });
  for (const title of rows.keys()) if (!names.has(title)) problems.push(orderProblem('tax_unexplained', { title, amount: fmt(rows.get(title)!) }));

  const vat = lines.map(() => 0);
  const fixed = lines.map(() => 0);
  const taxes: Reconciled['taxes'] = [];
  let taxCents = 0;
  for (const [name, info] of names) {
    const entries: Array<[number, number]> = [];
    lines.forEach((l, i) => {
      const amount = l.taxes.filter((t) => t.name === name).reduce((a, t) => a + t.amount, 0);
      if (amount !== 0) entries.push([i, amount]);
    });
    const exact = entries.reduce((a, [, x]) => a + x, 0);
    const row = rows.get(name) ?? 0;
    if (Math.abs(exact - row) >= 0.01) problems.push(orderProblem('tax_differs', { name, exact: fmt(exact), row: fmt(row), diff: fmt(exact - row) }));
    const target = cents(row * rate);
    const split = apportion(entries.map(([, x]) => x * rate), target);
    entries.forEach(([i], k) => {
      if (info.type === 'P') vat[i] += split[k]!;
      else fixed[i] += split[k]!;
    });
    taxCents += target;
    if (target !== 0) taxes.push({ name, type: info.type, rate: info.rate, amount: money(target) });
  }

  const totalRow = totals.find((t) => t.code === 'total');
  const total = totalRow?.value ?? 0;
  const taxSum = [...rows.values()].reduce((a, x) => a + x, 0);
  const netExact = lines.reduce((a, l) => a + l.net, 0);
  if (Math.abs(netExact - (total - taxSum)) >= 0.01) problems.push(orderProblem('net_differs', { exact: fmt(netExact), total: fmt(total - taxSum), diff: fmt(netExact - (total - taxSum)) }));
  const totalCents = cents(total * rate);
  const nets = apportion(lines.map((l) => l.net * rate), totalCents - taxCents);
  return {
    lines: lines.map((_, i) => ({ net: money(nets[i]!), vat: money(vat[i]!), fixedTax: money(fixed[i]!), gross: money(nets[i]! + vat[i]! + fixed[i]!) })),
    taxes,
    total: money(totalCents),
    problems,
  };
}
