// The one place that knows the shop's schema. OpenCart releases differ in columns (3.0 has
// `product.viewed`, 4.x has `master_id`/`rating`, 4.1 drops `category.top`), in where specials
// live (4.1: rows of `product_discount` with `special = 1`), in nullability and in charset and
// collation. At start erp-bridge reads what the shop's tables have, once, and every write asks
// this profile which columns to fill, so each row is the one the release's own admin would
// write. No code elsewhere checks a version number.
import type { Database } from '../db/database.js';
import type { ColumnDescription } from '../db/dialects/types.js';
import { sqlString } from '../db/sql.js';

export class ShopSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShopSchemaError';
  }
}

/** Where the shop keeps specials, and what marks a row as one. */
export interface SpecialsTable {
  /** Prefixed table name. */
  table: string;
  idColumn: string;
  /** Condition (alias-free column names, prefixed by the caller's alias) that selects specials only. */
  filter(alias: string): string;
  /** Columns that make a row a special (4.1: quantity 1, special flag); `filter` tests them. */
  marker: Record<string, number | string>;
  /** Columns whose value belongs to the promo (4.1: type F, the price is the price shown). */
  fixed: Record<string, number | string>;
}

/** The tables erp-bridge reads or writes; their columns make the profile. */
const PROFILED_TABLES = [
  'setting', 'extension', 'language', 'product', 'product_description', 'product_special', 'product_discount', 'product_to_store',
  'product_to_category', 'category', 'category_description', 'category_path', 'category_to_store', 'customer_group', 'tax_class',
  'seo_url', 'order', 'order_voucher', 'address', 'customer', 'country', 'country_description', 'zone', 'zone_description',
  'custom_field', 'custom_field_description',
];

/** What must exist, table by table; a missing one is named in the start-up error. */
const REQUIRED: Record<string, string[]> = {
  setting: ['store_id', 'code', 'key', 'value', 'serialized'],
  extension: ['type', 'code'],
  language: ['language_id', 'code'],
  product: ['product_id', 'model', 'sku', 'price', 'quantity', 'tax_class_id', 'status', 'date_modified'],
  product_description: ['product_id', 'language_id', 'name', 'description'],
  product_to_store: ['product_id', 'store_id'],
  product_to_category: ['product_id', 'category_id'],
  category: ['category_id', 'parent_id', 'sort_order', 'status'],
  category_description: ['category_id', 'language_id', 'name'],
  category_path: ['category_id', 'path_id', 'level'],
  category_to_store: ['category_id', 'store_id'],
  customer_group: ['customer_group_id'],
  tax_class: ['tax_class_id'],
  order: ['order_id', 'order_status_id'],
};

export class ShopSchema {
  readonly specials: SpecialsTable;
  /** The shop's text collation (that of `product.model`); undefined on SQLite. */
  readonly textCollation: string | undefined;
  /**
   * The collation of the plugin's own text columns: the shop's, widened to utf8mb4 so that the
   * journal still takes any character (utf8mb3_general_ci → utf8mb4_general_ci). Same family,
   * so a comparison with a shop column never mixes collations.
   */
  readonly pluginCollation: string | undefined;
  /** 4.x seo_url has key/value; 3.0 has query. */
  readonly seoUrl: 'key_value' | 'query' | null;

  constructor(
    private readonly db: Database,
    private readonly tables: Map<string, Map<string, ColumnDescription>>,
  ) {
    if (tables.size === 0) throw new ShopSchemaError(`no OpenCart tables with prefix "${db.prefix}": check TABLE_PREFIX and DATABASE_URL`);
    const missing: string[] = [];
    for (const [table, cols] of Object.entries(REQUIRED)) {
      const have = tables.get(table);
      if (!have) missing.push(db.t(table));
      else for (const c of cols) if (!have.has(c)) missing.push(`${db.t(table)}.${c}`);
    }
    const discount = tables.get('product_discount');
    if (tables.has('product_special')) {
      this.specials = { table: db.t('product_special'), idColumn: 'product_special_id', filter: () => '1 = 1', marker: {}, fixed: {} };
    } else if (discount?.has('special')) {
      // 4.1: a special is a product_discount row with special = 1 for quantity 1; the admin's
      // "fixed amount" type (F) makes the price the price shown.
      this.specials = {
        table: db.t('product_discount'),
        idColumn: 'product_discount_id',
        filter: (a) => `${a}.special = 1 AND ${a}.quantity = 1`,
        marker: { quantity: 1, special: 1 },
        fixed: discount.has('type') ? { type: 'F' } : {},
      };
    } else {
      missing.push(`${db.t('product_special')} (or ${db.t('product_discount')}.special)`);
      this.specials = { table: db.t('product_special'), idColumn: 'product_special_id', filter: () => '1 = 1', marker: {}, fixed: {} };
    }
    if (missing.length > 0)
      throw new ShopSchemaError(
        `the database with prefix "${db.prefix}" is not an OpenCart shop erp-bridge knows (missing ${missing.join(', ')}): check TABLE_PREFIX and DATABASE_URL`,
      );
    this.textCollation = tables.get('product')!.get('model')!.collation ?? undefined;
    this.pluginCollation = widenToUtf8mb4(this.textCollation);
    const seo = tables.get('seo_url');
    this.seoUrl = seo?.has('key') && seo.has('value') ? 'key_value' : seo?.has('query') ? 'query' : null;
  }

