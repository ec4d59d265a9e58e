// The shop's small tables through app/shop's own functions, called directly on each database:
// the `setting` rows (setting-rows.ts), erp-bridge's place in `setting` and `extension`
// (extension.ts), the reference data (catalog.ts: languages, customer groups, tax classes, order
// statuses, store 0), products by code (products.ts) and category SEO URLs in 3.0's and 4.x's
// shapes (seo-urls.ts). The HTTP suites reach these only through whole pushes and pages; here each
// promise is checked on its own.
//
// The shop is the demo shop (SQLite) or OpenCart 3.0.3.8's install SQL for these tables only, with
// a second language (test/support/shop-tables.ts): StrykerJS re-runs `beforeAll` for every mutant.
// Where a test needs a table in a state the shop must never be left in (no language at all, no
// config row, an empty `setting`), it works on a copy of the shop's table made in `beforeAll`
// (same columns, same engine) through a handle whose `t()` names the copy; SEO URLs are written to
// tables in 3.0's and 4.x's shape beside the shop's, so both shapes run on every database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../app/db/database.js';
import {
  ShopSchemaError, defaultLanguage, defaultStore, listCustomerGroups, listLanguages, listOrderStatuses, listTaxClasses,
} from '../../app/shop/catalog.js';
import { EXTENSION_CODE, LEGACY_SETTING_CODE, PACKAGE_MARKER_KEY, SETTING_CODE, migrateLegacySettings, moduleState } from '../../app/shop/extension.js';
import { findProductsByCode, productSummaries } from '../../app/shop/products.js';
import { ShopSchema, shopSchema } from '../../app/shop/schema.js';
import { writeCategorySeoUrls, type CategorySeoChange } from '../../app/shop/seo-urls.js';
import { readConfigValue, readSettingMap, readSettingRows, writeSettingRows } from '../../app/shop/setting-rows.js';
import type { ColumnDescription } from '../../app/db/dialects/types.js';
import { TARGETS } from '../support/targets.js';
import { openShopTables, type ShopTables } from '../support/shop-tables.js';
import { addProduct, uniqueCode } from '../support/shop.js';

/** The OpenCart tables these tests read or write (and the ones the schema profile requires). */
const TABLES = [
  'setting', 'extension', 'language', 'product', 'product_description', 'product_special', 'product_discount', 'product_to_store',
  'product_to_category', 'category', 'category_description', 'category_path', 'category_to_store', 'customer_group',
  'customer_group_description', 'tax_class', 'tax_rate', 'tax_rule', 'order_status', 'order', 'seo_url',
];

/** A handle on the same database whose `t()` names the copies given instead of the shop's tables. */
function withTables(db: Database, names: Record<string, string>): Database {
  return {
    knex: db.knex,
    dialect: db.dialect,
    prefix: db.prefix,
    t: (n: string) => names[n] ?? db.t(n),
    own: db.own,
    get reads() {
      return this;
    },
    close: db.close,
  };
}

/** Copies the structure of a shop table (no rows): CREATE TABLE … LIKE on MariaDB, the stored DDL on SQLite. */
async function copyTable(db: Database, table: string, copy: string): Promise<void> {
  if (db.dialect.name === 'mysql') {
    await db.knex.raw(`CREATE TABLE \`${copy}\` LIKE \`${db.t(table)}\``);
    return;
  }
  const row = (await db.knex.raw('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?', ['table', db.t(table)])) as Array<{ sql: string }>;
  await db.knex.raw(row[0]!.sql.replace(db.t(table), copy));
}

/** The SQL of every statement `fn` sends. */
async function statements(db: Database, fn: () => Promise<unknown>): Promise<string[]> {
  const sql: string[] = [];
  const on = (q: { sql: string }) => void sql.push(q.sql);
  db.knex.on('query', on);
  try {
    await fn();
  } finally {
    db.knex.removeListener('query', on);
  }
  return sql;
}

const byKey = <T extends { key: string }>(rows: T[]) => [...rows].sort((a, b) => a.key.localeCompare(b.key));
let counter = 0;
/** A short lower-case token unique in this process (keywords, codes). */
const token = () => `${process.pid.toString(36)}${(++counter).toString(36)}`;

