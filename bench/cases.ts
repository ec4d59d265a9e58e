// The measured pushes on one shop, each with its floor: the same change done by hand with
// set-based SQL (see floor.ts), measured in the same run, right before the push.
import { shopSchema } from '../app/shop/schema.js';
import { code, fullSyncXml, name, newCode, nextRound, price, promo, promoXml, quantity, stockPriceXml } from './documents.js';
import { measureFloor, modelColumn, type CodeColumn, type Floor, type FloorCase } from './floor.js';
import type { BenchShop } from './shop.js';
import { push, type BenchServer, type PushResult } from './server.js';

/** Products whose stock the `orders` case takes one from by hand before its push (as orders do: date_modified stays). */
const ORDERS = 20;
/**
 * Between a push and the next one that reuses its warm index (`warm`, `orders`): an ERP's pushes
 * are minutes apart, and the index's checksum of the last push's write begins only a moment after
 * its answer (SETTLE_AFTER_MS, 250 ms).
 */
const PAUSE_MS = 1000;

export const CASES = ['stock', 'prices', 'warm', 'orders', 'unchanged', 'promo', 'full'] as const;
export type CaseName = (typeof CASES)[number];

export const CASE_LABELS: Record<CaseName, string> = {
  stock: 'POST /integration/stock',
  prices: 'POST /integration/prices',
  warm: 'prices again, new (warm index)',
  orders: `prices after ${ORDERS} orders`,
  unchanged: 'prices again (unchanged)',
  promo: 'POST /integration/promo-prices',
  full: 'POST /integration/prices (full)',
};

export interface Measurement {
  push: PushResult;
  floor: Floor;
  /** Server peak memory during this push (VmHWM reset before it). */
  peakMb: number;
}

interface Case {
  /** Settings for this case (sync type). */
  settings: Record<string, string>;
  /** Untimed: put the shop in the state the push and the floor start from. */
  prepare?: string[];
  /** Untimed, once, just before the push (after a pause of PAUSE_MS): what changed in the shop since the last push. */
  beforePush?: string[];
  /** The floor's k-th variant (fresh values each time); undefined: the case reuses the last floor of `floorOf`. */
  floor?: (variant: number) => FloorCase;
  floorOf?: CaseName;
  /** Untimed, right after the push: put the shop back as it was (products the case created go). */
  after?: string[];
  /** The document and URL of the push. */
  document(): { kind: string; body: Buffer };
}

