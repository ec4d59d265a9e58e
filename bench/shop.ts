// A real OpenCart shop for the bench: installed by its own installer through the test harness
// (not served: the bench talks to erp-bridge, not to OpenCart), seeded with N products whose rows
// have the release's own columns. The columns come from erp-bridge's schema profile
// (insertColumns), never from a list written here; ids (language, tax class, stock status,
// weight and length class, stores) come from the shop's own tables and settings.
import mysql from 'mysql2/promise';
import os from 'node:os';
import { createContext, type AppContext } from '../app/context.js';
import { loadConfig } from '../app/config.js';
import { createLogger } from '../app/log.js';
import { shopSchema } from '../app/shop/schema.js';
import { installOpenCart, type OpenCartShop, type Release } from '../test/support/opencart/index.js';
import { APP_SECRET } from './server.js';

export interface BenchShop {
  release: Release;
  shop: OpenCartShop;
  prefix: string;
  /** A connection of the bench's own, with OpenCart's sql_mode. */
  conn: mysql.Connection;
  /** Another connection like `conn` (the floor's side-by-side lanes); the caller ends it. */
  connect(): Promise<mysql.Connection>;
  /** The bench's erp-bridge context on the shop (settings, schema profile); one, closed by stop(). */
  context(): AppContext;
  t(name: string): string;
  /** The shop's ids the seed and the floors use. */
  ids: { languages: number[]; taxClass: number; stockStatus: number; weightClass: number; lengthClass: number; stores: number[]; customerGroups: number[] };
  stop(): Promise<void>;
}

// The shop's setting, else (an installer that leaves it unset) the first row of its own table.
const setting = async (conn: mysql.Connection, t: (n: string) => string, key: string, table: string): Promise<number> => {
  const [rows] = (await conn.query(`SELECT value FROM ${t('setting')} WHERE store_id = 0 AND \`key\` = ?`, [key])) as unknown as [Array<{ value: string }>];
  if (rows[0] && Number(rows[0].value) > 0) return Number(rows[0].value);
  const [first] = (await conn.query(`SELECT MIN(${table}_id) AS id FROM ${t(table)}`)) as unknown as [Array<{ id: number }>];
  return Number(first[0]!.id);
};

const column = async (conn: mysql.Connection, sql: string): Promise<number[]> =>
  ((await conn.query(sql)) as unknown as [Array<{ id: number }>])[0].map((r) => Number(r.id));

export async function openBenchShop(release: Release, prefix = 'oc_'): Promise<BenchShop> {
  const shop = await installOpenCart(release, { prefix, serve: false });
  const connect = async () => {
    const c = await mysql.createConnection({ uri: shop.databaseUrl, charset: 'utf8mb4' });
    await c.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
    return c;
  };
  const conn = await connect().catch(async (e) => {
    await shop.stop();
    throw e;
  });
  const t = (n: string) => `\`${prefix}${n}\``;
  const ids = await readIds(conn, t).catch(async (e) => {
    await conn.end();
    await shop.stop();
    throw e;
  });
  let ctx: AppContext | undefined;
  return {
    release,
    shop,
    prefix,
    conn,
    connect,
    ids,
    t,
    context() {
      ctx ??= createContext(
        loadConfig({ DATABASE_URL: shop.databaseUrl, TABLE_PREFIX: prefix, DATA_DIR: os.tmpdir(), APP_SECRET, LOG_LEVEL: 'silent' }),
        createLogger('silent'),
      );
      return ctx;
    },
    async stop() {
      await ctx?.close().catch(() => {});
      await conn.end().catch(() => {});
      await shop.stop();
    },
  };
}

async function readIds(conn: mysql.Connection, t: (n: string) => string): Promise<BenchShop['ids']> {
  return {
    languages: await column(conn, `SELECT language_id AS id FROM ${t('language')} ORDER BY language_id`),
    taxClass: (await column(conn, `SELECT MIN(tax_class_id) AS id FROM ${t('tax_class')}`))[0]!,
    stockStatus: await setting(conn, t, 'config_stock_status_id', 'stock_status'),
    weightClass: await setting(conn, t, 'config_weight_class_id', 'weight_class'),
    lengthClass: await setting(conn, t, 'config_length_class_id', 'length_class'),
    // Store 0 is the default store; others are rows of `store`.
    stores: [0, ...(await column(conn, `SELECT store_id AS id FROM ${t('store')}`))],
    customerGroups: await column(conn, `SELECT customer_group_id AS id FROM ${t('customer_group')} ORDER BY customer_group_id`),
  };
}

/**
 * N products `BENCH-0000001` … with a description per language and a row per store, in three
 * set-based INSERT … SELECT statements over MariaDB's sequence engine (seq_1_to_N).
 */
export async function seedProducts(b: BenchShop, n: number): Promise<number> {
  const t0 = performance.now();
  const ctx = b.context();
  const schema = await shopSchema(ctx.db);
  const product = schema.insertColumns('product', {
    model: "CONCAT('BENCH-', LPAD(seq, 7, '0'))", sku: "''", upc: "''", ean: "''", jan: "''", isbn: "''", mpn: "''", location: "''",
    quantity: '10', stock_status_id: String(b.ids.stockStatus), image: "''", manufacturer_id: '0', shipping: '1', price: '1000',
    points: '0', tax_class_id: String(b.ids.taxClass), date_available: 'CURDATE()', weight: '0', weight_class_id: String(b.ids.weightClass),
    length: '0', width: '0', height: '0', length_class_id: String(b.ids.lengthClass), subtract: '1', minimum: '1', sort_order: '0',
    status: '1', date_added: 'NOW()', date_modified: 'NOW()',
  });
  await b.conn.query(`INSERT INTO ${b.t('product')} (${product.columns.join(', ')}) SELECT ${product.exprs.join(', ')} FROM seq_1_to_${n}`);
  const desc = schema.insertColumns('product_description', {
    product_id: 'p.product_id', language_id: 'l.language_id', name: "CONCAT('Termék ', p.model)", description: "''", tag: "''",
    meta_title: 'p.model', meta_description: "''", meta_keyword: "''",
  });
  await b.conn.query(
    `INSERT INTO ${b.t('product_description')} (${desc.columns.join(', ')})
     SELECT ${desc.exprs.join(', ')} FROM ${b.t('product')} p CROSS JOIN ${b.t('language')} l WHERE p.model LIKE 'BENCH-%'`,
  );
  await b.conn.query(
    `INSERT INTO ${b.t('product_to_store')} (product_id, store_id)
     SELECT p.product_id, s.store_id FROM ${b.t('product')} p CROSS JOIN (${b.ids.stores.map((s) => `SELECT ${s} AS store_id`).join(' UNION ALL ')}) s
     WHERE p.model LIKE 'BENCH-%'`,
  );
  return performance.now() - t0;
}

/** Engine and collation of the product table, for the printout. */
export async function productTableFacts(b: BenchShop): Promise<string> {
  const [rows] = (await b.conn.query(
    `SELECT ENGINE AS engine, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [`${b.prefix}product`],
  )) as unknown as [Array<{ engine: string; collation: string }>];
  return `${rows[0]!.engine}, ${rows[0]!.collation}`;
}
