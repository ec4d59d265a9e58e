// An OpenCart-3.0-compatible schema (same table and column names, same NOT NULL columns) for
// the tables erp-bridge touches. Used only for the embedded SQLite demo shop, or on request
// (`npm run demo:seed`); never on a real shop's database.
import type { Knex } from 'knex';
import type { Database } from '../../app/db/database.js';
import type { Migration } from '../types.js';

// 'name type[:default]' where type is inc, int, str<N>, text, dec<p,s>, date, datetime, bool.
export type Spec = { cols: string[]; pk?: string[]; idx?: string[][] };

const TABLES: Record<string, Spec> = {
  setting: { cols: ['setting_id inc', 'store_id int:0', 'code str128', 'key str128', 'value text', 'serialized bool'] },
  extension: { cols: ['extension_id inc', 'type str32', 'code str32'] },
  store: { cols: ['store_id inc', 'name str64', 'url str255', 'ssl str255'] },
  language: { cols: ['language_id inc', 'name str32', 'code str5', 'locale str255', 'image str64', 'directory str32', 'sort_order int:0', 'status bool'] },
  customer_group: { cols: ['customer_group_id inc', 'approval int', 'sort_order int'] },
  customer_group_description: { cols: ['customer_group_id int', 'language_id int', 'name str32', 'description text'], pk: ['customer_group_id', 'language_id'] },
  tax_class: { cols: ['tax_class_id inc', 'title str32', 'description str255', 'date_added datetime', 'date_modified datetime'] },
  tax_rate: { cols: ['tax_rate_id inc', 'geo_zone_id int:0', 'name str32', 'rate dec15,4:0', 'type str1', 'date_added datetime', 'date_modified datetime'] },
  tax_rule: { cols: ['tax_rule_id inc', 'tax_class_id int', 'tax_rate_id int', 'based str10', 'priority int:1'] },
  stock_status: { cols: ['stock_status_id int', 'language_id int', 'name str32'], pk: ['stock_status_id', 'language_id'] },
  order_status: { cols: ['order_status_id int', 'language_id int', 'name str32'], pk: ['order_status_id', 'language_id'] },
  product: {
    cols: [
      'product_id inc', 'model str64', 'sku str64', 'upc str12', 'ean str14', 'jan str13', 'isbn str17', 'mpn str64', 'location str128',
      'quantity int:0', 'stock_status_id int', 'image str255?', 'manufacturer_id int', 'shipping bool:1', 'price dec15,4:0', 'points int:0',
      'tax_class_id int', "date_available date:0000-00-00", 'weight dec15,8:0', 'weight_class_id int:0', 'length dec15,8:0', 'width dec15,8:0',
      'height dec15,8:0', 'length_class_id int:0', 'subtract bool:1', 'minimum int:1', 'sort_order int:0', 'status bool:0', 'viewed int:0',
      'date_added datetime', 'date_modified datetime',
    ],
  },
  product_description: {
    cols: ['product_id int', 'language_id int', 'name str255', 'description text', 'tag text', 'meta_title str255', 'meta_description str255', 'meta_keyword str255'],
    pk: ['product_id', 'language_id'],
  },
  product_special: {
    cols: ['product_special_id inc', 'product_id int', 'customer_group_id int', 'priority int:1', 'price dec15,4:0', 'date_start date:0000-00-00', 'date_end date:0000-00-00'],
    idx: [['product_id']],
  },
  product_to_store: { cols: ['product_id int', 'store_id int:0'], pk: ['product_id', 'store_id'] },
  product_to_category: { cols: ['product_id int', 'category_id int'], pk: ['product_id', 'category_id'], idx: [['category_id']] },
  category: {
    cols: ['category_id inc', 'image str255?', 'parent_id int:0', 'top bool', 'column int', 'sort_order int:0', 'status bool', 'date_added datetime', 'date_modified datetime'],
    idx: [['parent_id']],
  },
  category_description: {
    cols: ['category_id int', 'language_id int', 'name str255', 'description text', 'meta_title str255', 'meta_description str255', 'meta_keyword str255'],
    pk: ['category_id', 'language_id'],
  },
  category_path: { cols: ['category_id int', 'path_id int', 'level int'], pk: ['category_id', 'path_id'] },
  category_to_store: { cols: ['category_id int', 'store_id int'], pk: ['category_id', 'store_id'] },
  custom_field: { cols: ['custom_field_id inc', 'type str32', 'value text', 'validation str255', 'location str10', 'status bool', 'sort_order int'] },
  custom_field_description: { cols: ['custom_field_id int', 'language_id int', 'name str128'], pk: ['custom_field_id', 'language_id'] },
  order: {
    cols: [
      'order_id inc', 'invoice_no int:0', 'invoice_prefix str26', 'store_id int:0', 'store_name str64', 'store_url str255', 'customer_id int:0',
      'customer_group_id int:0', 'firstname str32', 'lastname str32', 'email str96', 'telephone str32', 'fax str32', 'custom_field text',
      'payment_firstname str32', 'payment_lastname str32', 'payment_company str60', 'payment_address_1 str128', 'payment_address_2 str128',
      'payment_city str128', 'payment_postcode str10', 'payment_country str128', 'payment_country_id int', 'payment_zone str128',
      'payment_zone_id int', 'payment_address_format text', 'payment_custom_field text', 'payment_method str128', 'payment_code str128',
      'shipping_firstname str32', 'shipping_lastname str32', 'shipping_company str40', 'shipping_address_1 str128', 'shipping_address_2 str128',
      'shipping_city str128', 'shipping_postcode str10', 'shipping_country str128', 'shipping_country_id int', 'shipping_zone str128',
      'shipping_zone_id int', 'shipping_address_format text', 'shipping_custom_field text', 'shipping_method str128', 'shipping_code str128',
      'comment text', 'total dec15,4:0', 'order_status_id int:0', 'affiliate_id int', 'commission dec15,4', 'marketing_id int', 'tracking str64',
      'language_id int', 'currency_id int', 'currency_code str3', 'currency_value dec15,8:1', 'ip str40', 'forwarded_ip str40', 'user_agent str255',
      'accept_language str255', 'date_added datetime', 'date_modified datetime',
    ],
  },
  order_product: {
    cols: ['order_product_id inc', 'order_id int', 'product_id int', 'name str255', 'model str64', 'quantity int', 'price dec15,4:0', 'total dec15,4:0', 'tax dec15,4:0', 'reward int'],
    idx: [['order_id']],
  },
  order_option: {
    cols: ['order_option_id inc', 'order_id int', 'order_product_id int', 'product_option_id int', 'product_option_value_id int:0', 'name str255', 'value text', 'type str32'],
  },
  order_total: { cols: ['order_total_id inc', 'order_id int', 'code str32', 'title str255', 'value dec15,4:0', 'sort_order int'], idx: [['order_id']] },
  order_history: { cols: ['order_history_id inc', 'order_id int', 'order_status_id int', 'notify bool:0', 'comment text', 'date_added datetime'] },
  session: { cols: ['session_id str32', 'data text', 'expire datetime'], pk: ['session_id'] },
  user: {
    cols: ['user_id inc', 'user_group_id int', 'username str20', 'password str255', 'salt str9', 'firstname str32', 'lastname str32', 'email str96', 'image str255', 'code str40', 'ip str40', 'status bool', 'date_added datetime'],
  },
  user_group: { cols: ['user_group_id inc', 'name str64', 'permission text'] },
};