describe.each(TARGETS)('the shop\'s tables through app/shop on $name', (target) => {
  let shop: ShopTables;
  const db = () => shop.db;
  /** Copies of setting, language and extension; SEO tables in 3.0's and 4.x's shape. */
  let copies: Database;
  let seo3: Database;
  let seo4: Database;
  let languageIds: number[];

  beforeAll(async () => {
    shop = await openShopTables(target, TABLES);
    const d = db();
    const p = d.prefix;
    const names = { setting: `${p}x_setting`, language: `${p}x_language`, extension: `${p}x_extension` };
    for (const [table, copy] of Object.entries(names)) await copyTable(d, table, copy);
    copies = withTables(d, names);
    const myisam = (t: { engine(e: string): void }) => {
      if (d.dialect.name === 'mysql') t.engine('MyISAM');
    };
    await d.knex.schema.createTable(`${p}s3_seo_url`, (t) => {
      t.increments('seo_url_id');
      t.integer('store_id').notNullable();
      t.integer('language_id').notNullable();
      t.string('query', 255).notNullable();
      t.string('keyword', 255).notNullable();
      myisam(t);
    });
    await d.knex.schema.createTable(`${p}s4_seo_url`, (t) => {
      t.increments('seo_url_id');
      t.integer('store_id').notNullable();
      t.integer('language_id').notNullable();
      t.string('key', 64).notNullable();
      t.string('value', 255).notNullable();
      t.string('keyword', 255).notNullable();
      t.integer('sort_order').notNullable();
      myisam(t);
    });
    seo3 = withTables(d, { seo_url: `${p}s3_seo_url` });
    seo4 = withTables(d, { seo_url: `${p}s4_seo_url` });
    languageIds = (await d.knex(d.t('language')).orderBy('language_id').select('language_id')).map((r) => Number(r.language_id));
  });
  afterAll(async () => shop?.cleanup());

  const clear = async (h: Database, ...tables: string[]) => {
    for (const t of tables) await h.knex(h.t(t)).delete();
  };
  const settingRow = (key: string, value: string, over: Record<string, unknown> = {}) => ({ store_id: 0, code: 'config', key, value, serialized: 0, ...over });

  describe('setting rows', () => {
    it('reads the rows of one code and store, and a config value of store 0', async () => {
      await clear(copies, 'setting');
      await copies.knex(copies.t('setting')).insert([
        settingRow('a_one', '1', { code: 'a' }),
        settingRow('a_two', '["x"]', { code: 'a', serialized: 1 }),
        settingRow('a_one', 'store one', { code: 'a', store_id: 1 }),
        settingRow('b_one', 'b', { code: 'b' }),
        settingRow('config_name', 'Bolt'),
        settingRow('config_name', 'Other store', { store_id: 1 }),
        settingRow('config_url', 'not config', { code: 'a' }),
      ]);
      expect(byKey(await readSettingRows(copies, 'a'))).toEqual([
        { key: 'a_one', value: '1', serialized: 0 },
        { key: 'a_two', value: '["x"]', serialized: 1 },
        { key: 'config_url', value: 'not config', serialized: 0 },
      ]);
      expect(await readSettingRows(copies, 'a', 1)).toEqual([{ key: 'a_one', value: 'store one', serialized: 0 }]);
      expect(await readSettingRows(copies, 'c')).toEqual([]);
      expect(await readConfigValue(copies, 'config_name')).toBe('Bolt');
      expect(await readConfigValue(copies, 'config_url')).toBeUndefined();
      expect(await readConfigValue(copies, 'a_one')).toBeUndefined();
    });

    it('reads a code as a map in which the newest row of a key wins', async () => {
      await clear(copies, 'setting');
      const t = copies.t('setting');
      // The newer row (higher id) is stored first, so only the order by id finds it.
      await copies.knex(t).insert({ setting_id: 50, ...settingRow('k_dup', 'newest', { code: 'k' }) });
      await copies.knex(t).insert({ setting_id: 20, ...settingRow('k_dup', 'older', { code: 'k' }) });
      await copies.knex(t).insert({ setting_id: 30, ...settingRow('k_other', 'v', { code: 'k', serialized: 1 }) });
      await copies.knex(t).insert({ setting_id: 40, ...settingRow('k_dup', 'store one', { code: 'k', store_id: 1 }) });
      await copies.knex(t).insert({ setting_id: 60, ...settingRow('k_dup', 'other code', { code: 'j' }) });
      const map = await readSettingMap(copies, 'k');
      expect([...map.entries()]).toEqual([
        ['k_dup', { key: 'k_dup', value: 'newest', serialized: 0 }],
        ['k_other', { key: 'k_other', value: 'v', serialized: 1 }],
      ]);
    });

    it('replaces the rows of the keys written, leaves other keys, codes and stores alone, and writes nothing for no rows', async () => {
      await clear(copies, 'setting');
      const t = copies.t('setting');
      expect(await statements(copies, () => writeSettingRows(copies, 'w', []))).toEqual([]);
      // On an empty table (no id yet) the rows are written as they are.
      await writeSettingRows(copies, 'w', [{ key: 'w_first', value: '1', serialized: 0 }]);
      expect(await copies.knex(t).select('store_id', 'code', 'key', 'value', 'serialized')).toEqual([{ store_id: 0, code: 'w', key: 'w_first', value: '1', serialized: 0 }]);
      await copies.knex(t).insert([
        settingRow('w_a', 'old a', { code: 'w' }),
        settingRow('w_keep', 'kept', { code: 'w' }),
        settingRow('w_a', 'other code', { code: 'v' }),
        settingRow('w_a', 'store one', { code: 'w', store_id: 1 }),
      ]);
      // A duplicate left by a crash, the highest id of all: it goes too.
      await copies.knex(t).insert(settingRow('w_a', 'old a again', { code: 'w' }));
      await writeSettingRows(copies, 'w', [{ key: 'w_a', value: 'new a', serialized: 0 }, { key: 'w_b', value: '{"x":1}', serialized: 1 }]);
      const rows = await copies.knex(t).orderBy('setting_id').select('store_id', 'code', 'key', 'value', 'serialized');
      expect(rows).toEqual([
        { store_id: 0, code: 'w', key: 'w_first', value: '1', serialized: 0 },
        { store_id: 0, code: 'w', key: 'w_keep', value: 'kept', serialized: 0 },
        { store_id: 0, code: 'v', key: 'w_a', value: 'other code', serialized: 0 },
        { store_id: 1, code: 'w', key: 'w_a', value: 'store one', serialized: 0 },
        { store_id: 0, code: 'w', key: 'w_a', value: 'new a', serialized: 0 },
        { store_id: 0, code: 'w', key: 'w_b', value: '{"x":1}', serialized: 1 },
      ]);
      // Another store's rows: written and replaced there only.
      await writeSettingRows(copies, 'w', [{ key: 'w_a', value: 'store one new', serialized: 0 }], 1);
      expect(await copies.knex(t).where({ key: 'w_a' }).orderBy('setting_id').select('store_id', 'code', 'value')).toEqual([
        { store_id: 0, code: 'v', value: 'other code' },
        { store_id: 0, code: 'w', value: 'new a' },
        { store_id: 1, code: 'w', value: 'store one new' },
      ]);
    });
  });

  describe('erp-bridge in setting and extension', () => {
    const marker = (over: Record<string, unknown> = {}) => settingRow(PACKAGE_MARKER_KEY, '1', { code: SETTING_CODE, ...over });

    it('is standalone without the package marker, installed with it and the extension row, uninstalled with the marker alone', async () => {
      await clear(copies, 'setting', 'extension');
      const ext = copies.knex.bind(null, copies.t('extension'));
      // Rows that are not the marker or not erp-bridge's extension row do not count.
      await copies.knex(copies.t('setting')).insert([marker({ store_id: 1 }), marker({ code: LEGACY_SETTING_CODE }), settingRow('erp_bridge_other', '1', { code: SETTING_CODE })]);
      await ext().insert({ type: 'module', code: EXTENSION_CODE });
      expect(await moduleState(copies)).toBe('standalone');
      await copies.knex(copies.t('setting')).insert(marker());
      await ext().delete();
      await ext().insert([{ type: 'payment', code: EXTENSION_CODE }, { type: 'module', code: 'other' }]);
      expect(await moduleState(copies)).toBe('uninstalled');
      await ext().insert({ type: 'module', code: EXTENSION_CODE });
      expect(await moduleState(copies)).toBe('installed');
    });

    it('moves settings from module_erp_bridge to erp_bridge, keeps what is already stored under the new code, and removes the old rows', async () => {
      await clear(copies, 'setting', 'extension');
      const t = copies.t('setting');
      await copies.knex(t).insert([
        settingRow('erp_bridge_kept', 'new value', { code: SETTING_CODE }),
        settingRow('module_erp_bridge_first', 'one', { code: LEGACY_SETTING_CODE }),
        settingRow('module_erp_bridge_kept', 'old value', { code: LEGACY_SETTING_CODE }),
        settingRow('module_erp_bridge_status', '1', { code: LEGACY_SETTING_CODE }),
        settingRow('module_erp_bridgeless', 'x', { code: LEGACY_SETTING_CODE }),
        settingRow('other_key', 'y', { code: LEGACY_SETTING_CODE }),
        settingRow('module_erp_bridge_list', '["a","b"]', { code: LEGACY_SETTING_CODE, serialized: 1 }),
        settingRow('module_erp_bridge_elsewhere', 'z', { code: LEGACY_SETTING_CODE, store_id: 1 }),
        settingRow('config_name', 'Bolt'),
      ]);
      await copies.knex(copies.t('extension')).insert([{ type: 'module', code: EXTENSION_CODE }, { type: 'module', code: 'other' }, { type: 'payment', code: EXTENSION_CODE }]);
      expect(await migrateLegacySettings(copies)).toEqual(['erp_bridge_first', 'erp_bridge_list']);
      expect(await copies.knex(t).orderBy('setting_id').select('store_id', 'code', 'key', 'value', 'serialized')).toEqual([
        { store_id: 0, code: SETTING_CODE, key: 'erp_bridge_kept', value: 'new value', serialized: 0 },
        { store_id: 0, code: 'config', key: 'config_name', value: 'Bolt', serialized: 0 },
        { store_id: 0, code: SETTING_CODE, key: 'erp_bridge_first', value: 'one', serialized: 0 },
        { store_id: 0, code: SETTING_CODE, key: 'erp_bridge_list', value: '["a","b"]', serialized: 1 },
      ]);
      // No package marker: the extension row the old erp-bridge wrote goes, no other.
      expect(await copies.knex(copies.t('extension')).orderBy('extension_id').select('type', 'code')).toEqual([{ type: 'module', code: 'other' }, { type: 'payment', code: EXTENSION_CODE }]);
    });

    it('keeps the extension row when the package marker is stored, and leaves setting alone when nothing is under the old code', async () => {
      await clear(copies, 'setting', 'extension');
      await copies.knex(copies.t('setting')).insert([marker(), settingRow('erp_bridge_x', '1', { code: SETTING_CODE })]);
      await copies.knex(copies.t('extension')).insert({ type: 'module', code: EXTENSION_CODE });
      const sql = await statements(copies, async () => expect(await migrateLegacySettings(copies)).toEqual([]));
      expect(sql.filter((s) => /^(insert|update|delete)/i.test(s))).toEqual([]);
      expect(await copies.knex(copies.t('extension')).select('type', 'code')).toEqual([{ type: 'module', code: EXTENSION_CODE }]);
      expect(await copies.knex(copies.t('setting')).count({ n: '*' }).first()).toEqual({ n: 2 });
      // A marker stored under the legacy code is not the package's.
      await clear(copies, 'setting');
      await copies.knex(copies.t('setting')).insert(marker({ code: LEGACY_SETTING_CODE, key: 'module_erp_bridge_x' }));
      expect(await migrateLegacySettings(copies)).toEqual(['erp_bridge_x']);
      expect(await copies.knex(copies.t('extension')).select('type', 'code')).toEqual([]);
    });
  });

  describe('reference data', () => {
    /** A language row in the release's shape (3.0: image and directory; 4.x: extension). */
    const lang = async (id: number, code: string, sort: number) =>
      (await shopSchema(db())).completeRow('language', { language_id: id, name: `Nyelv ${code}`, code, locale: '', image: '', directory: '', extension: '', sort_order: sort, status: 1 });

    it('lists languages by sort order, then id', async () => {
      await clear(copies, 'language');
      // Stored out of order, so only the ORDER BY puts them right.
      await copies.knex(copies.t('language')).insert([await lang(40, 'zz-d', 1), await lang(30, 'zz-c', 2), await lang(20, 'zz-b', 1), await lang(10, 'zz-a', 3)]);
      expect(await listLanguages(copies)).toEqual([
        { languageId: 20, code: 'zz-b', name: 'Nyelv zz-b' },
        { languageId: 40, code: 'zz-d', name: 'Nyelv zz-d' },
        { languageId: 30, code: 'zz-c', name: 'Nyelv zz-c' },
        { languageId: 10, code: 'zz-a', name: 'Nyelv zz-a' },
      ]);
    });

    it('finds the default language by config_language, else config_language_catalog (4.1), else the first', async () => {
      await clear(copies, 'language', 'setting');
      await copies.knex(copies.t('language')).insert([await lang(10, 'zz-a', 1), await lang(20, 'zz-b', 2), await lang(30, 'zz-c', 3)]);
      const s = copies.knex.bind(null, copies.t('setting'));
      const zz = (id: number, code: string) => ({ languageId: id, code, name: `Nyelv ${code}` });
      // Not store 0's config: ignored.
      await s().insert([settingRow('config_language', 'zz-b', { store_id: 1 }), settingRow('config_language', 'zz-b', { code: 'other' })]);
      expect(await defaultLanguage(copies)).toEqual(zz(10, 'zz-a'));
      await s().insert(settingRow('config_language_catalog', 'zz-b'));
      expect(await defaultLanguage(copies)).toEqual(zz(20, 'zz-b'));
      await s().insert(settingRow('config_language', 'zz-c'));
      expect(await defaultLanguage(copies)).toEqual(zz(30, 'zz-c'));
      await s().where({ key: 'config_language', store_id: 0, code: 'config' }).update({ value: 'xx-x' });
      expect(await defaultLanguage(copies)).toEqual(zz(10, 'zz-a'));
      await clear(copies, 'language');
      await expect(defaultLanguage(copies)).rejects.toThrow(new ShopSchemaError('the shop has no language rows'));
      await expect(defaultLanguage(copies)).rejects.toBeInstanceOf(ShopSchemaError);
    });

    it('names store 0 from config_name and config_url, empty when not set', async () => {
      await clear(copies, 'setting');
      const s = copies.knex.bind(null, copies.t('setting'));
      await s().insert([settingRow('config_name', 'Other', { store_id: 1 }), settingRow('config_url', 'http://other/', { code: 'x' })]);
      expect(await defaultStore(copies)).toEqual({ storeId: 0, name: '', url: '' });
      await s().insert([settingRow('config_name', 'Bolt & Kert'), settingRow('config_url', 'https://bolt.test/')]);
      expect(await defaultStore(copies)).toEqual({ storeId: 0, name: 'Bolt & Kert', url: 'https://bolt.test/' });
    });

    it('lists customer groups by sort order in the default language, #id for a group without a name there', async () => {
      const k = db().knex;
      const def = (await defaultLanguage(db())).languageId;
      const other = languageIds.find((l) => l !== def)!;
      const max = Number((await k(db().t('customer_group')).max({ m: 'customer_group_id' }).first())!.m);
      const [g1, g2, g3] = [max + 30, max + 10, max + 20];
      try {
        // Stored out of id order, sort orders against the ids: only both ORDER BY terms put them right.
        await k(db().t('customer_group')).insert([
          { customer_group_id: g1, approval: 0, sort_order: 901 },
          { customer_group_id: g2, approval: 0, sort_order: 902 },
          { customer_group_id: g3, approval: 0, sort_order: 901 },
        ]);
        await k(db().t('customer_group_description')).insert([
          { customer_group_id: g1, language_id: def, name: 'Első', description: '' },
          { customer_group_id: g1, language_id: other, name: 'First', description: '' },
          { customer_group_id: g2, language_id: other, name: 'Second', description: '' },
          { customer_group_id: g3, language_id: other, name: 'Third', description: '' },
          { customer_group_id: g3, language_id: def, name: 'Harmadik', description: '' },
        ]);
        const all = await listCustomerGroups(db());
        expect(all.filter((g) => g.customerGroupId > max)).toEqual([
          { customerGroupId: g3, name: 'Harmadik' },
          { customerGroupId: g1, name: 'Első' },
          { customerGroupId: g2, name: `#${g2}` },
        ]);
        // The shop's own groups come first (their sort orders are lower), each once.
        expect(all.slice(0, -3).map((g) => g.customerGroupId)).toEqual(
          (await k(db().t('customer_group')).where('customer_group_id', '<=', max).orderBy(['sort_order', 'customer_group_id']).select('customer_group_id')).map((r) => Number(r.customer_group_id)),
        );
      } finally {
        await k(db().t('customer_group')).where('customer_group_id', '>', max).delete();
        await k(db().t('customer_group_description')).where('customer_group_id', '>', max).delete();
      }
    });

    it('lists tax classes by id with the sum of their percentage rates, fixed amounts left out', async () => {
      const k = db().knex;
      const max = Number((await k(db().t('tax_class')).max({ m: 'tax_class_id' }).first())!.m);
      const rateMax = Number((await k(db().t('tax_rate')).max({ m: 'tax_rate_id' }).first())!.m);
      const [c1, c2, c3] = [max + 10, max + 20, max + 30];
      const [pBig, pSmall, fixed] = [rateMax + 1, rateMax + 2, rateMax + 3];
      const cls = (id: number, title: string) => ({ tax_class_id: id, title, description: '', date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' });
      const rate = (id: number, r: number, type: string) => ({ tax_rate_id: id, geo_zone_id: 0, name: `R${id}`, rate: r, type, date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' });
      const rule = (classId: number, rateId: number) => ({ tax_class_id: classId, tax_rate_id: rateId, based: 'shipping', priority: 1 });
      // Only the columns the release has (4.1 has no dates on tax_class and tax_rate).
      const shaped = async (table: string, rows: Array<Record<string, unknown>>) => {
        const have = new Set((await db().dialect.describeColumns(k, [db().t(table)])).map((c) => c.name));
        return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([c]) => have.has(c))));
      };
      try {
        await k(db().t('tax_class')).insert(await shaped('tax_class', [cls(c3, 'Csak fix'), cls(c2, 'Szabály nélkül'), cls(c1, 'Két kulcs')]));
        await k(db().t('tax_rate')).insert(await shaped('tax_rate', [rate(pBig, 27.5, 'P'), rate(pSmall, 5, 'P'), rate(fixed, 100, 'F')]));
        await k(db().t('tax_rule')).insert([rule(c1, pBig), rule(c1, fixed), rule(c1, pSmall), rule(c3, fixed)]);
        const all = await listTaxClasses(db());
        expect(all.filter((c) => c.taxClassId > max)).toEqual([
          { taxClassId: c1, title: 'Két kulcs', percent: 32.5 },
          { taxClassId: c2, title: 'Szabály nélkül', percent: 0 },
          { taxClassId: c3, title: 'Csak fix', percent: 0 },
        ]);
        expect(all.slice(0, -3).map((c) => c.taxClassId)).toEqual(
          (await k(db().t('tax_class')).where('tax_class_id', '<=', max).orderBy('tax_class_id').select('tax_class_id')).map((r) => Number(r.tax_class_id)),
        );
      } finally {
        await k(db().t('tax_rule')).where('tax_class_id', '>', max).delete();
        await k(db().t('tax_rate')).where('tax_rate_id', '>', rateMax).delete();
        await k(db().t('tax_class')).where('tax_class_id', '>', max).delete();
      }
    });

    it('lists order statuses by id, named in the default language', async () => {
      const k = db().knex;
      const def = (await defaultLanguage(db())).languageId;
      const other = languageIds.find((l) => l !== def)!;
      const max = Number((await k(db().t('order_status')).max({ m: 'order_status_id' }).first())!.m);
      try {
        await k(db().t('order_status')).insert([
          { order_status_id: max + 20, language_id: other, name: 'Twenty' },
          { order_status_id: max + 20, language_id: def, name: 'Húsz' },
          { order_status_id: max + 10, language_id: def, name: 'Tíz' },
          { order_status_id: max + 10, language_id: other, name: 'Ten' },
        ]);
        const all = await listOrderStatuses(db());
        expect(all.filter((s) => s.orderStatusId > max)).toEqual([{ orderStatusId: max + 10, name: 'Tíz' }, { orderStatusId: max + 20, name: 'Húsz' }]);
        expect(all.slice(0, -2).map((s) => s.orderStatusId)).toEqual(
          (await k(db().t('order_status')).where({ language_id: def }).where('order_status_id', '<=', max).orderBy('order_status_id').select('order_status_id')).map((r) => Number(r.order_status_id)),
        );
      } finally {
        await k(db().t('order_status')).where('order_status_id', '>', max).delete();
      }
    });
  });

  describe('products', () => {
    it('finds products whose trimmed code field equals the trimmed code, byte for byte', async () => {
      const base = uniqueCode('M');
      const padded = await addProduct(db(), { model: `  ${base} ` });
      const exact = await addProduct(db(), { model: base });
      await addProduct(db(), { model: base.toLowerCase() });
      await addProduct(db(), { model: `${base}x` });
      const bySku = await addProduct(db(), { model: uniqueCode('N'), sku: base });
      expect((await findProductsByCode(db(), 'model', ` ${base}\t`)).sort((a, b) => a.productId - b.productId)).toEqual([
        { productId: padded, code: `  ${base} ` },
        { productId: exact, code: base },
      ]);
      expect(await findProductsByCode(db(), 'sku', base)).toEqual([{ productId: bySku, code: base }]);
      const ean = token().slice(0, 12);
      await db().knex(db().t('product')).where({ product_id: exact }).update({ ean });
      expect(await findProductsByCode(db(), 'ean', ean)).toEqual([{ productId: exact, code: ean }]);
      expect(await findProductsByCode(db(), 'model', `${base}-none`)).toEqual([]);
    });

    it('sums up products by id in one language: name (empty without one), price, stock and status', async () => {
      const def = (await defaultLanguage(db())).languageId;
      const other = languageIds.find((l) => l !== def)!;
      const a = await addProduct(db(), { model: uniqueCode('S'), price: 12.5, quantity: 3, name: 'Alma' });
      const b = await addProduct(db(), { model: uniqueCode('S'), price: 7, quantity: 0 });
      await db().knex(db().t('product')).where({ product_id: b }).update({ status: 0 });
      await db().knex(db().t('product_description')).where({ product_id: a, language_id: other }).update({ name: 'Apple' });
      await db().knex(db().t('product_description')).where({ product_id: b, language_id: other }).delete();
      const sorted = async (lang: number, ids: number[]) => (await productSummaries(db(), ids, lang)).sort((x, y) => x.productId - y.productId);
      expect(await sorted(other, [b, a, 999_999_999])).toEqual([
        { productId: a, name: 'Apple', price: 12.5, quantity: 3, status: 1 },
        { productId: b, name: '', price: 7, quantity: 0, status: 0 },
      ]);
      expect(await sorted(def, [a])).toEqual([{ productId: a, name: 'Alma', price: 12.5, quantity: 3, status: 1 }]);
      expect(await statements(db(), async () => expect(await productSummaries(db(), [], def)).toEqual([]))).toEqual([]);
    });
  });

  describe('category SEO URLs', () => {
    const rowsOf3 = async (where: Record<string, unknown> = {}) =>
      (await seo3.knex(seo3.t('seo_url')).where(where).orderBy('seo_url_id').select('store_id', 'language_id', 'query', 'keyword')).map((r) => ({ ...r }));
    type Row4 = { store_id: number; language_id: number; key: string; value: string; keyword: string; sort_order: number };
    const order4 = (x: Row4, y: Row4) => x.language_id - y.language_id || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0) || x.store_id - y.store_id || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
    const rowsOf4 = async (values: string[]) =>
      ((await seo4.knex(seo4.t('seo_url')).whereIn('value', values).select('store_id', 'language_id', 'key', 'value', 'keyword', 'sort_order')) as Row4[]).map((r) => ({ ...r })).sort(order4);
    /** The shop's profile with its seo_url table described from `seoTable` (none: null). */
    const profileWith = async (h: Database, seoTable: string | null) => {
      const s = await shopSchema(db());
      const tables = new Map<string, Map<string, ColumnDescription>>();
      for (const t of ['setting', 'extension', 'language', 'product', 'product_description', 'product_special', 'product_discount', 'product_to_store', 'product_to_category', 'category', 'category_description', 'category_path', 'category_to_store', 'customer_group', 'tax_class', 'order'])
        if (s.has(t)) tables.set(t, new Map(s.columns(t).map((c) => [c.name, c])));
      if (seoTable) tables.set('seo_url', new Map((await db().dialect.describeColumns(db().knex, [seoTable])).map((c) => [c.name, c])));
      return new ShopSchema(h, tables);
    };
    let nextId = 800_000;
    const ids = (n: number) => Array.from({ length: n }, () => ++nextId);
    const change = (categoryId: number, path: number[], name: string, oldPath: number[] | null = null): CategorySeoChange => ({ categoryId, path, oldPath, name });

    it('writes nothing without changes, or when the shop has no seo_url table', async () => {
      const schema = await shopSchema(db());
      expect(await statements(seo3, () => writeCategorySeoUrls(seo3, schema, languageIds, []))).toEqual([]);
      // A profile without seo_url (the SQLite demo shop has none).
      const none = await profileWith(seo3, null);
      expect(none.seoUrl).toBeNull();
      const [id] = ids(1);
      expect(await statements(seo3, () => writeCategorySeoUrls(seo3, none, languageIds, [change(id!, [id!], 'Kés')]))).toEqual([]);
    });

    describe('3.0: one row per category and language, query category_id=N', () => {
      const schema3 = () => profileWith(seo3, seo3.t('seo_url'));

      it('writes each category\'s own keyword in every language, numbered when store 0 already has it in that language', async () => {
        const schema = await schema3();
        expect(schema.seoUrl).toBe('query');
        const [l1, l2] = languageIds as [number, number];
        const u = token();
        const [a, b, c, d] = ids(4);
        const kw = `kes-${u}`;
        const t = seo3.t('seo_url');
        await seo3.knex(t).insert([
          { store_id: 0, language_id: l1, query: 'manufacturer_id=1', keyword: kw },
          { store_id: 0, language_id: l1, query: 'manufacturer_id=2', keyword: `${kw}-2` },
          { store_id: 1, language_id: l2, query: 'manufacturer_id=3', keyword: kw },
          // A language the push does not write (one removed from the shop since): not in the way.
          { store_id: 0, language_id: Math.max(l1, l2) + 50, query: 'manufacturer_id=4', keyword: kw },
          // c already has its row in l1 (kept as it is); in store 1 it has one in l2, which does not count.
          { store_id: 0, language_id: l1, query: `category_id=${c}`, keyword: `sajat-${u}` },
          { store_id: 1, language_id: l2, query: `category_id=${c}`, keyword: `masik-${u}` },
        ]);
        await writeCategorySeoUrls(seo3, schema, [l1, l2], [
          change(a!, [a!], `Kés ${u}`),
          change(b!, [b!], `Kés &amp; ${u}`),
          change(c!, [c!], `Villa ${u}`),
          change(d!, [d!], '&amp; !'),
        ]);
        const mine = (await rowsOf3()).filter((r) => [a, b, c, d].some((id) => r.query === `category_id=${id}`));
        expect(mine).toEqual([
          { store_id: 0, language_id: l1, query: `category_id=${c}`, keyword: `sajat-${u}` },
          { store_id: 1, language_id: l2, query: `category_id=${c}`, keyword: `masik-${u}` },
          { store_id: 0, language_id: l1, query: `category_id=${a}`, keyword: `${kw}-3` },
          { store_id: 0, language_id: l2, query: `category_id=${a}`, keyword: kw },
          { store_id: 0, language_id: l1, query: `category_id=${b}`, keyword: `${kw}-4` },
          { store_id: 0, language_id: l2, query: `category_id=${b}`, keyword: `${kw}-2` },
          { store_id: 0, language_id: l2, query: `category_id=${c}`, keyword: `villa-${u}` },
          { store_id: 0, language_id: l1, query: `category_id=${d}`, keyword: `category-${d}` },
          { store_id: 0, language_id: l2, query: `category_id=${d}`, keyword: `category-${d}` },
        ]);
        // A second run writes nothing new.
        const before = await rowsOf3();
        await writeCategorySeoUrls(seo3, schema, [l1, l2], [change(a!, [a!], `Kés ${u}`)]);
        expect(await rowsOf3()).toEqual(before);
      });
    });

    describe('4.x: key path, value the path\'s ids, keyword the parent\'s and its own', () => {
      const schema4 = () => profileWith(seo4, seo4.t('seo_url'));
      const row = (language_id: number, value: string, keyword: string, over: Partial<Row4> = {}): Row4 => ({ store_id: 0, language_id, key: 'path', value, keyword, sort_order: 0, ...over });

      it('writes a new tree parents first, each keyword under its parent\'s, replacing a stale row of the same path', async () => {
        const schema = await schema4();
        expect(schema.seoUrl).toBe('key_value');
        const [l1, l2] = languageIds as [number, number];
        const u = token();
        const [p, c, g] = ids(3);
        const [vp, vc, vg] = [`${p}`, `${p}_${c}`, `${p}_${c}_${g}`];
        await seo4.knex(seo4.t('seo_url')).insert([
          // Taken in l1 by another path: the parent gets -2 there.
          row(l1, '1_2_3', `konyha-${u}`),
          // A stale row of the parent's path in l1 (goes), and rows that are not store 0's path rows (stay).
          row(l1, vp, `regi-${u}`),
          row(l2, vp, `bolt1-${u}`, { store_id: 1 }),
          row(l2, vp, `info-${u}`, { key: 'information_id' }),
          // A path row without ids (as a broken import leaves one) is no parent of a top-level category.
          row(l1, '', `ures-${u}`),
        ]);
        // Children first: the function orders them by depth.
        await writeCategorySeoUrls(seo4, schema, [l1, l2], [
          change(g!, [p!, c!, g!], 'Öntöttvas'),
          change(c!, [p!, c!], 'Edények & fazekak'),
          change(p!, [p!], `Konyha ${u}`),
        ]);
        const k = `konyha-${u}`;
        expect(await rowsOf4([vp, vc, vg, '1_2_3'])).toEqual([
          row(l1, '1_2_3', k),
          row(l1, vp, `${k}-2`),
          row(l1, vc, `${k}-2/edenyek-fazekak`),
          row(l1, vg, `${k}-2/edenyek-fazekak/ontottvas`),
          row(l2, vp, k),
          row(l2, vp, `info-${u}`, { key: 'information_id' }),
          row(l2, vp, `bolt1-${u}`, { store_id: 1 }),
          row(l2, vc, `${k}/edenyek-fazekak`),
          row(l2, vg, `${k}/edenyek-fazekak/ontottvas`),
        ].sort(order4));
      });

      it('moves a category: the old path\'s rows go, the new keyword keeps its own last part under the new parent', async () => {
        const schema = await schema4();
        const [l1, l2] = languageIds as [number, number];
        const u = token();
        const [a, b, m, n, q, s, e] = ids(7);
        await seo4.knex(seo4.t('seo_url')).insert([
          row(l1, `${a}`, `a-${u}`),
          row(l1, `${b}`, `b-${u}`),
          row(l2, `${b}`, `bb-${u}`),
          // Not a path row, though its value is b's id: not b's keyword.
          row(l2, `${b}`, `gyarto-${u}`, { key: 'manufacturer_id' }),
          // m under a, with a keyword of its own the name would not give; only in l1.
          row(l1, `${a}_${m}`, `a-${u}/sajat-${u}`),
          // n's old row has no parent part; its new parent has no row: it keeps the very same keyword.
          row(l1, `${a}_${n}`, `n-${u}`),
          // q stays where it is: its l1 row is kept, l2 gets one.
          row(l1, `${q}`, `q-${u}`),
          // s stays where it is, and its unchanged rows are kept as they are in both languages (even
          // a keyword whose parent part is stale, and a sort order of the owner's).
          row(l1, `${s}`, `regi-${u}/s1-${u}`),
          row(l2, `${s}`, `s2-${u}`, { sort_order: 3 }),
        ]);
        await writeCategorySeoUrls(seo4, schema, [l1, l2], [
          change(m!, [b!, m!], 'Mozgó', [a!, m!]),
          change(n!, [q! + 1000, n!], `N ${u}`, [a!, n!]),
          change(q!, [q!], `Q ${u}`, [q!]),
          change(s!, [s!], `S ${u}`, [s!]),
          // A new category whose name gives no keyword: category-<id>.
          change(e!, [e!], '&amp; !'),
        ]);
        expect(await rowsOf4([`${a}_${m}`, `${b}_${m}`, `${a}_${n}`, `${q + 1000}_${n}`, `${q}`, `${s}`, `${e}`])).toEqual([
          row(l1, `${e}`, `category-${e}`),
          row(l2, `${e}`, `category-${e}`),
          row(l1, `${b}_${m}`, `b-${u}/sajat-${u}`),
          row(l1, `${q}`, `q-${u}`),
          row(l1, `${q + 1000}_${n}`, `n-${u}`),
          row(l1, `${s}`, `regi-${u}/s1-${u}`),
          row(l2, `${b}_${m}`, `bb-${u}/mozgo`),
          row(l2, `${q}`, `q-${u}`),
          row(l2, `${q + 1000}_${n}`, `n-${u}`),
          row(l2, `${s}`, `s2-${u}`, { sort_order: 3 }),
        ].sort(order4));
        // Nothing to change (every path kept, every row there): nothing is deleted or written.
        const sql = await statements(seo4, () => writeCategorySeoUrls(seo4, schema, [l1, l2], [change(s!, [s!], `S ${u}`, [s!]), change(e!, [e!], 'E', [e!])]));
        expect(sql.filter((x) => /^(insert|update|delete)/i.test(x))).toEqual([]);
      });
    });
  });
});
