// The product use cases (app/sync/apply-products.ts) called directly on each database with staged
// rows as the validator gives them: which path a push takes, what the direct path (stock and
// stock-and-price prices) matches, counts, writes and records in the history (twins, unknown and
// ambiguous codes, gross prices, a dry run, more changes than one column block holds), and what
// the staged path (promo prices, full sync) does: specials for the right customer groups, products
// created with the shop's defaults, reasons, the steps in their order, and a stage left empty.
// The push suites reach all of it only through HTTP. One prefix per database (DIALECT_TARGETS):
// the prefix is the shop modules' concern (their own suites run on every prefix), and StrykerJS
// re-runs this file for each mutant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProducts, directPush, isDirect, ReadingStager, STAGE_WHILE_READING } from '../../app/sync/apply-products.js';
import type { StagedProduct } from '../../app/sync/validate-products.js';
import type { Settings } from '../../app/settings/schema.js';
import { listCustomerGroups, listTaxClasses } from '../../app/shop/catalog.js';
import { loadProductIndex } from '../../app/shop/product-index.js';
import { ProductStaging } from '../../app/shop/product-staging.js';
import { shopSchema } from '../../app/shop/schema.js';
import { addDays, today } from '../../app/util/time.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { withDialect } from '../support/dialect-hooks.js';
import { runChanges } from '../../app/plugin/product-history.js';
import { addProduct, addSpecial, product, specials, uniqueCode } from '../support/shop.js';

let runs = 9100;

