// The shop's schema profile (app/shop/schema.ts) built from column descriptions as each release's
// tables give them (3.0, 4.0, 4.1, and shapes erp-bridge must refuse), without a database: the
// profile is pure once the columns are read. Beside it the other pure parts of app/shop: the SEO
// keyword of a category name (seo-urls.ts) and where ERP pictures go (product-pictures.ts).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../app/db/database.js';
import type { ColumnDescription } from '../../app/db/dialects/types.js';
import { ShopSchema, ShopSchemaError, forgetShopSchema, shopSchema } from '../../app/shop/schema.js';
import { slugify } from '../../app/shop/seo-urls.js';
import { picturePath, storePictures } from '../../app/shop/product-pictures.js';

const PREFIX = 'pre_';

type Col = Partial<ColumnDescription> & { name: string };
/** A column as describeColumns gives it; by default a NOT NULL text column with a default. */
const col = (c: Col, table = ''): ColumnDescription => ({
  table: PREFIX + table, kind: 'text', nullable: false, hasDefault: true, autoIncrement: false, collation: null, ...c,
});
const cols = (table: string, ...list: Array<string | Col>) =>
  new Map(list.map((c) => (typeof c === 'string' ? col({ name: c }, table) : col(c, table))).map((c) => [c.name, c]));

/** Every table and column erp-bridge requires, as in 3.0 (product_special, seo_url.query). */
function release30(): Map<string, Map<string, ColumnDescription>> {
  return new Map([
    ['setting', cols('setting', 'setting_id', 'store_id', 'code', 'key', 'value', 'serialized')],
    ['extension', cols('extension', 'extension_id', 'type', 'code')],
    ['language', cols('language', 'language_id', 'code')],
    ['product', cols('product', 'product_id', { name: 'model', collation: 'utf8mb3_general_ci' }, 'sku', 'price', 'quantity', 'tax_class_id', 'status', 'date_modified', 'viewed')],
    ['product_description', cols('product_description', 'product_id', 'language_id', 'name', 'description')],
    ['product_special', cols('product_special', 'product_special_id', 'product_id')],
    ['product_discount', cols('product_discount', 'product_discount_id', 'product_id', 'quantity')],
    ['product_to_store', cols('product_to_store', 'product_id', 'store_id')],
    ['product_to_category', cols('product_to_category', 'product_id', 'category_id')],
    ['category', cols('category', 'category_id', 'parent_id', 'sort_order', 'status', 'top')],
    ['category_description', cols('category_description', 'category_id', 'language_id', 'name')],
    ['category_path', cols('category_path', 'category_id', 'path_id', 'level')],
    ['category_to_store', cols('category_to_store', 'category_id', 'store_id')],
    ['customer_group', cols('customer_group', 'customer_group_id')],
    ['tax_class', cols('tax_class', 'tax_class_id')],
    ['order', cols('order', 'order_id', 'order_status_id')],
    ['seo_url', cols('seo_url', 'seo_url_id', 'store_id', 'language_id', 'query', 'keyword')],
  ]);
}

/** 4.1: specials are product_discount rows with `special`; seo_url has key/value. */
function release41(withType = true): Map<string, Map<string, ColumnDescription>> {
  const t = release30();
  t.delete('product_special');
  t.set('product_discount', cols('product_discount', 'product_discount_id', 'product_id', 'quantity', 'special', ...(withType ? ['type'] : [])));
  t.set('seo_url', cols('seo_url', 'seo_url_id', 'store_id', 'language_id', 'key', 'value', 'keyword', 'sort_order'));
  return t;
}

function fakeDb(describe?: (tables: string[]) => Promise<ColumnDescription[]>): Database {
  return {
    prefix: PREFIX,
    t: (n: string) => PREFIX + n,
    knex: {} as Database['knex'],
    dialect: { describeColumns: async (_k: unknown, tables: string[]) => describe!(tables) },
  } as unknown as Database;
}

const profile = (tables: Map<string, Map<string, ColumnDescription>>) => new ShopSchema(fakeDb(), tables);
const refusal = (tables: Map<string, Map<string, ColumnDescription>>) => {
  try {
    profile(tables);
  } catch (e) {
    return e as Error;
  }
  throw new Error('no refusal');
};

