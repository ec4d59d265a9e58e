// A product's history read through `ProductHistory.changes` (what the admin's product page shows):
// which runs count, how a product is found, the order, the paging, and the values as numbers.
// The history is written here directly, each change under a run in the state the test names, in
// each of its two forms: a row per product (full sync's prices, promos) and blocks of changes
// (stock and price pushes, app/plugin/change-blocks.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../app/plugin/journal.js';
import { BLOCK_PAGE, ProductHistory, forgetNotInShop, forgetProducts, forgetRun, historyStep, runChanges } from '../../app/plugin/product-history.js';
import { SLOTS, packBlocks, slotOf, unpackBlock } from '../../app/plugin/change-blocks.js';
import { setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { uniqueCode } from '../support/shop.js';

type Entry = { productId: number; code: string; value: number; old: number | null };
/** Writes changes as a stock or price push does: packed into blocks, one row each. Returns the block ids. */
async function writeBlocks(db: TargetEnv['ctx']['db'], runId: number, entries: Entry[], field = 'price'): Promise<number[]> {
  const ids: number[] = [];
  for (const [slot, n, data] of packBlocks(entries.map((e) => [e.productId, e.code, e.value, e.old]))) {
    const [id] = await db.knex(db.own('product_change_block')).insert({ run_id: runId, field, slot, entries: n, data });
    ids.push(Number(id));
  }
  return ids;
}

describe.each(DIALECT_TARGETS)('product history on $name', (target) => {
  let env: TargetEnv;
  let journal: Journal;
  let history: ProductHistory;
  const db = () => env.ctx.db;
  let nextProduct = 900_000;
  let form: 'rows' | 'blocks' = 'rows';
  /** One change, in the form the test runs with (a block of its own in the blocks form). */
  const change = async (runId: number, code: string, o: { productId?: number; old?: number | null; value?: number | null; field?: string } = {}): Promise<number[]> => {
    const productId = o.productId ?? nextProduct++;
    const [old, value] = [o.old === undefined ? 100 : o.old, o.value === undefined ? 150 : o.value];
    if (form === 'blocks') return writeBlocks(db(), runId, [{ productId, code, value: value!, old }], o.field ?? 'price');
    return rowChange(runId, code, { ...o, productId });
  };
  /** One change as a row of its own (full sync's prices, promos). */
  const rowChange = async (runId: number, code: string, o: { productId?: number; old?: number | null; value?: number | null; field?: string } = {}): Promise<number[]> =>
    (await db().knex(db().own('product_change')).insert({
      run_id: runId, product_id: o.productId ?? nextProduct++, code, field: o.field ?? 'price',
      old_value: o.old === undefined ? 100 : o.old, new_value: o.value === undefined ? 150 : o.value,
    })).map(Number);
  const runIn = async (state: 'reading' | 'writing' | 'ok' | 'partial' | 'failed' | 'rejected' | 'failed-writing' | 'interrupted', dryRun = false) => {
    const run = await journal.start('prices', 'test', dryRun);
    await journal.progress(run, 1, state === 'writing' || state === 'failed-writing' ? 'writing' : 'reading');
    if (state === 'interrupted') await journal.markInterrupted(run);
    else if (state === 'failed-writing') await journal.finish(run, { status: 'failed', durationMs: 1 });
    else if (state !== 'reading' && state !== 'writing') await journal.finish(run, { status: state, durationMs: 1 });
    return run;
  };
  /**
   * The plan of the read `q`: one range over both columns of `index` (run_id and `second`), never a
   * scan. MySQL: the key length past run_id's 8 bytes (exactly `keyLen` when given); SQLite: SEARCH.
   */
  const expectBothColumns = async (q: { sql: string; bindings: unknown[] }, table: string, index: string, second: string, keyLen?: number) => {
    if (target.dialect === 'mysql') {
      const plan = db().dialect.rows<{ key: string | null; type: string; key_len: string | null }>(await db().knex.raw(`EXPLAIN ${q.sql}`, q.bindings as never[]));
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatchObject({ key: index, type: 'range' });
      if (keyLen === undefined) expect(Number(plan[0]!.key_len)).toBeGreaterThan(8);
      else expect(Number(plan[0]!.key_len)).toBe(keyLen);
    } else {
      const plan = (await db().knex.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never[])) as Array<{ detail: string }>;
      const details = plan.map((p) => p.detail).join('; ');
      expect(details).toMatch(new RegExp(`SEARCH ${table} USING INDEX ${index} \\(run_id=\\? AND ${second}=\\?\\)`));
      expect(details).not.toMatch(/\bSCAN\b/);
    }
  };

  const runsShown = async (code: string) => (await history.changes({ codes: [code], productIds: [], limit: 50 })).map((r) => Number(r.run_id));

  beforeAll(async () => {
    env = await openTarget(target);
    journal = new Journal(db());
    history = new ProductHistory(db());
  });
  afterAll(async () => env?.cleanup());

  describe.each(['rows', 'blocks'] as const)('written as %s', (f) => {
    beforeAll(() => {
      form = f;
    });

    it('shows a run\'s rows once it wrote (writing now, ended ok or partial, or failed while writing), never one that stopped before', async () => {
      const code = uniqueCode('PHS');
      const runs: Record<string, number> = {};
      for (const state of ['reading', 'writing', 'ok', 'partial', 'failed', 'rejected', 'failed-writing', 'interrupted'] as const) {
        runs[state] = await runIn(state);
        await change(runs[state]!, code);
      }
      expect(await runsShown(code)).toEqual([runs['failed-writing'], runs.partial, runs.ok, runs.writing]);
    });

    it('finds a product by its code or by its id, and by either when both are given', async () => {
      const run = await runIn('ok');
      const [a, b, c] = [uniqueCode('PHA'), uniqueCode('PHB'), uniqueCode('PHC')];
      const [pa, pb, pc] = [nextProduct++, nextProduct++, nextProduct++];
      await change(run, a, { productId: pa });
      await change(run, b, { productId: pb });
      await change(run, c, { productId: pc });
      const codesOf = async (codes: string[], productIds: number[]) => (await history.changes({ codes, productIds, limit: 50 })).map((r) => r.code).sort();
      expect(await codesOf([a], [])).toEqual([a]);
      expect(await codesOf([], [pb])).toEqual([b]);
      expect(await codesOf([a], [pc])).toEqual([a, c].sort());
      expect(await codesOf([], [])).toEqual([]); // nothing asked: nothing, not every row
    });

    it('lists the newest run first and a run\'s last row first, at most the limit, and pages on before a run', async () => {
      const code = uniqueCode('PHO');
      const first = await runIn('ok');
      await change(first, code, { value: 1 });
      await change(first, code, { value: 2 });
      const second = await runIn('ok');
      await change(second, code, { value: 3 });
      const third = await runIn('ok');
      await change(third, code, { value: 4 });
      const values = async (f: { beforeRun?: number; limit: number }) => (await history.changes({ codes: [code], productIds: [], ...f })).map((r) => r.new_value);
      expect(await values({ limit: 10 })).toEqual([4, 3, 2, 1]);
      expect(await values({ limit: 2 })).toEqual([4, 3]);
      expect(await values({ limit: 10, beforeRun: third })).toEqual([3, 2, 1]);
      expect(await values({ limit: 10, beforeRun: second })).toEqual([2, 1]);
    });

    it('gives the row\'s own id and values as numbers, a missing old value as null, with the run\'s start, kind and dry-run flag', async () => {
      const code = uniqueCode('PHV');
      const run = await runIn('ok', true);
      const [id] = await change(run, code, { old: null, value: 12.5 });
      const [row] = await history.changes({ codes: [code], productIds: [], limit: 5 });
      expect(row).toMatchObject({ id: Number(id), run_id: run, code, field: 'price', old_value: null, new_value: 12.5, kind: 'prices' });
      expect(Boolean(row!.dry_run)).toBe(true);
      expect(row!.started_at).toBeTruthy();
    });

    it('ends a page only between runs, so paging on before the last run never skips part of one', async () => {
      const code = uniqueCode('PHP');
      const a = await runIn('ok');
      await change(a, code, { value: 1 });
      const b = await runIn('ok');
      for (const value of [2, 3, 4]) await change(b, code, { value });
      const c = await runIn('ok');
      await change(c, code, { value: 5 });
      const page = async (beforeRun?: number) => (await history.changes({ codes: [code], productIds: [], beforeRun, limit: 2 })).map((r) => [Number(r.run_id), r.new_value]);
      const first = await page();
      expect(first).toEqual([[c, 5], [b, 4], [b, 3], [b, 2]]);
      expect(await page(Number(first.at(-1)![0]))).toEqual([[a, 1]]);
    });

    it('reads the runs a step at a time, and goes on past steps without the code', async () => {
      const code = uniqueCode('PHR');
      const old = await runIn('ok');
      await change(old, code, { value: 7 });
      for (let i = 0; i < 5; i++) await runIn('ok');
      const stepped = new ProductHistory(db(), { runBatch: 2 });
      expect((await stepped.changes({ codes: [code], productIds: [], limit: 10 })).map((r) => [Number(r.run_id), r.new_value])).toEqual([[old, 7]]);
    });

    it('forgets one run\'s rows only', async () => {
      const code = uniqueCode('PHF');
      const [kept, forgotten] = [await runIn('writing'), await runIn('writing')];
      const [p1, p2] = [nextProduct++, nextProduct++];
      await change(kept, code, { productId: p1 });
      await change(kept, `${code}-2`, { productId: p2, old: null, value: 12.5 });
      await change(forgotten, code);
      await forgetRun(db().knex, db(), forgotten);
      expect(await runsShown(code)).toEqual([kept]);
      expect(await runChanges(db(), forgotten)).toEqual([]);
      expect((await runChanges(db(), kept)).sort((a, b) => a.product_id - b.product_id)).toEqual([
        { product_id: p1, code, field: 'price', old_value: 100, new_value: 150 },
        { product_id: p2, code: `${code}-2`, field: 'price', old_value: null, new_value: 12.5 },
      ]);
    });
  });


  it('reads a promo\'s dates, and a promo that was ended (no new value) as null (promos are rows only)', async () => {
    const run = await runIn('ok');
    const ended = uniqueCode('PHV');
    await rowChange(run, ended, { old: 7, value: null, field: 'promo' });
    const started = uniqueCode('PHV');
    await db().knex(db().own('product_change')).insert({ run_id: run, product_id: nextProduct++, code: started, field: 'promo', old_value: null, new_value: 9, promo_start: '2026-01-01', promo_end: '2026-02-01' });
    expect((await history.changes({ codes: [ended], productIds: [], limit: 5 })).map((r) => [r.old_value, r.new_value, r.promo_start, r.promo_end])).toEqual([[7, null, null, null]]);
    expect((await history.changes({ codes: [started], productIds: [], limit: 5 })).map((r) => [r.old_value, r.new_value, r.promo_start, r.promo_end])).toEqual([[null, 9, '2026-01-01', '2026-02-01']]);
    expect((await runChanges(db(), run)).map((r) => [r.code, r.field, r.old_value, r.new_value])).toEqual([[ended, 'promo', 7, null], [started, 'promo', null, 9]]);
  });

  it('keeps awkward codes (quotes, backslashes, tabs, non-ASCII, 4-byte characters) exactly through the push\'s own block load, and finds each by its code', async () => {
    const awkward = ['kód "idézet"', 'back\\slash', 'tab\there', 'ŐŰ-é', '😀-4', 'x","a', '&amp;1', `${uniqueCode('PHW')}\\"`].map((c, i) => `${c}-${nextProduct + i}`);
    const mysql = target.dialect === 'mysql';
    try {
      for (const loadData of mysql ? [true, false] : [null]) {
        // On MySQL both ways a step loads: LOAD DATA's text and multi-row INSERTs (a server that refuses LOAD DATA).
        if (mysql) setLoadDataForTests(loadData);
        const run = await runIn('ok');
        const codes = awkward.map((c) => `${c}${loadData === false ? '-i' : ''}`);
        await historyStep(db(), run, 'price', codes.map((code, i) => [nextProduct++, code, 10 + i, i % 2 ? null : 5]))();
        for (const [i, code] of codes.entries()) {
          const found = await history.changes({ codes: [code], productIds: [], limit: 5 });
          expect(found.map((r) => [r.run_id, r.code, r.new_value, r.old_value]), code).toEqual([[run, code, 10 + i, i % 2 ? null : 5]]);
        }
      }
    } finally {
      if (mysql) setLoadDataForTests(null);
    }
  });

  // The history is indexed by (run_id, code), not by code (a push's rows then go to the end of the
  // index): the product page must reach a code through the runs, never by reading the history whole.
  it('finds a code, in either of its forms, through the history\'s (run_id, code) index, not by reading every row', async () => {
    const code = uniqueCode('PHI');
    const encoded = `${code}&amp;1`;
    await rowChange(await runIn('ok'), code);
    await rowChange(await runIn('ok'), encoded);
    // A history of some size, as a shop's (on a few rows a database rightly reads them all).
    const pc = db().own('product_change');
    for (let r = 0; r < 4; r++) {
      const run = await runIn('ok');
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ run_id: run, product_id: 700_000 + i, code: `PHI-BULK-${i}`, field: 'price', old_value: 1, new_value: 2 }));
      await db().knex.batchInsert(pc, rows, 500);
    }
    await db().dialect.refreshStatistics(db().knex, pc);
    const seen: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => seen.push(q);
    db().knex.on('query', listener);
    try {
      expect((await history.changes({ codes: [code, encoded], productIds: [], limit: 50 })).map((r) => r.code)).toEqual([encoded, code]);
    } finally {
      db().knex.off('query', listener);
    }
    const q = seen.find((x) => /product_change[`"]/.test(x.sql))!;
    // Both columns of the key (run_id is 8 bytes): one range per run and code, not each run's rows.
    await expectBothColumns(q, pc, `${db().prefix}erpb_change_run_code`, 'code');
  });

  // Blocks are indexed by (run_id, slot): the product page reads, in each run, only the block of
  // each form of the code's slot, never a run's blocks whole.
  it('finds a code in blocks through their (run_id, slot) index, reading one block per run and code form', async () => {
    const code = uniqueCode('PHK');
    const encoded = `${code}&amp;1`;
    const pcb = db().own('product_change_block');
    // A history of some size, as a shop's: 60 runs of SLOTS blocks (on a few rows a database rightly reads them all).
    const empty = JSON.stringify({ p: [], c: [], v: [], o: [] });
    for (let r = 0; r < 60; r++) {
      const run = await runIn('ok');
      await db().knex.batchInsert(pcb, Array.from({ length: SLOTS }, (_, slot) => ({ run_id: run, field: 'price', slot, entries: 0, data: empty })), 500);
    }
    const runs: number[] = [];
    for (let r = 0; r < 4; r++) {
      const run = await runIn('ok');
      runs.push(run);
      // Each run one step of 5,000 changes (SLOTS blocks) holding one form of the code among them.
      const entries: Entry[] = Array.from({ length: 5_000 }, (_, i) => ({ productId: 700_000 + i, code: `PHK-BULK-${r * 5_000 + i}`, value: 2, old: 1 }));
      entries[r * 100] = { productId: 600_000 + r, code: r % 2 ? encoded : code, value: 10 + r, old: 9 };
      expect(await writeBlocks(db(), run, entries)).toHaveLength(SLOTS);
    }
    await db().dialect.refreshStatistics(db().knex, pcb);
    const seen: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => seen.push(q);
    db().knex.on('query', listener);
    try {
      const found = await history.changes({ codes: [code, encoded], productIds: [], limit: 50 });
      expect(found.map((r) => [r.run_id, r.code, r.product_id, r.old_value, r.new_value])).toEqual([3, 2, 1, 0].map((r) => [runs[r], r % 2 ? encoded : code, 600_000 + r, 9, 10 + r]));
    } finally {
      db().knex.off('query', listener);
    }
    const q = seen.find((x) => /product_change_block[`"]/.test(x.sql))!;
    // Only the blocks that hold a form of the code leave the database: one per run here, though
    // each run has a block in each form's slot and 60 more runs have blocks in those slots too.
    const blocks = db().dialect.rows<{ run_id: number | string }>(await db().knex.raw(q.sql, q.bindings as never[]));
    expect(blocks.map((b) => Number(b.run_id)).sort((x, y) => x - y)).toEqual([...runs].sort((x, y) => x - y));
    // Both columns of the key (run_id 8 bytes, slot 4): one point per run and slot.
    await expectBothColumns(q, pcb, `${db().prefix}erpb_change_block_slot`, 'slot', 12);
  });
});