/** Builds the cases of one shop (they need its schema profile and ids). */
export async function shopCases(b: BenchShop, n: number): Promise<{ cases: Record<CaseName, Case>; codeColumn: CodeColumn }> {
  const P = b.t('product');
  const codeColumn = await modelColumn(b.conn, `${b.prefix}product`);
  const ctx = b.context();
  const schema = await shopSchema(ctx.db);
  const sp = schema.specials;
  const lit = (v: number | string) => (typeof v === 'number' ? String(v) : b.conn.escape(v));
  const spExtra = Object.entries({ ...sp.marker, ...sp.fixed });
  const groups = b.ids.customerGroups.map((g) => `SELECT ${g} AS cg`).join(' UNION ALL ');
  const ours = `priority = 10${Object.entries(sp.marker).map(([c, v]) => ` AND ${c} = ${lit(v)}`).join('')}`;
  const clearPromos = `DELETE FROM ${sp.table} WHERE ${ours}`;
  const codeText = `VARCHAR(255) CHARACTER SET ${codeColumn.charset} COLLATE ${codeColumn.collation}`;
  let lastPrices: Buffer | undefined;

  const columnUpdate = (col: 'quantity' | 'price', value: (i: number, round: number) => number, type: string) => (): FloorCase => {
    const round = nextRound();
    return {
      columns: [['v', type]],
      count: n,
      row: (i) => [code(i), value(i, round)],
      apply: [`UPDATE ${P} p JOIN stage ON stage.code = p.model SET p.${col} = stage.v, p.date_modified = NOW()`],
    };
  };

  // Full sync, as the app runs it: match codes, create the unknown ones (every NOT NULL column,
  // through the schema profile), match again, then prices and VAT class, names, descriptions of
  // new products, their store rows, and erp-bridge's own mapping (unit).
  const newProduct = schema.insertColumns('product', {
    model: 's.code', sku: "''", upc: "''", ean: "''", jan: "''", isbn: "''", mpn: "''", master_id: '0', variant: "''", override: "''",
    location: "''", quantity: '0', stock_status_id: String(b.ids.stockStatus), image: "''", manufacturer_id: '0', shipping: '1',
    price: 's.price', points: '0', tax_class_id: 's.tax_class_id', date_available: 'CURDATE()', weight: '0',
    weight_class_id: String(b.ids.weightClass), length: '0', width: '0', height: '0', length_class_id: String(b.ids.lengthClass),
    subtract: '1', minimum: '1', rating: '0', sort_order: '0', status: '1', viewed: '0', date_added: 'NOW()', date_modified: 'NOW()',
  });
  const newDescription = schema.insertColumns('product_description', {
    product_id: 's.product_id', language_id: 'l.language_id', name: 's.name', description: "''", tag: "''", meta_title: 's.name',
    meta_description: "''", meta_keyword: "''",
  });
  // Full sync creates products (the floor 50,000 per way it is measured, the push 50,000): they go
  // again, so every case and run starts from the N seeded products (without this, the third round
  // of `--only push --repeat 3` ran on 500,000 products, its floors three times as slow). Their
  // codes are the floor's FLR… and the document's NEW… (documents.ts); OpenCart's demo products stay.
  const createdWhere = `(model LIKE 'FLR%' OR model LIKE 'NEW%')`;
  const created = `SELECT product_id FROM ${P} WHERE ${createdWhere}`;
  const removeCreated = [
    ...['product_description', 'product_to_store', 'product_to_category'].map((t) => `DELETE FROM ${b.t(t)} WHERE product_id IN (${created})`),
    `DELETE FROM ${ctx.db.own('product_map')} WHERE product_id IN (${created})`,
    `DELETE FROM ${P} WHERE ${createdWhere}`,
  ];
  const languages = b.ids.languages.map((l) => `SELECT ${l} AS language_id`).join(' UNION ALL ');
  const fullFloor = (): FloorCase => {
    const round = nextRound();
    const half = Math.floor(n / 2);
    return {
      // The floor updates the other half of the seeded products and creates its own new codes.
      columns: [['price', 'DECIMAL(15,4)'], ['name', codeText], ['tax_class_id', 'INT'], ['unit', 'VARCHAR(32)'], ['product_id', 'INT NULL'], ['is_new', 'TINYINT NOT NULL DEFAULT 0']],
      count: n,
      row: (i) => [i < half ? code(half + i) : newCode('FLR', round, i), price(i, round), name(i, round), b.ids.taxClass, 'db', null, 0],
      apply: [
        `UPDATE stage s JOIN ${P} p ON p.model = s.code SET s.product_id = p.product_id`,
        `UPDATE stage SET is_new = 1 WHERE product_id IS NULL`,
        `INSERT INTO ${P} (${newProduct.columns.join(', ')}) SELECT ${newProduct.exprs.join(', ')} FROM stage s WHERE s.is_new = 1`,
        `UPDATE stage s JOIN ${P} p ON p.model = s.code SET s.product_id = p.product_id WHERE s.is_new = 1`,
        // The products, their texts and store rows, and the mapping: the push's three lanes.
        {
          lanes: [
            [`UPDATE ${P} p JOIN stage s ON s.product_id = p.product_id SET p.price = s.price, p.tax_class_id = s.tax_class_id, p.date_modified = NOW() WHERE s.is_new = 0`],
            [
              `UPDATE ${b.t('product_description')} pd JOIN stage s ON s.product_id = pd.product_id SET pd.name = s.name WHERE s.is_new = 0 AND pd.language_id = ${b.ids.languages[0]}`,
              `INSERT INTO ${b.t('product_description')} (${newDescription.columns.join(', ')}) SELECT ${newDescription.exprs.join(', ')} FROM stage s CROSS JOIN (${languages}) l WHERE s.is_new = 1`,
              `INSERT INTO ${b.t('product_to_store')} (product_id, store_id) SELECT s.product_id, 0 FROM stage s WHERE s.is_new = 1`,
            ],
            [
              `INSERT INTO ${ctx.db.own('product_map')} (product_id, erp_code, unit, updated_at)
               SELECT s.product_id, s.code, s.unit, DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s') FROM stage s
               ON DUPLICATE KEY UPDATE erp_code = VALUES(erp_code), unit = VALUES(unit), updated_at = VALUES(updated_at)`,
            ],
          ],
        },
      ],
    };
  };

  const cases: Record<CaseName, Case> = {
    stock: {
      settings: { sync_type: 'stock_price' },
      floor: columnUpdate('quantity', quantity, 'INT'),
      document: () => ({ kind: 'stock', body: stockPriceXml(n, nextRound()) }),
    },
    prices: {
      settings: { sync_type: 'stock_price' },
      floor: columnUpdate('price', price, 'DECIMAL(15,4)'),
      document: () => ({ kind: 'prices', body: (lastPrices = stockPriceXml(n, nextRound())) }),
    },
    // The same change as `prices` (new values for every product), right after it: nothing changed
    // in the shop since, so the push's product index is warm (only its signature is read). Then the
    // same after a few orders took stock behind erp-bridge's back: only their blocks are read again.
    // Both against the floor of `prices` (the same change, measured right before that push).
    warm: {
      settings: { sync_type: 'stock_price' },
      floorOf: 'prices',
      beforePush: [],
      document: () => ({ kind: 'prices', body: (lastPrices = stockPriceXml(n, nextRound())) }),
    },
    orders: {
      settings: { sync_type: 'stock_price' },
      floorOf: 'prices',
      beforePush: [`UPDATE ${P} SET quantity = quantity - 1 ORDER BY RAND() LIMIT ${ORDERS}`],
      document: () => ({ kind: 'prices', body: (lastPrices = stockPriceXml(n, nextRound())) }),
    },
    unchanged: {
      settings: { sync_type: 'stock_price' },
      floorOf: 'prices',
      document: () => ({ kind: 'prices', body: lastPrices ?? stockPriceXml(n, nextRound()) }),
    },
    promo: {
      // Every product gets its first promo: the push and each floor start with no priority-10 specials.
      settings: { sync_type: 'stock_price' },
      prepare: [clearPromos],
      floor: (variant) => {
        const round = nextRound();
        const special = (from: string, productId: string) =>
          `INSERT INTO ${sp.table} (product_id, customer_group_id, priority, price, date_start, date_end${spExtra.map(([c]) => `, ${c}`).join('')})
           SELECT ${productId}, g.cg, 10, stage.v, CURDATE(), '0000-00-00'${spExtra.map(([, v]) => `, ${lit(v)}`).join('')}
           FROM ${from} CROSS JOIN (${groups}) g`;
        // The side-by-side way (variant 3) finds the products' ids first, as the push has them: its
        // lanes then only read the stage, where two that both read the product table (MyISAM's
        // table locks) wait for each other (1.09 s against 0.90 s one after another, round 24).
        if (variant === 3) {
          return {
            columns: [['v', 'DECIMAL(15,4)'], ['product_id', 'INT NULL']],
            count: n,
            row: (i) => [code(i), promo(i, round), null],
            apply: [
              `UPDATE stage JOIN ${P} p ON p.model = stage.code SET stage.product_id = p.product_id`,
              {
                lanes: [
                  [special('stage', 'stage.product_id')],
                  [`UPDATE ${P} p JOIN stage ON stage.product_id = p.product_id SET p.date_modified = NOW()`],
                ],
              },
            ],
            reset: [clearPromos],
          };
        }
        return {
          columns: [['v', 'DECIMAL(15,4)']],
          count: n,
          row: (i) => [code(i), promo(i, round)],
          apply: [special(`${P} p JOIN stage ON stage.code = p.model`, 'p.product_id'), `UPDATE ${P} p JOIN stage ON stage.code = p.model SET p.date_modified = NOW()`],
          reset: [clearPromos],
        };
      },
      document: () => ({ kind: 'promo-prices', body: promoXml(n, nextRound()) }),
    },
    full: {
      settings: { sync_type: 'full' },
      floor: () => ({ ...fullFloor(), reset: removeCreated }),
      after: removeCreated,
      document: () => ({ kind: 'prices', body: fullSyncXml(n, nextRound()) }),
    },
  };
  return { cases, codeColumn };
}