describe('the shop schema profile', () => {
  it('refuses a database without any of the tables, naming the prefix', () => {
    const e = refusal(new Map());
    expect(e).toBeInstanceOf(ShopSchemaError);
    expect(e.name).toBe('ShopSchemaError');
    expect(e.message).toBe('no OpenCart tables with prefix "pre_": check TABLE_PREFIX and DATABASE_URL');
  });

  it('names every missing table and column in one line', () => {
    const t = release30();
    t.delete('setting');
    t.get('product')!.delete('sku');
    t.get('order')!.delete('order_status_id');
    const e = refusal(t);
    expect(e).toBeInstanceOf(ShopSchemaError);
    expect(e.message).toBe(
      'the database with prefix "pre_" is not an OpenCart shop erp-bridge knows (missing pre_setting, pre_product.sku, pre_order.order_status_id): check TABLE_PREFIX and DATABASE_URL',
    );
  });

  it('refuses a shop with neither product_special nor product_discount.special', () => {
    const t = release30();
    t.delete('product_special');
    expect(refusal(t).message).toBe(
      'the database with prefix "pre_" is not an OpenCart shop erp-bridge knows (missing pre_product_special (or pre_product_discount.special)): check TABLE_PREFIX and DATABASE_URL',
    );
    t.delete('product_discount');
    expect(refusal(t).message).toContain('(missing pre_product_special (or pre_product_discount.special))');
  });

  it('keeps 3.0 and 4.0 specials in product_special, every row a special', () => {
    const s = profile(release30());
    expect(s.specials.table).toBe('pre_product_special');
    expect(s.specials.idColumn).toBe('product_special_id');
    expect(s.specials.filter('ps')).toBe('1 = 1');
    expect(s.specials.marker).toEqual({});
    expect(s.specials.fixed).toEqual({});
    // A product_discount with a `special` column beside product_special: product_special still wins.
    const both = release30();
    both.get('product_discount')!.set('special', col({ name: 'special' }, 'product_discount'));
    expect(profile(both).specials.table).toBe('pre_product_special');
  });

  it('keeps 4.1 specials in product_discount rows with special = 1 for quantity 1, fixed-amount type when the column exists', () => {
    const s = profile(release41());
    expect(s.specials.table).toBe('pre_product_discount');
    expect(s.specials.idColumn).toBe('product_discount_id');
    expect(s.specials.filter('ps')).toBe('ps.special = 1 AND ps.quantity = 1');
    expect(s.specials.marker).toEqual({ quantity: 1, special: 1 });
    expect(s.specials.fixed).toEqual({ type: 'F' });
    expect(profile(release41(false)).specials.fixed).toEqual({});
  });

  it('tells 3.0 seo_url (query) from 4.x (key and value), and a shop without the table', () => {
    expect(profile(release30()).seoUrl).toBe('query');
    expect(profile(release41()).seoUrl).toBe('key_value');
    const none = release30();
    none.delete('seo_url');
    expect(profile(none).seoUrl).toBeNull();
    const keyOnly = release30();
    keyOnly.set('seo_url', cols('seo_url', 'seo_url_id', 'key', 'keyword'));
    expect(profile(keyOnly).seoUrl).toBeNull();
    const valueOnly = release30();
    valueOnly.set('seo_url', cols('seo_url', 'seo_url_id', 'value', 'keyword'));
    expect(profile(valueOnly).seoUrl).toBeNull();
    const keyAndQuery = release30();
    keyAndQuery.set('seo_url', cols('seo_url', 'seo_url_id', 'key', 'query', 'keyword'));
    expect(profile(keyAndQuery).seoUrl).toBe('query');
  });

  it('takes the text collation from product.model and widens it to utf8mb4 for its own tables', () => {
    const withCollation = (collation: string | null) => {
      const t = release30();
      t.get('product')!.set('model', col({ name: 'model', collation }, 'product'));
      return profile(t);
    };
    const cases: Array<[string | null, string | undefined, string | undefined]> = [
      ['utf8mb3_general_ci', 'utf8mb3_general_ci', 'utf8mb4_general_ci'],
      ['utf8_general_ci', 'utf8_general_ci', 'utf8mb4_general_ci'],
      ['utf8_hungarian_ci', 'utf8_hungarian_ci', 'utf8mb4_hungarian_ci'],
      ['utf8mb4_general_ci', 'utf8mb4_general_ci', 'utf8mb4_general_ci'],
      ['utf8mb4_unicode_520_ci', 'utf8mb4_unicode_520_ci', 'utf8mb4_unicode_520_ci'],
      // Another family: the plugin's tables take utf8mb4's general Unicode collation.
      ['latin1_swedish_ci', 'latin1_swedish_ci', 'utf8mb4_unicode_ci'],
      ['xutf8_general_ci', 'xutf8_general_ci', 'utf8mb4_unicode_ci'],
      ['utf8mb3_', 'utf8mb3_', 'utf8mb4_unicode_ci'],
      // SQLite: no collation.
      [null, undefined, undefined],
    ];
    for (const [model, text, plugin] of cases) {
      const s = withCollation(model);
      expect([model, s.textCollation, s.pluginCollation]).toEqual([model, text, plugin]);
    }
  });

  it('answers which tables and columns the shop has', () => {
    const s = profile(release41());
    expect(s.has('product')).toBe(true);
    expect(s.has('product', 'viewed')).toBe(true);
    expect(s.has('product', 'master_id')).toBe(false);
    expect(s.has('product_special')).toBe(false);
    expect(s.has('product_special', 'product_id')).toBe(false);
    expect(s.columns('extension').map((c) => c.name)).toEqual(['extension_id', 'type', 'code']);
    expect(s.columns('extension')[1]).toEqual(col({ name: 'type' }, 'extension'));
    expect(s.columns('product_special')).toEqual([]);
  });

  describe('a new row as the release writes it', () => {
    const table = () => {
      const t = release30();
      t.set('thing', new Map([
        ['id', col({ name: 'id', kind: 'number', hasDefault: false, autoIncrement: true }, 'thing')],
        ['name', col({ name: 'name', kind: 'text', hasDefault: false }, 'thing')],
        ['rating', col({ name: 'rating', kind: 'number', hasDefault: false }, 'thing')],
        ['available', col({ name: 'available', kind: 'date', hasDefault: false }, 'thing')],
        ['added', col({ name: 'added', kind: 'datetime', hasDefault: false }, 'thing')],
        ['blob', col({ name: 'blob', kind: 'other', hasDefault: false }, 'thing')],
        ['note', col({ name: 'note', kind: 'text', nullable: true, hasDefault: false }, 'thing')],
        ['sort', col({ name: 'sort', kind: 'number', hasDefault: true }, 'thing')],
      ]));
      return profile(t);
    };

    it('fills the given columns the shop has, drops the others, and gives each NOT NULL column without a default its zero', () => {
      const s = table();
      expect(s.insertColumns('thing', { name: "'Kés'", sort: '3', viewed: '0' })).toEqual({
        columns: ['name', 'rating', 'available', 'added', 'blob', 'sort'],
        exprs: ["'Kés'", '0', "'0000-00-00'", "'0000-00-00 00:00:00'", "''", '3'],
      });
      // A given value wins over the zero; nullable, defaulted and auto-increment columns are left out.
      expect(s.insertColumns('thing', { id: '7', name: "'x'", rating: '5', available: 'NOW()', added: 'NOW()', blob: "'b'", note: 'NULL' })).toEqual({
        columns: ['id', 'name', 'rating', 'available', 'added', 'blob', 'note'],
        exprs: ['7', "'x'", '5', 'NOW()', 'NOW()', "'b'", 'NULL'],
      });
    });

    it('completes a row of plain values the same way', () => {
      const s = table();
      expect(s.completeRow('thing', { name: 'Kés', sort: 3, viewed: 0 })).toEqual({
        name: 'Kés', rating: 0, available: '0000-00-00', added: '0000-00-00 00:00:00', blob: '', sort: 3,
      });
      expect(s.completeRow('thing', { id: 7, name: 'x', rating: 5, available: null, added: 'a', blob: 'b', note: null })).toEqual({
        id: 7, name: 'x', rating: 5, available: null, added: 'a', blob: 'b', note: null,
      });
      const out = s.completeRow('thing', { name: 'x' });
      expect(Object.keys(out)).toEqual(['name', 'rating', 'available', 'added', 'blob']);
    });

    it('refuses a table the shop does not have', () => {
      const s = table();
      expect(() => s.insertColumns('nothing', {})).toThrow(new ShopSchemaError('the shop has no pre_nothing table'));
      expect(() => s.insertColumns('nothing', {})).toThrow(ShopSchemaError);
      expect(() => s.completeRow('nothing', {})).toThrow(new ShopSchemaError('the shop has no pre_nothing table'));
      expect(() => s.completeRow('nothing', {})).toThrow(ShopSchemaError);
    });
  });

  describe('read once per database handle', () => {
    const described = (tables: Map<string, Map<string, ColumnDescription>>) => [...tables.values()].flatMap((m) => [...m.values()]);

    it('reads the profiled tables with the prefix, and keeps the profile until forgotten', async () => {
      const asked: string[][] = [];
      const db = fakeDb(async (tables) => {
        asked.push(tables);
        return described(release41());
      });
      const first = shopSchema(db);
      expect(shopSchema(db)).toBe(first);
      const s = await first;
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain('pre_setting');
      expect(asked[0]).toContain('pre_order');
      expect(asked[0]).toContain('pre_seo_url');
      expect(asked[0]!.every((t) => t.startsWith('pre_'))).toBe(true);
      // Table names without the prefix: the profile found each table and column.
      expect(s.seoUrl).toBe('key_value');
      expect(s.specials.table).toBe('pre_product_discount');
      expect(s.columns('extension').map((c) => c.name)).toEqual(['extension_id', 'type', 'code']);
      expect(s.has('product', 'viewed')).toBe(true);
      expect(await shopSchema(db)).toBe(s);
      expect(asked).toHaveLength(1);
      forgetShopSchema(db);
      const again = await shopSchema(db);
      expect(again).not.toBe(s);
      expect(asked).toHaveLength(2);
      // Another handle has its own profile.
      const other = fakeDb(async () => described(release30()));
      expect((await shopSchema(other)).seoUrl).toBe('query');
      expect(await shopSchema(db)).toBe(again);
    });

    it('tries again after a failed read', async () => {
      let calls = 0;
      const db = fakeDb(async () => {
        calls++;
        if (calls === 1) throw new Error('database down');
        return described(release30());
      });
      await expect(shopSchema(db)).rejects.toThrow('database down');
      await Promise.resolve();
      const s = await shopSchema(db);
      expect(calls).toBe(2);
      expect(s.seoUrl).toBe('query');
    });

    it('refuses through the promise when the columns read are not a shop', async () => {
      const db = fakeDb(async () => []);
      await expect(shopSchema(db)).rejects.toThrow('no OpenCart tables with prefix "pre_"');
    });
  });
});

