// A Hungarian tax setup in a real OpenCart, written into its tables as its admin stores it
// (System > Localisation > Geo Zones / Tax Rates / Tax Classes, Extensions > Shipping / Order
// Totals, Marketing > Coupons, Sales > Gift Vouchers, Customers): store address in Hungary, 27%
// and 5% VAT, a fixed-amount eco tax, flat shipping taxed 27%, handling and low-order fee, three
// coupons, a gift voucher, a customer with reward points, and products priced to the sub-cent.
import type { OpenCartShop } from './install.js';

const NOW = Symbol('NOW()');

export const RATE_27 = 'ÁFA 27%';
export const RATE_5 = 'ÁFA 5%';
/** Stored HTML-encoded, as the admin's form stores "&". */
export const RATE_ECO = 'Öko &amp; termékdíj';

export interface TaxedShop {
  countryId: number;
  zoneId: number;
  customerGroupId: number;
  classes: { vat27: number; vat5: number; eco: number };
  /** Percentage or fixed amount of each tax rate, by the name its `tax` total rows carry. */
  rates: Map<string, { type: 'P' | 'F'; rate: number }>;
  products: { a27: number; b5: number; cEco: number };
  /** 3.0: a customer with 1000 reward points (the API logs in as them). */
  rewardCustomerId: number;
  /** 3.0: a customer with 300 of store credit (a customer_transaction). */
  creditCustomerId: number;
  /** A gift voucher theme (0 on 4.1, which has no gift vouchers). */
  voucherThemeId: number;
  /** Sets a `setting` row of store 0 (insert or replace), as the admin's extension forms save them. */
  setSetting(code: string, key: string, value: string | number): Promise<void>;
}

