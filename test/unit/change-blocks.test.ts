// The history's blocks (app/plugin/change-blocks.ts): what a step packs comes back whole, every
// code is in the block of its slot, and the form the reader searches for is in every block holding the code.
import { describe, expect, it } from 'vitest';
import { SLOTS, codeHash, packBlocks, quoted, repack, slotOf, unpackBlock } from '../../app/plugin/change-blocks.js';

const AWKWARD = ['A-1', 'a-1', 'kód "idézet"', 'back\\slash', 'tab\there', 'new\nline', 'ŐŰ-é', '😀-4byte', '&amp;1', 'x","a', '\\"', ''];

describe('history blocks', () => {
  it('packs a step\'s changes into at most SLOTS blocks, each code in the block of its slot, and unpacks every change as it was', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [i + 1, `CODE-${i}`, 1000 + i / 4, i % 3 ? 990 : null]);
    const blocks = packBlocks(rows);
    expect(blocks).toHaveLength(SLOTS);
    expect(blocks.map((b) => b[0])).toEqual([...blocks.map((b) => b[0] as number)].sort((a, b) => a - b));
    const back = new Map<number, unknown[]>();
    for (const [slot, entries, data] of blocks) {
      const got = unpackBlock(data as string);
      expect(got).toHaveLength(entries as number);
      for (const e of got) {
        expect(slotOf(e.code)).toBe(slot);
        back.set(e.productId, [e.productId, e.code, e.value, e.old]);
      }
    }
    expect([...back.values()].sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(rows);
  });

  it('makes one block per slot used: a push of three changes is at most three rows', () => {
    const blocks = packBlocks([[1, 'A', 1, 0], [2, 'B', 2, 0], [3, 'C', 3, 0]]);
    expect(blocks.length).toBe(new Set(['A', 'B', 'C'].map(slotOf)).size);
    expect(blocks.reduce((n, b) => n + (b[1] as number), 0)).toBe(3);
  });

  it('keeps awkward codes exactly, and finds each by its quoted form in its own block and nowhere it is not', () => {
    const rows = AWKWARD.map((code, i) => [i + 1, code, i, null]);
    for (const [, , data] of packBlocks(rows)) {
      const codes = unpackBlock(data as string).map((e) => e.code);
      for (const code of codes) expect((data as string).includes(quoted(code)), code).toBe(true);
    }
    const all = packBlocks(rows).flatMap(([, , d]) => unpackBlock(d as string).map((e) => e.code)).sort();
    expect(all).toEqual([...AWKWARD].sort());
    // A code that only begins or ends another: not found.
    const [, , data] = packBlocks([[1, 'ABC-10', 1, null]])[0]!;
    expect((data as string).includes(quoted('ABC-1'))).toBe(false);
    expect((data as string).includes(quoted('BC-10'))).toBe(false);
    expect((data as string).includes(quoted('ABC-10'))).toBe(true);
  });

  it('spreads codes over the slots (no slot holds more than twice its share of 20,000 codes)', () => {
    const counts = new Array(SLOTS).fill(0);
    for (let i = 0; i < 20_000; i++) counts[slotOf(`SKU${i}`)]++;
    expect(Math.max(...counts)).toBeLessThan((2 * 20_000) / SLOTS);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  // The slot is stored with every block: a changed hash or SLOTS would hide the history already
  // written (the reader would look in other slots). These values are FNV-1a's; change them only
  // with a migration that rewrites the blocks.
  it('keeps the stored slot function: FNV-1a over UTF-16 units, mod 256', () => {
    expect(SLOTS).toBe(256);
    expect(codeHash('')).toBe(0x811c9dc5);
    expect(codeHash('ABC')).toBe(1552166763);
    expect(codeHash('HELD')).toBe(576895102);
    expect([slotOf('HELD'), slotOf('SKU-1'), slotOf('kód')]).toEqual([126, 76, 45]);
    expect(codeHash('ABC')).not.toBe(codeHash('ABD'));
  });

  it('repacks what is left of a block', () => {
    const [, , data] = packBlocks([[1, 'A', 5, 4], [2, 'A', 6, null], [3, 'A', 7, 3]])[0]!;
    const left = unpackBlock(data as string).filter((e) => e.productId !== 3);
    const again = repack(left);
    expect(again.entries).toBe(2);
    expect(unpackBlock(again.data)).toEqual([{ productId: 1, code: 'A', value: 5, old: 4 }, { productId: 2, code: 'A', value: 6, old: null }]);
  });

  it('keeps promo dates in a dated block (lists s and e), through unpacking and repacking; an undated block has none', () => {
    const [[, n, data]] = packBlocks([[1, 'A', 5, null, '2026-12-05', '0000-00-00'], [2, 'A', 6, null, '2026-12-01', '2027-01-05']], true) as [[number, number, string]];
    expect(n).toBe(2);
    expect(JSON.parse(data)).toEqual({ p: [1, 2], c: ['A', 'A'], v: [5, 6], o: [null, null], s: ['2026-12-05', '2026-12-01'], e: ['0000-00-00', '2027-01-05'] });
    const entries = unpackBlock(data);
    expect(entries).toEqual([
      { productId: 1, code: 'A', value: 5, old: null, start: '2026-12-05', end: '0000-00-00' },
      { productId: 2, code: 'A', value: 6, old: null, start: '2026-12-01', end: '2027-01-05' },
    ]);
    expect(unpackBlock(repack(entries.slice(1)).data)).toEqual([entries[1]]);
    const [[, , plain]] = packBlocks([[1, 'A', 5, 4]]) as [[number, number, string]];
    expect(Object.keys(JSON.parse(plain))).toEqual(['p', 'c', 'v', 'o']);
    expect(unpackBlock(plain)[0]).not.toHaveProperty('start');
  });
});
