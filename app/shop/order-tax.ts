// The shop's tax configuration as OpenCart's Cart\Tax uses it at checkout, read once per export
// run (set-based): every tax rule with its rate, the geo zones' members, which customer groups
// each rate applies to, the store address, and the tax classes of shipping methods, handling and
// the low-order fee. Per batch of orders: the products' tax classes and reward-point prices, and
// the coupons the orders used. The arithmetic over these is pure, in app/erp/order-vat.ts.
import type { Database } from '../db/database.js';
import type { ShopOrderTotal } from './orders.js';

export type TaxBase = 'shipping' | 'payment' | 'store';

export interface TaxRuleRate {
  taxClassId: number;
  based: TaxBase;
  priority: number;
  taxRateId: number;
  geoZoneId: number;
  name: string;
  rate: number;
  type: 'P' | 'F';
}

export interface ShopTaxConfig {
  rules: TaxRuleRate[];
  /** geo_zone_id → its members (country, zone; zone 0 = the whole country). */
  geoZones: Map<number, Array<{ countryId: number; zoneId: number }>>;
  /** tax_rate_id → the customer groups it applies to. */
  rateGroups: Map<number, Set<number>>;
  store: { countryId: number; zoneId: number };
  /** Other stores' addresses (a multi-store shop's store_id → its config_country_id/zone_id). */
  otherStores: Map<number, { countryId: number; zoneId: number }>;
  /** config_tax_default: which address stands in for a missing one ('shipping', 'payment' or ''). */
  taxDefault: string;
  /** The shop's default currency (config_currency): the currency of every amount OpenCart stores. */
  currency: string;
  /** Tax class of a fee: 'shipping:<method>', 'handling', 'low_order_fee' → tax_class_id. */
  feeClasses: Map<string, number>;
}

export interface OrderTaxFacts {
  /** product_id → the product's tax class and reward-point price (its current row). */
  products: Map<number, { taxClassId: number; points: number }>;
  /** coupon code → how the coupon discounts (its current row). */
  coupons: Map<string, CouponFacts>;
}

export interface CouponFacts {
  type: 'P' | 'F';
  discount: number;
  freeShipping: boolean;
  /** Products the coupon is limited to (its products and categories); null = the whole cart. */
  productIds: Set<number> | null;
}

const num = (v: unknown) => Number(v ?? 0) || 0;

export async function readShopTaxConfig(db: Database): Promise<ShopTaxConfig> {
  const k = db.knex;
  const [rules, members, groups, storeSettings, settings] = await Promise.all([
    k(`${db.t('tax_rule')} as tr`)
      .join(`${db.t('tax_rate')} as r`, 'r.tax_rate_id', 'tr.tax_rate_id')
      .orderBy(['tr.priority', 'tr.tax_rule_id'])
      .select('tr.tax_class_id', 'tr.based', 'tr.priority', 'r.tax_rate_id', 'r.geo_zone_id', 'r.name', 'r.rate', 'r.type'),
    k(db.t('zone_to_geo_zone')).select('geo_zone_id', 'country_id', 'zone_id'),
    k(db.t('tax_rate_to_customer_group')).select('tax_rate_id', 'customer_group_id'),
    k(db.t('setting'))
      .whereIn('key', ['config_country_id', 'config_zone_id'])
      .andWhereNot('store_id', 0)
      .select('store_id', 'key', 'value'),
    k(db.t('setting'))
      .where('store_id', 0)
      .andWhere((q) => {
        q.whereIn('key', ['config_country_id', 'config_zone_id', 'config_tax_default', 'config_currency', 'total_handling_tax_class_id', 'total_low_order_fee_tax_class_id'])
          .orWhere('key', 'like', 'shipping%tax%class%id');
      })
      .select('key', 'value'),
  ]);
  const geoZones = new Map<number, Array<{ countryId: number; zoneId: number }>>();
  for (const m of members) {
    const list = geoZones.get(num(m.geo_zone_id)) ?? [];
    list.push({ countryId: num(m.country_id), zoneId: num(m.zone_id) });
    geoZones.set(num(m.geo_zone_id), list);
  }
  const rateGroups = new Map<number, Set<number>>();
  for (const g of groups) {
    const set = rateGroups.get(num(g.tax_rate_id)) ?? new Set<number>();
    set.add(num(g.customer_group_id));
    rateGroups.set(num(g.tax_rate_id), set);
  }
  const setting = new Map<string, string>(settings.map((s) => [String(s.key), String(s.value ?? '')]));
  const otherStores = new Map<number, { countryId: number; zoneId: number }>();
  for (const r of storeSettings) {
    const store = otherStores.get(num(r.store_id)) ?? { countryId: 0, zoneId: 0 };
    if (r.key === 'config_country_id') store.countryId = num(r.value);
    else store.zoneId = num(r.value);
    otherStores.set(num(r.store_id), store);
  }
  const feeClasses = new Map<string, number>();
  for (const [key, value] of setting) {
    const m = /^shipping_(.+)_tax_class_id$/.exec(key); // LIKE above is loose on purpose ('_' is a wildcard there)
    if (m) feeClasses.set(`shipping:${m[1]}`, num(value));
  }
  feeClasses.set('handling', num(setting.get('total_handling_tax_class_id')));
  feeClasses.set('low_order_fee', num(setting.get('total_low_order_fee_tax_class_id')));
  return {
    rules: rules.map((r) => ({
      taxClassId: num(r.tax_class_id), based: String(r.based) as TaxBase, priority: num(r.priority), taxRateId: num(r.tax_rate_id),
      geoZoneId: num(r.geo_zone_id), name: String(r.name ?? ''), rate: num(r.rate), type: String(r.type) === 'F' ? 'F' : 'P',
    })),
    geoZones,
    rateGroups,
    store: { countryId: num(setting.get('config_country_id')), zoneId: num(setting.get('config_zone_id')) },
    otherStores,
    taxDefault: setting.get('config_tax_default') ?? '',
    currency: setting.get('config_currency') ?? '',
    feeClasses,
  };
}