  has(table: string, column?: string): boolean {
    const cols = this.tables.get(table);
    return !!cols && (column === undefined || cols.has(column));
  }

  columns(table: string): ColumnDescription[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  /**
   * The columns and SQL expressions of a new row, as the release's admin writes it: the given
   * values for the columns this shop has (others are dropped, e.g. `viewed` on 4.x), and for
   * every other NOT NULL column without a default (e.g. 4.0's `rating`), the type's zero value.
   */
  insertColumns(table: string, values: Record<string, string>): { columns: string[]; exprs: string[] } {
    const cols = this.tables.get(table);
    if (!cols) throw new ShopSchemaError(`the shop has no ${this.db.t(table)} table`);
    const columns: string[] = [];
    const exprs: string[] = [];
    for (const c of cols.values()) {
      if (c.name in values) {
        columns.push(c.name);
        exprs.push(values[c.name]!);
      } else if (!c.nullable && !c.hasDefault && !c.autoIncrement) {
        columns.push(c.name);
        exprs.push(zeroOf(c));
      }
    }
    return { columns, exprs };
  }

  /** Same as insertColumns for a row of plain values (knex inserts). */
  completeRow<T extends Record<string, unknown>>(table: string, row: T): Record<string, unknown> {
    const cols = this.tables.get(table);
    if (!cols) throw new ShopSchemaError(`the shop has no ${this.db.t(table)} table`);
    const out: Record<string, unknown> = {};
    for (const c of cols.values()) {
      if (c.name in row) out[c.name] = row[c.name];
      else if (!c.nullable && !c.hasDefault && !c.autoIncrement) out[c.name] = zeroValue(c);
    }
    return out;
  }
}

function zeroValue(c: ColumnDescription): string | number {
  switch (c.kind) {
    case 'number':
      return 0;
    case 'date':
      return '0000-00-00';
    case 'datetime':
      return '0000-00-00 00:00:00';
    default:
      return '';
  }
}

function zeroOf(c: ColumnDescription): string {
  const v = zeroValue(c);
  return typeof v === 'number' ? String(v) : sqlString(v);
}

function widenToUtf8mb4(collation: string | undefined): string | undefined {
  if (!collation) return undefined;
  if (collation.startsWith('utf8mb4_')) return collation;
  const m = /^utf8(?:mb3)?_(.+)$/.exec(collation);
  return m ? `utf8mb4_${m[1]}` : 'utf8mb4_unicode_ci';
}

const cache = new WeakMap<Database, Promise<ShopSchema>>();

/** The shop's schema profile, read once per database handle. */
export function shopSchema(db: Database): Promise<ShopSchema> {
  let p = cache.get(db);
  if (!p) {
    p = readShopSchema(db);
    cache.set(db, p);
    // A failed read (database down at start) is tried again next time.
    p.catch(() => cache.delete(db));
  }
  return p;
}

async function readShopSchema(db: Database): Promise<ShopSchema> {
  const described = await db.dialect.describeColumns(db.knex, PROFILED_TABLES.map((t) => db.t(t)));
  const tables = new Map<string, Map<string, ColumnDescription>>();
  for (const c of described) {
    const name = c.table.slice(db.prefix.length);
    if (!tables.has(name)) tables.set(name, new Map());
    tables.get(name)!.set(c.name, c);
  }
  return new ShopSchema(db, tables);
}

/** Forgets the profile (tests that change the shop's schema under a running app). */
export function forgetShopSchema(db: Database): void {
  cache.delete(db);
}