// On a journal of its own, so that every run the history walks is one this block made: the number
// of statements a read takes is then exact. Runs r1 (oldest) … r5, each ended ok; r2 holds no
// change of the code, r3 two (31 written before 32). r1 and r4 hold rows, r3 and r5 blocks.
describe.each(DIALECT_TARGETS)('product history\'s steps through the runs, and its clean-up after a failed write, on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const code = uniqueCode('PHT');
  const r: number[] = [];

  beforeAll(async () => {
    env = await openTarget(target);
    const journal = new Journal(db());
    for (let i = 1; i <= 5; i++) {
      const run = await journal.start('prices', 'test', false);
      await journal.finish(run, { status: 'ok', durationMs: 1 });
      r[i] = run;
    }
    for (const [i, value] of [[1, 1], [4, 4]] as const) {
      await db().knex(db().own('product_change')).insert({ run_id: r[i], product_id: 700_000 + i, code, field: 'price', old_value: 100, new_value: value });
    }
    await writeBlocks(db(), r[3]!, [{ productId: 700_003, code, value: 31, old: 100 }]);
    await writeBlocks(db(), r[3]!, [{ productId: 700_003, code, value: 32, old: 100 }]);
    await writeBlocks(db(), r[5]!, [{ productId: 700_005, code, value: 5, old: 100 }]);
  });
  afterAll(async () => env?.cleanup());

  /** The values read, and how many statements the read took (journal runs, history rows and blocks). */
  const read = async (f: { limit: number; runBatch?: number }) => {
    const statements: string[] = [];
    const listen = (q: { sql: string }) => void statements.push(q.sql);
    db().knex.on('query', listen);
    try {
      const history = new ProductHistory(db(), f.runBatch === undefined ? {} : { runBatch: f.runBatch });
      const values = (await history.changes({ codes: [code], productIds: [], limit: f.limit })).map((row) => row.new_value);
      return { values, statements: statements.length };
    } finally {
      db().knex.removeListener('query', listen);
    }
  };

  it('reads a step of runs, then that step\'s rows and blocks: three statements a step, and stops at a step shorter than the batch', async () => {
    // Steps [r5, r4], [r3, r2], [r1]: the last holds fewer runs than the batch, so no fourth step.
    expect(await read({ limit: 10, runBatch: 2 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 9 });
  });

  it('stops when a step finds no run, without asking for rows of no run', async () => {
    // One full step [r5 … r1], then a step that finds no run: four statements.
    expect(await read({ limit: 10, runBatch: 5 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 4 });
  });

  it('goes on from the oldest run of the step before, so no run is read twice', async () => {
    // Steps [r5, r4, r3] and [r2, r1]: r3's blocks come once.
    expect(await read({ limit: 10, runBatch: 3 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 6 });
  });

  it('stops after the step that filled the page', async () => {
    expect(await read({ limit: 2, runBatch: 2 })).toEqual({ values: [5, 4], statements: 3 });
  });

  it('ends a full page at the end of its last run, whatever the runs before it', async () => {
    // Full after 5, 4, 32: the page still takes the rest of r3 (31), then ends before r1.
    expect((await read({ limit: 3 })).values).toEqual([5, 4, 32, 31]);
  });

  // Its runs are never ended, so the reads above never see them, whichever runs first.
  it('after a failed write, forgets the run\'s changes of the field whose new value the shop does not hold, and no other change', async () => {
    const journal = new Journal(db());
    const [run, other] = [await journal.start('prices', 'test', false), await journal.start('prices', 'test', false)];
    const products = (await db().knex(db().t('product')).orderBy('product_id').limit(2).select('product_id', 'price', 'quantity')) as Array<{ product_id: number; price: string | number; quantity: number }>;
    expect(products).toHaveLength(2);
    const [held, notHeld] = products as [typeof products[number], typeof products[number]];
    const entry = (productId: number, value: number, code: string) => ({ productId, code, value, old: 1 });
    // PAIR-35 and PAIR-40 share a slot, so one block holds both: it is rewritten, not deleted.
    expect(slotOf('PAIR-35')).toBe(slotOf('PAIR-40'));
    await writeBlocks(db(), run, [
      entry(held.product_id, Number(held.price), 'PAIR-35'),           // the shop holds it: kept
      entry(notHeld.product_id, Number(notHeld.price) + 1, 'PAIR-40'), // taken back: forgotten
      entry(99_999_999, 5, 'GONE'),                                      // no such product: forgotten
    ]);
    await writeBlocks(db(), run, [entry(notHeld.product_id, notHeld.quantity + 1, 'QTY')], 'quantity'); // another field: kept
    await writeBlocks(db(), other, [entry(notHeld.product_id, Number(notHeld.price) + 1, 'OTHER')]);     // another run: kept
    await forgetNotInShop(db(), run, 'price');
    const left = [...(await runChanges(db(), run)), ...(await runChanges(db(), other))].map((x) => x.code).sort();
    expect(left).toEqual(['OTHER', 'PAIR-35', 'QTY']);
    // The shared block was rewritten with what is left; GONE's block (alone in its slot) was deleted.
    const blocks = (await db().knex(db().own('product_change_block')).where({ run_id: run, field: 'price' }).select('slot', 'entries', 'data')) as Array<{ slot: number; entries: number; data: string }>;
    expect(blocks.map((b) => [Number(b.slot), Number(b.entries)])).toEqual([[slotOf('PAIR-35'), 1]]);
    expect(unpackBlock(blocks[0]!.data)).toEqual([{ productId: held.product_id, code: 'PAIR-35', value: Number(held.price), old: 1 }]);
  });

  // Its run is never ended either. The rare paths read a run's blocks BLOCK_PAGE at a time.
  it(`reads and rewrites a run's blocks a page of BLOCK_PAGE (${BLOCK_PAGE}) at a time, one transaction per page that loses a change, and writes only the blocks that do`, async () => {
    const run = await new Journal(db()).start('prices', 'test', false);
    const n = BLOCK_PAGE + 20;
    // Block i holds two changes of code PG-i (products 800,000 + 2i and + 2i + 1), in PG-i's slot.
    const rows = Array.from({ length: n }, (_, i) => {
      const [[slot, entries, data]] = packBlocks([[800_000 + 2 * i, `PG-${i}`, 5, 1], [800_001 + 2 * i, `PG-${i}`, 6, 1]]) as [[number, number, string]];
      return { run_id: run, field: 'price', slot, entries, data };
    });
    await db().knex.batchInsert(db().own('product_change_block'), rows, 100);
    const all = Array.from({ length: 2 * n }, (_, i) => 800_000 + i);
    const ids = async () => (await runChanges(db(), run)).map((r) => r.product_id).sort((a, b) => a - b);
    expect(await ids()).toEqual(all);
    const written: string[] = [];
    const listen = (q: { sql: string }) => void (/^\s*(insert|update|delete|begin|commit)/i.test(q.sql) && written.push(q.sql.trim().split(/\s/)[0]!.replace(/;$/, '').toLowerCase()));
    db().knex.on('query', listen);
    const gone: number[] = [];
    try {
      // No codes (every block is read): one change out of the first block and one out of the
      // last, on the second page: each block rewritten, each page in its own transaction.
      await forgetProducts(db(), run, 'price', [800_001, 800_000 + 2 * (n - 1)]);
      gone.push(800_001, 800_000 + 2 * (n - 1));
      expect(written).toEqual(['begin', 'update', 'commit', 'begin', 'update', 'commit']);
      // With their codes, only those codes' slots are read: both blocks on one page, one transaction.
      written.length = 0;
      await forgetProducts(db(), run, 'price', [800_002, 800_004], ['PG-1', 'PG-2']);
      gone.push(800_002, 800_004);
      expect(written).toEqual(['begin', 'update', 'update', 'commit']);
      // A block that loses its last change is deleted.
      written.length = 0;
      await forgetProducts(db(), run, 'price', [800_000], ['PG-0']);
      gone.push(800_000);
      expect(written).toEqual(['begin', 'delete', 'commit']);
      // Nothing to take out: nothing written at all.
      written.length = 0;
      await forgetProducts(db(), run, 'price', [999_999_999]);
      await forgetProducts(db(), run, 'price', []);
      expect(written).toEqual([]);
    } finally {
      db().knex.removeListener('query', listen);
    }
    expect(await ids()).toEqual(all.filter((id) => !gone.includes(id)));
  });
});
