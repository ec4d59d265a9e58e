// The staging table of promo-price and full-sync pushes (app/shop/product-staging.ts), through its
// own methods on each database: what a load keeps, how codes are matched, how rows are classified
// and converted, what is written to the shop, and what the push answers. The push suites
// (push-promo, push-full-sync) reach it only through HTTP; here each statement's promise is checked
// on its own. Every statement works on its own run's rows only: a row of another run (as one left
// behind would be) is put beside them and must stay as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductStaging, netFromGross, type StageRow } from '../../app/shop/product-staging.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { withDialect } from '../support/dialect-hooks.js';
import { addProduct, product, uniqueCode } from '../support/shop.js';

const NOW = '2026-12-02 10:00:00';
const RUN = 7001;
const OTHER_RUN = 7002;

describe.each(TARGETS)('the product staging table on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const staging = (kind: 'prices' | 'promo-prices' = 'prices') => new ProductStaging(db(), RUN, kind);
  /** The stage's rows of a run by seq, with the columns asked for (numbers as numbers). */
  const stageRows = async (st: ProductStaging, columns: string[], run = RUN) =>
    (await db().knex(st.S).where({ run_id: run }).orderBy('seq').select(columns)).map((r: Record<string, unknown>) =>
      Object.fromEntries(columns.map((c) => [c, typeof r[c] === 'string' && /^-?\d+(\.\d+)?$/.test(r[c] as string) && c !== 'code' ? Number(r[c]) : r[c]])),
    );
  /** A row of another run beside this run's (as a row left behind would be). */
  const otherRunRow = (st: ProductStaging, code: string, values: Record<string, unknown> = {}) =>
    db().knex(st.S).insert({ run_id: OTHER_RUN, seq: 1, code, match_count: 0, ...values });
  /** An outcome only a statement sets (classify, markCreatable), set here directly. */
  const setOutcome = (st: ProductStaging, seq: number, outcome: string) => db().knex(st.S).where({ run_id: RUN, seq }).update({ outcome });
  const price = async (id: number) => Number((await product(db(), id)).price);
  /** The statements knex sent while `fn` ran, with their values (the bulk insert goes around knex). */
  const statementsOf = async (fn: () => Promise<unknown>, bindings?: unknown[][]): Promise<string[]> => {
    const seen: string[] = [];
    const listen = (q: { sql: string; bindings?: unknown[] }) => {
      seen.push(q.sql);
      bindings?.push(q.bindings ?? []);
    };
    db().knex.on('query', listen);
    try {
      await fn();
    } finally {
      db().knex.removeListener('query', listen);
    }
    return seen;
  };

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('loads every value of every row under its run, codes in the shop\'s HTML form, and leaves what no row has at its default', async () => {
    const st = staging();
    await otherRunRow(st, 'LEFT-BEHIND');
    const done: number[] = [];
    const rows: StageRow[] = [
      { seq: 1, code: 'KV&1"<x>', price: 12.5, match_count: null, product_id: null, name: 'Első', vat: 27 },
      { seq: 2, code: 'PLAIN', promo: 9.75, promo_start: '2026-12-01', promo_end: '2026-12-31', match_count: null, quantity: 0 },
      { seq: 3, code: 'THIRD', gross: 127, outcome: 'check', description: 'leírás', unit: 'db', tax_class_id: 9, image: 'a.jpg', category_code: 'K1' },
    ];
    // Once filled, the stage's statistics are refreshed (InnoDB's are stale until then, and plans
    // made on them can go quadratic), after its last insert: the dialect's calls, in order.
    const calls: string[] = [];
    const recorded = withDialect(db(), (real) => ({
      bulkInsert: async (...args) => {
        calls.push(`insert ${args[1]}`);
        return real.bulkInsert(...args);
      },
      refreshStatistics: async (k, table) => {
        calls.push(`statistics ${table}`);
        return real.refreshStatistics(k, table);
      },
    }));
    await new ProductStaging(recorded, RUN, 'prices').load(rows, async (n) => void done.push(n));
    expect(done).toEqual([3]);
    expect(calls).toEqual([`insert ${st.S}`, `statistics ${st.S}`]);
    // The earlier run's row is gone: the stage holds one run at a time.
    expect(await db().knex(st.S).whereNot({ run_id: RUN })).toEqual([]);
    const cols = ['seq', 'code', 'product_id', 'match_count', 'outcome', 'price', 'gross', 'quantity', 'promo', 'promo_start', 'promo_end', 'name', 'description', 'unit', 'vat', 'tax_class_id', 'image', 'category_code'];
    expect(await stageRows(st, cols)).toEqual([
      { seq: 1, code: 'KV&amp;1&quot;&lt;x&gt;', product_id: null, match_count: 0, outcome: null, price: 12.5, gross: null, quantity: null, promo: null, promo_start: null, promo_end: null, name: 'Első', description: null, unit: null, vat: 27, tax_class_id: null, image: null, category_code: null },
      { seq: 2, code: 'PLAIN', product_id: null, match_count: 0, outcome: null, price: null, gross: null, quantity: 0, promo: 9.75, promo_start: '2026-12-01', promo_end: '2026-12-31', name: null, description: null, unit: null, vat: null, tax_class_id: null, image: null, category_code: null },
      { seq: 3, code: 'THIRD', product_id: null, match_count: 0, outcome: 'check', price: null, gross: 127, quantity: null, promo: null, promo_start: null, promo_end: null, name: null, description: 'leírás', unit: 'db', vat: null, tax_class_id: 9, image: 'a.jpg', category_code: 'K1' },
    ]);
    // Matched before staging: the counts and ids go in as given.
    await st.load([{ seq: 1, code: 'M', match_count: 1, product_id: 42 }, { seq: 2, code: 'N', match_count: 0, product_id: null }]);
    expect(await stageRows(st, ['seq', 'match_count', 'product_id'])).toEqual([{ seq: 1, match_count: 1, product_id: 42 }, { seq: 2, match_count: 0, product_id: null }]);
  });

  it('loads more rows than one insert holds in parts, each row once, reporting the rows done after each part', async () => {
    const st = staging();
    const n = 20_001;
    const rows = Array.from({ length: n }, (_, k) => ({ seq: k + 1, code: `B${k}` }));
    const done: number[] = [];
    await st.load(rows, async (d) => void done.push(d));
    expect(done).toEqual([20_000, n]);
    const count = async () => {
      const row = await db().knex(st.S).where({ run_id: RUN }).select(db().knex.raw('COUNT(*) AS n, COUNT(DISTINCT seq) AS seqs, MAX(seq) AS top')).first();
      return [Number(row.n), Number(row.seqs), Number(row.top)];
    };
    expect(await count()).toEqual([n, n, n]);
    // Exactly one part's worth: one part, reported once.
    done.length = 0;
    await st.load(rows.slice(0, 20_000), async (d) => void done.push(d));
    expect(done).toEqual([20_000]);
    expect(await count()).toEqual([20_000, 20_000, 20_000]);
  });

  it('takes rows out by seq, more than one statement holds, only its own run\'s', async () => {
    const st = staging();
    await st.load(Array.from({ length: 2_600 }, (_, k) => ({ seq: k + 1, code: `R${k}` })));
    await otherRunRow(st, 'OTHER');
    // 2,500 seqs: three statements of up to 1,000; seq 1 is also the other run's row's.
    const gone = Array.from({ length: 2_500 }, (_, k) => k + 1);
    const bindings: unknown[][] = [];
    const statements = await statementsOf(() => st.removeSeqs(gone), bindings);
    expect(statements.every((q) => /^delete/i.test(q))).toBe(true);
    // Each statement: the run and its part of the seqs (SQLite takes at most 32,766 values).
    expect(bindings.map((b) => b.length)).toEqual([1_001, 1_001, 501]);
    const left = (await stageRows(st, ['seq'])).map((r) => r.seq);
    expect(left).toEqual(Array.from({ length: 100 }, (_, k) => 2_501 + k));
    expect(await stageRows(st, ['seq', 'code'], OTHER_RUN)).toEqual([{ seq: 1, code: 'OTHER' }]);
    await st.removeSeqs([]);
    expect(await stageRows(st, ['seq'])).toHaveLength(100);
  });

  it('matches each unmatched code against the trimmed code field of the products created: one gives its id, none a count of 0, several their count and the lowest id', async () => {
    const [one, two, none] = [uniqueCode('SM'), uniqueCode('SM'), uniqueCode('SM')];
    const before = Number((await db().knex(db().t('product')).max({ id: 'product_id' }).first())!.id);
    const oneId = await addProduct(db(), { model: ` ${one}  ` });
    const twoIds = [await addProduct(db(), { model: two }), await addProduct(db(), { model: two })];
    // Case counts: a product whose code differs only in case is another code.
    await addProduct(db(), { model: none.toLowerCase() });
    const st = staging();
    await st.load([{ seq: 1, code: one }, { seq: 2, code: two }, { seq: 3, code: none }]);
    await otherRunRow(st, one);
    await st.matchCreated('model', before);
    expect(await stageRows(st, ['seq', 'match_count', 'product_id'])).toEqual([
      { seq: 1, match_count: 1, product_id: oneId },
      { seq: 2, match_count: 2, product_id: Math.min(...twoIds) },
      { seq: 3, match_count: 0, product_id: null },
    ]);
    expect(await stageRows(st, ['match_count', 'product_id'], OTHER_RUN)).toEqual([{ match_count: 0, product_id: null }]);
  });

  it('after products were created, matches only the rows still unmatched, and only against the products created after the id given', async () => {
    const [created, known, raced] = [uniqueCode('SC'), uniqueCode('SC'), uniqueCode('SC')];
    const knownId = await addProduct(db(), { model: known });
    const st = staging();
    await st.load([{ seq: 1, code: created, match_count: 0 }, { seq: 2, code: known, match_count: 1, product_id: knownId }, { seq: 3, code: raced, match_count: 0 }]);
    // A product that got the unmatched code before the push created its own (not the push's).
    await addProduct(db(), { model: raced });
    const before = Number((await db().knex(db().t('product')).max({ id: 'product_id' }).first())!.id);
    const createdId = await addProduct(db(), { model: created });
    const racedNew = await addProduct(db(), { model: raced });
    // A product created now with the already matched row's code does not make that row ambiguous.
    await addProduct(db(), { model: known });
    await st.matchCreated('model', before);
    expect(await stageRows(st, ['seq', 'match_count', 'product_id'])).toEqual([
      { seq: 1, match_count: 1, product_id: createdId },
      { seq: 2, match_count: 1, product_id: knownId },
      { seq: 3, match_count: 1, product_id: racedNew },
    ]);
  });

  it('marks rows without a product unknown and rows with several ambiguous, keeping an outcome set before and every matched row', async () => {
    const st = staging();
    await st.load([
      { seq: 1, code: 'U', match_count: 0 },
      { seq: 2, code: 'A', match_count: 3 },
      { seq: 3, code: 'M', match_count: 1, product_id: 5 },
      { seq: 4, code: 'C', match_count: 0, outcome: 'check' },
    ]);
    await otherRunRow(st, 'U');
    await st.markUnmatched();
    expect(await stageRows(st, ['seq', 'outcome'])).toEqual([{ seq: 1, outcome: 'unknown' }, { seq: 2, outcome: 'ambiguous' }, { seq: 3, outcome: null }, { seq: 4, outcome: 'check' }]);
    expect(await stageRows(st, ['outcome'], OTHER_RUN)).toEqual([{ outcome: null }]);
  });

  it('turns a matched gross price into net with the record\'s own VAT rate, else its product\'s tax class rate, else none', async () => {
    const codes = [uniqueCode('SG'), uniqueCode('SG'), uniqueCode('SG'), uniqueCode('SG')];
    const ids = [
      await addProduct(db(), { model: codes[0]!, tax_class_id: 9 }),
      await addProduct(db(), { model: codes[1]!, tax_class_id: 10 }),
      await addProduct(db(), { model: codes[2]!, tax_class_id: 9 }),
      await addProduct(db(), { model: codes[3]!, tax_class_id: 77 }),
    ];
    const rates = new Map([[9, 27], [10, 5]]);
    const st = staging();
    await st.load([
      { seq: 1, code: codes[0]!, match_count: 1, product_id: ids[0], gross: 127 },
      { seq: 2, code: codes[1]!, match_count: 1, product_id: ids[1], gross: 105 },
      { seq: 3, code: codes[2]!, match_count: 1, product_id: ids[2], gross: 118, vat: 18 },
      { seq: 4, code: codes[3]!, match_count: 1, product_id: ids[3], gross: 50 },
      // Rounded to 4 decimals: 100 / 1.27.
      { seq: 5, code: codes[0]!, match_count: 1, product_id: ids[0], gross: 100 },
      // Not matched, or no gross: left alone.
      { seq: 6, code: codes[0]!, match_count: 2, product_id: ids[0], gross: 127, price: 1 },
      { seq: 7, code: codes[0]!, match_count: 1, product_id: ids[0], price: 3 },
    ]);
    await otherRunRow(st, codes[0]!, { match_count: 1, product_id: ids[0], gross: 127 });
    await st.grossToNet('price', rates);
    expect(await stageRows(st, ['seq', 'price', 'promo'])).toEqual([
      { seq: 1, price: 100, promo: null }, { seq: 2, price: 100, promo: null }, { seq: 3, price: 100, promo: null }, { seq: 4, price: 50, promo: null },
      { seq: 5, price: 78.7402, promo: null }, { seq: 6, price: 1, promo: null }, { seq: 7, price: 3, promo: null },
    ]);
    expect(await stageRows(st, ['price'], OTHER_RUN)).toEqual([{ price: null }]);
    // Promo prices convert the promo column; with no rates at all, net is gross.
    const promo = staging('promo-prices');
    await promo.load([{ seq: 1, code: codes[1]!, match_count: 1, product_id: ids[1], gross: 105 }]);
    await promo.grossToNet('promo', rates);
    expect(await stageRows(promo, ['price', 'promo'])).toEqual([{ price: null, promo: 100 }]);
    await promo.load([{ seq: 1, code: codes[1]!, match_count: 1, product_id: ids[1], gross: 105 }]);
    await promo.grossToNet('promo', new Map());
    expect(await stageRows(promo, ['promo'])).toEqual([{ promo: 105 }]);
  });

  it('the net price SQL divides by the class rate of the product, the record\'s rate first when asked, rounded to 4 decimals', async () => {
    const rates = new Map([[9, 27], [10, 5], [11, 18]]);
    const net = async (expr: string, gross: number, taxClass: number, vat: number | null) => {
      const rows = await db().knex.raw(`SELECT ${expr} AS net FROM (SELECT ${gross} AS gross, ${vat === null ? 'NULL' : vat} AS vat) s CROSS JOIN (SELECT ${taxClass} AS tax_class_id) p`);
      return Number(db().dialect.rows<{ net: number }>(rows)[0]!.net);
    };
    expect(await net(netFromGross(rates), 127, 9, 18)).toBe(100);
    expect(await net(netFromGross(rates), 105, 10, null)).toBe(100);
    expect(await net(netFromGross(rates), 118, 11, null)).toBe(100);
    expect(await net(netFromGross(rates), 100, 12, null)).toBe(100);
    expect(await net(netFromGross(rates, 's.vat'), 118, 9, 18)).toBe(100);
    expect(await net(netFromGross(rates, 's.vat'), 127, 9, null)).toBe(100);
    expect(await net(netFromGross(new Map()), 127, 9, null)).toBe(127);
    expect(await net(netFromGross(rates), 10, 9, null)).toBe(7.874);
  });

  it('classifies matched rows without an outcome: unchanged where the product already holds the value, else updated, within the extra condition', async () => {
    const codes = [uniqueCode('SK'), uniqueCode('SK'), uniqueCode('SK')];
    const ids = [await addProduct(db(), { model: codes[0]!, price: 10 }), await addProduct(db(), { model: codes[1]!, price: 10 }), await addProduct(db(), { model: codes[2]!, price: 10 })];
    const st = staging();
    const rows: StageRow[] = [
      { seq: 1, code: codes[0]!, match_count: 1, product_id: ids[0], price: 10 },
      { seq: 2, code: codes[1]!, match_count: 1, product_id: ids[1], price: 11 },
      { seq: 3, code: codes[2]!, match_count: 1, product_id: ids[2], price: 12, outcome: 'check' },
      { seq: 4, code: 'NOPE', match_count: 0, price: 12 },
      { seq: 5, code: codes[0]!, match_count: 2, product_id: ids[0], price: 12 },
    ];
    await st.load(rows);
    await otherRunRow(st, codes[1]!, { match_count: 1, product_id: ids[1], price: 11 });
    await st.classify('p.price = s.price');
    expect((await stageRows(st, ['outcome'])).map((r) => r.outcome)).toEqual(['unchanged', 'updated', 'check', null, null]);
    expect(await stageRows(st, ['outcome'], OTHER_RUN)).toEqual([{ outcome: null }]);
    // Only the rows the extra condition admits.
    await st.load(rows);
    await st.classify('p.price = s.price', 's.price > 10');
    expect((await stageRows(st, ['outcome'])).map((r) => r.outcome)).toEqual([null, 'updated', 'check', null, null]);
  });

  // scanProducts: a push of a fifth of the shop or more scans the product table (the staged rows
  // as a derived table of the columns named, joined STRAIGHT on MySQL so the product table leads),
  // a smaller one looks each staged product up; both write the same. Not told: looked up.
  it.each([
    ['looking each staged product up', 3, 16],
    ['looking each staged product up (not told the sizes)', null, null],
    ['scanning the product table (a fifth exactly)', 3, 15],
  ])('writes the given columns and date_modified of the rows whose outcome is listed (updated unless said), and no other product, %s', async (way, staged, shop) => {
    const codes = [uniqueCode('SW'), uniqueCode('SW'), uniqueCode('SW'), uniqueCode('SW')];
    const ids: number[] = [];
    for (const model of codes) ids.push(await addProduct(db(), { model, price: 10 }));
    const st = staging();
    await st.load([
      { seq: 1, code: codes[0]!, match_count: 1, product_id: ids[0], price: 20, outcome: 'updated' },
      { seq: 2, code: codes[1]!, match_count: 1, product_id: ids[1], price: 21 },
      { seq: 3, code: codes[2]!, match_count: 1, product_id: ids[2], price: 22 },
    ]);
    await setOutcome(st, 2, 'created');
    await setOutcome(st, 3, 'unchanged');
    await otherRunRow(st, codes[3]!, { match_count: 1, product_id: ids[3], price: 23, outcome: 'updated' });
    if (staged !== null && shop !== null) st.scanProducts(staged, shop);
    const statements = await statementsOf(() => st.applyToProducts({ price: 's.price' }, NOW, undefined, ['price']));
    const write = statements.filter((q) => /^update/i.test(q));
    expect(write).toHaveLength(1);
    if (way.startsWith('scanning')) {
      expect(write[0]).toMatch(/\(SELECT s\.product_id, s\.price FROM \S+ s WHERE /);
      if (db().dialect.name === 'mysql') expect(write[0]).toMatch(/ STRAIGHT_JOIN \(SELECT /);
    } else {
      expect(write[0]).not.toMatch(/\(SELECT/);
      expect(write[0]).not.toMatch(/STRAIGHT_JOIN/);
    }
    expect(await Promise.all(ids.map(price))).toEqual([20, 10, 10, 10]);
    expect(String((await product(db(), ids[0]!)).date_modified)).toBe(NOW);
    expect(String((await product(db(), ids[2]!)).date_modified)).toBe('2026-01-01 10:00:00');
    await st.applyToProducts({ price: 's.price + 100' }, NOW, ['updated', 'created'], ['price']);
    expect(await Promise.all(ids.map(price))).toEqual([120, 121, 10, 10]);
  });

  it('answers the count of each outcome (none as "null") and the unknown and ambiguous rows by seq, codes as the ERP sent them', async () => {
    const st = staging();
    await st.load([
      { seq: 4, code: 'A&B', match_count: 2, outcome: 'ambiguous' },
      { seq: 1, code: 'X<1>', match_count: 0, outcome: 'unknown' },
      { seq: 2, code: 'OK', match_count: 1, product_id: 3, outcome: 'updated' },
      { seq: 3, code: 'SAME', match_count: 1, product_id: 4 },
      { seq: 5, code: 'SAME2', match_count: 1, product_id: 6 },
      { seq: 6, code: 'NONE', match_count: 1, product_id: 7 },
    ]);
    await setOutcome(st, 3, 'unchanged');
    await setOutcome(st, 5, 'unchanged');
    await otherRunRow(st, 'GONE', { outcome: 'unknown' });
    const { counts, notApplied } = await st.outcomes();
    expect(counts).toEqual({ ambiguous: 1, unknown: 1, updated: 1, unchanged: 2, null: 1 });
    expect(notApplied.map((r) => ({ ...r, seq: Number(r.seq), match_count: Number(r.match_count) }))).toEqual([
      { seq: 1, code: 'X<1>', outcome: 'unknown', match_count: 0 },
      { seq: 4, code: 'A&B', outcome: 'ambiguous', match_count: 2 },
    ]);
    await st.clear();
    expect(await db().knex(st.S)).toEqual([]);
  });
});