export async function configureHungarianTaxes(shop: OpenCartShop): Promise<TaxedShop> {
  const p = shop.prefix;
  const q = <T = any>(sql: string, params?: unknown[]) => shop.query<T>(sql, params);
  // Columns differ by release (4.1 dropped date_added/date_modified from several tables): a row
  // keeps only the columns its table has.
  const columns = new Map<string, Set<string>>();
  const insert = async (table: string, row: Record<string, unknown>): Promise<number> => {
    if (!columns.has(table)) columns.set(table, new Set((await q<Array<{ Field: string }>>(`SHOW COLUMNS FROM \`${p}${table}\``)).map((c) => c.Field)));
    const have = columns.get(table)!;
    const entries = Object.entries(row).filter(([k]) => have.has(k));
    const sql = `INSERT INTO \`${p}${table}\` (${entries.map(([k]) => `\`${k}\``).join(', ')}) VALUES (${entries.map(([, v]) => (v === NOW ? 'NOW()' : '?')).join(', ')})`;
    return Number(((await q(sql, entries.filter(([, v]) => v !== NOW).map(([, v]) => v))) as { insertId: number }).insertId);
  };
  const setSetting = async (code: string, key: string, value: string | number) => {
    await q(`DELETE FROM \`${p}setting\` WHERE store_id = 0 AND \`key\` = ?`, [key]);
    await q(`INSERT INTO \`${p}setting\` (store_id, code, \`key\`, value, serialized) VALUES (0, ?, ?, ?, 0)`, [code, key, String(value)]);
  };
  const [hu] = await q<Array<{ country_id: number }>>(`SELECT country_id FROM \`${p}country\` WHERE iso_code_2 = 'HU'`);
  const [zone] = await q<Array<{ zone_id: number }>>(`SELECT zone_id FROM \`${p}zone\` WHERE country_id = ? ORDER BY zone_id LIMIT 1`, [hu!.country_id]);
  const countryId = Number(hu!.country_id);
  const zoneId = Number(zone?.zone_id ?? 0); // OpenCart ships no zones for Hungary
  await setSetting('config', 'config_country_id', countryId);
  await setSetting('config', 'config_zone_id', zoneId);
  const [group] = await q<Array<{ value: string }>>(`SELECT value FROM \`${p}setting\` WHERE store_id = 0 AND \`key\` = 'config_customer_group_id'`);
  const customerGroupId = Number(group!.value);

  const dates = { date_added: NOW, date_modified: NOW };
  const geoZone = await insert('geo_zone', { name: 'Magyarország', description: 'ÁFA', ...dates });
  await insert('zone_to_geo_zone', { country_id: countryId, zone_id: 0, geo_zone_id: geoZone, ...dates });
  const rate = async (name: string, value: number, type: 'P' | 'F') => {
    const rateId = await insert('tax_rate', { geo_zone_id: geoZone, name, rate: value, type, ...dates });
    await q(`INSERT INTO \`${p}tax_rate_to_customer_group\` (tax_rate_id, customer_group_id) VALUES (?, ?)`, [rateId, customerGroupId]);
    return rateId;
  };
  const r27 = await rate(RATE_27, 27, 'P');
  const r5 = await rate(RATE_5, 5, 'P');
  const rEco = await rate(RATE_ECO, 2, 'F');
  const taxClass = async (title: string, rules: Array<[number, 'shipping' | 'payment' | 'store', number]>) => {
    const classId = await insert('tax_class', { title, description: '', ...dates });
    for (const [rateId, based, priority] of rules) await q(`INSERT INTO \`${p}tax_rule\` (tax_class_id, tax_rate_id, based, priority) VALUES (?, ?, ?, ?)`, [classId, rateId, based, priority]);
    return classId;
  };
  const classes = {
    vat27: await taxClass('Áfa 27%', [[r27, 'shipping', 1]]),
    vat5: await taxClass('Áfa 5%', [[r5, 'shipping', 1]]),
    eco: await taxClass('Áfa 27% + ökodíj', [[r27, 'shipping', 1], [rEco, 'store', 0]]),
  };

  // Products without options, priced to the sub-cent (DECIMAL(15,4)), no specials or discounts.
  const ids = (await q<Array<{ product_id: number }>>(
    `SELECT product_id FROM \`${p}product\` WHERE product_id NOT IN (SELECT product_id FROM \`${p}product_option\`) ORDER BY product_id LIMIT 3`,
  )).map((r) => Number(r.product_id));
  const priced: Array<[number, number]> = [[1234.5678, classes.vat27], [987.6543, classes.vat5], [100, classes.eco]];
  for (const [i, [price, cls]] of priced.entries()) {
    await q(`UPDATE \`${p}product\` SET price = ?, tax_class_id = ?, quantity = 1000, subtract = 0, minimum = 1, status = 1, shipping = 1, points = ?, date_available = '2020-01-01' WHERE product_id = ?`,
      [price, cls, i === 0 ? 500 : 0, ids[i]]);
    for (const table of ['product_special', 'product_discount']) await q(`DELETE FROM \`${p}${table}\` WHERE product_id = ?`, [ids[i]]).catch(() => {});
  }

  await setSetting('shipping_flat', 'shipping_flat_cost', '1000');
  await setSetting('shipping_flat', 'shipping_flat_tax_class_id', classes.vat27);
  await setSetting('shipping_flat', 'shipping_flat_geo_zone_id', 0);
  await setSetting('total_handling', 'total_handling_status', 0);
  await setSetting('total_handling', 'total_handling_fee', '150');
  await setSetting('total_handling', 'total_handling_total', '0');
  await setSetting('total_handling', 'total_handling_tax_class_id', classes.vat27);
  await setSetting('total_handling', 'total_handling_sort_order', 3);
  await setSetting('total_low_order_fee', 'total_low_order_fee_status', 0);
  await setSetting('total_low_order_fee', 'total_low_order_fee_fee', '200');
  await setSetting('total_low_order_fee', 'total_low_order_fee_total', '500');
  await setSetting('total_low_order_fee', 'total_low_order_fee_tax_class_id', classes.vat5);
  await setSetting('total_low_order_fee', 'total_low_order_fee_sort_order', 3);

  const coupon = (name: string, code: string, type: 'P' | 'F', discount: number, shipping: 0 | 1) =>
    insert('coupon', { name, code, type, discount, logged: 0, shipping, total: 0, date_start: '2020-01-01', date_end: '2099-12-31', uses_total: 0, uses_customer: '0', status: 1, date_added: NOW });
  await coupon('Tíz százalék', 'PCT10', 'P', 10, 0);
  await coupon('Ötszáz', 'FIX500', 'F', 500, 0);
  await coupon('Ingyen szállítás', 'FREESHIP', 'F', 0, 1);
  const [theme] = await q<Array<{ voucher_theme_id: number }>>(`SELECT voucher_theme_id FROM \`${p}voucher_theme\` ORDER BY voucher_theme_id LIMIT 1`).catch(() => [] as Array<{ voucher_theme_id: number }>);
  if (theme) {
    await insert('voucher', { order_id: 0, code: 'AJANDEK', from_name: 'Bolt', from_email: 'bolt@example.com', to_name: 'Vevő', to_email: 'vevo@example.com', voucher_theme_id: theme.voucher_theme_id, message: '', amount: 500, status: 1, date_added: NOW });
  }

  let rewardCustomerId = 0;
  let creditCustomerId = 0;
  if (shop.major === 3) {
    const customer = (firstname: string, email: string) => insert('customer', {
      customer_group_id: customerGroupId, store_id: 0, language_id: 1, firstname, lastname: 'Vevő', email, telephone: '+36 1 111 1111', fax: '', password: '',
      salt: '', cart: '', wishlist: '', newsletter: 0, address_id: 0, custom_field: '', ip: '127.0.0.1', status: 1, safe: 0, token: '', code: '', date_added: NOW,
    });
    rewardCustomerId = await customer('Pont', 'pont@example.com');
    creditCustomerId = await customer('Hitel', 'hitel@example.com');
    await insert('customer_transaction', { customer_id: creditCustomerId, order_id: 0, description: 'Jóváírás', amount: 300, date_added: NOW });
    await q(`INSERT INTO \`${p}customer_reward\` (customer_id, order_id, description, points, date_added) VALUES (?, 0, 'Nyitó pontok', 1000, NOW())`, [rewardCustomerId]);
  }

  const rates = new Map<string, { type: 'P' | 'F'; rate: number }>([[RATE_27, { type: 'P', rate: 27 }], [RATE_5, { type: 'P', rate: 5 }], [RATE_ECO, { type: 'F', rate: 2 }]]);
  return { countryId, zoneId, customerGroupId, classes, rates, products: { a27: ids[0]!, b5: ids[1]!, cEco: ids[2]! }, rewardCustomerId, creditCustomerId, voucherThemeId: Number(theme?.voucher_theme_id ?? 0), setSetting };
}
