// The products' history of a push whose changes were decided in memory, written as blocks (see
// product-history.ts for both forms): promo prices (net promos: `SpecialWriter.decidedInMemory`)
// and full sync's prices (net prices: round 25; its 100,000 history rows by INSERT … SELECT took
// MariaDB about 2 s beside the products' own writes, on the same two cores). The old value is the
// one the push compared against: its product index, proved current by the signature check (for
// full sync asked again once the document is whole: `stillCurrent` in apply-products.ts).
import type { Database } from '../db/database.js';
import type { LoadTextWriter } from '../db/dialects/mysql-load-text.js';
import type { StageRow } from '../shop/product-staging.js';
import { encodeLikeOpenCart } from '../util/html.js';
import { round4 } from '../util/decimals.js';
import { packBlocks, slotOf, writeBlocks, type BlockSource } from './change-blocks.js';
import { historyBlocks, type ChangeField } from './product-history.js';

/**
 * One change as its block holds it: [product_id, the code as the shop stores it, new value, old
 * value (null: none, or not read), and a promo's start and end], as `packBlocks` takes it.
 */
export type ChangeRow = [number, string, number, number | null, (string | null)?, (string | null)?];

/** Changes per block load: as many as a stock or price push's load step, so blocks hold about as many (~80). */
const BLOCK_STEP = 20_000;

/**
 * Writes changes as blocks of `field`, a load per BLOCK_STEP, taken from `changes` as they come
 * (never all at once: a million full-sync changes as arrays were about 100 MB); `dated`: with each
 * promo's dates.
 */
async function recordChanges(db: Database, runId: number, field: ChangeField, changes: Iterable<ChangeRow>, dated: boolean): Promise<void> {
  const load = async (part: ChangeRow[]) => {
    // Written straight into the load's bytes where the dialect loads text (no JSON made per block).
    const w = db.dialect.loadTextWriter();
    await historyBlocks(db, runId, field, w ? changeBlocksText(w, part, dated) : db.dialect.keepRows(packBlocks(part, dated)))();
  };
  let part: ChangeRow[] = [];
  for (const c of changes) {
    part.push(c);
    if (part.length === BLOCK_STEP) await load(part), (part = []);
  }
  if (part.length) await load(part);
}

/**
 * Promo prices whose outcomes were all decided in memory: the promos written (`updated`, one
 * product each; never a 0 then, see `decidedInMemory`), with their dates, the price as the
 * stage's DECIMAL(15,4) holds it (what the rows form records). Not listed among the runs with
 * rows: the product page finds blocks by their slot.
 */
export async function recordPromoBlocks(db: Database, runId: number, rows: readonly StageRow[]): Promise<void> {
  await recordChanges(db, runId, 'promo', promoChanges(rows), true);
}

function* promoChanges(rows: readonly StageRow[]): Generator<ChangeRow> {
  for (const r of rows) {
    if (r.outcome === 'updated' && r.match_count === 1 && r.product_id != null) yield [r.product_id, encodeLikeOpenCart(r.code), round4(r.promo!), null, r.promo_start ?? null, r.promo_end ?? null];
  }
}

/**
 * Full sync with net prices, against an index still current (`stillCurrent`): the prices about to
 * change (before they are written, as the rows form). A product whose price the push found
 * different in memory (`old_price`, from the index) and each product it created with a price
 * (`created`: its new id by record, read from the stage once it was matched; the old value
 * null), as the rows form records them.
 */
export async function recordPriceBlocks(db: Database, runId: number, rows: readonly StageRow[], created: ReadonlyMap<number, number>): Promise<void> {
  await recordChanges(db, runId, 'price', priceChanges(rows, created), false);
}

export function* priceChanges(rows: readonly StageRow[], created: ReadonlyMap<number, number>): Generator<ChangeRow> {
  for (const r of rows) {
    if (r.price == null) continue;
    if (r.outcome === 'updated' && r.old_price != null && r.match_count === 1 && r.product_id != null) yield [r.product_id, encodeLikeOpenCart(r.code), round4(r.price), r.old_price];
    else if (r.outcome === 'created') {
      const id = created.get(r.seq);
      if (id !== undefined) yield [id, encodeLikeOpenCart(r.code), round4(r.price), null];
    }
  }
}

/** The history blocks of changes as their load text: the same bytes as `packBlocks(changes, dated)` and keepRows make. */
export function changeBlocksText(w: LoadTextWriter, changes: readonly ChangeRow[], dated: boolean): { loadText: Buffer; length: number } {
  const length = writeBlocks(w, changes.length, dated ? new DatedRowSource(w, changes) : new RowSource(w, changes));
  return { loadText: w.take(), length };
}

/** Changes as `writeBlocks` reads them. */
class RowSource implements BlockSource {
  constructor(
    protected readonly w: LoadTextWriter,
    protected readonly changes: readonly ChangeRow[],
  ) {}
  slot(k: number): number {
    return slotOf(this.changes[k]![1]);
  }
  productId(k: number): void {
    this.w.number(this.changes[k]![0]);
  }
  code(k: number): void {
    this.w.json(this.changes[k]![1]);
  }
  value(k: number): void {
    this.w.number(this.changes[k]![2]);
  }
  old(k: number): void {
    const old = this.changes[k]![3];
    if (old === null) this.w.ascii('null');
    else this.w.number(old);
  }
}

/** Promos: with their dates (`writeBlocks` writes a block's dates when its source has them). */
class DatedRowSource extends RowSource {
  start(k: number): void {
    this.date(this.changes[k]![4] ?? null);
  }
  end(k: number): void {
    this.date(this.changes[k]![5] ?? null);
  }
  private date(d: string | null): void {
    if (d === null) this.w.ascii('null');
    else this.w.json(d);
  }
}
