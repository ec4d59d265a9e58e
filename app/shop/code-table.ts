// The product codes of the index without a string and a Map entry per code: every code's UTF-16
// units sit in one growing array (one byte per unit while every code is Latin-1, as product codes
// nearly always are), found through an open-addressing table of entry numbers. A million codes
// take about 30 MB here instead of about 70 MB of strings, Map and array, and the
// garbage collector has a handful of arrays to trace instead of a million objects: at a million
// products that was most of a major collection's work, repeated through every push.

const EMPTY = 0;

/** FNV-1a over the string's UTF-16 units. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export type Units = Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>;

export class CodeTable {
  private units: Units;
  private used = 0;
  /** Per entry: where its units start (entry e ends where e + 1 starts). */
  private starts: Int32Array;
  private hashes: Uint32Array;
  private entries = 0;
  /** Entry + 1 per bucket (0: empty); a power of two, never more than half full. */
  private buckets: Int32Array;

  /** `capacity`: the codes expected (the table grows past it). */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.starts = new Int32Array(n + 1);
    this.hashes = new Uint32Array(n);
    let b = 32;
    while (b < n * 2) b *= 2;
    this.buckets = new Int32Array(b);
    this.units = new Uint8Array(n * 8);
  }

  get size(): number {
    return this.entries;
  }

  /** The entry of `s`, or -1. */
  find(s: string): number {
    const h = hashOf(s);
    const mask = this.buckets.length - 1;
    for (let b = h & mask; ; b = (b + 1) & mask) {
      const e = this.buckets[b]! - 1;
      if (e < 0) return -1;
      if (this.hashes[e] === h && this.equals(e, s)) return e;
    }
  }

  /** The entry of `s`, added when new (then it is the last one: `size - 1`). */
  add(s: string): number {
    const h = hashOf(s);
    const mask = this.buckets.length - 1;
    let b = h & mask;
    for (; ; b = (b + 1) & mask) {
      const e = this.buckets[b]! - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.equals(e, s)) return e;
    }
    const e = this.entries++;
    if (e >= this.hashes.length) this.growEntries();
    if (this.used + s.length > this.units.length) this.units = grown(this.units, this.used + s.length);
    let units = this.units;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      if (u > 0xff && units instanceof Uint8Array) units = this.units = widened(units);
      units[this.used + i] = u;
    }
    this.used += s.length;
    this.starts[e + 1] = this.used;
    this.hashes[e] = h;
    this.buckets[b] = e + 1;
    if (this.entries * 2 > this.buckets.length) this.rehash();
    return e;
  }

  /** The code of an entry, as a new string. */
  text(e: number): string {
    return unitsText(this.units, this.starts[e]!, this.starts[e + 1]!);
  }

  /** Every entry's units, one after another (entry e's are `[startOf(e), startOf(e + 1))`): for writing codes without a string. */
  get allUnits(): Units {
    return this.units;
  }

  startOf(e: number): number {
    return this.starts[e]!;
  }

  /** FNV-1a of the entry's code (`codeHash` of change-blocks: the same function). */
  hashOf(e: number): number {
    return this.hashes[e]!;
  }

  private equals(e: number, s: string): boolean {
    const from = this.starts[e]!;
    if (this.starts[e + 1]! - from !== s.length) return false;
    for (let i = 0; i < s.length; i++) if (this.units[from + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Gives back the room grown for codes that never came (lookups and adds go on as before). */
  trim(): void {
    if (this.units.length > this.used) this.units = this.units.slice(0, this.used);
    if (this.hashes.length > this.entries) {
      this.hashes = this.hashes.slice(0, this.entries);
      this.starts = this.starts.slice(0, this.entries + 1);
    }
  }

  private growEntries(): void {
    const n = Math.max(1024, this.hashes.length * 2);
    const starts = new Int32Array(n + 1);
    starts.set(this.starts);
    this.starts = starts;
    const hashes = new Uint32Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  private rehash(): void {
    const buckets = new Int32Array(this.buckets.length * 2);
    const mask = buckets.length - 1;
    for (let e = 0; e < this.entries; e++) {
      let b = this.hashes[e]! & mask;
      while (buckets[b] !== EMPTY) b = (b + 1) & mask;
      buckets[b] = e + 1;
    }
    this.buckets = buckets;
  }
}

/** Units `[from, to)` as a string. */
export function unitsText(units: Units, from: number, to: number): string {
  let out = '';
  // fromCharCode takes its units as arguments: long codes go in pieces.
  for (let i = from; i < to; i += 4096) out += String.fromCharCode.apply(null, units.subarray(i, Math.min(to, i + 4096)) as unknown as number[]);
  return out;
}

/** A copy of `a` with room for at least `need` units (half again as much, to keep the waste small). */
function grown(a: Units, need: number): Units {
  const n = Math.max(need, Math.ceil(a.length * 1.5));
  const b = a instanceof Uint8Array ? new Uint8Array(n) : new Uint16Array(n);
  b.set(a);
  return b;
}

/** The same units, two bytes each: the first code with a unit past Latin-1 arrived. */
function widened(a: Uint8Array<ArrayBuffer>): Uint16Array<ArrayBuffer> {
  const b = new Uint16Array(a.length);
  b.set(a);
  return b;
}
