// A promo push or a full sync decided in memory writes its history blocks' load text straight
// from its changes (history-blocks.ts, `changeBlocksText`): byte for byte what packBlocks makes of
// the same changes (promos dated: with the lists s and e; prices with their old values or null)
// and the dialect's keepRows turns into load text. The product page finds a code in a block by its
// exact JSON form, so a byte of difference would lose the change's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlHelper, setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { LoadTextWriter } from '../../app/db/dialects/mysql-load-text.js';
import { packBlocks, unpackBlock } from '../../app/plugin/change-blocks.js';
import { changeBlocksText, priceChanges, type ChangeRow } from '../../app/plugin/history-blocks.js';
import type { StageRow } from '../../app/shop/product-staging.js';
import { encodeLikeOpenCart } from '../../app/util/html.js';

const CODES = ['A-1', '""', '\\\\', 'kód "idézet"', 'tab\there', 'new\nline', 'x","a', 'K&V<1>', 'ŐŰ-é', '😀-4byte', '\u2028sep', 'ÿ-end'];
const textOf = (rows: unknown[][]) => (mysqlHelper.keepRows(rows) as { loadText: Buffer }).loadText.toString('utf8');

describe('history blocks written from the changes decided in memory', () => {
  beforeAll(() => setLoadDataForTests(true));
  afterAll(() => setLoadDataForTests(null));

  it('promos: are byte for byte the blocks packBlocks makes (codes as the shop stores them, prices, dates and nulls)', () => {
    const rows: StageRow[] = CODES.flatMap((code, k) => [
      { seq: 2 * k + 1, code, match_count: 1, product_id: 100 + k, promo: [12.5, 0.0001, 99999.9999, 7][k % 4], promo_start: '2026-12-05', promo_end: k % 2 ? '0000-00-00' : '2027-01-05', outcome: 'updated' as const },
      { seq: 2 * k + 2, code: `${code}-other`, match_count: 1, product_id: 900 + k, promo: 3, promo_start: null, promo_end: null, outcome: 'updated' as const },
    ]);
    // Every other row's change, among them some without dates.
    const picked = rows.map((_, k) => k).filter((k) => k % 3 !== 1);
    const expected = picked.map((k) => {
      const r = rows[k]!;
      return [r.product_id, encodeLikeOpenCart(r.code), r.promo, null, r.promo_start ?? null, r.promo_end ?? null];
    });
    const made = changeBlocksText(new LoadTextWriter(8), expected as ChangeRow[], true);
    const blocks = packBlocks(expected, true);
    expect(made.length).toBe(blocks.length);
    expect(made.loadText.toString('utf8')).toBe(textOf(blocks));
    // And they read back as the changes they hold.
    const back = blocks.flatMap(([, , data]) => unpackBlock(data as string)).sort((a, b) => a.productId - b.productId);
    expect(back.map((e) => [e.productId, e.code, e.value, e.old, e.start, e.end])).toEqual([...expected].sort((a, b) => (a[0] as number) - (b[0] as number)));
  });

  it('prices: are byte for byte the undated blocks packBlocks makes (old values, null for a created product)', () => {
    const olds = [3.5, null, 0, 12345678.9012, 0.0001, null];
    const changes: ChangeRow[] = CODES.map((code, k) => [200 + k, encodeLikeOpenCart(code), [12.5, 0.0001, 99999.9999, 7, 100][k % 5]!, olds[k % olds.length]!]);
    const made = changeBlocksText(new LoadTextWriter(8), changes, false);
    const blocks = packBlocks(changes);
    expect(made.length).toBe(blocks.length);
    expect(made.loadText.toString('utf8')).toBe(textOf(blocks));
    const back = blocks.flatMap(([, , data]) => unpackBlock(data as string)).sort((a, b) => a.productId - b.productId);
    expect(back.map((e) => [e.productId, e.code, e.value, e.old])).toEqual(changes.map((c) => c.slice(0, 4)));
    expect(back.every((e) => e.start === undefined && e.end === undefined)).toBe(true);
  });

  it("full sync's price changes: an updated product whose price the push found different, and a created one with a price and its new id; nothing else", () => {
    const rows: StageRow[] = [
      { seq: 1, code: 'UPD&1', match_count: 1, product_id: 11, price: 90, old_price: 80, outcome: 'updated' },
      { seq: 2, code: 'NAME', match_count: 1, product_id: 12, price: 50, outcome: 'updated' }, // a name or VAT class alone: no old price
      { seq: 3, code: 'SAME', match_count: 1, product_id: 13, price: 50, outcome: 'unchanged' },
      { seq: 4, code: 'NEW&1', match_count: 0, price: 12.5, name: 'Új', outcome: 'created' },
      { seq: 5, code: 'NEWNOPRICE', match_count: 0, name: 'Új', outcome: 'created' },
      { seq: 6, code: 'NEWNOID', match_count: 0, price: 3, name: 'Új', outcome: 'created' }, // not matched after its insert
      { seq: 7, code: 'TWO', match_count: 2, product_id: null, price: 5, old_price: 4, outcome: 'updated' },
      { seq: 8, code: 'NOPRICE', match_count: 1, product_id: 18, old_price: 4, outcome: 'updated' },
      { seq: 9, code: 'UNKNOWN', match_count: 0, price: 5, outcome: 'unknown' },
      { seq: 10, code: 'ROUND', match_count: 1, product_id: 20, price: 1.23456, old_price: 1, outcome: 'updated' },
    ];
    const created = new Map([[4, 104], [5, 105]]);
    expect([...priceChanges(rows, created)]).toEqual([
      [11, 'UPD&amp;1', 90, 80],
      [104, 'NEW&amp;1', 12.5, null],
      [20, 'ROUND', 1.2346, 1],
    ]);
  });
});
