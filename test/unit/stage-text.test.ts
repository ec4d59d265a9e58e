// A promo-price or full-sync push's stage is loaded from text written straight into bytes
// (stageText); it must be byte for byte the text the rows' fields make (stageFields, then the
// MySQL dialect's keepRows): a byte of difference would stage another code, name or date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlHelper, setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { LoadTextWriter } from '../../app/db/dialects/mysql-load-text.js';
import { stageFields, stageText, type StageColumn } from '../../app/shop/product-staging.js';
import type { StageRow } from '../../app/shop/product-staging.js';

const textOf = (rows: unknown[][]) => (mysqlHelper.keepRows(rows) as { loadText: Buffer }).loadText;

// Codes and texts that need escaping (tab, newline, CR, NUL, backslash), HTML-encoding (&, <, "),
// or more than one byte (Latin-1, Hungarian, 4-byte, a lone surrogate), and plain ones.
const TEXTS = ['BENCH-0000001', 'KV&1', 'a<b>"c"', 'tab\there', 'new\nline', 'cr\rx', 'nul\0x', 'back\\slash', 'ctl\u0001x', 'del\u007fx', 'ÿ-end', 'Árvíztűrő tükörfúrógép', '😀-4byte', 'lone\ud800x', ''];

function rowsOf(n: number): StageRow[] {
  return Array.from({ length: n }, (_, k) => ({
    seq: k + 1,
    code: TEXTS[k % TEXTS.length]! + k,
    product_id: k % 4 === 0 ? null : 100 + k,
    match_count: k % 3,
    outcome: k % 5 === 0 ? undefined : 'updated',
    price: [10, 12.5, 0.0001, 1e21, 826.378][k % 5],
    promo: k % 2 ? 0 : 99.9999,
    promo_start: '2026-12-04',
    promo_end: k % 2 ? '0000-00-00' : null,
    name: TEXTS[(k + 3) % TEXTS.length],
    description: k % 7 === 0 ? undefined : TEXTS[(k + 5) % TEXTS.length]!.repeat(3),
    tax_class_id: 9,
  }));
}

describe('the stage load text', () => {
  beforeAll(() => setLoadDataForTests(true));
  afterAll(() => setLoadDataForTests(null));

  it('is byte for byte the text of the rows\' fields, for codes and texts that need escaping, encoding or several bytes, nulls and numbers', () => {
    const rows = rowsOf(3 * TEXTS.length);
    const used: StageColumn[] = ['seq', 'code', 'product_id', 'match_count', 'outcome', 'price', 'promo', 'promo_start', 'promo_end', 'name', 'description', 'tax_class_id'];
    // A small writer first, so it grows on the way.
    const kept = stageText(new LoadTextWriter(8), 42, rows, 2, rows.length - 1, used) as { loadText: Buffer; length: number };
    const expected = textOf(rows.slice(2, rows.length - 1).map((r) => stageFields(42, r, used)));
    expect(kept.length).toBe(rows.length - 3);
    expect(kept.loadText.equals(expected)).toBe(true);
    // The code stands in the shop's form (HTML-encoded), as the rows' fields have it.
    expect(kept.loadText.toString('utf8')).toContain('\tKV&amp;116\t');
  });

  it('writes a text field as LoadTextWriter.field does, whether or not it needs escaping', () => {
    for (const t of TEXTS) {
      const [a, b] = [new LoadTextWriter(4), new LoadTextWriter(4)];
      a.text(t);
      b.field(t);
      expect(a.take().equals(b.take())).toBe(true);
    }
  });
});
