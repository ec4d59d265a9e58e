// What a push needs of each record once it is checked, as the reading thread (reading-worker.ts)
// sends it: a stock or stock-and-price push its code and its one value, as columns (the push's
// own thread only matches them); a promo-price or full-sync push its rows to stage. Plain data:
// a batch crosses threads as numbers, strings and plain objects.
import type { JournalItem } from '../plugin/journal.js';
import type { RawRecord } from '../erp/record.js';
import type { Checked, ProductValidator, StagedProduct, TwinCodes } from './validate-products.js';

/** A refusal, and whether it came before the twin check (see `Checked.early`). */
export type Refusal = JournalItem & { early?: boolean };

/** A checked record's refusal, marked when it came before the twin check. */
const refusalOf = (c: Checked): Refusal => (c.early ? { ...c.rejected!, early: true } : c.rejected!);

/** One batch of records, checked. Records without a code are counted and refused, not listed. */
export interface CheckedBatch {
  /** Records in the batch, listed or not. */
  received: number;
  /** How many records are listed in seqs, codes and values. */
  n: number;
  seqs: Int32Array;
  codes: string[];
  /** The quantity (stock) or price (gross when sent so); NaN: the record was refused. */
  values: Float64Array;
  refused: Refusal[];
}

/** Checks a batch for a stock or stock-and-price push (the validator keeps the fields it saw). */
export function checkDirectBatch(batch: RawRecord[], validator: ProductValidator, kind: 'prices' | 'stock'): CheckedBatch {
  const seqs = new Int32Array(batch.length);
  const values = new Float64Array(batch.length);
  const codes: string[] = [];
  const refused: Refusal[] = [];
  let n = 0;
  for (const r of batch) {
    const c = validator.check(r);
    if (c.code) {
      seqs[n] = r.seq;
      codes.push(c.code);
      values[n] = c.row ? (kind === 'stock' ? c.row.quantity : c.row.gross ?? c.row.price) ?? NaN : NaN;
      n++;
    }
    if (c.rejected) refused.push(refusalOf(c));
  }
  // Cut by copying, not by a view: a view crosses threads with its whole buffer.
  const whole = n === batch.length;
  return { received: batch.length, n, seqs: whole ? seqs : seqs.slice(0, n), codes, values: whole ? values : values.slice(0, n), refused };
}

/** One batch of a promo-price or full-sync push, checked: the rows to stage and the refusals. */
export interface StagedBatch {
  received: number;
  rows: StagedProduct[];
  refused: Refusal[];
}

/** Checks a batch for a promo-price or full-sync push; every code goes to `twins` (found across the document). */
export function checkStagedBatch(batch: RawRecord[], validator: ProductValidator, twins: TwinCodes): StagedBatch {
  const rows: StagedProduct[] = [];
  const refused: Refusal[] = [];
  for (const r of batch) {
    const c = validator.check(r);
    twins.see(c.code, r.seq);
    if (c.row) rows.push(c.row);
    if (c.rejected) refused.push(refusalOf(c));
  }
  return { received: batch.length, rows, refused };
}