describe.each(DIALECT_TARGETS)('the product use cases on $name', (target) => {
  let env: TargetEnv;
  let base: Settings;
  let groups: number[];
  const db = () => env.ctx.db;
  const settings = (over: Partial<Settings> = {}): Settings => ({ ...base, ...over });
  const qty = async (id: number) => Number((await product(db(), id)).quantity);
  const price = async (id: number) => Number((await product(db(), id)).price);
  const history = async (run: number) => (await runChanges(db(), run)).sort((a, b) => a.product_id - b.product_id || a.field.localeCompare(b.field));
  const stageEmpty = async (kind: 'prices' | 'promo-prices') => (await db().knex(new ProductStaging(db(), 0, kind).S).count({ n: '*' }).first())!.n;
  const reasons = (r: { notApplied: Array<{ seq: number; code: string; outcome: string; reason: string }> }) => r.notApplied.map((n) => [n.seq, n.code, n.outcome, n.reason]);
  const setConfig = async (key: string, value: string | null) => {
    const q = db().knex(db().t('setting')).where({ store_id: 0, code: 'config', key });
    await q.clone().del();
    if (value !== null) await db().knex(db().t('setting')).insert({ store_id: 0, code: 'config', key, value, serialized: 0 });
  };

  beforeAll(async () => {
    env = await openTarget(target);
    base = await env.ctx.settings.get();
    groups = (await listCustomerGroups(db())).map((g) => g.customerGroupId).sort((a, b) => a - b);
  });
  afterAll(async () => env?.cleanup());

  it('takes the direct path for stock and for prices in stock-and-price sync only', () => {
    expect(isDirect('stock', settings({ sync_type: 'full' }))).toBe(true);
    expect(isDirect('stock', settings({ sync_type: 'stock_price' }))).toBe(true);
    expect(isDirect('prices', settings({ sync_type: 'stock_price' }))).toBe(true);
    expect(isDirect('prices', settings({ sync_type: 'full' }))).toBe(false);
    expect(isDirect('promo-prices', settings({ sync_type: 'stock_price' }))).toBe(false);
  });

  it('stock: writes the changed quantities, counts unchanged, unknown and ambiguous codes with their reasons, leaves twins and refused values out, and records the history', async () => {
    const run = ++runs;
    const [changed, same, twin, shared, refused] = ['SQ', 'SQ', 'SQ', 'SQ', 'SQ'].map((p) => uniqueCode(p)) as [string, string, string, string, string];
    const ids = {
      changed: await addProduct(db(), { model: changed, quantity: 5 }),
      same: await addProduct(db(), { model: same, quantity: 5 }),
      twin: await addProduct(db(), { model: twin, quantity: 5 }),
      shared: [await addProduct(db(), { model: shared, quantity: 5 }), await addProduct(db(), { model: shared, quantity: 5 })],
      refused: await addProduct(db(), { model: refused, quantity: 5 }),
    };
    const unknown = uniqueCode('SQ');
    const rows: StagedProduct[] = [
      { seq: 1, code: changed, quantity: 9 },
      { seq: 2, code: same, quantity: 5 },
      { seq: 3, code: twin, quantity: 1 },
      { seq: 4, code: unknown, quantity: 1 },
      { seq: 5, code: shared, quantity: 1 },
      { seq: 6, code: twin, quantity: 2 },
      { seq: 7, code: refused },
      { seq: 8, code: '', quantity: 3 },
      { seq: 9, code: `${unknown}-2`, quantity: 1 },
    ];
    const res = await applyProducts(db(), run, 'stock', rows, settings(), { dryRun: false });
    expect(res.counts).toEqual({ updated: 1, unchanged: 1, unknown: 2, ambiguous: 1 });
    expect(reasons(res)).toEqual([
      [4, unknown, 'unknown', `no product has model "${unknown}"`],
      [5, shared, 'ambiguous', `2 products have model "${shared}": none was changed`],
      [9, `${unknown}-2`, 'unknown', `no product has model "${unknown}-2"`],
    ]);
    expect([await qty(ids.changed), await qty(ids.same), await qty(ids.twin), await qty(ids.shared[0]!), await qty(ids.shared[1]!), await qty(ids.refused)]).toEqual([9, 5, 5, 5, 5, 5]);
    expect(await history(run)).toEqual([{ product_id: ids.changed, code: changed, field: 'quantity', old_value: 5, new_value: 9 }]);
  });

  it('finds a code standing twice across the whole push, the refused record of a product among them, and no twin in a code only once', async () => {
    const [a, b, c, none] = [uniqueCode('ST'), uniqueCode('ST'), uniqueCode('ST'), uniqueCode('ST')];
    for (const code of [a, b, c]) await addProduct(db(), { model: code });
    const shared = uniqueCode('ST');
    await addProduct(db(), { model: shared });
    await addProduct(db(), { model: shared });
    const d = await directPush(db(), ++runs, 'stock', settings(), true);
    try {
      // Before the index is there, records wait (and count as the backlog); no code, no record.
      d.add(1, a, 1);
      d.add(2, '', 1);
      d.add(3, b, NaN);
      expect(d.backlog).toBe(2);
      // Catching up before the index is there leaves them waiting.
      d.catchUp();
      expect(d.backlog).toBe(2);
      await d.indexRead();
      expect(d.backlog).toBe(2);
      d.catchUp();
      expect(d.backlog).toBe(0);
      // Now matched as they come.
      d.add(4, a, 2);
      d.add(5, b, 3);
      d.add(6, c, 4);
      d.add(7, none, 1);
      d.add(8, none, 2);
      d.add(9, shared, 1);
      d.add(10, shared, 2);
      d.add(11, a, NaN);
      expect(d.backlog).toBe(0);
      expect(Object.fromEntries(d.twins)).toEqual({ [a]: [1, 4, 11], [b]: [3, 5], [none]: [7, 8], [shared]: [9, 10] });
      const res = await d.finish({ dryRun: true });
      // a's and b's records are the caller's to refuse; c is one change; none and shared are twins too.
      expect(res.counts).toEqual({ updated: 1, unchanged: 0, unknown: 0, ambiguous: 0 });
      expect(res.notApplied).toEqual([]);
    } finally {
      await d.close();
    }
  });

  it('a dry run answers as the push would and changes nothing; a run with nothing to change writes nothing', async () => {
    const run = ++runs;
    const [a, b] = [uniqueCode('SD'), uniqueCode('SD')];
    const ids = [await addProduct(db(), { model: a, quantity: 1 }), await addProduct(db(), { model: b, quantity: 2 })];
    const steps: string[] = [];
    const rows: StagedProduct[] = [{ seq: 1, code: a, quantity: 7 }, { seq: 2, code: b, quantity: 2 }];
    const res = await applyProducts(db(), run, 'stock', rows, settings(), { dryRun: true, checkpoint: (s) => void steps.push(s) });
    expect(res.counts).toEqual({ updated: 1, unchanged: 1, unknown: 0, ambiguous: 0 });
    expect(steps).toEqual(['classified']);
    expect([await qty(ids[0]!), await qty(ids[1]!)]).toEqual([1, 2]);
    expect(await history(run)).toEqual([]);
    // The same for real: three steps, then a resend that finds nothing to change.
    steps.length = 0;
    expect((await applyProducts(db(), run, 'stock', rows, settings(), { dryRun: false, checkpoint: (s) => void steps.push(s) })).counts).toEqual({ updated: 1, unchanged: 1, unknown: 0, ambiguous: 0 });
    expect(steps).toEqual(['classified', 'loaded', 'applied']);
    expect(await qty(ids[0]!)).toBe(7);
    const again = await applyProducts(db(), ++runs, 'stock', rows, settings(), { dryRun: false });
    expect(again.counts).toEqual({ updated: 0, unchanged: 2, unknown: 0, ambiguous: 0 });
  });

  it('a dry run writes nothing even with the change table open', async () => {
    const code = uniqueCode('SO');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    const d = await directPush(db(), ++runs, 'stock', settings(), false);
    try {
      d.add(1, code, 6);
      expect((await d.finish({ dryRun: true })).counts).toEqual({ updated: 1, unchanged: 0, unknown: 0, ambiguous: 0 });
    } finally {
      await d.close();
    }
    expect(await qty(id)).toBe(1);
  });

  it('matches the shop\'s first product (the index\'s first code and row) like any other, alone, twice and shared', async () => {
    const first = await db().knex(db().t('product')).orderBy('product_id').first('product_id', 'model', 'quantity');
    const code = String(first.model).trim();
    const id = Number(first.product_id);
    expect(await db().knex(db().t('product')).where({ model: first.model }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    const was = Number(first.quantity);
    const res = await applyProducts(db(), ++runs, 'stock', [{ seq: 1, code, quantity: was + 1 }], settings(), { dryRun: false });
    expect(res).toEqual({ counts: { updated: 1, unchanged: 0, unknown: 0, ambiguous: 0 }, notApplied: [] });
    expect(await qty(id)).toBe(was + 1);
    // Twice: a twin, found by its row.
    const d = await directPush(db(), ++runs, 'stock', settings(), true);
    try {
      await d.indexRead();
      d.catchUp();
      d.add(1, code, was + 5);
      d.add(2, code, was + 6);
      expect(Object.fromEntries(d.twins)).toEqual({ [code]: [1, 2] });
      expect((await d.finish({ dryRun: true })).counts).toEqual({ updated: 0, unchanged: 0, unknown: 0, ambiguous: 0 });
    } finally {
      await d.close();
    }
    // Shared with another product: ambiguous, on the direct path and on the staged one.
    const other = await addProduct(db(), { model: code });
    try {
      const direct = await applyProducts(db(), ++runs, 'stock', [{ seq: 1, code, quantity: 1 }], settings(), { dryRun: true });
      expect(reasons(direct)).toEqual([[1, code, 'ambiguous', `2 products have model "${code}": none was changed`]]);
      const promo = await applyProducts(db(), ++runs, 'promo-prices', [{ seq: 1, code, promo: 1, promo_start: null, promo_end: '0000-00-00' }], settings(), { dryRun: true });
      expect(reasons(promo)).toEqual([[1, code, 'ambiguous', `2 products have model "${code}": none was changed`]]);
    } finally {
      await db().knex(db().t('product')).where({ product_id: other }).del();
    }
  });

  it('prices in stock-and-price sync: compared to 4 decimals, gross turned net by the VAT mapping else the class\'s own rates, the old price in the history', async () => {
    const classes = await listTaxClasses(db());
    const own = classes.find((c) => c.percent > 0)!;
    const mapped = classes.find((c) => c.taxClassId !== own.taxClassId)!;
    const codes = ['SP', 'SP', 'SP', 'SP', 'SP'].map((p) => uniqueCode(p));
    const ids = [
      await addProduct(db(), { model: codes[0]!, price: 10.00004 }),
      await addProduct(db(), { model: codes[1]!, price: 10 }),
      await addProduct(db(), { model: codes[2]!, price: 10, tax_class_id: own.taxClassId }),
      await addProduct(db(), { model: codes[3]!, price: 10, tax_class_id: mapped.taxClassId }),
      await addProduct(db(), { model: codes[4]!, price: 10, tax_class_id: 7777 }),
    ];
    const run = ++runs;
    const net = await applyProducts(db(), run, 'prices', [{ seq: 1, code: codes[0]!, price: 10 }, { seq: 2, code: codes[1]!, price: 12.5 }], settings({ price_basis: 'net' }), { dryRun: false });
    expect(net.counts).toEqual({ updated: 1, unchanged: 1, unknown: 0, ambiguous: 0 });
    expect(await price(ids[1]!)).toBe(12.5);
    expect(await history(run)).toEqual([{ product_id: ids[1], code: codes[1], field: 'price', old_value: 10, new_value: 12.5 }]);
    // Gross: the class's own rate; the owner's mapping (18% → the other class); no rate, as sent.
    const gross = await applyProducts(db(), ++runs, 'prices', [
      { seq: 1, code: codes[2]!, gross: 100, price: 1 },
      { seq: 2, code: codes[3]!, gross: 118 },
      { seq: 3, code: codes[4]!, gross: 50 },
    ], settings({ price_basis: 'gross', vat_map: { '18': mapped.taxClassId } }), { dryRun: false });
    expect(gross.counts).toEqual({ updated: 3, unchanged: 0, unknown: 0, ambiguous: 0 });
    expect(await price(ids[2]!)).toBe(Math.round((100 / (1 + own.percent / 100)) * 10_000) / 10_000);
    expect(await price(ids[3]!)).toBe(100);
    expect(await price(ids[4]!)).toBe(50);
  });

  // The change columns are memory only: one database is enough (each mutant re-runs this test).
  it.runIf(target.dialect === 'sqlite')('writes more changes than one block of the change columns holds, each to its own product', async () => {
    const n = 4100;
    const prefix = uniqueCode('SB');
    const schema = await shopSchema(db());
    const template = { sku: '', upc: '', ean: '', jan: '', isbn: '', mpn: '', location: '', quantity: 1, stock_status_id: 7, image: '', manufacturer_id: 0, shipping: 1, price: 1, points: 0, tax_class_id: 9, date_available: '2026-01-01', weight: 0, weight_class_id: 1, length: 0, width: 0, height: 0, length_class_id: 1, subtract: 1, minimum: 1, sort_order: 0, status: 1, viewed: 0, date_added: '2026-01-01 10:00:00', date_modified: '2026-01-01 10:00:00', master_id: 0, variant: '', override: '', rating: 0 };
    const rows = Array.from({ length: n }, (_, i) => schema.completeRow('product', { ...template, model: `${prefix}-${i}` }));
    await db().knex.batchInsert(db().t('product'), rows, 200);
    const res = await applyProducts(db(), ++runs, 'stock', Array.from({ length: n }, (_, i) => ({ seq: i + 1, code: `${prefix}-${i}`, quantity: 1000 + i })), settings(), { dryRun: false });
    expect(res.counts).toEqual({ updated: n, unchanged: 0, unknown: 0, ambiguous: 0 });
    const got = await db().knex(db().t('product')).where('model', 'like', `${prefix}-%`).select('model', 'quantity');
    const wrong = got.filter((r) => Number(r.quantity) !== 1000 + Number(String(r.model).slice(prefix.length + 1)));
    expect([got.length, wrong.length]).toEqual([n, 0]);
  });

  it('promo prices: a special for each customer group (the owner\'s choice, else all), unknown and ambiguous codes answered, gross promos turned net, the stage left empty', async () => {
    const [a, b, shared] = [uniqueCode('PP'), uniqueCode('PP'), uniqueCode('PP')];
    const ids = [await addProduct(db(), { model: a, price: 1000 }), await addProduct(db(), { model: b, price: 1000, tax_class_id: 7777 })];
    await addProduct(db(), { model: shared });
    await addProduct(db(), { model: shared });
    const unknown = uniqueCode('PP');
    const start = today();
    const end = addDays(start, 10);
    const steps: string[] = [];
    const run = ++runs;
    const res = await applyProducts(db(), run, 'promo-prices', [
      { seq: 1, code: a, promo: 799, promo_start: start, promo_end: end },
      { seq: 2, code: unknown, promo: 1, promo_start: null, promo_end: '0000-00-00' },
      { seq: 3, code: shared, promo: 1, promo_start: null, promo_end: '0000-00-00' },
    ], settings(), { dryRun: false, checkpoint: (s) => void steps.push(s) });
    expect(res.counts).toMatchObject({ updated: 1, unknown: 1, ambiguous: 1 });
    expect(reasons(res)).toEqual([
      [2, unknown, 'unknown', `no product has model "${unknown}"`],
      [3, shared, 'ambiguous', `2 products have model "${shared}": none was changed`],
    ]);
    expect(await specials(db(), ids[0]!)).toEqual(groups.map((g) => ({ customer_group_id: g, priority: 10, price: 799, date_start: start, date_end: end })));
    expect(steps).toEqual(['matched', 'classified', 'specials:deduplicated', 'specials:updated', 'specials:inserted', 'applied']);
    expect((await history(run)).map((h) => [h.product_id, h.field, h.new_value])).toEqual([[ids[0], 'promo', 799]]);
    expect(Number(await stageEmpty('promo-prices'))).toBe(0);
    // The owner's groups only; a gross promo with no rate stays as sent.
    const last = groups[groups.length - 1]!;
    await applyProducts(db(), ++runs, 'promo-prices', [{ seq: 1, code: b, gross: 50, promo_start: null, promo_end: '0000-00-00' }], settings({ promo_customer_groups: [last], price_basis: 'gross' }), { dryRun: false });
    expect((await specials(db(), ids[1]!)).map((s) => [s.customer_group_id, Number(s.price)])).toEqual([[last, 50]]);
  });

  it('promo prices of a big push: staged while read, twins taken out again, and written as a small push would be', async () => {
    const [a, twin, late] = [uniqueCode('PB'), uniqueCode('PB'), uniqueCode('PB')];
    const ids = [await addProduct(db(), { model: a, price: 1000 }), await addProduct(db(), { model: twin, price: 1000 }), await addProduct(db(), { model: late, price: 1000 })];
    const s = settings();
    const index = loadProductIndex(db(), s.product_code_field);
    const run = ++runs;
    const stager = new ReadingStager(db(), run, 'promo-prices', s, index);
    const read: StagedProduct[] = [];
    const add = (code: string, promo: number) => read.push({ seq: read.length + 1, code, promo, promo_start: null, promo_end: '0000-00-00' });
    add(a, 500);
    add(twin, 400);
    for (let i = read.length; i < STAGE_WHILE_READING - 1; i++) add(`NOPE-${i}`, 1);
    await stager.catchUp(read);
    expect(stager.started).toBe(false);
    add(`NOPE-last`, 1);
    await stager.catchUp(read);
    expect(stager.started).toBe(true);
    add(late, 300);
    add(twin, 401);
    // The twin's two records do not stand (the caller refused them).
    const stand = read.filter((r) => r.code !== twin);
    try {
      const res = await applyProducts(db(), run, 'promo-prices', stand, s, { dryRun: false, index, stager: { stager, read } });
      expect(res.counts).toMatchObject({ updated: 2, unknown: STAGE_WHILE_READING - 2 });
      expect(res.notApplied.filter((x) => x.code === twin || x.code === a)).toEqual([]);
    } finally {
      await stager.close();
    }
    expect((await specials(db(), ids[0]!)).map((x) => Number(x.price))).toEqual(groups.map(() => 500));
    expect(await specials(db(), ids[1]!)).toEqual([]);
    expect((await specials(db(), ids[2]!)).map((x) => Number(x.price))).toEqual(groups.map(() => 300));
    expect(Number(await stageEmpty('promo-prices'))).toBe(0);
  });

  it('a big promo push whose staging while read fails: the push fails with that failure, writes no special, and the stage is emptied', async () => {
    const a = uniqueCode('PF');
    const id = await addProduct(db(), { model: a, price: 1000 });
    const s = settings();
    const index = loadProductIndex(db(), s.product_code_field);
    const run = ++runs;
    // The stage's first insert (the one in the background) fails as a statement does when the
    // database refuses it; later ones work, so only the kept failure can stop the push.
    const refused = new Error('the stage insert was refused');
    let inserts = 0;
    const refusing = withDialect(db(), (real) => ({
      bulkInsert: async (...args) => {
        if (inserts++ === 0) throw refused;
        return real.bulkInsert(...args);
      },
    }));
    const stager = new ReadingStager(refusing, run, 'promo-prices', s, index);
    const read: StagedProduct[] = [];
    read.push({ seq: 1, code: a, promo: 500, promo_start: null, promo_end: '0000-00-00' });
    for (let i = read.length; i < STAGE_WHILE_READING; i++) read.push({ seq: i + 1, code: `NOPE-${i}`, promo: 1, promo_start: null, promo_end: '0000-00-00' });
    await stager.catchUp(read);
    expect(stager.started).toBe(true);
    // A later record, staged at the end (where inserts work again): the kept failure still stops the push.
    read.push({ seq: read.length + 1, code: `NOPE-late`, promo: 1, promo_start: null, promo_end: '0000-00-00' });
    await stager.catchUp(read);
    try {
      await expect(applyProducts(db(), run, 'promo-prices', read, s, { dryRun: false, index, stager: { stager, read } })).rejects.toBe(refused);
    } finally {
      await stager.close();
    }
    expect(await specials(db(), id)).toEqual([]);
    expect(Number(await stageEmpty('promo-prices'))).toBe(0);
  });

  it('a small promo push never stages while read, and a dry run of it writes no special', async () => {
    const code = uniqueCode('PS');
    const id = await addProduct(db(), { model: code });
    await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 1, price: 5 });
    const s = settings();
    const stager = new ReadingStager(db(), ++runs, 'promo-prices', s, loadProductIndex(db(), s.product_code_field));
    const read: StagedProduct[] = [{ seq: 1, code, promo: 9, promo_start: null, promo_end: '0000-00-00' }];
    await stager.catchUp(read);
    expect(stager.started).toBe(false);
    const res = await applyProducts(db(), ++runs, 'promo-prices', read, s, { dryRun: true, stager: { stager, read } });
    await stager.close();
    expect(res.counts).toMatchObject({ updated: 1 });
    expect((await specials(db(), id)).map((x) => Number(x.priority))).toEqual([1]);
  });

  it('full sync creates the products it does not know, with the owner\'s status and the shop\'s default classes, and answers a record it cannot create', async () => {
    const [known, created, disabled, nameless] = [uniqueCode('FS'), uniqueCode('FS'), uniqueCode('FS'), uniqueCode('FS')];
    const knownId = await addProduct(db(), { model: known, price: 10 });
    await setConfig('config_stock_status_id', '8');
    await setConfig('config_weight_class_id', 'nincs');
    await setConfig('config_length_class_id', null);
    const steps: string[] = [];
    const full = settings({ sync_type: 'full' });
    const run = ++runs;
    const res = await applyProducts(db(), run, 'prices', [
      { seq: 1, code: known, price: 20, name: 'Ismert' },
      { seq: 2, code: created, price: 30, name: 'Új termék' },
      { seq: 3, code: nameless, price: 40 },
    ], full, { dryRun: false, checkpoint: (s) => void steps.push(s) });
    expect(res.counts).toMatchObject({ updated: 1, created: 1, unknown: 1 });
    expect(reasons(res)).toEqual([[3, nameless, 'unknown', `no product has model "${nameless}" (send nev to create it)`]]);
    // The master lanes run at once (product-master.ts), so only each lane's own order is fixed.
    expect([...steps.slice(0, 3), ...steps.slice(3, 6).sort(), ...steps.slice(6)]).toEqual(['matched', 'created', 'classified', 'master:categories', 'master:descriptions', 'master:products', 'applied']);
    expect(steps.indexOf('master:descriptions')).toBeLessThan(steps.indexOf('master:categories'));
    expect(await price(knownId)).toBe(20);
    const made = await db().knex(db().t('product')).where({ model: created }).first();
    expect([Number(made.price), Number(made.status), Number(made.stock_status_id), Number(made.weight_class_id), Number(made.length_class_id), String(made.date_available)]).toEqual([30, 1, 8, 1, 1, today()]);
    expect((await history(run)).map((h) => [h.product_id, h.old_value, h.new_value])).toEqual([[knownId, 10, 20], [Number(made.product_id), null, 30]]);
    expect(Number(await stageEmpty('prices'))).toBe(0);
    // Disabled as the owner wants new products; the fallback stock status when the shop's is 0.
    await setConfig('config_stock_status_id', '0');
    await applyProducts(db(), ++runs, 'prices', [{ seq: 1, code: disabled, price: 1, name: 'Kikapcsolt' }], settings({ sync_type: 'full', new_product_status: 'disabled' }), { dryRun: false });
    const off = await db().knex(db().t('product')).where({ model: disabled }).first();
    expect([Number(off.status), Number(off.stock_status_id)]).toEqual([0, 5]);
    // The shop's own weight and length classes, where it names them.
    await setConfig('config_weight_class_id', '3');
    await setConfig('config_length_class_id', '2');
    const classed = uniqueCode('FS');
    await applyProducts(db(), ++runs, 'prices', [{ seq: 1, code: classed, price: 1, name: 'Osztályos' }], full, { dryRun: false });
    const withClasses = await db().knex(db().t('product')).where({ model: classed }).first();
    expect([Number(withClasses.weight_class_id), Number(withClasses.length_class_id)]).toEqual([3, 2]);
  });

  it('promo prices in full sync are promo prices: specials written, the product itself untouched, and a code the shop does not have answered unknown, not created', async () => {
    const [known, unknown] = [uniqueCode('FP'), uniqueCode('FP')];
    const id = await addProduct(db(), { model: known, price: 1000 });
    const start = today();
    const end = addDays(start, 10);
    const res = await applyProducts(db(), ++runs, 'promo-prices', [
      { seq: 1, code: known, promo: 799, name: 'Akciós', promo_start: start, promo_end: end },
      { seq: 2, code: unknown, promo: 5, name: 'Akciós új', promo_start: null, promo_end: '0000-00-00' },
    ], settings({ sync_type: 'full' }), { dryRun: false });
    expect(res.counts).toMatchObject({ updated: 1, unknown: 1 });
    expect(res.counts.created ?? 0).toBe(0);
    expect(await specials(db(), id)).toEqual(groups.map((g) => ({ customer_group_id: g, priority: 10, price: 799, date_start: start, date_end: end })));
    expect(await price(id)).toBe(1000);
    expect(await db().knex(db().t('product')).where({ model: unknown })).toEqual([]);
  });

  it("full sync: a price the owner changed after the push read its index gets its history from SQL, with the owner's price as the old one", async () => {
    const code = uniqueCode('FO');
    const id = await addProduct(db(), { model: code, price: 80 });
    const full = settings({ sync_type: 'full' });
    // The index as the push read it when the body began to arrive; then the owner's edit.
    const index = await loadProductIndex(db(), full.product_code_field);
    await db().knex(db().t('product')).where({ product_id: id }).update({ price: 85 });
    const run = ++runs;
    const res = await applyProducts(db(), run, 'prices', [{ seq: 1, code, price: 90, name: `Test ${code}` }], full, { dryRun: false, index: Promise.resolve(index) });
    expect(res.counts).toMatchObject({ updated: 1 });
    expect(await price(id)).toBe(90);
    expect(await history(run)).toEqual([{ product_id: id, code, field: 'price', old_value: 85, new_value: 90 }]);
    // Nothing changed since: the next push's history comes from memory (blocks) where the dialect can tell (MySQL's signature).
    const next = ++runs;
    await applyProducts(db(), next, 'prices', [{ seq: 1, code, price: 95, name: `Test ${code}` }], full, { dryRun: false });
    expect(await history(next)).toEqual([{ product_id: id, code, field: 'price', old_value: 90, new_value: 95 }]);
    const blocks = Number((await db().knex(db().own('product_change_block')).where({ run_id: next }).count({ n: '*' }))[0]!.n);
    expect(blocks).toBe(db().dialect.name === 'sqlite' ? 0 : 1);
  });

  it('full sync with gross prices: a created product gets the net price of its afakulcs (none: the price as sent, and no tax class)', async () => {
    const [withVat, noVat] = [uniqueCode('FG'), uniqueCode('FG')];
    const taxClass = (await listTaxClasses(db()))[0]!.taxClassId;
    const full = settings({ sync_type: 'full', price_basis: 'gross', vat_map: { '27': taxClass } });
    const res = await applyProducts(db(), ++runs, 'prices', [
      { seq: 1, code: withVat, gross: 127, vat: 27, tax_class_id: taxClass, name: 'Bruttó új' },
      { seq: 2, code: noVat, gross: 50, name: 'Áfa nélkül' },
    ], full, { dryRun: false });
    expect(res.counts).toMatchObject({ created: 2 });
    const made = async (code: string) => Number((await db().knex(db().t('product')).where({ model: code }).first()).price);
    expect(await made(withVat)).toBe(100);
    // No afakulcs: no tax class for the new product, and the price as sent (rate 0).
    expect(await made(noVat)).toBe(50);
    expect(Number((await db().knex(db().t('product')).where({ model: noVat }).first()).tax_class_id)).toBe(0);
  });

  it('full sync: a dry run creates and changes nothing, gross prices turned net with the record\'s VAT, and the stage is emptied even after a failure', async () => {
    const [known, fresh] = [uniqueCode('FD'), uniqueCode('FD')];
    const knownId = await addProduct(db(), { model: known, price: 10 });
    const full = settings({ sync_type: 'full', price_basis: 'gross' });
    const steps: string[] = [];
    const res = await applyProducts(db(), ++runs, 'prices', [{ seq: 1, code: known, gross: 127, vat: 27, name: 'Ismert' }, { seq: 2, code: fresh, gross: 5, vat: 27, name: 'Új' }], full, { dryRun: true, checkpoint: (s) => void steps.push(s) });
    expect(res.counts).toMatchObject({ updated: 1, created: 1 });
    expect(steps).toEqual(['matched', 'classified']);
    expect(await price(knownId)).toBe(10);
    expect(await db().knex(db().t('product')).where({ model: fresh }).first()).toBeUndefined();
    await applyProducts(db(), ++runs, 'prices', [{ seq: 1, code: known, gross: 127, vat: 27, name: 'Ismert' }], full, { dryRun: false });
    expect(await price(knownId)).toBe(100);
    // A failure half-way (a crash after the products were written): the stage is emptied all the same.
    await expect(applyProducts(db(), ++runs, 'prices', [{ seq: 1, code: known, price: 3, name: 'Ismert' }], settings({ sync_type: 'full' }), {
      dryRun: false,
      checkpoint: (s) => { if (s === 'classified') throw new Error('crash'); },
    })).rejects.toThrow('crash');
    expect(Number(await stageEmpty('prices'))).toBe(0);
    expect(await price(knownId)).toBe(100);
  });
});
