// Reference data of the shop: languages, customer groups, tax classes, store 0. Ids are never
// assumed: they are read from the shop's own tables and settings.
import type { Database } from '../db/database.js';
import { readConfigValue } from './setting-rows.js';
import { ShopSchemaError } from './schema.js';

export interface Language {
  languageId: number;
  code: string;
  name: string;
}

export interface CustomerGroup {
  customerGroupId: number;
  name: string;
}

export interface TaxClass {
  taxClassId: number;
  title: string;
  /** Sum of the class's percentage rates (OpenCart applies them all). */
  percent: number;
}

export { ShopSchemaError } from './schema.js';

export async function listLanguages(db: Database): Promise<Language[]> {
  const rows = await db.knex(db.t('language')).orderBy(['sort_order', 'language_id']).select('language_id', 'code', 'name');
  return rows.map((r) => ({ languageId: Number(r.language_id), code: r.code, name: r.name }));
}

/**
 * The storefront's default language: setting config_language → language.code (4.1 splits it
 * into config_language_catalog for the storefront and config_language_admin).
 */
export async function defaultLanguage(db: Database): Promise<Language> {
  const code = (await readConfigValue(db, 'config_language')) ?? (await readConfigValue(db, 'config_language_catalog'));
  const languages = await listLanguages(db);
  const found = languages.find((l) => l.code === code) ?? languages[0];
  if (!found) throw new ShopSchemaError('the shop has no language rows');
  return found;
}

export async function listCustomerGroups(db: Database): Promise<CustomerGroup[]> {
  const lang = await defaultLanguage(db);
  const rows = await db.knex(`${db.t('customer_group')} as cg`)
    .leftJoin(`${db.t('customer_group_description')} as cgd`, function () {
      this.on('cgd.customer_group_id', 'cg.customer_group_id').andOn('cgd.language_id', db.knex.raw('?', [lang.languageId]));
    })
    .orderBy(['cg.sort_order', 'cg.customer_group_id'])
    .select('cg.customer_group_id', 'cgd.name');
  return rows.map((r) => ({ customerGroupId: Number(r.customer_group_id), name: r.name ?? `#${r.customer_group_id}` }));
}

export async function listTaxClasses(db: Database): Promise<TaxClass[]> {
  const classes = await db.knex(db.t('tax_class')).orderBy('tax_class_id').select('tax_class_id', 'title');
  const rates = await db.knex(`${db.t('tax_rule')} as tr`)
    .join(`${db.t('tax_rate')} as r`, 'r.tax_rate_id', 'tr.tax_rate_id')
    .where('r.type', 'P')
    .select('tr.tax_class_id', 'r.rate');
  const percent = new Map<number, number>();
  for (const r of rates) percent.set(Number(r.tax_class_id), (percent.get(Number(r.tax_class_id)) ?? 0) + Number(r.rate));
  return classes.map((c) => ({ taxClassId: Number(c.tax_class_id), title: c.title, percent: percent.get(Number(c.tax_class_id)) ?? 0 }));
}

export interface OrderStatus {
  orderStatusId: number;
  name: string;
}

/** The shop's order statuses, named in the default language. */
export async function listOrderStatuses(db: Database): Promise<OrderStatus[]> {
  const lang = await defaultLanguage(db);
  const rows = await db.knex(db.t('order_status')).where({ language_id: lang.languageId }).orderBy('order_status_id').select('order_status_id', 'name');
  return rows.map((r) => ({ orderStatusId: Number(r.order_status_id), name: String(r.name) }));
}

export interface StoreInfo {
  storeId: 0;
  name: string;
  url: string;
}

export async function defaultStore(db: Database): Promise<StoreInfo> {
  return {
    storeId: 0,
    name: (await readConfigValue(db, 'config_name')) ?? '',
    url: (await readConfigValue(db, 'config_url')) ?? '',
  };
}
