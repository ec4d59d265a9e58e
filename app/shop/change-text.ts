// A push's changes as LOAD DATA text, made without an array or a string per change: the (MySQL)
// change table's rows (product_id, the code's CRC32 and history slot, new value, old value) and the history's
// blocks of the same changes (app/plugin/change-blocks.ts), whose codes are copied from the product
// index's code table, unit by unit. The blocks copy the numbers from the rows' text: making each
// number's digits was the largest part of the work. The same bytes as the rows made the other way
// (`keepRows`, `packBlocks`): unit tests compare them; `bench/load-text.ts` measures both.
import type { LoadTextWriter } from '../db/dialects/mysql-load-text.js';
import { SLOTS, slotOf, writeBlocks, type BlockSource } from '../plugin/change-blocks.js';
import type { CodeTable } from './code-table.js';
import { crc32 } from 'node:zlib';
import type { ChangeList } from './product-changes.js';

/**
 * The k-th change's code CRC32 (the MySQL change table keeps it, not the code): the list's own
 * (the database's, read with the product: a direct push's), else that of the code's UTF-8 bytes,
 * which is the database's for a utf8 or utf8mb4 code column (every OpenCart release's); only
 * lists made by hand (`applyProductChanges` of plain changes: tests) take this way.
 */
export function codeCrcOf(changes: ChangeList, k: number): number {
  return changes.codeCrc ? changes.codeCrc(k) : crc32(Buffer.from(changes.code(k), 'utf8')) >>> 0;
}

/** A load's text and its rows, with the lowest and highest product id in it. */
export interface ChangeText {
  loadText: Buffer;
  length: number;
  minId: number;
  maxId: number;
  /** Per row: where its code's CRC32, its new value and its old value start, and where it ends (the newline's offset + 1). */
  marks: Int32Array;
  /** Per row: its code's history slot (the blocks are cut by it). */
  slots: Uint8Array;
}

/** Changes `[from, to)` as the (MySQL) change table's load text: product_id, code_crc, code_slot, v, old. */
export function changeLoadText(w: LoadTextWriter, c: ChangeList, from: number, to: number): ChangeText {
  const codes = c.codes!;
  const marks = new Int32Array((to - from) * 4);
  const slots = new Uint8Array(to - from);
  let [minId, maxId] = [Infinity, -Infinity];
  for (let k = from, m = 0; k < to; k++, m += 4) {
    const id = c.productId(k);
    if (id < minId) minId = id;
    if (id > maxId) maxId = id;
    w.number(id);
    w.tab();
    marks[m] = w.length;
    w.number(codeCrcOf(c, k));
    w.tab();
    // The code table keeps each code's FNV-1a, the hash the slot is made of.
    const e = c.codeEntry!(k);
    const slot = (slots[k - from] = e >= 0 ? codes.hashOf(e) % SLOTS : slotOf(c.code(k)));
    w.number(slot);
    w.tab();
    marks[m + 1] = w.length;
    w.number(c.value(k));
    w.tab();
    marks[m + 2] = w.length;
    w.numberOrNull(c.old(k));
    w.line();
    marks[m + 3] = w.length;
  }
  return { loadText: w.take(), length: to - from, minId, maxId, marks, slots };
}

const BACKSLASH = 0x5c;

/**
 * The history blocks of changes `[from, to)` as their load text (rows: blocks), from the rows' own text `t`.
 * The block source is a class, not arrows made per call: V8 can keep its methods' optimized code
 * from one step and push to the next, where each step's arrows were compiled again (round 18).
 */
export function blocksLoadText(w: LoadTextWriter, c: ChangeList, from: number, t: ChangeText): { loadText: Buffer; length: number } {
  const length = writeBlocks(w, t.length, new RowsBlockSource(w, c, from, t));
  return { loadText: w.take(), length };
}

/** The k-th change of a step, its fields copied from the step's rows text (see `blocksLoadText`). */
class RowsBlockSource implements BlockSource {
  private readonly codes: CodeTable;
  private readonly units: CodeTable['allUnits'];
  private readonly text: Buffer;
  private readonly marks: Int32Array;
  private readonly slots: Uint8Array;

  constructor(
    private readonly w: LoadTextWriter,
    private readonly c: ChangeList,
    private readonly from: number,
    t: ChangeText,
  ) {
    this.codes = c.codes!;
    this.units = this.codes.allUnits;
    [this.text, this.marks, this.slots] = [t.loadText, t.marks, t.slots];
  }

  slot(k: number): number {
    return this.slots[k]!;
  }

  productId(k: number): void {
    this.w.bytes(this.text, k === 0 ? 0 : this.marks[4 * k - 1]!, this.marks[4 * k]! - 1);
  }

  code(k: number): void {
    const e = this.c.codeEntry!(this.from + k);
    if (e >= 0) this.w.jsonUnits(this.units, this.codes.startOf(e), this.codes.startOf(e + 1));
    else this.w.json(this.c.code(this.from + k));
  }

  value(k: number): void {
    this.w.bytes(this.text, this.marks[4 * k + 1]!, this.marks[4 * k + 2]! - 1);
  }

  /** \N (NULL) in the rows, null in JSON. */
  old(k: number): void {
    const [a, b] = [this.marks[4 * k + 2]!, this.marks[4 * k + 3]! - 1];
    if (b - a === 2 && this.text[a] === BACKSLASH && this.text[a + 1] === 0x4e) this.w.ascii('null');
    else this.w.bytes(this.text, a, b);
  }
}