/** Whether the case measures a floor of its own (the others compare with another case's). */
export const ownFloor = (name: CaseName) => name !== 'unchanged' && name !== 'warm' && name !== 'orders';

/** Runs one case `repeat` times: floor (both methods), then the push, with the server's peak memory. */
export async function runCase(
  b: BenchShop,
  server: BenchServer,
  built: Awaited<ReturnType<typeof shopCases>>,
  name: CaseName,
  results: Map<CaseName, Measurement[]>,
): Promise<Measurement> {
  const c = built.cases[name];
  const ctx = b.context();
  await ctx.settings.update(c.settings);
  for (const sql of c.prepare ?? []) await b.conn.query(sql);
  let floor: Floor;
  if (c.floor) floor = await measureFloor(b.conn, built.codeColumn, c.floor, () => b.connect());
  else {
    const of = results.get(c.floorOf!)?.at(-1);
    if (!of) throw new Error(`${name} is measured against the floor of ${c.floorOf}: run that case too (--cases ${c.floorOf},${name})`);
    floor = of.floor;
  }
  for (const sql of c.prepare ?? []) await b.conn.query(sql);
  if (c.beforePush) {
    await new Promise((r) => setTimeout(r, PAUSE_MS));
    for (const sql of c.beforePush) await b.conn.query(sql);
  }
  const doc = c.document();
  server.resetPeak();
  const pushed = await push(server, doc.kind, doc.body);
  const m = { push: pushed, floor, peakMb: server.peakMb() };
  for (const sql of c.after ?? []) await b.conn.query(sql);
  if (!results.has(name)) results.set(name, []);
  results.get(name)!.push(m);
  return m;
}
