// A product's history read through `ProductHistory.changes` (what the admin's product page shows):
// which runs count, how a product is found, the order, the paging, and the values as numbers.
// The history is written here directly, each change under a run in the state the test names, in
// each of its two forms: a row per product (full sync's gross prices, promos compared in SQL) and
// blocks of changes (stock and price pushes, and what promo and full sync decide in memory:
// app/plugin/change-blocks.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../app/plugin/journal.js';
import { BLOCK_PAGE, ProductHistory, forgetNotInShop, forgetProducts, forgetRun, historyStep, listRowRun, runChanges } from '../../app/plugin/product-history.js';
import { SLOTS, packBlocks, slotOf, unpackBlock } from '../../app/plugin/change-blocks.js';
import { setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { historyByCode } from '../../migrations/plugin/014_history_by_code.js';
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
  /** One change as a row of its own (full sync's gross prices, promos compared in SQL), its run listed as the push lists it. */
  const rowChange = async (runId: number, code: string, o: { productId?: number; old?: number | null; value?: number | null; field?: string } = {}): Promise<number[]> => {
    await listRowRun(db(), runId);
    return (await db().knex(db().own('product_change')).insert({
      run_id: runId, product_id: o.productId ?? nextProduct++, code, field: o.field ?? 'price',
      old_value: o.old === undefined ? 100 : o.old, new_value: o.value === undefined ? 150 : o.value,
    })).map(Number);
  };
  const runIn = async (state: 'reading' | 'writing' | 'ok' | 'partial' | 'failed' | 'rejected' | 'failed-writing' | 'interrupted', dryRun = false) => {
    const run = await journal.start('prices', 'test', dryRun);
    await journal.progress(run, 1, state === 'writing' || state === 'failed-writing' ? 'writing' : 'reading');
    if (state === 'interrupted') await journal.markInterrupted(run);
    else if (state === 'failed-writing') await journal.finish(run, { status: 'failed', durationMs: 1 });
    else if (state !== 'reading' && state !== 'writing') await journal.finish(run, { status: state, durationMs: 1 });
    return run;
  };
  /**
   * The plan of the read `q`: one range over both columns of `index` (`columns`, as SQLite's plan
   * names them: `run_id=? AND code=?`), never a scan nor a sort. MySQL: the key length past the
   * first column's (exactly `keyLen` when given); SQLite: SEARCH.
   */
  const expectBothColumns = async (q: { sql: string; bindings: unknown[] }, table: string, index: string, columns: string, keyLen?: number) => {
    if (target.dialect === 'mysql') {
      const plan = db().dialect.rows<{ key: string | null; type: string; key_len: string | null; Extra: string | null }>(await db().knex.raw(`EXPLAIN ${q.sql}`, q.bindings as never[]));
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatchObject({ key: index, type: 'range' });
      expect(plan[0]!.Extra ?? '').not.toMatch(/filesort/);
      if (keyLen === undefined) expect(Number(plan[0]!.key_len)).toBeGreaterThan(8);
      else expect(Number(plan[0]!.key_len)).toBe(keyLen);
    } else {
      const plan = (await db().knex.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never[])) as Array<{ detail: string }>;
      const details = plan.map((p) => p.detail).join('; ');
      expect(details).toContain(`SEARCH ${table} USING INDEX ${index} (${columns})`);
      expect(details).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
    }
  };

  const runsShown = async (code: string) => (await history.changes({ codes: [code], limit: 50 })).map((r) => Number(r.run_id));

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

    it('finds a product by any of the codes given (its stored and its plain form), and nothing when none is given', async () => {
      const run = await runIn('ok');
      const [a, b, c] = [uniqueCode('PHA'), uniqueCode('PHB'), uniqueCode('PHC')];
      for (const code of [a, b, c]) await change(run, code);
      const codesOf = async (codes: string[]) => (await history.changes({ codes, limit: 50 })).map((r) => r.code).sort();
      expect(await codesOf([a])).toEqual([a]);
      expect(await codesOf([a, c])).toEqual([a, c].sort());
      expect(await codesOf([])).toEqual([]); // nothing asked: nothing, not every row
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
      const values = async (f: { beforeRun?: number; limit: number }) => (await history.changes({ codes: [code], ...f })).map((r) => r.new_value);
      expect(await values({ limit: 10 })).toEqual([4, 3, 2, 1]);
      expect(await values({ limit: 2 })).toEqual([4, 3]);
      expect(await values({ limit: 10, beforeRun: third })).toEqual([3, 2, 1]);
      expect(await values({ limit: 10, beforeRun: second })).toEqual([2, 1]);
    });

    it('gives the row\'s own id and values as numbers, a missing old value as null, with the run\'s start, kind and dry-run flag', async () => {
      const code = uniqueCode('PHV');
      const run = await runIn('ok', true);
      const [id] = await change(run, code, { old: null, value: 12.5 });
      const [row] = await history.changes({ codes: [code], limit: 5 });
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
      const page = async (beforeRun?: number) => (await history.changes({ codes: [code], beforeRun, limit: 2 })).map((r) => [Number(r.run_id), r.new_value]);
      const first = await page();
      expect(first).toEqual([[c, 5], [b, 4], [b, 3], [b, 2]]);
      expect(await page(Number(first.at(-1)![0]))).toEqual([[a, 1]]);
    });

    it('goes on past steps whose changes of the code are all in runs that do not count', async () => {
      const code = uniqueCode('PHR');
      const old = await runIn('ok');
      await change(old, code, { value: 7 });
      for (const state of ['failed', 'reading', 'rejected'] as const) await change(await runIn(state), code, { value: 8 });
      const stepped = new ProductHistory(db(), { blockStep: 1, rowRunStep: 1 });
      expect((await stepped.changes({ codes: [code], limit: 10 })).map((r) => [Number(r.run_id), r.new_value])).toEqual([[old, 7]]);
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


  it('finds codes that share a slot, each with its own changes, in one read of the slot', async () => {
    const base = uniqueCode('PHS');
    const a = `${base}-0`;
    const b = Array.from({ length: 5000 }, (_, i) => `${base}-${i + 1}`).find((c) => slotOf(c) === slotOf(a))!;
    const c = Array.from({ length: 5000 }, (_, i) => `${base}-x${i}`).find((x) => slotOf(x) === slotOf(a))!;
    const run = await runIn('ok');
    await historyStep(db(), run, 'price', [[nextProduct++, a, 1, 0], [nextProduct++, b, 2, 0], [nextProduct++, c, 3, 0]])();
    const seen: string[] = [];
    const listen = (q: { sql: string }) => void (/product_change_block[`"]/.test(q.sql) && seen.push(q.sql));
    db().knex.on('query', listen);
    try {
      const found = await history.changes({ codes: [a, b], limit: 10 });
      expect(found.map((r) => [r.code, r.new_value]).sort()).toEqual([[a, 1], [b, 2]]);
    } finally {
      db().knex.off('query', listen);
    }
    expect(seen).toHaveLength(1);
  });

  it('reads a promo\'s dates, and a promo that was ended (no new value) as null (promos are rows only)', async () => {
    const run = await runIn('ok');
    const ended = uniqueCode('PHV');
    await rowChange(run, ended, { old: 7, value: null, field: 'promo' });
    const started = uniqueCode('PHV');
    await db().knex(db().own('product_change')).insert({ run_id: run, product_id: nextProduct++, code: started, field: 'promo', old_value: null, new_value: 9, promo_start: '2026-01-01', promo_end: '2026-02-01' });
    expect((await history.changes({ codes: [ended], limit: 5 })).map((r) => [r.old_value, r.new_value, r.promo_start, r.promo_end])).toEqual([[7, null, null, null]]);
    expect((await history.changes({ codes: [started], limit: 5 })).map((r) => [r.old_value, r.new_value, r.promo_start, r.promo_end])).toEqual([[null, 9, '2026-01-01', '2026-02-01']]);
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
          const found = await history.changes({ codes: [code], limit: 5 });
          expect(found.map((r) => [r.run_id, r.code, r.new_value, r.old_value]), code).toEqual([[run, code, 10 + i, i % 2 ? null : 5]]);
        }
      }
    } finally {
      if (mysql) setLoadDataForTests(null);
    }
  });

  // The history rows are indexed by (run_id, code), not by code (a push's rows then go to the end of
  // the index): the product page reaches a code through the runs that wrote rows, never by reading
  // the rows whole.
  it('finds a code, in either of its forms, through the history\'s (run_id, code) index, not by reading every row', async () => {
    const code = uniqueCode('PHI');
    const encoded = `${code}&amp;1`;
    await rowChange(await runIn('ok'), code);
    await rowChange(await runIn('ok'), encoded);
    // A history of some size, as a shop's (on a few rows a database rightly reads them all).
    const pc = db().own('product_change');
    for (let r = 0; r < 4; r++) {
      const run = await runIn('ok');
      await listRowRun(db(), run);
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ run_id: run, product_id: 700_000 + i, code: `PHI-BULK-${i}`, field: 'price', old_value: 1, new_value: 2 }));
      await db().knex.batchInsert(pc, rows, 500);
    }
    await db().dialect.refreshStatistics(db().knex, pc);
    const seen: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => seen.push(q);
    db().knex.on('query', listener);
    try {
      expect((await history.changes({ codes: [code, encoded], limit: 50 })).map((r) => r.code)).toEqual([encoded, code]);
    } finally {
      db().knex.off('query', listener);
    }
    const q = seen.find((x) => /product_change[`"]/.test(x.sql))!;
    // Both columns of the key (run_id is 8 bytes): one range per run and code, not each run's rows.
    await expectBothColumns(q, pc, `${db().prefix}erpb_change_run_code`, 'run_id=? AND code=?');
  });

  // A code's blocks are all in its slot: the product page reads them by (slot, run_id), newest
  // first, and only those that hold a form of the code leave the database.
  it('finds a code in blocks through their (slot, run_id) index, newest first, sending only the blocks that hold it', async () => {
    const code = uniqueCode('PHK');
    const encoded = `${code}&amp;1`;
    expect(slotOf(code)).not.toBe(slotOf(encoded)); // two slots: one read each
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
      const found = await history.changes({ codes: [code, encoded], limit: 50 });
      expect(found.map((r) => [r.run_id, r.code, r.product_id, r.old_value, r.new_value])).toEqual([3, 2, 1, 0].map((r) => [runs[r], r % 2 ? encoded : code, 600_000 + r, 9, 10 + r]));
    } finally {
      db().knex.off('query', listener);
    }
    const reads = seen.filter((x) => /product_change_block[`"]/.test(x.sql));
    expect(reads).toHaveLength(2);
    // Only the blocks that hold a form of the code leave the database: one per run here, though
    // each run has a block in each form's slot and 60 more runs have blocks in those slots too.
    const sent: number[] = [];
    for (const q of reads) {
      const blocks = db().dialect.rows<{ run_id: number | string }>(await db().knex.raw(q.sql, q.bindings as never[]));
      sent.push(...blocks.map((b) => Number(b.run_id)));
      // Both columns of the key (slot 4 bytes, run_id 8), in its order: no sort.
      await expectBothColumns(q, pcb, `${db().prefix}erpb_change_block_code`, 'slot=? AND run_id<?', 12);
    }
    expect(sent.sort((x, y) => x - y)).toEqual([...runs].sort((x, y) => x - y));
  });
});

// On a journal of its own, so that every run the history reads is one this block made: the number
// of statements a read takes is then exact. Runs r1 (oldest) … r5, each ended ok; r2 holds no
// change of the code, r3 two blocks (31 written before 32). r1 and r4 hold rows, r3 and r5 blocks.
describe.each(DIALECT_TARGETS)('product history\'s steps, and its clean-up after a failed write, on $name', (target) => {
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
      await listRowRun(db(), r[i]!);
      await db().knex(db().own('product_change')).insert({ run_id: r[i], product_id: 700_000 + i, code, field: 'price', old_value: 100, new_value: value });
    }
    await writeBlocks(db(), r[3]!, [{ productId: 700_003, code, value: 31, old: 100 }]);
    await writeBlocks(db(), r[3]!, [{ productId: 700_003, code, value: 32, old: 100 }]);
    await writeBlocks(db(), r[5]!, [{ productId: 700_005, code, value: 5, old: 100 }]);
  });
  afterAll(async () => env?.cleanup());

  /** The values read, and how many statements the read took (runs with rows, rows, blocks, journal runs). */
  const read = async (f: { limit: number; blockStep?: number; rowRunStep?: number }, codes = [code]) => {
    const statements: string[] = [];
    const listen = (q: { sql: string }) => void statements.push(q.sql);
    db().knex.on('query', listen);
    try {
      const history = new ProductHistory(db(), { blockStep: f.blockStep, rowRunStep: f.rowRunStep });
      const values = (await history.changes({ codes, limit: f.limit })).map((row) => row.new_value);
      return { values, statements: statements.length };
    } finally {
      db().knex.removeListener('query', listen);
    }
  };

  it('reads a history smaller than a step in one: the runs that wrote rows, their rows, the slot\'s blocks, and the journal runs that hold them', async () => {
    expect(await read({ limit: 10 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 4 });
  });

  it('reads nothing of the runs between changes: 2,000 more runs without history cost no statement', async () => {
    const before = await read({ limit: 10 });
    const journal = new Journal(db());
    // Runs of every kind the history shows, ended ok, newer than every change of the code.
    for (let i = 0; i < 20; i++) {
      const at = (await journal.start('prices', 'test', false)) + 1;
      await db().knex.batchInsert(db().own('journal_run'), Array.from({ length: 100 }, (_, k) => ({ id: at + k, kind: ['prices', 'stock', 'promo-prices'][k % 3], actor: 'test', status: 'ok', started_at: '2026-12-01 10:00:00' })), 100);
    }
    expect(await read({ limit: 10 })).toEqual(before);
  });

  it('goes on below a step of blocks that filled up, reading its oldest run\'s blocks whole so no change of that run is cut, and never reads the rows again', async () => {
    // Steps of one block: [r5] (r5 read whole; the runs with rows, r4 and r1, and their rows read
    // to the start), then [r3's 32] (r3 read whole: 32 and 31, kept with r4's row), then none
    // (r1's row, found in the first step). Statements: 5 (runs with rows, rows, blocks, the oldest
    // run's blocks, journal runs), 3 (blocks, the oldest run's, journal runs), 2 (blocks, journal runs).
    expect(await read({ limit: 10, blockStep: 1 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 5 + 3 + 2 });
  });

  it('goes on below a step of runs with rows that filled up, and never reads the blocks again', async () => {
    // Steps of one run with rows: [r4] (r5 and r4 kept; the blocks read to the start), [r1] (r3 and
    // r1), then none. Statements: 4 (runs with rows, rows, blocks, journal runs), 3 (runs with
    // rows, rows, journal runs), 1 (runs with rows).
    expect(await read({ limit: 10, rowRunStep: 1 })).toEqual({ values: [5, 4, 32, 31, 1], statements: 4 + 3 + 1 });
  });

  it('stops after the step that filled the page', async () => {
    expect(await read({ limit: 2, rowRunStep: 1 })).toEqual({ values: [5, 4], statements: 4 });
  });

  it('ends a full page at the end of its last run, whatever the runs before it', async () => {
    // Full after 5, 4, 32: the page still takes the rest of r3 (31), then ends before r1.
    expect((await read({ limit: 3 })).values).toEqual([5, 4, 32, 31]);
  });

  it('asks for nothing when no code is given', async () => {
    expect(await read({ limit: 10 }, [])).toEqual({ values: [], statements: 0 });
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

// An install from before migration 014 holds history rows whose runs were never listed: the
// migration lists them, so the product page finds them as it did.
describe.each(DIALECT_TARGETS.filter((t) => !t.release))('migration 014 on an install with history rows, on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('lists every run that wrote history rows, and the product page then shows them, with the blocks found by their slot', async () => {
    await historyByCode.down(db());
    const journal = new Journal(db());
    const code = uniqueCode('PHM');
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await journal.start('stock', 'test', false);
      await journal.finish(run, { status: 'ok', durationMs: 1 });
      runs.push(run);
    }
    // Two runs with rows (a stock push before migration 013 wrote them), the newest with blocks.
    for (const [i, run] of runs.slice(0, 2).entries()) {
      await db().knex(db().own('product_change')).insert([
        { run_id: run, product_id: 1, code, field: 'quantity', old_value: i, new_value: i + 1 },
        { run_id: run, product_id: 2, code: `${code}-B`, field: 'quantity', old_value: i, new_value: i + 1 },
      ]);
    }
    await writeBlocks(db(), runs[2]!, [{ productId: 1, code, value: 3, old: 2 }], 'quantity');
    await historyByCode.up(db());
    // A start that died after the index was made runs the migration again: it finds the index.
    await historyByCode.up(db());
    const listed = (await db().knex(db().own('product_change_run')).orderBy('run_id').select('run_id')).map((r) => Number(r.run_id));
    expect(listed).toEqual(runs.slice(0, 2));
    const shown = await new ProductHistory(db()).changes({ codes: [code], limit: 10 });
    expect(shown.map((r) => [Number(r.run_id), r.new_value])).toEqual([[runs[2], 3], [runs[1], 2], [runs[0], 1]]);
  });
});
