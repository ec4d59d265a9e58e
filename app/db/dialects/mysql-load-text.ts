// LOAD DATA's text (tab-separated fields, backslash escapes, \N for NULL, one row a line), written
// straight into a growing buffer. A push's change rows and their history blocks were first made as
// arrays of values, then strings concatenated and flattened into a Buffer: per 100,000 changes
// 93–127 ms of the server's time while it reads the body, against 49–69 ms this way (bench/load-text.ts).
// Codes come as UTF-16 units from the product index's code table (no string per code): a code of
// printable ASCII without quote or backslash, nearly every product code, is copied unit by unit;
// anything else goes through JSON.stringify and the field's escaping, as a string would, so both
// ways give the same bytes (a unit test compares them).
import { unitsText, type Units } from '../../shop/code-table.js';

/** One field of LOAD DATA's text format: NULL as \\N; tab, newline, backslash escaped. */
export function loadDataField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  // Numbers and plain codes (nearly every field of a push) are written as they are.
  if (typeof v === 'number') return String(v);
  const text = String(v);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\0'));
}
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

const TAB = 9;
const NL = 10;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class LoadTextWriter {
  private buf: Uint8Array<ArrayBuffer>;
  private n = 0;

  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
  }

  get length(): number {
    return this.n;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.n + k, this.buf.length * 2));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }

  tab(): void {
    this.room(1);
    this.buf[this.n++] = TAB;
  }

  line(): void {
    this.room(1);
    this.buf[this.n++] = NL;
  }

  /** Text that needs no escaping (ASCII: digits, JSON punctuation). Unit by unit: Buffer.write's own cost per call was most of a short string's. */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < s.length; i++) buf[n++] = s.charCodeAt(i);
    this.n = n;
  }

  nullField(): void {
    this.ascii('\\N');
  }

  /**
   * A number as String() and JSON write it. Below 10^11 with at most 4 decimals (every id,
   * quantity, CRC and price a push writes), digit by digit from a scaled integer: no string per
   * number (those strings were most of the push thread's garbage). Such a number's shortest
   * decimal is that one (4-decimal values so small lie further apart than their doubles), which
   * is what String() writes. Anything else through String().
   */
  number(v: number): void {
    const a = v < 0 ? -v : v;
    const q = Math.round(a * 10_000);
    if (!(a < 1e11) || q / 10_000 !== a) {
      this.ascii(String(v));
      return;
    }
    let whole = Math.floor(q / 10_000);
    let frac = q - whole * 10_000;
    let fracDigits = 4;
    while (frac !== 0 && frac % 10 === 0) {
      frac /= 10;
      fracDigits--;
    }
    let wholeDigits = 1;
    for (let t = whole; t >= 10; t = Math.floor(t / 10)) wholeDigits++;
    const len = (v < 0 ? 1 : 0) + wholeDigits + (frac !== 0 ? 1 + fracDigits : 0);
    this.room(len);
    const buf = this.buf;
    let at = this.n + len;
    if (frac !== 0) {
      for (let k = 0; k < fracDigits; k++) {
        buf[--at] = 48 + (frac % 10);
        frac = Math.floor(frac / 10);
      }
      buf[--at] = 46;
    }
    do {
      buf[--at] = 48 + (whole % 10);
      whole = Math.floor(whole / 10);
    } while (whole > 0);
    if (v < 0) buf[--at] = 45;
    this.n += len;
  }

  /** A number, or \N for null. */
  numberOrNull(v: number | null): void {
    if (v === null) this.nullField();
    else this.number(v);
  }

  /** Bytes `[from, to)` of text already written (a field of another load's text). */
  bytes(src: Uint8Array, from: number, to: number): void {
    this.room(to - from);
    const buf = this.buf;
    let n = this.n;
    for (let i = from; i < to; i++) buf[n++] = src[i]!;
    this.n = n;
  }

  /**
   * A text field, the same bytes as `field`: printable ASCII without a backslash (codes, dates,
   * most names) unit by unit, anything else through `field` (a Buffer per field cost the
   * promo stage's text more than its loading).
   */
  text(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      if (u < 0x20 || u > 0x7e || u === BACKSLASH) return this.field(s);
      buf[n++] = u;
    }
    this.n = n;
  }

  /** A text field (as `loadDataField`), in UTF-8. */
  field(text: string): void {
    const t = Buffer.from(loadDataField(text), 'utf8');
    this.room(t.length);
    this.buf.set(t, this.n);
    this.n += t.length;
  }

  /** A string as JSON quotes it (`JSON.stringify`), escaped for a field. */
  json(text: string): void {
    this.field(JSON.stringify(text));
  }

  /** A code's units `[from, to)` as JSON quotes them, escaped for a field. */
  jsonUnits(units: Units, from: number, to: number): void {
    this.room(to - from + 2);
    const buf = this.buf;
    let n = this.n;
    buf[n++] = QUOTE;
    for (let i = from; i < to; i++) {
      const u = units[i]!;
      if (u < 0x20 || u > 0x7e || u === BACKSLASH || u === QUOTE) return this.json(unitsText(units, from, to));
      buf[n++] = u;
    }
    buf[n++] = QUOTE;
    this.n = n;
  }

  /** A copy of the text written so far, just its size (it may be held a while); the writer starts empty again. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.n));
    this.n = 0;
    return out;
  }
}
