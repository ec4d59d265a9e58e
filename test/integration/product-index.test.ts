// The product index (app/shop/product-index.ts) through its own functions on each database: what a
// read holds for each code, when the warm index is trusted again (MySQL's signature: count, highest
// id, latest date_modified and a checksum) and when any change behind erp-bridge's back makes it
// read the table again, and how a push's own writes keep it warm. The push suites reach it only
// through HTTP, where a stale index shows as a wrong "unchanged" count at best.
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProductIndex, SETTLE_AFTER_MS, SIGNATURE_BLOCK, forgetProductIndex, lastIndexLoad, loadProductIndex } from '../../app/shop/product-index.js';
import type { Database } from '../../app/db/database.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, uniqueCode } from '../support/shop.js';
import { withDialect } from '../support/dialect-hooks.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * A row's checksum term, as the database computes it: CRC32 of the row's CONCAT_WS text times
 * 2 × id + 1, mod 2^32 (CRC32 alone is linear: the same edit on two rows left the XOR as it was).
 */
const termOf = (row: string) => Math.imul(crc32(row), 2 * Number(row.split('|')[0]) + 1) >>> 0;

/**
 * The database with its product-table reads recorded (paged or streamed, as its dialect reads):
 * each statement and every row it answered. Loads through it keep their own warm index.
 */
function recording(d: Database): { db: Database; statements: string[]; rows: unknown[][] } {
  const statements: string[] = [];
  const rows: unknown[][] = [];
  const db = withDialect(d, (real) => ({
    readArrays: async (k, sql) => {
      statements.push(sql);
      const page = await real.readArrays(k, sql);
      rows.push(...page);
      return page;
    },
    ...(real.scanArrays
      ? { scanArrays: (k, sql, each) => (statements.push(sql), real.scanArrays!(k, sql, (row) => (rows.push(row), each(row)))) }
      : {}),
  }));
  return { db, statements, rows };
}

const LATER = '2031-05-06 07:08:09';
/** Later than any date_modified the suite writes. */
const LATEST = '2099-12-31 23:59:59';

/**
 * Codes for products `a` and `b` (price 100, stock 5, tax class 9: addProduct's defaults) whose
 * checksum terms, as the database's CONCAT_WS gives them, are equal: added or removed together,
 * or one in place of the other, they leave the XOR checksum as it was (a CRC32 birthday search).
 */