describe('category keywords (slugify)', () => {
  it('makes a lower-case ASCII keyword of an HTML-encoded name', () => {
    expect(slugify('Fő kategória &amp; más', 'x')).toBe('fo-kategoria-mas');
    expect(slugify('Fő kategória & más', 'x')).toBe('fo-kategoria-mas');
    expect(slugify('ÁRVÍZTŰRŐ TÜKÖRFÚRÓGÉP', 'x')).toBe('arvizturo-tukorfurogep');
    expect(slugify('  --Kések &quot;2&quot; / villák--  ', 'x')).toBe('kesek-2-villak');
    expect(slugify('a__b  c', 'x')).toBe('a-b-c');
  });

  it('keeps at most 64 characters, and gives the fallback when nothing is left', () => {
    expect(slugify('a'.repeat(70), 'x')).toBe('a'.repeat(64));
    expect(slugify('!!! ', 'category-7')).toBe('category-7');
    expect(slugify('', 'category-8')).toBe('category-8');
  });
});

describe('ERP pictures on disk', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('names a picture by its hash under catalog/erp-bridge', () => {
    expect(picturePath('ab12', 'png')).toBe('catalog/erp-bridge/ab12.png');
  });

  it('writes each picture once, creating its folder, and leaves no temporary file', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-pictures-'));
    const folder = path.join(dir, 'catalog', 'erp-bridge');
    mkdirSync(folder, { recursive: true });
    // Already stored (as a crash after the rename leaves it): not written again.
    writeFileSync(path.join(folder, 'a.png'), 'old');
    await storePictures(dir, new Map([
      ['catalog/erp-bridge/a.png', Buffer.from('new-a')],
      ['catalog/erp-bridge/b.jpg', Buffer.from('bee')],
      ['catalog/erp-bridge/deep/er/c.gif', Buffer.from('sea')],
    ]));
    expect(readFileSync(path.join(folder, 'a.png'), 'utf8')).toBe('old');
    expect(readFileSync(path.join(folder, 'b.jpg'), 'utf8')).toBe('bee');
    expect(readFileSync(path.join(folder, 'deep', 'er', 'c.gif'), 'utf8')).toBe('sea');
    expect(readdirSync(folder).sort()).toEqual(['a.png', 'b.jpg', 'deep']);
    expect(readdirSync(path.join(folder, 'deep', 'er'))).toEqual(['c.gif']);
  });
});