function addColumn(t: Knex.CreateTableBuilder, spec: string): void {
  const [name, rawType] = spec.split(' ') as [string, string];
  const [typeWithNull, def] = rawType.split(':') as [string, string | undefined];
  const nullable = typeWithNull.endsWith('?');
  const type = typeWithNull.replace(/\?$/, '');
  let col: Knex.ColumnBuilder;
  if (type === 'inc') {
    t.increments(name);
    return;
  } else if (type === 'int') col = t.integer(name);
  else if (type === 'bool') col = t.tinyint(name);
  else if (type === 'text') col = t.text(name);
  else if (type === 'date') col = t.date(name);
  else if (type === 'datetime') col = t.dateTime(name);
  else if (type.startsWith('str')) col = t.string(name, Number(type.slice(3)));
  else if (type.startsWith('dec')) {
    const [p, s] = type.slice(3).split(',').map(Number) as [number, number];
    col = t.decimal(name, p, s);
  } else throw new Error(`demo schema: unknown type ${type}`);
  if (nullable) col.nullable();
  else col.notNullable();
  if (def !== undefined) col.defaultTo(def);
}

/** Creates the tables that do not exist yet (later demo migrations add tables with it). */
export async function createDemoTables(db: Database, tables: Record<string, Spec>): Promise<void> {
  for (const [name, spec] of Object.entries(tables)) {
    if (await db.knex.schema.hasTable(db.t(name))) continue;
    await db.knex.schema.createTable(db.t(name), (t) => {
      db.dialect.shopTableOptions(t);
      for (const c of spec.cols) addColumn(t, c);
      if (spec.pk) t.primary(spec.pk);
      for (const cols of spec.idx ?? []) t.index(cols, `${db.t(name)}_${cols.join('_')}`);
    });
  }
}

export const demoShopSchema: Migration = {
  name: '001_demo_shop_schema',
  async up(db) {
    await createDemoTables(db, TABLES);
  },
  async down(db) {
    for (const name of Object.keys(TABLES).reverse()) await db.knex.schema.dropTableIfExists(db.t(name));
  },
};
