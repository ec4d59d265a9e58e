// The history of a stock or price push, packed: a load step's changes go into blocks, one history
// row per block, instead of one row per product (a row and its index entries cost the database far
// more than the few bytes of a change: at 100,000 products, as much CPU as the push's own load and
// UPDATE). A code's block follows from its hash: slot = hash mod SLOTS, the same for every step and
// run, so the product page asks each run for the one slot of each form of the code (by the blocks'
// (run_id, slot) index), and the database sends only the blocks holding the code's quoted form.
// A step of n changes makes at most min(n, SLOTS) blocks: ~80 changes each in a 20,000-row step
// (about 2.5 KB), one per change in a push of a few. Pure: no table here.

/** Blocks per load step at most: a code's slot is its hash mod SLOTS (stored: see codeHash). */
export const SLOTS = 256;

/** One change: the product, its stored code, the new value and the one it replaced (null: not read first). */
export interface BlockEntry {
  productId: number;
  code: string;
  value: number;
  old: number | null;
  /** A promo's dates (promo blocks only: their data has `s` and `e` beside the other lists). */
  start?: string | null;
  end?: string | null;
}

/**
 * FNV-1a over the code's UTF-16 units. Stored: every block's slot was made with it, so it and
 * SLOTS change only with a migration that rewrites the blocks (the unit test pins both).
 */
export function codeHash(code: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    h ^= code.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The slot of `code`'s changes, in every step of every run. */
export function slotOf(code: string): number {
  return codeHash(code) % SLOTS;
}

/** The form `code` takes in a block's data (JSON's, quotes included): a block holds the code only if its data holds this. */
export function quoted(code: string): string {
  return JSON.stringify(code);
}

type Lists = { p: unknown[]; c: unknown[]; v: unknown[]; o: unknown[]; s?: unknown[]; e?: unknown[] };

/**
 * A load step's change rows [product_id, code, new value, old value] as history block rows
 * [slot, entries, data]. `data` is JSON of parallel arrays (p: ids, c: codes, v: new, o: old):
 * compact, and read back by V8's fastest parser. `dated`: the rows also hold a promo's start and
 * end [… , start, end], kept as the lists s and e.
 */
export function packBlocks(rows: readonly (readonly unknown[])[], dated = false): unknown[][] {
  const blocks = new Map<number, Lists>();
  for (const row of rows) {
    const slot = slotOf(row[1] as string);
    let b = blocks.get(slot);
    if (!b) blocks.set(slot, (b = dated ? { p: [], c: [], v: [], o: [], s: [], e: [] } : { p: [], c: [], v: [], o: [] }));
    b.p.push(row[0]);
    b.c.push(row[1]);
    b.v.push(row[2]);
    b.o.push(row[3] ?? null);
    if (dated) b.s!.push(row[4] ?? null), b.e!.push(row[5] ?? null);
  }
  return [...blocks].sort((a, b) => a[0] - b[0]).map(([slot, b]) => [slot, b.p.length, JSON.stringify(b)]);
}

/** Where `writeBlocks` writes: a load's text (LoadTextWriter, app/db/dialects/mysql-load-text.ts). */
export interface BlockTextWriter {
  number(v: number): void;
  ascii(s: string): void;
  tab(): void;
  line(): void;
}

/** Changes 0 … n-1 as `writeBlocks` reads them: each field but the slot written by the source itself, as JSON writes it. */
export interface BlockSource {
  slot(k: number): number;
  productId(k: number): void;
  code(k: number): void;
  value(k: number): void;
  old(k: number): void;
  /** A promo's dates (both or neither): the blocks are dated, as `packBlocks(rows, true)` makes them. */
  start?(k: number): void;
  end?(k: number): void;
}

const [PRODUCT_ID, CODE, VALUE, OLD, START] = [0, 1, 2, 3, 4];

/**
 * One field of a block's changes `order[from … to)`, comma-separated. The field by number, not a
 * method handed over (`c.productId` alone loses its `this`) nor an arrow made per call (compiled
 * again by every push: round 18).
 */
function writeList(w: BlockTextWriter, c: BlockSource, order: Int32Array, from: number, to: number, field: number): void {
  for (let i = from; i < to; i++) {
    if (i > from) w.ascii(',');
    const k = order[i]!;
    if (field === PRODUCT_ID) c.productId(k);
    else if (field === CODE) c.code(k);
    else if (field === VALUE) c.value(k);
    else if (field === OLD) c.old(k);
    else if (field === START) c.start!(k);
    else c.end!(k);
  }
}

/**
 * `packBlocks` without an array or string per change: the blocks of changes 0 … n-1 written as
 * load text rows (slot, entries, data), the same bytes as the rows packBlocks makes (a unit test
 * compares them). Returns how many blocks (rows) it wrote.
 */
export function writeBlocks(w: BlockTextWriter, n: number, c: BlockSource): number {
  // The changes by slot, each slot's in their own order (a counting sort).
  const slots = new Uint8Array(n);
  const counts = new Int32Array(SLOTS + 1);
  for (let k = 0; k < n; k++) counts[(slots[k] = c.slot(k)) + 1]!++;
  for (let s = 0; s < SLOTS; s++) counts[s + 1]! += counts[s]!;
  const order = new Int32Array(n);
  const at = counts.slice(0, SLOTS);
  for (let k = 0; k < n; k++) order[at[slots[k]!]!++] = k;
  let blocks = 0;
  const dated = c.start !== undefined && c.end !== undefined;
  for (let s = 0; s < SLOTS; s++) {
    const from = counts[s]!;
    const to = counts[s + 1]!;
    if (from === to) continue;
    blocks++;
    w.number(s);
    w.tab();
    w.number(to - from);
    w.tab();
    w.ascii('{"p":[');
    writeList(w, c, order, from, to, PRODUCT_ID);
    w.ascii('],"c":[');
    writeList(w, c, order, from, to, CODE);
    w.ascii('],"v":[');
    writeList(w, c, order, from, to, VALUE);
    w.ascii('],"o":[');
    writeList(w, c, order, from, to, OLD);
    if (dated) {
      w.ascii('],"s":[');
      writeList(w, c, order, from, to, START);
      w.ascii('],"e":[');
      writeList(w, c, order, from, to, START + 1);
    }
    w.ascii(']}');
    w.line();
  }
  return blocks;
}

/** A block's changes, in the order they were packed. */
export function unpackBlock(data: string): BlockEntry[] {
  const b = JSON.parse(data) as { p: number[]; c: string[]; v: number[]; o: Array<number | null>; s?: Array<string | null>; e?: Array<string | null> };
  const { s, e } = b;
  return b.p.map((productId, i) => {
    const entry: BlockEntry = { productId: Number(productId), code: b.c[i]!, value: Number(b.v[i]), old: b.o[i] === null ? null : Number(b.o[i]) };
    if (s && e) (entry.start = s[i] ?? null), (entry.end = e[i] ?? null);
    return entry;
  });
}

/** Packs entries again (what is left of a block once some of its changes were taken out), promo dates kept. */
export function repack(entries: readonly BlockEntry[]): { entries: number; data: string } {
  const lists: Lists = { p: entries.map((e) => e.productId), c: entries.map((e) => e.code), v: entries.map((e) => e.value), o: entries.map((e) => e.old) };
  if (entries.some((e) => e.start !== undefined)) (lists.s = entries.map((e) => e.start ?? null)), (lists.e = entries.map((e) => e.end ?? null));
  return { entries: entries.length, data: JSON.stringify(lists) };
}
