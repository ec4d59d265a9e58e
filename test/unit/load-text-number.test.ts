// LoadTextWriter.number writes most numbers digit by digit (no string per number): its bytes must
// be String()'s, as the rows' text (`loadDataField`) and JSON give them, or a block's JSON and the
// change table's values would differ from what the database is compared with.
import { describe, expect, it } from 'vitest';
import { LoadTextWriter } from '../../app/db/dialects/mysql-load-text.js';

const written = (v: number): string => {
  const w = new LoadTextWriter(4);
  w.number(v);
  return w.take().toString("latin1");
};

describe('LoadTextWriter.number', () => {
  it('writes what String() writes: ids, CRCs, quantities and prices of up to 4 decimals, and everything else', () => {
    const edges = [0, -0, 1, -1, 9, 10, 99, 100, 0.1, 0.05, 0.0001, -0.0001, 0.00005, 1e-7, 1.5, -1.5, 1234.5, 1000.25, 19.99, 0.3, 2 ** 31 - 1, 2 ** 32 - 1, 4_000_000_000,
      99_999_999_999, 99_999_999_999.9999, 1e11, 1e11 + 0.5, 123_456_789_012.3456, 1e15, 1e21, 1e22, 2 ** 53, 0.1 + 0.2, 1 / 3, Math.PI, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE];
    for (const v of edges) expect(written(v), String(v)).toBe(String(v));
    // Seeded: the same values every run.
    let s = 42;
    const next = () => ((s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(next() * 16);
      const v = [Math.floor(next() * scale), Math.round(next() * scale * 10_000) / 10_000, Math.round(next() * scale * 100) / 100, -Math.round(next() * scale * 10) / 10, next() * scale][i % 5]!;
      expect(written(v), String(v)).toBe(String(v));
    }
  });
});
