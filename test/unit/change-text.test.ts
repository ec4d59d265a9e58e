// A push's load texts made straight from the product index's code table (app/shop/change-text.ts,
// app/db/dialects/mysql-load-text.ts) are byte for byte the texts the rows make: the change
// table's (mysql's keepRows of [id, code CRC32, code slot, new, old]) and the history blocks' (packBlocks of
// [id, code, new, old], then keepRows). The reader finds
// a code in a block by its exact JSON form, so a byte of difference would lose its history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlHelper, setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { LoadTextWriter } from '../../app/db/dialects/mysql-load-text.js';
import { packBlocks, slotOf } from '../../app/plugin/change-blocks.js';
import { blocksLoadText, changeLoadText } from '../../app/shop/change-text.js';
import { ProductIndex } from '../../app/shop/product-index.js';
import type { ChangeList } from '../../app/shop/product-changes.js';

// Latin-1 only (the code table keeps a byte per unit) and past it (two bytes per unit).
const LATIN1 = ['A-1', '""', '\\\\', 'kód "idézet"', 'back\\slash', 'tab\there', 'new\nline', 'cr\rx', 'nul\0x', 'ctl\u0001x', 'x","a', '\\"', 'del\u007fx', 'ÿ-end', '&amp;1'];
const WIDE = [...LATIN1, 'ŐŰ-é', '😀-4byte', 'lone\ud800x', '\u2028sep'];

interface Case {
  list: ChangeList;
  /** The change table's rows (the code's CRC32 in its place) and the history's (the code). */
  rows: unknown[][];
  history: unknown[][];
  /** How often the list was asked for a code as a string. */
  strings: () => number;
}

/** A product index of `codes` (HTML-encoded ones kept as the shop stores them) and the list a direct push hands over. */
function changesOf(codes: string[], value: (k: number) => number, old: (k: number) => number | null, id = (k: number) => 100 + k * 7): Case {
  const index = new ProductIndex(codes.length);
  codes.forEach((code, k) => index.add(id(k), code, 1, 1, 9, 0, 0));
  let strings = 0;
  const list: ChangeList = {
    length: codes.length,
    productId: (k) => index.productIdOf(k),
    code: (k) => (strings++, index.storedCodeOf(k)),
    value,
    old,
    codeCrc: (k) => 4_000_000_000 + k,
    codeEntry: (k) => index.storedCodeEntryOf(k),
    codes: index.codeTable,
  };
  const history = codes.map((_, k) => [index.productIdOf(k), index.storedCodeOf(k), value(k), old(k)]);
  const rows = history.map((r, k) => [r[0], 4_000_000_000 + k, slotOf(r[1] as string), r[2], r[3]]);
  return { list, rows, history, strings: () => strings };
}

const textOf = (rows: unknown[][]) => (mysqlHelper.keepRows(rows) as { loadText: Buffer }).loadText;

describe('load texts written from the code table', () => {
  beforeAll(() => setLoadDataForTests(true));
  afterAll(() => setLoadDataForTests(null));

  it.each([
    ['Latin-1', LATIN1],
    ['wider', WIDE],
  ])('makes the change rows and the history blocks of %s codes byte for byte as the rows do', (_, codes) => {
    const c = changesOf(codes, (k) => [10, 12.5, 0.0001, -3.25, 1e21, 826.378][k % 6]!, (k) => (k % 3 === 0 ? null : k * 1.5));
    const w = new LoadTextWriter(8);
    const rows = changeLoadText(w, c.list, 0, codes.length);
    expect(rows.loadText.toString('utf8')).toBe(textOf(c.rows).toString('utf8'));
    expect(rows.loadText.equals(textOf(c.rows))).toBe(true);
    const blocks = blocksLoadText(w, c.list, 0, rows);
    expect(blocks.loadText.toString('utf8')).toBe(textOf(packBlocks(c.history)).toString('utf8'));
    expect(blocks.length).toBe(packBlocks(c.history).length);
    // Only the code stored HTML-encoded (its own string, not the table's) was asked for as a string:
    // once for its slot and once for its JSON form.
    expect(c.strings()).toBe(2);
  });

  it('makes a step of 20,000 changes, part of a longer list, as the rows do (ids, prices, nulls)', () => {
    const codes = Array.from({ length: 30_000 }, (_, i) => (i % 997 === 0 ? `kód-${i}` : `SKU-${i}`));
    // Product ids in no order (a document's order is not the table's).
    const c = changesOf(codes, (k) => Math.round(((1000 + (k % 97)) / 1.27) * 10_000) / 10_000, (k) => (k % 11 === 0 ? null : 1000 + (k % 89) + 0.5), (k) => 1 + ((k * 7) % 30_011));
    const w = new LoadTextWriter();
    const rows = changeLoadText(w, c.list, 5_000, 25_000);
    expect(rows.loadText.equals(textOf(c.rows.slice(5_000, 25_000)))).toBe(true);
    const ids = c.rows.slice(5_000, 25_000).map((r) => r[0] as number);
    expect([rows.minId, rows.maxId]).toEqual([Math.min(...ids), Math.max(...ids)]);
    expect(blocksLoadText(w, c.list, 5_000, rows).loadText.equals(textOf(packBlocks(c.history.slice(5_000, 25_000))))).toBe(true);
  });

  it('grows past twice its size in one write, and starts empty after each take', () => {
    const w = new LoadTextWriter(1);
    const long = `${'x'.repeat(100)}"\\${'y'.repeat(100)}`;
    w.json(long);
    w.tab();
    w.number(123_456_789);
    expect(w.take().toString('utf8')).toBe(`${JSON.stringify(long).replace(/\\/g, '\\\\')}\t123456789`);
    w.ascii('a');
    expect(w.take().toString('latin1')).toBe('a');
    // A plain code straight from its units, into a writer that must grow for it.
    const code = 'PLAIN-'.repeat(10);
    const small = new LoadTextWriter(1);
    small.jsonUnits(new Uint8Array(Buffer.from(code, 'latin1')), 0, code.length);
    expect(small.take().toString('latin1')).toBe(JSON.stringify(code));
  });

  it('writes numbers as String() does', () => {
    const values = [0, -0, 7, 2147483647, 2147483648, -12, 0.5, 826.378, 0.0001, 1e-7, 1e21, 0.1 + 0.2, 1 / 3, -0.25, 5e-324];
    for (let i = 0; i < 2_000; i++) values.push(Math.round(Math.random() * 1e8) / 1e4, Math.random() * 1e6);
    const w = new LoadTextWriter(4);
    for (const v of values) {
      w.number(v);
      w.tab();
    }
    expect(w.take().toString('latin1')).toBe(values.map((v) => `${String(v)}\t`).join(''));
  });
});
