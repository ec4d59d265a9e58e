// The set-based write of a stock or price push (app/shop/product-changes.ts), through its own
// exported functions on each database: `applyProductChanges` and the `ChangeTable` a direct push
// keeps open while it reads the document. The push suites (push-prices-stock, races) reach it only
// through HTTP and the product index; here each promise of the write is checked on its own: only
// changed values are written, only while the product still has the code it was read with, the
// history says exactly what was written, and the table and its connection are always given back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeTable, applyProductChanges, type ChangeList, type ProductChange } from '../../app/shop/product-changes.js';
import { shopSchema } from '../../app/shop/schema.js';
import { Journal } from '../../app/plugin/journal.js';
import type { Database } from '../../app/db/database.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { ProductHistory, runChanges } from '../../app/plugin/product-history.js';
import { ProductIndex } from '../../app/shop/product-index.js';
import { setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { addProduct, product, uniqueCode } from '../support/shop.js';

const NOW = '2026-12-02 10:00:00';
const LATER = '2026-12-02 11:00:00';

/** A ChangeList (what a direct push hands over) over plain objects, in the order given. */
const listOf = (changes: ProductChange[]): ChangeList => ({
  length: changes.length,
  productId: (k) => changes[k]!.productId,
  code: (k) => changes[k]!.code,
  value: (k) => changes[k]!.value,
  old: (k) => changes[k]!.old ?? null,
});

describe.each(TARGETS)('product changes on $name', (target) => {
  let env: TargetEnv;
  let journal: Journal;
  const db = () => env.ctx.db;
  const price = async (id: number) => Number((await product(db(), id)).price);
  const modified = async (id: number) => String((await product(db(), id)).date_modified);
  /** The history rows of a run, as [product_id, code, field, old, new], by product id. */
  const historyOf = async (run: number) =>
    (await runChanges(db(), run)).sort((a, b) => a.product_id - b.product_id).map((r) => [r.product_id, r.code, r.field, r.old_value, r.new_value]);
  /** Whether the product table takes part in transactions (InnoDB: OpenCart 4's tables). */
  const transactional = async () =>
    target.dialect !== 'sqlite' && String(db().dialect.rows<{ e: string }>(await db().knex.raw('SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [db().t('product')]))[0]!.e) === 'InnoDB';
  /** Connections the MySQL pool has handed out (a change table holds one for its whole life). */
  const connectionsInUse = () => (db().knex.client as { pool?: { numUsed(): number } }).pool?.numUsed() ?? 0;
  /** Change tables left on SQLite's one connection (MySQL's temporary tables die with their connection). */
  const sqliteChangeTables = async () =>
    target.dialect === 'sqlite' ? ((await db().knex.raw("SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE '%erpb_changes%'")) as unknown[]).length : 0;

  beforeAll(async () => {
    env = await openTarget(target);
    journal = new Journal(db());
  });
  afterAll(async () => env?.cleanup());

  it('writes the new value and date_modified of each product named, counts them, and leaves every other product alone', async () => {
    const [a, b, other] = [uniqueCode('PC'), uniqueCode('PC'), uniqueCode('PC')];
    const ids = [await addProduct(db(), { model: a, price: 100 }), await addProduct(db(), { model: b, price: 100 }), await addProduct(db(), { model: other, price: 100 })];
    const written = await applyProductChanges(db(), 'model', 'price', [{ productId: ids[0]!, code: a, value: 150.25 }, { productId: ids[1]!, code: b, value: 99.5 }], NOW);
    expect(written).toBe(2);
    expect([await price(ids[0]!), await price(ids[1]!), await price(ids[2]!)]).toEqual([150.25, 99.5, 100]);
    expect(await modified(ids[0]!)).toBe(NOW);
    expect(await modified(ids[2]!)).toBe('2026-01-01 10:00:00');
    // Stock writes the quantity, and only the quantity.
    expect(await applyProductChanges(db(), 'model', 'quantity', [{ productId: ids[2]!, code: other, value: 42 }], NOW)).toBe(1);
    expect(await product(db(), ids[2]!)).toMatchObject({ quantity: 42 });
    expect(await price(ids[2]!)).toBe(100);
  });

  it('writes only values that differ: a product that already has the value is neither counted nor touched', async () => {
    const [same, differs] = [uniqueCode('PS'), uniqueCode('PS')];
    const ids = [await addProduct(db(), { model: same, price: 100, quantity: 7 }), await addProduct(db(), { model: differs, price: 100, quantity: 7 })];
    expect(await applyProductChanges(db(), 'model', 'price', [{ productId: ids[0]!, code: same, value: 100 }, { productId: ids[1]!, code: differs, value: 101 }], NOW)).toBe(1);
    expect(await modified(ids[0]!)).toBe('2026-01-01 10:00:00');
    expect(await applyProductChanges(db(), 'model', 'quantity', [{ productId: ids[0]!, code: same, value: 7 }], NOW)).toBe(0);
    expect(await modified(ids[0]!)).toBe('2026-01-01 10:00:00');
  });

  it('is idempotent on resend: the same changes again write nothing and keep the first write\'s date', async () => {
    const code = uniqueCode('PI');
    const id = await addProduct(db(), { model: code, price: 100 });
    const changes = [{ productId: id, code, value: 120 }];
    expect(await applyProductChanges(db(), 'model', 'price', changes, NOW)).toBe(1);
    expect(await applyProductChanges(db(), 'model', 'price', changes, LATER)).toBe(0);
    expect(await price(id)).toBe(120);
    expect(await modified(id)).toBe(NOW);
  });

  it('leaves a product alone whose code changed between reading and writing (the joined UPDATE re-checks the code), and writes the rest', async () => {
    const [renamed, kept] = [uniqueCode('PR'), uniqueCode('PR')];
    const ids = [await addProduct(db(), { model: renamed, price: 100 }), await addProduct(db(), { model: kept, price: 100 })];
    const table = await ChangeTable.open(db(), 'model', 'price');
    try {
      await table.load(listOf([{ productId: ids[0]!, code: renamed, value: 555 }, { productId: ids[1]!, code: kept, value: 556 }]));
      // The owner renames the product after the push read it, before the write.
      await db().knex(db().t('product')).where({ product_id: ids[0] }).update({ model: `${renamed}-new` });
      expect(await table.write(NOW, { rows: 2 })).toBe(1);
    } finally {
      await table.close();
    }
    expect([await price(ids[0]!), await price(ids[1]!)]).toEqual([100, 556]);
    expect(await modified(ids[0]!)).toBe('2026-01-01 10:00:00');
  });

  it('matches the stored code trimmed and case-sensitively, and writes only the product named, not another with the same code', async () => {
    const code = uniqueCode('Pm');
    const padded = await addProduct(db(), { model: `  ${code} `, price: 100 });
    const otherCase = await addProduct(db(), { model: code.toUpperCase(), price: 100 });
    // A second product with the padded product's code: the change names the first by its id.
    const twin = await addProduct(db(), { model: code, price: 100 });
    const written = await applyProductChanges(db(), 'model', 'price', [{ productId: padded, code, value: 200 }, { productId: otherCase, code, value: 200 }], NOW);
    expect(written).toBe(1);
    expect([await price(padded), await price(otherCase), await price(twin)]).toEqual([200, 100, 100]);
  });

  it('takes the changes as objects in any order or as a ChangeList, loaded in parts, and counts the rows loaded', async () => {
    const codes = [uniqueCode('PL'), uniqueCode('PL'), uniqueCode('PL')];
    const ids: number[] = [];
    for (const model of codes) ids.push(await addProduct(db(), { model, price: 100 }));
    // Unsorted objects.
    expect(await applyProductChanges(db(), 'model', 'price', [2, 0, 1].map((k) => ({ productId: ids[k]!, code: codes[k]!, value: 10 + k })), NOW)).toBe(3);
    expect(await Promise.all(ids.map(price))).toEqual([10, 11, 12]);
    // A ChangeList, as a direct push hands it over.
    expect(await applyProductChanges(db(), 'model', 'price', listOf(ids.map((productId, k) => ({ productId, code: codes[k]!, value: 20 + k }))), NOW)).toBe(3);
    expect(await Promise.all(ids.map(price))).toEqual([20, 21, 22]);
    // Loaded in parts while the document is read: each part exactly once.
    const table = await ChangeTable.open(db(), 'model', 'price');
    try {
      const list = listOf(ids.map((productId, k) => ({ productId, code: codes[k]!, value: 30 + k })));
      await table.load(list, 0, 1);
      expect(table.loaded).toBe(1);
      await table.load(list, 1, 3);
      expect(table.loaded).toBe(3);
      expect(await table.write(NOW, { rows: 3 })).toBe(3);
    } finally {
      await table.close();
    }
    expect(await Promise.all(ids.map(price))).toEqual([30, 31, 32]);
  });

  it('with nothing to change runs no statement at all', async () => {
    const seen: string[] = [];
    const listener = (q: { sql: string }) => seen.push(q.sql);
    db().knex.on('query', listener);
    let loaded = false;
    try {
      expect(await applyProductChanges(db(), 'model', 'price', [], NOW, () => void (loaded = true))).toBe(0);
    } finally {
      db().knex.off('query', listener);
    }
    expect(seen).toEqual([]);
    expect(loaded).toBe(false);
  });

  it('calls onLoaded once every change is loaded and before the shop is written, and reports each step written', async () => {
    const code = uniqueCode('PO');
    const id = await addProduct(db(), { model: code, price: 100 });
    const seen: unknown[] = [];
    const written = await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 300 }], NOW, async () => {
      seen.push(['loaded', await price(id)]);
    }, undefined, async (done, total) => {
      seen.push(['step', done, total, await price(id)]);
    });
    expect(written).toBe(1);
    // Read on another connection: an InnoDB shop (OpenCart 4) sees the write once the change
    // table's transaction commits (at close), MyISAM and SQLite at once.
    expect(seen).toEqual([['loaded', 100], ['step', 1, 1, (await transactional()) ? 100 : 300]]);
    expect(await price(id)).toBe(300);
  });

  it('records each written product\'s old and new value under the run; a product the write left alone leaves the history again', async () => {
    const [a, b, renamed] = [uniqueCode('PH'), uniqueCode('PH'), uniqueCode('PH')];
    const ids = [await addProduct(db(), { model: a, price: 100 }), await addProduct(db(), { model: b, price: 100 }), await addProduct(db(), { model: renamed, price: 100 })];
    const run = await journal.start('prices', 'test');
    const written = await applyProductChanges(db(), 'model', 'price', [
      { productId: ids[0]!, code: a, value: 150, old: 100 },
      // No old value known: the history says so (null), not 0.
      { productId: ids[1]!, code: b, value: 151 },
      { productId: ids[2]!, code: renamed, value: 152, old: 100 },
    ], NOW, async () => {
      await db().knex(db().t('product')).where({ product_id: ids[2] }).update({ model: `${renamed}-new` });
    }, run);
    expect(written).toBe(2);
    expect(await historyOf(run)).toEqual([[ids[0], a, 'price', 100, 150], [ids[1], b, 'price', null, 151]]);
    // Stock goes into the history as quantity.
    const stockRun = await journal.start('stock', 'test');
    expect(await applyProductChanges(db(), 'model', 'quantity', [{ productId: ids[0]!, code: a, value: 9, old: 5 }], NOW, undefined, stockRun)).toBe(1);
    expect(await historyOf(stockRun)).toEqual([[ids[0], a, 'quantity', 5, 9]]);
  });

  it('without a run writes no history at all, also when the write left a product alone', async () => {
    const [a, renamed] = [uniqueCode('PN'), uniqueCode('PN')];
    const ids = [await addProduct(db(), { model: a, price: 100 }), await addProduct(db(), { model: renamed, price: 100 })];
    const historyCount = async () => [await db().knex(db().own('product_change')).count({ n: '*' }).first(), await db().knex(db().own('product_change_block')).count({ n: '*' }).first()];
    const before = await historyCount();
    const written = await applyProductChanges(db(), 'model', 'price', [{ productId: ids[0]!, code: a, value: 150, old: 100 }, { productId: ids[1]!, code: renamed, value: 150, old: 100 }], NOW, async () => {
      await db().knex(db().t('product')).where({ product_id: ids[1] }).update({ model: `${renamed}-new` });
    });
    expect(written).toBe(1);
    // A removal (a code twice in the document) without a run takes the row out of the change only.
    const twin = uniqueCode('PN');
    ids.push(await addProduct(db(), { model: twin, price: 100 }));
    const table = await ChangeTable.open(db(), 'model', 'price');
    try {
      await table.load(listOf([{ productId: ids[0]!, code: a, value: 160 }, { productId: ids[2]!, code: twin, value: 160 }]));
      await table.remove([ids[2]!]);
      expect(await table.write(NOW, { rows: 1 })).toBe(1);
    } finally {
      await table.close();
    }
    expect([await price(ids[0]!), await price(ids[2]!)]).toEqual([160, 100]);
    expect(await historyCount()).toEqual(before);
  });

  // A direct push hands its codes over as the product index's code table, not as strings: on
  // MySQL the change table's text and the history's blocks are written from its units.
  it('writes codes handed over as the product index\'s code table exactly: awkward codes reach the shop, and the product page finds each one\'s history', async () => {
    const wide = (await shopSchema(db())).textCollation?.startsWith('utf8mb4') !== false;
    const tag = uniqueCode('PW');
    const codes = ['kód "idézet"', 'back\\slash', 'tab\there', 'x","a', 'ŐŰ-é', ...(wide ? ['😀-4'] : []), 'PLAIN'].map((c) => `${c}-${tag}`);
    const ids: number[] = [];
    for (const model of codes) ids.push(await addProduct(db(), { model, price: 100 }));
    // As the product index reads them: on MySQL with the database's CRC32 of each code.
    const crcs = target.dialect === 'mysql' ? db().dialect.rows<{ c: number }>(await db().knex.raw(`SELECT ${db().dialect.productCodeCrcSql!('model')} AS c FROM ${db().t('product')} WHERE product_id IN (${ids.join(', ')}) ORDER BY product_id`)).map((r) => Number(r.c)) : ids.map(() => 0);
    const index = new ProductIndex(codes.length);
    codes.forEach((code, k) => index.add(ids[k]!, code, 100, 5, 9, 0, crcs[k]));
    let strings = 0;
    const list: ChangeList = {
      length: codes.length,
      productId: (k) => ids[k]!,
      code: (k) => (strings++, codes[k]!),
      value: (k) => 200 + k,
      old: () => 100,
      codeCrc: (k) => index.codeCrcOf(k),
      codeEntry: (k) => index.storedCodeEntryOf(k),
      codes: index.codeTable,
    };
    const run = await journal.start('prices', 'test');
    await journal.progress(run, codes.length, 'writing');
    // On MySQL the load text is written from the units once LOAD DATA is known to work (a push's first load finds out).
    const mysql = target.dialect === 'mysql';
    if (mysql) setLoadDataForTests(true);
    const table = await ChangeTable.open(db(), 'model', 'price', run);
    try {
      await table.load(list);
      expect(await table.write(NOW, { rows: codes.length })).toBe(codes.length);
    } finally {
      await table.close();
      if (mysql) setLoadDataForTests(null);
    }
    await journal.finish(run, { status: 'ok', durationMs: 1 });
    // MySQL wrote every code from the table's units, never asking for a string; SQLite takes the strings.
    expect(strings).toBe(mysql ? 0 : codes.length);
    for (const [k, id] of ids.entries()) expect(await price(id), codes[k]).toBe(200 + k);
    const history = new ProductHistory(db());
    for (const [k, code] of codes.entries()) {
      const found = await history.changes({ codes: [code], limit: 5 });
      expect(found.map((r) => [r.run_id, r.code, r.old_value, r.new_value]), code).toEqual([[run, code, 100, 200 + k]]);
    }
  });

  it('keeps the history of a table that wrote, and takes out that of one closed before writing', async () => {
    const code = uniqueCode('PK');
    const id = await addProduct(db(), { model: code, price: 100 });
    const changes = listOf([{ productId: id, code, value: 130, old: 100 }]);
    const stoppedRun = await journal.start('prices', 'test');
    const stopped = await ChangeTable.open(db(), 'model', 'price', stoppedRun);
    await stopped.load(changes);
    await stopped.close();
    expect(await historyOf(stoppedRun)).toEqual([]);
    expect(await price(id)).toBe(100);
    const run = await journal.start('prices', 'test');
    const table = await ChangeTable.open(db(), 'model', 'price', run);
    try {
      await table.load(changes);
      expect(await table.write(NOW, { rows: 1 })).toBe(1);
    } finally {
      await table.close();
    }
    expect(await historyOf(run)).toEqual([[id, code, 'price', 100, 130]]);
  });

  it('takes removed products out of the change and out of the history, a thousand at a time', async () => {
    const [twin, kept] = [uniqueCode('PT'), uniqueCode('PT')];
    const ids = [await addProduct(db(), { model: twin, price: 100 }), await addProduct(db(), { model: kept, price: 100 })];
    // Rows for products this shop does not have, so that exactly two thousand are removed: two parts.
    const absent = Array.from({ length: 1999 }, (_, k) => 8_000_000 + k);
    const changes: ProductChange[] = [
      { productId: ids[0]!, code: twin, value: 140, old: 100 },
      { productId: ids[1]!, code: kept, value: 141, old: 100 },
      ...absent.map((productId) => ({ productId, code: `${twin}-absent`, value: 1, old: 0 })),
    ];
    const run = await journal.start('prices', 'test');
    const table = await ChangeTable.open(db(), 'model', 'price', run);
    try {
      await table.load(listOf(changes));
      await table.remove([ids[0]!, ...absent]);
      expect((await historyOf(run)).map((r) => r[0])).toEqual([ids[1]]);
      expect(await table.write(NOW, { rows: 1 })).toBe(1);
    } finally {
      await table.close();
    }
    expect([await price(ids[0]!), await price(ids[1]!)]).toEqual([100, 141]);
    expect(await historyOf(run)).toEqual([[ids[1], kept, 'price', 100, 141]]);
  });

  // MySQL's change table is a MEMORY table (cheaper to load than InnoDB), allowed to grow past the
  // server's default max_heap_table_size (16 MB: about 400,000 changes) for its creation only; a
  // server that cannot make it (no MEMORY engine, or columns it refuses) gets an InnoDB table.
  it.runIf(target.dialect === 'mysql')('makes the MySQL change table a MEMORY table that holds more than the default heap size, and an InnoDB one where MEMORY refuses', async () => {
    const { knex: k, release } = await db().dialect.pinConnection(db().knex);
    const engine = async (name: string) => /ENGINE=(\w+)/.exec(String((db().dialect.rows<Record<string, string>>(await k.raw(`SHOW CREATE TABLE ${name}`))[0]!)['Create Table']))![1];
    const heap = async () => Number(db().dialect.rows<{ h: number }>(await k.raw('SELECT @@SESSION.max_heap_table_size AS h'))[0]!.h);
    try {
      const before = await heap();
      await db().dialect.changeTable.create(k, 'erpb_t_mem', `product_id INT NOT NULL PRIMARY KEY, ${db().dialect.changeTable.codeColumnsSql}, v DECIMAL(15,4) NOT NULL, old DECIMAL(15,4) NULL`);
      expect(await engine('erpb_t_mem')).toBe('MEMORY');
      expect(await heap()).toBe(before);
      // 450,000 rows: past what the default 16 MB holds.
      await k.raw('INSERT INTO erpb_t_mem (product_id, code_crc, code_slot, v, old) SELECT seq, seq, seq % 256, seq / 4, NULL FROM seq_1_to_450000');
      expect(Number(db().dialect.rows<{ n: number }>(await k.raw('SELECT COUNT(*) AS n FROM erpb_t_mem'))[0]!.n)).toBe(450_000);
      // MEMORY refuses TEXT columns: the same table is made InnoDB.
      await db().dialect.changeTable.create(k, 'erpb_t_text', 'product_id INT NOT NULL PRIMARY KEY, note TEXT');
      expect(await engine('erpb_t_text')).toBe('InnoDB');
      expect(await heap()).toBe(before);
    } finally {
      await k.raw('DROP TEMPORARY TABLE IF EXISTS erpb_t_mem').catch(() => {});
      await k.raw('DROP TEMPORARY TABLE IF EXISTS erpb_t_text').catch(() => {});
      await release(false);
    }
  });

  it('keeps the changes of two tables open at once apart', async () => {
    const [a, b] = [uniqueCode('PA'), uniqueCode('PA')];
    const ids = [await addProduct(db(), { model: a, price: 100 }), await addProduct(db(), { model: b, price: 100 })];
    const first = await ChangeTable.open(db(), 'model', 'price');
    const second = await ChangeTable.open(db(), 'model', 'price');
    let firstOpen = true;
    try {
      await first.load(listOf([{ productId: ids[0]!, code: a, value: 160 }]));
      await second.load(listOf([{ productId: ids[1]!, code: b, value: 170 }]));
      expect(await first.write(NOW, { rows: 1 })).toBe(1);
      // Closed (committed) before the second writes, as a push does: on InnoDB the first write's
      // row locks would otherwise hold the second until the lock wait times out.
      await first.close();
      firstOpen = false;
      expect(await price(ids[1]!)).toBe(100);
      expect(await second.write(NOW, { rows: 1 })).toBe(1);
    } finally {
      if (firstOpen) await first.close();
      await second.close();
    }
    expect([await price(ids[0]!), await price(ids[1]!)]).toEqual([160, 170]);
  });

  it('drops its table and gives its connection back after a write and after a failure', async () => {
    const code = uniqueCode('PD');
    const id = await addProduct(db(), { model: code, price: 100 });
    const tablesBefore = await sqliteChangeTables();
    const inUse = connectionsInUse();
    expect(await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 180 }], NOW)).toBe(1);
    expect(connectionsInUse()).toBe(inUse);
    expect(await sqliteChangeTables()).toBe(tablesBefore);
    // A failure after the table was opened (here: onLoaded throws) still closes it.
    await expect(applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 190 }], NOW, () => {
      throw new Error('stop after loading');
    })).rejects.toThrow('stop after loading');
    expect(connectionsInUse()).toBe(inUse);
    expect(await sqliteChangeTables()).toBe(tablesBefore);
    expect(await price(id)).toBe(180);
    // A table that cannot be created (a prefix no table name can carry stands for any such
    // failure, e.g. a user without CREATE TEMPORARY TABLES) fails the open and gives back its connection.
    const unusable: Database = Object.create(db(), { prefix: { value: 'no such-' } });
    await expect(ChangeTable.open(unusable, 'model', 'price')).rejects.toThrow();
    expect(connectionsInUse()).toBe(inUse);
  });

  it('writes a change of at least a fifth of the products scanning the product table in its order (MySQL\'s STRAIGHT_JOIN), a smaller one looking each product up', async () => {
    const code = uniqueCode('PJ');
    const id = await addProduct(db(), { model: code, price: 100 });
    const updates: string[] = [];
    const listener = (q: { sql: string }) => {
      if (/^update/i.test(q.sql) && q.sql.includes('erpb_changes')) updates.push(q.sql);
    };
    const straight = async (value: number, tableRows?: number) => {
      updates.length = 0;
      expect(await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value }], NOW, undefined, undefined, undefined, tableRows)).toBe(1);
      expect(updates).toHaveLength(1);
      return /STRAIGHT_JOIN/i.test(updates[0]!);
    };
    db().knex.on('query', listener);
    try {
      // SQLite never reorders an UPDATE … FROM: the hint exists on MySQL only.
      const mysql = target.dialect === 'mysql';
      expect(await straight(101)).toBe(mysql); // the table's size not known: as for most of it
      expect(await straight(102, 5)).toBe(mysql); // exactly a fifth
      expect(await straight(103, 6)).toBe(false); // less than a fifth
    } finally {
      db().knex.off('query', listener);
    }
  });

  it('re-checks the history only when the write left a product alone: a write of every change runs no such statement', async () => {
    const code = uniqueCode('PQ');
    const id = await addProduct(db(), { model: code, price: 100 });
    const run = await journal.start('prices', 'test');
    // The re-check: its join of the change table to the shop's, and any rewrite or delete of history.
    const deletes: string[] = [];
    const listener = (q: { sql: string }) => {
      if (/^delete|^update .*product_change|left join/i.test(q.sql.trim())) deletes.push(q.sql);
    };
    db().knex.on('query', listener);
    try {
      expect(await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 150, old: 100 }], NOW, undefined, run)).toBe(1);
    } finally {
      db().knex.off('query', listener);
    }
    expect(deletes).toEqual([]);
    expect(await historyOf(run)).toEqual([[id, code, 'price', 100, 150]]);
  });

  it('with ERP_BRIDGE_PUSH_TIMINGS=1 reports under its run each step written and the history\'s end; without a run it reports nothing', async () => {
    const code = uniqueCode('PP');
    const id = await addProduct(db(), { model: code, price: 100 });
    const run = await journal.start('prices', 'test');
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const saved = process.env.ERP_BRIDGE_PUSH_TIMINGS;
    process.env.ERP_BRIDGE_PUSH_TIMINGS = '1';
    // The timings go to stderr; the test keeps each one's run and step, up to its milliseconds
    // (every other line passes through).
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).startsWith('[push ')) return lines.push(String(chunk).replace(/ \d+ ms\b[\s\S]*$/, '')) > 0;
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 101 }], NOW, undefined, run);
      await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 102 }], NOW);
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.ERP_BRIDGE_PUSH_TIMINGS;
      else process.env.ERP_BRIDGE_PUSH_TIMINGS = saved;
    }
    expect(lines).toEqual([`[push ${run}] updated 1/1`, `[push ${run}] history loaded`]);
    expect(await price(id)).toBe(102);
  });

  // OpenCart 4's tables are InnoDB: there the change table's transaction takes back a write whose
  // push failed after the UPDATE (here: its progress report fails). SQLite and MyISAM (3.0) have
  // no such transaction: the shop keeps the write, and the push says the shop was changed.
  it('takes back the write and its history of a push that failed after its UPDATE where the product table is transactional (InnoDB)', async () => {
    const code = uniqueCode('PX');
    const id = await addProduct(db(), { model: code, price: 100 });
    const table = db().t('product');
    const engineOf = async () => target.dialect === 'sqlite' ? 'none' : String(db().dialect.rows<{ e: string }>(await db().knex.raw('SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]))[0]!.e);
    const engine = await engineOf();
    if (engine === 'MyISAM') await db().knex.raw(`ALTER TABLE ${table} ENGINE=InnoDB`);
    const run = await journal.start('prices', 'test');
    try {
      await expect(applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 333, old: 100 }], NOW, undefined, run, () => {
        throw new Error('progress not saved');
      })).rejects.toThrow('progress not saved');
      expect(await price(id)).toBe(target.dialect === 'sqlite' ? 333 : 100);
      // The history (loaded on another connection) follows the shop: no change the shop does not hold.
      expect(await historyOf(run)).toEqual(target.dialect === 'sqlite' ? [[id, code, 'price', 100, 333]] : []);
    } finally {
      if (engine === 'MyISAM') await db().knex.raw(`ALTER TABLE ${table} ENGINE=MyISAM`);
    }
    // A write that ends well is kept, whatever the engine.
    expect(await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 334 }], NOW)).toBe(1);
    expect(await price(id)).toBe(334);
  });

  it('fails the write and writes nothing once a history load failed; later loads of that push add no history', async () => {
    const [a, b] = [uniqueCode('PF'), uniqueCode('PF')];
    const ids = [await addProduct(db(), { model: a, price: 100 }), await addProduct(db(), { model: b, price: 100 })];
    const run = await journal.start('prices', 'test');
    const history = db().own('product_change_block');
    // The history table out of the way: its loads fail (as a full disk or a lost connection would).
    await db().knex.raw(`ALTER TABLE ${history} RENAME TO ${history}_away`);
    let table: ChangeTable | undefined;
    try {
      table = await ChangeTable.open(db(), 'model', 'price', run);
      await table.load(listOf([{ productId: ids[0]!, code: a, value: 150, old: 100 }]));
      // remove() waits for the history loads and throws the first failure.
      await expect(table.remove([])).rejects.toThrow();
    } finally {
      await db().knex.raw(`ALTER TABLE ${history}_away RENAME TO ${history}`);
    }
    await table!.load(listOf([{ productId: ids[0]!, code: a, value: 150, old: 100 }, { productId: ids[1]!, code: b, value: 151, old: 100 }]), 1, 2);
    await expect(table!.remove([])).rejects.toThrow();
    expect(await historyOf(run)).toEqual([]);
    await expect(table!.write(NOW, { rows: 2 })).rejects.toThrow();
    await table!.close();
    expect([await price(ids[0]!), await price(ids[1]!)]).toEqual([100, 100]);
    expect(await historyOf(run)).toEqual([]);
  });

  // SQLite holds the process during a statement, so it writes a large change in steps of
  // `updateStepRows` products, each a range of product ids, with other requests' turn between
  // them. (MySQL writes it in one statement: its limit is Number.MAX_SAFE_INTEGER.)
  it.runIf(target.dialect === 'sqlite')('writes more products than one step holds in steps over equal ranges of product ids, reports each, and lets waiting work run between them', async () => {
    const n = db().dialect.updateStepRows + 2;
    const prefix = uniqueCode('PB');
    const schema = await shopSchema(db());
    const rows = Array.from({ length: n }, (_, k) => schema.completeRow('product', {
      model: `${prefix}-${k}`, sku: '', upc: '', ean: '', jan: '', isbn: '', mpn: '', location: '', quantity: 1, stock_status_id: 7, image: '', manufacturer_id: 0,
      shipping: 1, price: 100, points: 0, tax_class_id: 9, date_available: '2026-01-01', weight: 0, weight_class_id: 1, length: 0, width: 0, height: 0,
      length_class_id: 1, subtract: 1, minimum: 1, sort_order: 0, status: 1, viewed: 0, date_added: '2026-01-01 10:00:00', date_modified: '2026-01-01 10:00:00',
    }));
    await db().knex.batchInsert(db().t('product'), rows, 500);
    const ours = () => db().knex(db().t('product')).where('model', 'like', `${prefix}-%`);
    try {
      const products: Array<{ product_id: number; model: string }> = await ours().orderBy('product_id').select('product_id', 'model');
      const first = products[0]!.product_id;
      expect(products.at(-1)!.product_id - first).toBe(n - 1); // one range of ids, no gaps
      const half = Math.ceil(n / 2);
      const seen: unknown[] = [];
      // Work that arrives while a step is written (here: a callback queued then; the admin's requests
      // on SQLite) runs before the next step starts: better-sqlite3 holds the process during each.
      const order: string[] = [];
      const listener = (q: { sql: string }) => {
        if (/^update/i.test(q.sql) && q.sql.includes('erpb_changes')) order.push('update');
      };
      db().knex.on('query', listener);
      // In document order, as a direct push hands them over (not by id): here from the middle
      // on, so neither the first nor the last change is the lowest or the highest id.
      const inDocument = [...products.slice(half - 1), ...products.slice(0, half - 1)];
      const changes = listOf(inDocument.map((p) => ({ productId: p.product_id, code: p.model, value: 200 })));
      const written = await applyProductChanges(db(), 'model', 'price', changes, NOW, undefined, undefined, async (done, total) => {
        setImmediate(() => order.push(`turn after ${done}`));
        const done200: Array<{ lo: number; hi: number; n: number }> = await ours().where('price', 200).select(db().knex.raw('MIN(product_id) AS lo, MAX(product_id) AS hi, COUNT(*) AS n'));
        seen.push([done, total, Number(done200[0]!.n), Number(done200[0]!.lo) - first, Number(done200[0]!.hi) - first]);
      });
      db().knex.off('query', listener);
      expect(order).toEqual(['update', 'turn after 1', 'update', 'turn after 2']);
      expect(written).toBe(n);
      // Step 1 wrote the lower half of the ids, step 2 the rest.
      expect(seen).toEqual([[1, 2, half, 0, half - 1], [2, 2, n, 0, n - 1]]);
    } finally {
      await ours().delete();
    }
  });
});
