// The product index's code table: every code added is found again as exactly itself, whatever
// its length or characters, through every growth of the table; nothing else is found.
import { describe, expect, it } from 'vitest';
import { CodeTable } from '../../app/shop/code-table.js';

/** FNV-1a over UTF-16 units, as the table hashes (the standard function, written out here). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

describe('the code table', () => {
  it('tells apart codes whose hashes are equal, of the same length or not, in either order of adding', () => {
    // Found by a search over random codes: two pairs of different codes with one hash each. The
    // third pair is a code and a longer one that starts with it (found by meeting in the middle:
    // FNV-1a's steps can be undone, so three printable units forward from "SKU-1042"'s hash and three
    // back to it were matched): a lookup that compared only the asked code's units would find it.
    const pairs = [['JTHH6D8', 'J*VD(D2'], ['6X**:X4', '22X'], ['SKU-1042', 'SKU-1042w)c!iC']];
    for (const [a, b] of pairs) {
      expect(fnv1a(a!), `${a} and ${b} collide`).toBe(fnv1a(b!));
      for (const [first, second] of [[a!, b!], [b!, a!]]) {
        const t = new CodeTable();
        expect(t.find(second)).toBe(-1);
        t.add(first);
        // The other code of the pair is not found at the first one's entry, and is added as new.
        expect(t.find(second)).toBe(-1);
        expect(t.add(second)).toBe(1);
        expect([t.find(first), t.find(second), t.size]).toEqual([0, 1, 2]);
        expect([t.text(0), t.text(1)]).toEqual([first, second]);
      }
    }
  });

  it('finds each of 20,000 codes at its own entry after growing many times, and no near miss', () => {
    const t = new CodeTable();
    const codes = Array.from({ length: 20_000 }, (_, i) => `KV-${i}`);
    expect(codes.filter((c, i) => t.add(c) !== i)).toEqual([]);
    expect(t.size).toBe(20_000);
    for (let i = 0; i < codes.length; i += 1) if (t.find(codes[i]!) !== i) throw new Error(`${codes[i]} not at ${i}`);
    // A prefix, an extension, another case and a neighbour's code are other codes.
    for (const miss of ['KV-', 'KV-199999', 'kv-1', 'KV-1 ', ' KV-1', 'KV-20000', 'KV_1']) expect(t.find(miss)).toBe(-1);
    expect(codes.filter((c, i) => i % 997 === 0).map((c) => t.text(t.find(c)))).toEqual(codes.filter((_, i) => i % 997 === 0));
  });

  it('adds a code once: the second add answers the first entry and the size stays', () => {
    const t = new CodeTable();
    expect(t.add('A1')).toBe(0);
    expect(t.add('B2')).toBe(1);
    expect(t.add('A1')).toBe(0);
    expect(t.size).toBe(2);
    expect(t.text(1)).toBe('B2');
  });

  it('keeps accents, other scripts, surrogate pairs, the empty code and a 10,000-character code exactly', () => {
    const t = new CodeTable();
    const odd = ['Kód-ő/ű', 'ΑΒΓ-1', '商品-7', 'pack-📦', '', 'x'.repeat(10_000), 'x'.repeat(9_999), 'a\tb', 'KV&1'];
    odd.forEach((c) => t.add(c));
    expect(odd.map((c) => t.text(t.find(c)))).toEqual(odd);
    expect(odd.map((c) => t.find(c))).toEqual(odd.map((_, i) => i));
    // The same units split differently, or one unit of a surrogate pair, are not the code.
    expect(t.find('pack-\ud83d')).toBe(-1);
    expect(t.find('x'.repeat(10_001))).toBe(-1);
    expect(t.find('Kod-ő/ű')).toBe(-1);
  });

  it('tells apart codes whose hashes fall in the same bucket', () => {
    // Small table: 2,048 buckets, so among 1,000 codes many share a bucket and probe past each other.
    const t = new CodeTable();
    const codes = Array.from({ length: 1_000 }, (_, i) => String.fromCharCode(65 + (i % 26)) + String(Math.floor(i / 26)));
    codes.forEach((c) => t.add(c));
    expect(codes.map((c) => t.text(t.find(c)))).toEqual(codes);
    expect(new Set(codes.map((c) => t.find(c))).size).toBe(1_000);
  });
});

describe('the code table, trimmed to its codes', () => {
  it('still finds every code and takes new ones after giving back its spare room', () => {
    const t = new CodeTable();
    const codes = Array.from({ length: 3_000 }, (_, i) => `P${i}`);
    codes.forEach((c) => t.add(c));
    t.trim();
    expect(codes.filter((c, i) => t.find(c) !== i)).toEqual([]);
    // New codes after the trim: the arrays grow again from their trimmed size.
    const more = Array.from({ length: 2_000 }, (_, i) => `Q${i}-ő`);
    expect(more.filter((c, i) => t.add(c) !== 3_000 + i)).toEqual([]);
    expect([...codes, ...more].filter((c, i) => t.text(t.find(c)) !== c || t.find(c) !== i)).toEqual([]);
    const empty = new CodeTable();
    empty.trim();
    expect(empty.add('X')).toBe(0);
    expect(empty.find('X')).toBe(0);
  });
});

describe('the code table, one byte per unit until a code needs two', () => {
  it('keeps every Latin-1 code when the first code past Latin-1 arrives, and finds both kinds after', () => {
    const t = new CodeTable(4);
    const narrow = Array.from({ length: 500 }, (_, i) => `Kód-${i}-ÿ`);
    narrow.forEach((c) => t.add(c));
    expect(t.add('Kő-1')).toBe(500);
    const wide = Array.from({ length: 500 }, (_, i) => `ű-${i}`);
    wide.forEach((c) => t.add(c));
    const all = [...narrow, 'Kő-1', ...wide];
    expect(all.filter((c, i) => t.find(c) !== i || t.text(i) !== c)).toEqual([]);
    // 'ő' (U+0151) is not its low byte 'Q' (U+0051) in a one-byte table.
    expect(t.find('KQ-1')).toBe(-1);
  });

  it('does not take a unit past Latin-1 as its low byte while it is narrow', () => {
    const t = new CodeTable();
    t.add('KQ-1');
    expect(t.find('Kő-1')).toBe(-1);
    expect(t.add('Kő-1')).toBe(1);
    expect([t.text(0), t.text(1)]).toEqual(['KQ-1', 'Kő-1']);
  });
});
