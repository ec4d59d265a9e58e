// The rest of OpenCart's tax configuration for the demo shop, so its orders are priced the way
// OpenCart prices them (app/erp/order-vat.ts): the geo zone's members, which customer groups each
// rate applies to, the store address, the flat shipping's and handling's tax classes, and the
// coupon tables. The demo orders get one `tax` total per rate, titled with the rate's name, as
// OpenCart writes them.
import type { Migration } from '../types.js';
import { createDemoTables, type Spec } from './001_demo_shop_schema.js';

const TABLES: Record<string, Spec> = {
  geo_zone: { cols: ['geo_zone_id inc', 'name str32', 'description str255', 'date_added datetime', 'date_modified datetime'] },
  zone_to_geo_zone: { cols: ['zone_to_geo_zone_id inc', 'country_id int', 'zone_id int:0', 'geo_zone_id int', 'date_added datetime', 'date_modified datetime'] },
  tax_rate_to_customer_group: { cols: ['tax_rate_id int', 'customer_group_id int'], pk: ['tax_rate_id', 'customer_group_id'] },
  coupon: {
    cols: ['coupon_id inc', 'name str128', 'code str20', 'type str1', 'discount dec15,4', 'logged bool', 'shipping bool', 'total dec15,4', 'date_start date:0000-00-00',
      'date_end date:0000-00-00', 'uses_total int', 'uses_customer str11', 'status bool', 'date_added datetime'],
  },
  coupon_product: { cols: ['coupon_product_id inc', 'coupon_id int', 'product_id int'] },
  coupon_category: { cols: ['coupon_id int', 'category_id int'], pk: ['coupon_id', 'category_id'] },
};

const ADDED = '2026-01-05 09:00:00';
const HUNGARY = 97; // OpenCart's country id of Hungary

export const demoShopTaxZones: Migration = {
  name: '003_demo_shop_tax_zones',
  async up(db) {
    await createDemoTables(db, TABLES);
    const k = db.knex;
    await k(db.t('geo_zone')).insert({ geo_zone_id: 1, name: 'Magyarország', description: 'ÁFA', date_added: ADDED, date_modified: ADDED });
    await k(db.t('zone_to_geo_zone')).insert({ country_id: HUNGARY, zone_id: 0, geo_zone_id: 1, date_added: ADDED, date_modified: ADDED });
    await k(db.t('tax_rate_to_customer_group')).insert([1, 2].flatMap((rate) => [1, 2].map((group) => ({ tax_rate_id: rate, customer_group_id: group }))));
    await k(db.t('setting')).insert([
      ['config', 'config_country_id', String(HUNGARY)],
      ['config', 'config_zone_id', '0'],
      ['config', 'config_tax_default', 'shipping'],
      ['shipping_flat', 'shipping_flat_tax_class_id', '9'],
      ['total_handling', 'total_handling_tax_class_id', '9'],
    ].map(([code, key, value]) => ({ store_id: 0, code, key, value, serialized: 0 })));
    // One tax row per rate, as OpenCart writes them (the seed had one blended row).
    const orders = await k(db.t('order')).select('order_id');
    for (const { order_id } of orders) {
      const lines = await k(`${db.t('order_product')} as op`).join(`${db.t('product')} as p`, 'p.product_id', 'op.product_id').where('op.order_id', order_id).select('op.price', 'op.quantity', 'p.tax_class_id');
      const shipping = Number((await k(db.t('order_total')).where({ order_id, code: 'shipping' }).first())?.value ?? 0);
      const at = (cls: number) => lines.filter((l) => Number(l.tax_class_id) === cls).reduce((a, l) => a + Number(l.price) * Number(l.quantity), 0);
      const rows = [['ÁFA (27%)', (at(9) + shipping) * 0.27], ['ÁFA (5%)', at(10) * 0.05]] as const;
      await k(db.t('order_total')).where({ order_id, code: 'tax' }).delete();
      for (const [title, value] of rows) if (value > 0) await k(db.t('order_total')).insert({ order_id, code: 'tax', title, value: Math.round(value * 10000) / 10000, sort_order: 5 });
    }
  },
  async down(db) {
    for (const name of Object.keys(TABLES).reverse()) await db.knex.schema.dropTableIfExists(db.t(name));
  },
};