/** The coupon code in a coupon total's title, found the way OpenCart's own confirm() finds it: between the first "(" and the last ")". */
export function couponCodeOf(title: string): string {
  const start = title.indexOf('(');
  const end = title.lastIndexOf(')');
  return start >= 0 && end > start ? title.slice(start + 1, end) : '';
}

/** Products and coupons of a batch of orders: three queries for the whole batch. */
export async function readOrderTaxFacts(db: Database, productIds: number[], totals: ShopOrderTotal[]): Promise<OrderTaxFacts> {
  const k = db.knex;
  const ids = [...new Set(productIds)];
  const codes = [...new Set(totals.filter((t) => t.code === 'coupon').map((t) => couponCodeOf(t.title)).filter(Boolean))];
  const [products, coupons] = await Promise.all([
    ids.length ? k(db.t('product')).whereIn('product_id', ids).select('product_id', 'tax_class_id', 'points') : [],
    codes.length ? k(db.t('coupon')).whereIn('code', codes).select('coupon_id', 'code', 'type', 'discount', 'shipping') : [],
  ]);
  const couponIds = coupons.map((c) => num(c.coupon_id));
  const [byProduct, byCategory] = couponIds.length
    ? await Promise.all([
        k(db.t('coupon_product')).whereIn('coupon_id', couponIds).select('coupon_id', 'product_id'),
        // A coupon's categories include their subcategories (category_path), as in OpenCart's getCoupon.
        k(`${db.t('coupon_category')} as cc`)
          .join(`${db.t('category_path')} as cp`, 'cp.path_id', 'cc.category_id')
          .join(`${db.t('product_to_category')} as p2c`, 'p2c.category_id', 'cp.category_id')
          .whereIn('cc.coupon_id', couponIds)
          .distinct('cc.coupon_id', 'p2c.product_id'),
      ])
    : [[], []];
  const limited = new Map<number, Set<number>>();
  for (const r of [...byProduct, ...byCategory]) {
    const set = limited.get(num(r.coupon_id)) ?? new Set<number>();
    set.add(num(r.product_id));
    limited.set(num(r.coupon_id), set);
  }
  const facts: OrderTaxFacts = { products: new Map(), coupons: new Map() };
  for (const p of products) facts.products.set(num(p.product_id), { taxClassId: num(p.tax_class_id), points: num(p.points) });
  for (const c of coupons) {
    facts.coupons.set(String(c.code), {
      type: String(c.type) === 'F' ? 'F' : 'P', discount: num(c.discount), freeShipping: num(c.shipping) === 1, productIds: limited.get(num(c.coupon_id)) ?? null,
    });
  }
  return facts;
}