function sameTerm(a: number, b: number, prefix: string): [string, string] {
  const term = (id: number, code: string) => termOf(`${id}|${code}|100.0000|5|9`);
  // Random letters and digits: CRC32 is linear, so codes that differ only in a few bits (counting
  // digits) may never meet; ten characters of 36 reach every checksum.
  const random = () => Array.from({ length: 10 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  const seen = new Map<number, string>();
  for (let i = 0; i < 1 << 17; i++) {
    const code = `${prefix}-${random()}`;
    seen.set(term(a, code), code);
  }
  for (let j = 0; j < 1 << 22; j++) {
    const code = `${prefix}-${random()}`;
    const hit = seen.get(term(b, code));
    if (hit !== undefined) return [hit, code];
  }
  throw new Error('no codes with the same checksum term found');
}

describe.each(TARGETS)('the product index on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const signed = target.dialect === 'mysql';
  const setRow = (id: number, values: Record<string, unknown>) => db().knex(db().t('product')).where({ product_id: id }).update(values);
  /** What the index holds for a code: every product id with it, and the single product's values. */
  const lookup = (index: ProductIndex, code: string) => {
    const slot = index.slotOf(code);
    if (slot < 0) return null;
    const count = index.countOf(slot);
    if (count !== 1) return { count };
    const row = index.rowOf(slot);
    return { id: index.productIdOf(row), stored: index.storedCodeOf(row), price: index.price[row], quantity: index.quantity[row], tax: index.taxClassId[row] };
  };

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());
  beforeEach(() => forgetProductIndex(db()));

  it('holds every product under its trimmed, HTML-decoded code with its id, stored code, price, quantity and tax class', async () => {
    const plain = uniqueCode('IX');
    const a = await addProduct(db(), { model: plain, price: 12.3456, quantity: 7, tax_class_id: 9 });
    const b = await addProduct(db(), { model: `  ${plain}-SP  `, price: 1, quantity: -2, tax_class_id: 10 });
    const c = await addProduct(db(), { model: `${plain}&amp;R&amp;D`, price: 0.5, quantity: 0, tax_class_id: 0 });
    const d = await addProduct(db(), { model: `${plain}-Ő`, price: 3, quantity: 1 });
    const index = await loadProductIndex(db(), 'model');
    expect(lookup(index, plain)).toEqual({ id: a, stored: plain, price: 12.3456, quantity: 7, tax: 9 });
    expect(lookup(index, `${plain}-SP`)).toEqual({ id: b, stored: `${plain}-SP`, price: 1, quantity: -2, tax: 10 });
    // OpenCart's admin stores R&D as R&amp;D: the ERP sends R&D, the shop's own form is kept for writing.
    expect(lookup(index, `${plain}&R&D`)).toEqual({ id: c, stored: `${plain}&amp;R&amp;D`, price: 0.5, quantity: 0, tax: 0 });
    expect(lookup(index, `${plain}&amp;R&amp;D`)).toBeNull();
    expect(lookup(index, `${plain}-Ő`)).toMatchObject({ id: d, stored: `${plain}-Ő` });
    // Near misses are not matches.
    for (const miss of [`${plain}-sp`, `  ${plain}-SP`, `${plain}-O`, `${plain}x`, plain.slice(0, -1)]) expect(lookup(index, miss), miss).toBeNull();
    // Every product of the table is in it, once.
    const all = await db().knex(db().t('product')).count({ n: '*' }).first();
    expect(index.size).toBe(Number(all!.n));
  });

  it('gives a code that several products share one slot with their count and no single product; an empty code is a code too', async () => {
    const code = uniqueCode('TWIN');
    await addProduct(db(), { model: code });
    await addProduct(db(), { model: ` ${code}` });
    await addProduct(db(), { model: `${code} ` });
    const index = await loadProductIndex(db(), 'model');
    expect(lookup(index, code)).toEqual({ count: 3 });
    const e = await addProduct(db(), { model: '' });
    const again = await loadProductIndex(db(), 'model');
    expect(again.countOf(again.slotOf(''))).toBeGreaterThanOrEqual(1);
    expect(lookup(again, code)).toEqual({ count: 3 });
    await db().knex(db().t('product')).where({ product_id: e }).delete();
  });

  it('indexes the code field the settings name: the same products under their SKU', async () => {
    const model = uniqueCode('MOD');
    const sku = uniqueCode('SKU');
    const id = await addProduct(db(), { model, sku, price: 4 });
    const bySku = await loadProductIndex(db(), 'sku');
    expect(lookup(bySku, sku)).toMatchObject({ id, stored: sku, price: 4 });
    expect(lookup(bySku, model)).toBeNull();
    const byModel = await loadProductIndex(db(), 'model');
    expect(byModel).not.toBe(bySku);
    expect(lookup(byModel, model)).toMatchObject({ id });
    expect(lookup(byModel, sku)).toBeNull();
  });

  it(signed ? 'is kept warm while nothing changed, and read again after any change behind its back: a price, a stock, a tax class, a code, a new or a deleted product' : 'is read again on every load (SQLite keeps no signature)', async () => {
    const code = uniqueCode('WARM');
    const id = await addProduct(db(), { model: code, price: 10, quantity: 5, tax_class_id: 9 });
    const first = await loadProductIndex(db(), 'model');
    const second = await loadProductIndex(db(), 'model');
    if (!signed) {
      expect(second).not.toBe(first);
      await setRow(id, { price: 11 });
      expect(lookup(await loadProductIndex(db(), 'model'), code)).toMatchObject({ price: 11 });
      return;
    }
    expect(second).toBe(first);
    // Each change keeps date_modified as it was (an import or a direct edit may): only the checksum can see it.
    const changes: Array<[string, Record<string, unknown>, Record<string, unknown> | null]> = [
      ['price', { price: 10.5 }, { price: 10.5 }],
      ['stock', { quantity: 6 }, { quantity: 6 }],
      ['tax class', { tax_class_id: 10 }, { tax: 10 }],
    ];
    let prev = second;
    for (const [what, values, held] of changes) {
      await setRow(id, values);
      const next = await loadProductIndex(db(), 'model');
      expect(next, what).not.toBe(prev);
      expect(lookup(next, code), what).toMatchObject(held!);
      expect(await loadProductIndex(db(), 'model'), `${what}: warm again`).toBe(next);
      prev = next;
    }
    // A new code for the same product: the old code is gone, the new one found.
    await setRow(id, { model: `${code}-NEW` });
    const recoded = await loadProductIndex(db(), 'model');
    expect(recoded).not.toBe(prev);
    expect(lookup(recoded, code)).toBeNull();
    expect(lookup(recoded, `${code}-NEW`)).toMatchObject({ id, price: 10.5, quantity: 6, tax: 10 });
    // A product added, then one deleted.
    const added = await addProduct(db(), { model: `${code}-ADDED`, price: 2 });
    const withAdded = await loadProductIndex(db(), 'model');
    expect(withAdded).not.toBe(recoded);
    expect(lookup(withAdded, `${code}-ADDED`)).toMatchObject({ id: added, price: 2 });
    await db().knex(db().t('product')).where({ product_id: added }).delete();
    const withoutAdded = await loadProductIndex(db(), 'model');
    expect(withoutAdded).not.toBe(withAdded);
    expect(lookup(withoutAdded, `${code}-ADDED`)).toBeNull();
    expect(withoutAdded.size).toBe(withAdded.size - 1);
  });

  it.runIf(signed)('refreshes values without reading codes when only values changed, and still holds every code and product', async () => {
    const code = uniqueCode('REF');
    const ids = [await addProduct(db(), { model: `${code}-1`, price: 1 }), await addProduct(db(), { model: `${code}&amp;2`, price: 2 }), await addProduct(db(), { model: `${code}-1` })];
    const rec = recording(db());
    const first = await loadProductIndex(rec.db, 'model');
    await db().knex(db().t('product')).whereIn('product_id', ids).update({ price: 99, quantity: 42 });
    // What the database answers during the load (the signature, then the rows): none carries a code.
    rec.rows.length = 0;
    const answers: string[] = [];
    const listen = (response: unknown) => void answers.push(JSON.stringify(Array.isArray(response) ? response[0] : response));
    db().knex.on('query-response', listen);
    const next = await loadProductIndex(rec.db, 'model').finally(() => db().knex.off('query-response', listen));
    expect(answers.length).toBeGreaterThan(0);
    expect(rec.rows.length).toBe(next.size);
    expect([...answers, JSON.stringify(rec.rows)].join('\n')).not.toContain(code);
    expect(next).not.toBe(first);
    expect(next.size).toBe(first.size);
    expect(lookup(next, `${code}&2`)).toEqual({ id: ids[1], stored: `${code}&amp;2`, price: 99, quantity: 42, tax: 9 });
    expect(lookup(next, `${code}-1`)).toEqual({ count: 2 });
    // The old index keeps its own values: a push that read it is not changed under its feet.
    expect(lookup(first, `${code}&2`)).toMatchObject({ price: 2, quantity: 5 });
    expect(await loadProductIndex(rec.db, 'model')).toBe(next);
    forgetProductIndex(rec.db);
  });

  it.runIf(signed)(`after a few products changed behind its back (as orders change stock), reads only their blocks of SIGNATURE_BLOCK (${SIGNATURE_BLOCK}) product ids again; many changed blocks, every value`, async () => {
    const code = uniqueCode('BLK');
    // One product in each of six blocks far above the suite's others (blocks 40 to 45).
    const ids: number[] = [];
    for (let k = 0; k < 6; k++) {
      const id = await addProduct(db(), { model: `${code}-${k}`, price: 10 + k, quantity: 5 });
      const moved = (40 + k) * SIGNATURE_BLOCK + 7;
      await setRow(id, { product_id: moved });
      ids.push(moved);
    }
    const rec = recording(db());
    const first = await loadProductIndex(rec.db, 'model');
    expect(await loadProductIndex(rec.db, 'model')).toBe(first);
    expect(lastIndexLoad(rec.db)).toBe('warm');
    // An order takes two from the product in block 42 (OpenCart leaves date_modified alone).
    await setRow(ids[2]!, { quantity: 3 });
    rec.statements.length = 0;
    rec.rows.length = 0;
    const next = await loadProductIndex(rec.db, 'model');
    expect(next).not.toBe(first);
    expect(lastIndexLoad(rec.db)).toBe('patched');
    expect(rec.statements).toHaveLength(1);
    expect(rec.statements[0]).toContain(`WHERE product_id BETWEEN ${42 * SIGNATURE_BLOCK} AND ${43 * SIGNATURE_BLOCK - 1} ORDER BY product_id`);
    expect(rec.rows).toHaveLength(1);
    expect(lookup(next, `${code}-2`)).toMatchObject({ id: ids[2], price: 12, quantity: 3 });
    expect(lookup(next, `${code}-3`)).toMatchObject({ id: ids[3], price: 13, quantity: 5 });
    expect(next.size).toBe(first.size);
    // The index read before keeps its own values (a push that read it is not changed under its feet).
    expect(lookup(first, `${code}-2`)).toMatchObject({ quantity: 5 });
    // Trusted again: the patched index's checksum is the database's.
    expect(await loadProductIndex(rec.db, 'model')).toBe(next);
    // Saved by the owner with the same values (only date_modified moves): that block is read again.
    await setRow(ids[4]!, { date_modified: '2031-12-31 00:00:00' });
    rec.statements.length = 0;
    const saved = await loadProductIndex(rec.db, 'model');
    expect(saved).not.toBe(next);
    expect(rec.statements).toHaveLength(1);
    expect(rec.statements[0]).toContain(`WHERE product_id BETWEEN ${44 * SIGNATURE_BLOCK} AND ${45 * SIGNATURE_BLOCK - 1} ORDER BY`);
    expect(await loadProductIndex(rec.db, 'model')).toBe(saved);
    // Five more blocks of the suite's ten or so (over a quarter of them): every value is read again, in one pass.
    for (const k of [0, 2, 3, 4, 5]) await setRow(ids[k]!, { quantity: 1 });
    rec.statements.length = 0;
    rec.rows.length = 0;
    const many = await loadProductIndex(rec.db, 'model');
    expect(lastIndexLoad(rec.db)).toBe('refreshed');
    expect(rec.statements).toHaveLength(1);
    expect(rec.statements[0]).not.toContain('BETWEEN');
    expect(rec.rows).toHaveLength(many.size);
    expect(lookup(many, `${code}-5`)).toMatchObject({ quantity: 1 });
    // A block whose product was deleted is not patched: the table is read whole.
    await db().knex(db().t('product')).where({ product_id: ids[1] }).delete();
    rec.statements.length = 0;
    const without = await loadProductIndex(rec.db, 'model');
    expect(lastIndexLoad(rec.db)).toBe('read');
    expect(lookup(without, `${code}-1`)).toBeNull();
    for (const sql of rec.statements) expect(sql).toMatch(/^SELECT product_id, TRIM\(COALESCE\(/);
    forgetProductIndex(rec.db);
  });

  it.runIf(signed)('patches a changed block only while its products and codes are the index\'s: a code changed, a product gone from it or added to it, and the whole table is read', async () => {
    const code = uniqueCode('PAT');
    // Two products in each of ten blocks of their own (blocks 70 to 79): two changed blocks are then under a quarter of the suite's.
    const ids: number[][] = [];
    for (let k = 0; k < 10; k++) {
      const pair: number[] = [];
      for (let j = 0; j < 2; j++) {
        const id = await addProduct(db(), { model: `${code}-${k}-${j}`, price: 10 + k, quantity: 5 });
        const moved = (70 + k) * SIGNATURE_BLOCK + 3 + j;
        await setRow(id, { product_id: moved });
        pair.push(moved);
      }
      ids.push(pair);
    }
    const rec = recording(db());
    const reads = async () => {
      rec.statements.length = 0;
      const index = await loadProductIndex(rec.db, 'model');
      return { index, statements: [...rec.statements] };
    };
    try {
      let { index } = await reads();
      // The owner saves a price and a tax class: patched, and the index read before keeps its own values and checksum terms.
      const tax = lookup(index, `${code}-1-0`)!.tax;
      await setRow(ids[1]![0]!, { price: 99, tax_class_id: 77 });
      const before = index;
      const beforeTerms = JSON.stringify([...before.blockTerms(SIGNATURE_BLOCK)]);
      ({ index } = await reads());
      expect(lastIndexLoad(rec.db)).toBe('patched');
      expect(lookup(index, `${code}-1-0`)).toMatchObject({ price: 99, tax: 77 });
      expect(lookup(before, `${code}-1-0`)).toMatchObject({ price: 11, tax });
      expect(JSON.stringify([...before.blockTerms(SIGNATURE_BLOCK)])).toBe(beforeTerms);
      // Two blocks at once, one of them holding the table's last product (the binary search's last step): one statement for both.
      await setRow(ids[9]![1]!, { quantity: 2 });
      await setRow(ids[0]![0]!, { quantity: 3 });
      let r = await reads();
      expect(lastIndexLoad(rec.db)).toBe('patched');
      expect(r.statements).toHaveLength(1);
      expect(r.statements[0]).toContain(`product_id BETWEEN ${70 * SIGNATURE_BLOCK} AND ${71 * SIGNATURE_BLOCK - 1} OR product_id BETWEEN ${79 * SIGNATURE_BLOCK} AND ${80 * SIGNATURE_BLOCK - 1}`);
      expect(lookup(r.index, `${code}-9-1`)).toMatchObject({ quantity: 2 });
      expect(lookup(r.index, `${code}-0-0`)).toMatchObject({ quantity: 3 });
      expect(await loadProductIndex(rec.db, 'model')).toBe(r.index);
      // A code changed (the count of its block stays): the block's patch fails on it, and the whole table is read (its last statement, codes and all), the new code found.
      await setRow(ids[2]![0]!, { model: `${code}-2-0-NEW` });
      r = await reads();
      expect(r.statements.at(-1)).toMatch(/^SELECT product_id, TRIM\(COALESCE\(.* ORDER BY product_id$/);
      expect(lookup(r.index, `${code}-2-0`)).toBeNull();
      expect(lookup(r.index, `${code}-2-0-NEW`)).toMatchObject({ id: ids[2]![0] });
      // A product gone from a block that keeps its other one: read whole, the product gone.
      await db().knex(db().t('product')).where({ product_id: ids[3]![1] }).delete();
      r = await reads();
      expect(r.statements.at(-1)).toMatch(/^SELECT product_id, TRIM\(COALESCE\(.* ORDER BY product_id$/);
      expect(lookup(r.index, `${code}-3-1`)).toBeNull();
      // A product added inside a block, below the highest id: read whole, the product there.
      const added = await addProduct(db(), { model: `${code}-4-new` });
      await setRow(added, { product_id: ids[4]![1]! + 1 });
      r = await reads();
      expect(r.statements.at(-1)).toMatch(/^SELECT product_id, TRIM\(COALESCE\(.* ORDER BY product_id$/);
      expect(lookup(r.index, `${code}-4-new`)).toMatchObject({ id: ids[4]![1]! + 1 });
      ids[4]!.push(ids[4]![1]! + 1);
      // A product replaced by another in the same block (its count stays): the patch finds no such product, and the table is read whole.
      await db().knex(db().t('product')).where({ product_id: ids[5]![0] }).delete();
      const swapped = await addProduct(db(), { model: `${code}-5-swap` });
      await setRow(swapped, { product_id: ids[5]![1]! + 10 });
      ids[5]!.push(ids[5]![1]! + 10);
      r = await reads();
      expect(lastIndexLoad(rec.db)).toBe('read');
      expect(r.statements.at(-1)).toMatch(/^SELECT product_id, TRIM\(COALESCE\(.* ORDER BY product_id$/);
      expect(lookup(r.index, `${code}-5-0`)).toBeNull();
      expect(lookup(r.index, `${code}-5-swap`)).toMatchObject({ id: ids[5]![1]! + 10 });
    } finally {
      forgetProductIndex(rec.db);
      await db().knex(db().t('product')).whereIn('product_id', ids.flat()).delete();
    }
  });

  it.runIf(signed)('takes a product whose id is negative (written by hand): the signature is read, the index kept warm, and its block read again alone', async () => {
    const code = uniqueCode('NEG');
    const id = await addProduct(db(), { model: code, price: 3, quantity: 5 });
    await setRow(id, { product_id: -5 });
    // Products in four more blocks of their own: one changed block is then well under a quarter of them.
    const others: number[] = [];
    for (let k = 0; k < 4; k++) {
      const other = await addProduct(db(), { model: `${code}-${k}` });
      await setRow(other, { product_id: (60 + k) * SIGNATURE_BLOCK });
      others.push((60 + k) * SIGNATURE_BLOCK);
    }
    try {
      const rec = recording(db());
      const first = await loadProductIndex(rec.db, 'model');
      expect(lookup(first, code)).toMatchObject({ id: -5, price: 3, quantity: 5 });
      expect(await loadProductIndex(rec.db, 'model')).toBe(first);
      await setRow(-5, { quantity: 4 });
      rec.statements.length = 0;
      const next = await loadProductIndex(rec.db, 'model');
      expect(lookup(next, code)).toMatchObject({ quantity: 4 });
      // Block -1 (ids -256 to -1), as the database and the index both number it.
      expect(rec.statements).toHaveLength(1);
      expect(rec.statements[0]).toContain(`WHERE product_id BETWEEN ${-SIGNATURE_BLOCK} AND -1 ORDER BY`);
      expect(await loadProductIndex(rec.db, 'model')).toBe(next);
      forgetProductIndex(rec.db);
    } finally {
      await db().knex(db().t('product')).whereIn('product_id', [-5, ...others]).delete();
    }
  });

  it.runIf(signed)('reads a table that gained a product above its highest id in one pass, without first refreshing the rows it holds', async () => {
    const code = uniqueCode('GROW');
    await addProduct(db(), { model: `${code}-1`, price: 1 });
    const rec = recording(db());
    const first = await loadProductIndex(rec.db, 'model');
    const added = await addProduct(db(), { model: `${code}-2`, price: 2 });
    rec.statements.length = 0;
    const next = await loadProductIndex(rec.db, 'model');
    expect(rec.statements.length).toBeGreaterThan(0);
    // Every read carries the codes themselves: no refresh pass (which reads only their checksums, CRC32(…)) came first.
    for (const sql of rec.statements) expect(sql).toMatch(/^SELECT product_id, TRIM\(COALESCE\(/);
    expect(next).not.toBe(first);
    expect(lookup(next, `${code}-2`)).toMatchObject({ id: added, price: 2 });
    forgetProductIndex(rec.db);
  });

  it.runIf(signed)('stays warm after a push\'s own write that it was told of, once the checksum has followed; not when told a value the shop does not hold, or when not told', async () => {
    const code = uniqueCode('OWN');
    const ids = [await addProduct(db(), { model: `${code}-A`, price: 10, quantity: 1 }), await addProduct(db(), { model: `${code}&amp;B`, price: 20, quantity: 2 }), await addProduct(db(), { model: `${code}-C`, price: 30, quantity: 3 })];
    const index = await loadProductIndex(db(), 'model');
    const rowOf = (c: string) => index.rowOf(index.slotOf(c));
    const rows = [rowOf(`${code}-A`), rowOf(`${code}&B`), rowOf(`${code}-C`)];
    // The push writes A and B (C stands twice in its document: skipped), as its UPDATE does.
    await db().knex(db().t('product')).whereIn('product_id', ids.slice(0, 2)).update({ price: 55.5, date_modified: LATER });
    index.wrote('price', rows, [55.5, 55.5, 77], 3, LATER, new Set([rows[2]]));
    expect(index.price[rows[0]!]).toBe(55.5);
    expect(index.price[rows[2]!]).toBe(30);
    // Until the checksum follows, nobody trusts it.
    expect(index.signature).toBeNull();
    await index.ready();
    expect(index.signature).not.toBeNull();
    expect(await loadProductIndex(db(), 'model')).toBe(index);
    // Told a value the shop does not hold: the next load reads the table again, and holds the shop's value.
    await db().knex(db().t('product')).where({ product_id: ids[2] }).update({ quantity: 8, date_modified: '2031-05-06 07:08:10' });
    index.wrote('quantity', [rows[2]!], [9], 1, '2031-05-06 07:08:10');
    await index.ready();
    const reread = await loadProductIndex(db(), 'model');
    expect(reread).not.toBe(index);
    expect(lookup(reread, `${code}-C`)).toMatchObject({ quantity: 8 });
    // Not told of a write: read again.
    await db().knex(db().t('product')).where({ product_id: ids[0] }).update({ quantity: 4 });
    const third = await loadProductIndex(db(), 'model');
    expect(third).not.toBe(reread);
    expect(lookup(third, `${code}-A`)).toMatchObject({ price: 55.5, quantity: 4 });
  });

  it.runIf(signed)('a write that changed nothing leaves the index trusted as it was', async () => {
    const index = await loadProductIndex(db(), 'model');
    const sig = index.signature;
    expect(sig).not.toBeNull();
    // Not even the date moves: the shop's latest date_modified is still the one it had.
    index.wrote('price', [0], [123], 0, LATEST);
    expect(index.signature).toEqual(sig);
    index.wrote('price', [0], [123], 1, LATEST, new Set([0]));
    expect(index.signature).toEqual(sig);
    expect(index.price[0]).not.toBe(123);
    expect(await loadProductIndex(db(), 'model')).toBe(index);
  });

  it('holds a product whose id is negative (written by hand), in pages too', async () => {
    const code = uniqueCode('NEGP');
    const id = await addProduct(db(), { model: code, price: 6 });
    await setRow(id, { product_id: -9 });
    try {
      expect(lookup(await loadProductIndex(withDialect(db(), () => ({ readPageRows: 3 })), 'model'), code)).toMatchObject({ id: -9, price: 6 });
    } finally {
      await db().knex(db().t('product')).where({ product_id: -9 }).delete();
    }
  });

  it('holds the product whose id is 1 (where a shop without sample data starts)', async () => {
    const code = uniqueCode('ONE');
    const id = await addProduct(db(), { model: code, price: 7 });
    expect(await db().knex(db().t('product')).where({ product_id: 1 }).first()).toBeUndefined();
    await setRow(id, { product_id: 1 });
    try {
      expect(lookup(await loadProductIndex(db(), 'model'), code)).toMatchObject({ id: 1, price: 7 });
    } finally {
      await db().knex(db().t('product')).where({ product_id: 1 }).delete();
    }
  });

  it.runIf(signed)('a streamed read that its reader stops answers false, hands it no more rows, and gives its connection back', async () => {
    for (let i = 0; i < 3; i++) await addProduct(db(), { model: uniqueCode('STOP') });
    // More reads than the pool has connections: each must give its own back.
    for (let round = 0; round < 12; round++) {
      let seen = 0;
      const whole = await db().dialect.scanArrays!(db().knex, `SELECT product_id FROM ${db().t('product')} ORDER BY product_id`, () => ++seen < 2);
      expect([whole, seen]).toEqual([false, 2]);
    }
    let all = 0;
    expect(await db().dialect.scanArrays!(db().knex, `SELECT product_id FROM ${db().t('product')}`, () => void all++)).toBe(true);
    expect(all).toBe(Number((await db().knex(db().t('product')).count({ n: '*' }))[0]!.n));
  });

  it.runIf(signed)('a streamed read whose reader throws rejects with that error, hands it no more rows, and leaves its connection usable', async () => {
    for (let i = 0; i < 3; i++) await addProduct(db(), { model: uniqueCode('THROW') });
    const boom = new Error('reader failed');
    // More reads than the pool has connections: a connection given back with rows still pending would fail the next one.
    for (let round = 0; round < 12; round++) {
      let seen = 0;
      const read = db().dialect.scanArrays!(db().knex, `SELECT product_id FROM ${db().t('product')} ORDER BY product_id`, () => {
        if (++seen === 2) throw boom;
      });
      await expect(read).rejects.toBe(boom);
      expect(seen).toBe(2);
    }
    let all = 0;
    expect(await db().dialect.scanArrays!(db().knex, `SELECT product_id FROM ${db().t('product')}`, () => void all++)).toBe(true);
    expect(all).toBe(Number((await db().knex(db().t('product')).count({ n: '*' }))[0]!.n));
  });

  it.runIf(signed)('a streamed read whose connection is killed mid-read rejects, and its pool slot comes back', async () => {
    // MariaDB's sequence engine makes the rows, slowly (SLEEP per row), so the read is still
    // streaming when its connection dies (the first rows come once the server's buffer fills).
    for (let round = 0; round < 10; round++) {
      let killed: Promise<unknown> | null = null;
      const read = db().dialect.scanArrays!(db().knex, 'SELECT CONNECTION_ID(), seq, SLEEP(0.0005) FROM seq_1_to_100000', (row) => {
        // .then(): a knex query runs only once it is awaited or then'd.
        killed ??= db().knex.raw(`KILL CONNECTION ${Number(row[0])}`).then(() => undefined);
      });
      await expect(read).rejects.toThrow();
      await killed;
    }
    // More reads than the pool has connections: every slot came back.
    let all = 0;
    expect(await db().dialect.scanArrays!(db().knex, `SELECT product_id FROM ${db().t('product')}`, () => void all++)).toBe(true);
    expect(all).toBe(Number((await db().knex(db().t('product')).count({ n: '*' }))[0]!.n));
  }, 60_000);

  it('reads a table of more than one page every product once, in product_id order: in pages (SQLite) or in one streamed statement (MySQL)', async () => {
    const code = uniqueCode('PAGE');
    for (let i = 0; i < 4; i++) await addProduct(db(), { model: `${code}-${i}`, price: i });
    // The same database read three rows a page.
    const rec = recording(withDialect(db(), () => ({ readPageRows: 3 })));
    const index = await loadProductIndex(rec.db, 'model');
    const ids = (await db().knex(db().t('product')).orderBy('product_id').select('product_id')).map((r) => Number(r.product_id));
    expect(ids.length).toBeGreaterThan(6);
    expect(Array.from({ length: index.size }, (_, row) => index.productIdOf(row))).toEqual(ids);
    for (let i = 0; i < 4; i++) expect(lookup(index, `${code}-${i}`)).toMatchObject({ price: i });
    expect(rec.statements).toHaveLength(target.dialect === 'mysql' ? 1 : Math.floor(ids.length / 3) + 1);
    forgetProductIndex(rec.db);
  });

  it.runIf(signed)('forgets the warm index when told to: the next load reads the table', async () => {
    const first = await loadProductIndex(db(), 'model');
    expect(await loadProductIndex(db(), 'model')).toBe(first);
    forgetProductIndex(db());
    const next = await loadProductIndex(db(), 'model');
    expect(next).not.toBe(first);
    expect(await loadProductIndex(db(), 'model')).toBe(next);
  });

  it.runIf(signed)('is read again when only a product\'s date_modified moved (the checksum cannot see it)', async () => {
    const id = await addProduct(db(), { model: uniqueCode('DATE') });
    const first = await loadProductIndex(db(), 'model');
    expect(await loadProductIndex(db(), 'model')).toBe(first);
    await setRow(id, { date_modified: '2032-01-01 00:00:00' });
    const next = await loadProductIndex(db(), 'model');
    expect(next).not.toBe(first);
    const { n, maxId, crc } = first.signature!;
    expect(next.signature).toEqual({ n, maxId, crc, modified: '2032-01-01 00:00:00' });
  });

  it.runIf(signed)('is read again when two products\' stock fell by the same step behind its back (two orders), their rows ending alike', async () => {
    const code = uniqueCode('TWO');
    // The same price, stock and tax class, and codes of one length: the rows differ only before the stock.
    const a = await addProduct(db(), { model: `${code}-a`, price: 10, quantity: 5 });
    const b = await addProduct(db(), { model: `${code}-b`, price: 10, quantity: 5 });
    const first = await loadProductIndex(db(), 'model');
    expect(await loadProductIndex(db(), 'model')).toBe(first);
    // Two orders of one each (OpenCart leaves date_modified alone). CRC32 alone changed both terms by the same bits.
    await db().knex(db().t('product')).whereIn('product_id', [a, b]).update({ quantity: 4 });
    const next = await loadProductIndex(db(), 'model');
    expect(next).not.toBe(first);
    expect([lookup(next, `${code}-a`), lookup(next, `${code}-b`)]).toMatchObject([{ quantity: 4 }, { quantity: 4 }]);
  });

  it.runIf(signed)('is read again when products were added whose checksum terms cancel out: the count sees them', async () => {
    const code = uniqueCode('CNT');
    const a = await addProduct(db(), { model: `${code}-a` });
    const b = await addProduct(db(), { model: `${code}-b` });
    await addProduct(db(), { model: `${code}-top` });
    const [codeA, codeB] = sameTerm(a, b, code);
    await setRow(a, { model: codeA });
    await setRow(b, { model: codeB });
    const saved = await db().knex(db().t('product')).whereIn('product_id', [a, b]).select();
    await db().knex(db().t('product')).whereIn('product_id', [a, b]).delete();
    const first = await loadProductIndex(db(), 'model');
    expect(await loadProductIndex(db(), 'model')).toBe(first);
    await db().knex(db().t('product')).insert(saved);
    const next = await loadProductIndex(db(), 'model');
    expect(next).not.toBe(first);
    // Only the count differs: the same highest id, date and checksum.
    const { n, maxId, modified, crc } = first.signature!;
    expect(next.signature).toEqual({ n: n + 2, maxId, modified, crc });
    expect(lookup(next, codeA)).toMatchObject({ id: a });
    expect(lookup(next, codeB)).toMatchObject({ id: b });
  });

  it.runIf(signed)('is read again when a product was replaced by one with a higher id and the same checksum term: the highest id sees it', async () => {
    const code = uniqueCode('MAX');
    const x = await addProduct(db(), { model: `${code}-x` });
    const y = await addProduct(db(), { model: `${code}-y` });
    const [codeX, codeY] = sameTerm(x, y, code);
    await setRow(x, { model: codeX });
    await setRow(y, { model: codeY });
    const saved = await db().knex(db().t('product')).where({ product_id: y }).select();
    await db().knex(db().t('product')).where({ product_id: y }).delete();
    const rec = recording(db());
    const first = await loadProductIndex(rec.db, 'model');
    expect(await loadProductIndex(rec.db, 'model')).toBe(first);
    await db().knex(db().t('product')).where({ product_id: x }).delete();
    await db().knex(db().t('product')).insert(saved);
    // Read once, whole: not first patched or refreshed (a refresh streams the whole table before it fails).
    rec.statements.length = 0;
    const next = await loadProductIndex(rec.db, 'model');
    forgetProductIndex(rec.db);
    expect(lastIndexLoad(rec.db)).toBe('read');
    expect(rec.statements).toHaveLength(1);
    expect(rec.statements[0]).toMatch(/^SELECT product_id, TRIM\(COALESCE\(/);
    expect(next).not.toBe(first);
    // Only the highest id differs: the same count, date and checksum.
    const { n, maxId, modified, crc } = first.signature!;
    expect(maxId).toBe(x);
    expect(next.signature).toEqual({ n, maxId: y, modified, crc });
    expect(lookup(next, codeY)).toMatchObject({ id: y });
    expect(lookup(next, codeX)).toBeNull();
  });
});

describe('the product index in memory', () => {
  const filled = (capacity: number, n: number) => {
    const index = new ProductIndex(capacity);
    for (let i = 0; i < n; i++) index.add(1000 + i, i % 7 === 0 ? `C&amp;${i}` : `C${i}`, i + 0.25, i * 2, i % 3);
    return index;
  };

  it('keeps every row when it grows past the capacity it was made with', () => {
    const index = filled(2, 3000);
    expect(index.size).toBe(3000);
    for (const i of [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2999]) {
      const code = i % 7 === 0 ? `C&${i}` : `C${i}`;
      const row = index.rowOf(index.slotOf(code));
      expect([index.productIdOf(row), index.storedCodeOf(row), index.price[row], index.quantity[row], index.taxClassId[row]], code).toEqual([1000 + i, i % 7 === 0 ? `C&amp;${i}` : `C${i}`, i + 0.25, i * 2, i % 3]);
    }
  });

  it('is sealed only by a signature equal to its own count, highest id and checksum (the database\'s row terms, XORed)', () => {
    let crc = 0;
    for (let i = 0; i < 10; i++) crc = (crc ^ termOf(`${1000 + i}|${i % 7 === 0 ? `C&amp;${i}` : `C${i}`}|${(i + 0.25).toFixed(4)}|${i * 2}|${i % 3}`)) >>> 0;
    const sealWith = (sig: { n: number; maxId: number; crc: number } | null) => {
      const index = filled(16, 10);
      index.seal(sig ? { ...sig, modified: 'ignored' } : null, '2026-01-01 00:00:00');
      return index.signature;
    };
    expect(sealWith({ n: 10, maxId: 1009, crc })).toEqual({ n: 10, maxId: 1009, modified: '2026-01-01 00:00:00', crc });
    expect(sealWith(null)).toBeNull();
    expect(sealWith({ n: 11, maxId: 1009, crc })).toBeNull();
    expect(sealWith({ n: 10, maxId: 1010, crc })).toBeNull();
    expect(sealWith({ n: 10, maxId: 1009, crc: (crc ^ 1) >>> 0 })).toBeNull();
  });

  it('refreshes only the same products with the same codes, in the same order, all of them', () => {
    const index = filled(16, 3);
    const ok = index.startRefresh();
    expect(ok.refresh(1000, 0, 9, 9, 9, 1)).toBe(true);
    expect(ok.refresh(1001, 0, 8, 8, 8, 2)).toBe(true);
    // One row short: not the same table.
    expect(ok.done()).toBeNull();
    const wrongId = index.startRefresh();
    expect(wrongId.refresh(1001, 0, 9, 9, 9, 1)).toBe(false);
    const wrongCode = index.startRefresh();
    expect(wrongCode.refresh(1000, 12345, 9, 9, 9, 1)).toBe(false);
    const all = index.startRefresh();
    for (let i = 0; i < 3; i++) expect(all.refresh(1000 + i, 0, 50 + i, 60 + i, 1, i)).toBe(true);
    expect(all.refresh(1003, 0, 1, 1, 1, 1)).toBe(false);
    const next = all.done()!;
    expect(next).not.toBeNull();
    expect(next.size).toBe(3);
    const row = next.rowOf(next.slotOf('C1'));
    expect([next.productIdOf(row), next.price[row], next.quantity[row], next.taxClassId[row]]).toEqual([1001, 51, 61, 1]);
    // The old index keeps its values.
    expect(index.price[index.rowOf(index.slotOf('C1'))]).toBe(1.25);
  });

  /** The checksum term of `filled`'s row i, with `price` in place of its own. */
  const term = (i: number, price = i + 0.25) => termOf(`${1000 + i}|${i % 7 === 0 ? `C&amp;${i}` : `C${i}`}|${price.toFixed(4)}|${i * 2}|${i % 3}`);
  /** `filled`'s index, sealed by the signature the database would give for it. */
  const sealed = (n: number, modified = '2026-06-01 00:00:00') => {
    const index = filled(16, n);
    let crc = 0;
    for (let i = 0; i < n; i++) crc = (crc ^ term(i)) >>> 0;
    index.seal({ n, maxId: 1000 + n - 1, modified, crc }, modified);
    expect(index.signature).not.toBeNull();
    return index;
  };

  it('takes its highest id from the highest product added, whatever the order of the rows', () => {
    const index = new ProductIndex(16);
    index.add(7, 'B', 1, 1, 1);
    index.add(5, 'A', 1, 1, 1);
    const crc = (termOf('7|B|1.0000|1|1') ^ termOf('5|A|1.0000|1|1')) >>> 0;
    index.seal({ n: 2, maxId: 7, modified: 'm', crc }, 'm');
    expect(index.signature).toEqual({ n: 2, maxId: 7, modified: 'm', crc });
  });

  it('a stock write changes the stock of those rows, not their price', async () => {
    const index = sealed(10);
    const row = index.rowOf(index.slotOf('C3'));
    index.wrote('quantity', [row], [99], 1, '2026-07-01 00:00:00');
    expect([index.price[row], index.quantity[row]]).toEqual([3.25, 99]);
    await index.ready();
    let crc = 0;
    for (let i = 0; i < 10; i++) crc = (crc ^ (i === 3 ? termOf('1003|C3|3.2500|99|0') : term(i))) >>> 0;
    expect(index.signature).toEqual({ n: 10, maxId: 1009, modified: '2026-07-01 00:00:00', crc });
  });

  it('keeps the latest date in its signature when a write is dated before it', async () => {
    const index = sealed(10, '2026-06-01 00:00:00');
    index.wrote('price', [2], [5], 1, '2026-05-01 00:00:00');
    await index.ready();
    expect(index.signature).toMatchObject({ modified: '2026-06-01 00:00:00' });
  });

  it('a write never makes an index it does not trust trusted', async () => {
    const index = filled(16, 10);
    index.seal(null, '2026-06-01 00:00:00');
    index.wrote('price', [1], [9], 1, '2026-07-01 00:00:00');
    await index.ready();
    expect(index.price[1]).toBe(9);
    expect(index.signature).toBeNull();
    index.wrote('price', [1], [9], 0, '2026-07-01 00:00:00');
    await index.ready();
    expect(index.signature).toBeNull();
  });

  it('folds a write of more than 10,000 rows into its checksum in turns, other work running between them', async () => {
    const n = 25_000;
    const index = sealed(n);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const prices = Float64Array.from({ length: n }, (_, i) => i + 0.5);
    index.wrote('price', rows, prices, n, '2026-07-01 00:00:00');
    let seen: unknown = 'not run';
    setImmediate(() => (seen = index.signature));
    await index.ready();
    // Work queued after the write ran before its checksum was done.
    expect(seen).toBeNull();
    let crc = 0;
    for (let i = 0; i < n; i++) crc = (crc ^ term(i, i + 0.5)) >>> 0;
    expect(index.signature).toEqual({ n, maxId: 1000 + n - 1, modified: '2026-07-01 00:00:00', crc });
  });

  it(`folds a write into its checksum only SETTLE_AFTER_MS (${SETTLE_AFTER_MS} ms) after it, when the push has answered, or at once when the index is asked for`, async () => {
    const index = sealed(10);
    index.wrote('price', [1], [9], 1, '2026-07-01 00:00:00');
    // The push's journal and answer run now: the checksum has not begun.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await sleep(SETTLE_AFTER_MS / 5);
    expect(index.signature).toBeNull();
    // A moment later, without anyone asking, it is done.
    await sleep(SETTLE_AFTER_MS);
    expect(index.signature).not.toBeNull();
    // Asked for (the next push's load): begun at once, long before the delay is over.
    index.wrote('price', [2], [9], 1, '2026-07-02 00:00:00');
    let delayOver = false;
    const timer = setTimeout(() => (delayOver = true), SETTLE_AFTER_MS / 2);
    await index.ready();
    clearTimeout(timer);
    expect(delayOver).toBe(false);
    expect(index.signature).toMatchObject({ modified: '2026-07-02 00:00:00' });
  });

  it('ready() waits for every write, also one made the moment the write before it was folded in', async () => {
    const n = 25_000;
    const index = sealed(n);
    index.wrote('price', [0], [7], 1, '2026-07-01 00:00:00');
    // Asked for (as the next push does), the first write's checksum begins now.
    const first = index.ready();
    // The second write comes as soon as the index is trusted again, before the first has tidied up.
    const second = new Promise<void>((resolve, reject) => {
      let ticks = 0;
      const poll = () => {
        if (index.signature) {
          index.wrote('price', Int32Array.from({ length: n }, (_, i) => i), new Float64Array(n).fill(8), n, '2026-07-02 00:00:00');
          resolve();
        } else if (++ticks > 1000) reject(new Error('the first write never settled'));
        else queueMicrotask(poll);
      };
      queueMicrotask(poll);
    });
    await second;
    expect(index.signature).toBeNull();
    // The second write's checksum is between its turns.
    await new Promise((r) => setImmediate(r));
    await index.ready();
    await first;
    let crc = 0;
    for (let i = 0; i < n; i++) crc = (crc ^ term(i, 8)) >>> 0;
    expect(index.signature).toEqual({ n, maxId: 1000 + n - 1, modified: '2026-07-02 00:00:00', crc });
  });
});
