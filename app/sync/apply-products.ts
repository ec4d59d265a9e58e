// Prices, stock and promo prices, in two shapes. Stock and stock-and-price prices (the 100k hot
// path) match codes in memory after one read of the product table and stage only what changes.
// Promo prices and full sync (matched with the same index) stage every record
// and apply each concern with one joined statement. A dry run stops before the first shop write.
import type { Database } from '../db/database.js';
import type { Counts, JournalItem } from '../plugin/journal.js';
import type { Settings } from '../settings/schema.js';
import { defaultLanguage, listCustomerGroups, listLanguages, listTaxClasses } from '../shop/catalog.js';
import { markCreatable, ProductMasterWriter } from '../shop/product-master.js';
import { ProductStaging } from '../shop/product-staging.js';
import { forgetProductIndex, lastIndexLoad, loadProductIndex, peekProductIndex, type ProductIndex } from '../shop/product-index.js';
import { ChangeTable, type ChangeList } from '../shop/product-changes.js';
import type { ProductCodeField } from '../shop/products.js';
import type { CodeTable } from '../shop/code-table.js';
import { readConfigValue } from '../shop/setting-rows.js';
import { SpecialWriter } from '../shop/specials.js';
import { shopSchema } from '../shop/schema.js';
import { addDays, now as nowFn, today as todayFn } from '../util/time.js';
import type { PushKind } from './push-kinds.js';
import type { StagedProduct } from './validate-products.js';
import { recordStagedPrices, recordStagedPromos } from '../plugin/product-history.js';
import { recordPriceBlocks, recordPromoBlocks } from '../plugin/history-blocks.js';
import { reason, type Reason } from '../erp/reasons.js';
import { pushTiming } from '../util/push-timings.js';
import { indexOfSorted } from '../util/sorted.js';
import { round4 } from '../util/decimals.js';

export interface ApplyOptions {
  dryRun: boolean;
  /** The stage the caller loaded while the document was read (`ReadingStager`), and every row it was given (`rows` are those that stand). */
  stager?: { stager: ReadingStager; read: StagedProduct[] };
  /** Called between steps; tests use it to stop a push half-way, as a crash would. */
  checkpoint?: (step: string) => Promise<void> | void;
  /** Called just before the first statement that changes the shop (a failure after it may leave the shop part-changed). */
  writing?: () => void;
  onProgress?: (staged: number) => Promise<void>;
  /** The product index, when the caller started reading it early (while the body arrived). */
  index?: Promise<ProductIndex>;
}

export interface ApplyResult {
  counts: Partial<Counts>;
  notApplied: JournalItem[];
}

/** VAT percent per tax class: the owner's VAT mapping first, else the class's own rates. */
async function vatRates(db: Database, settings: Settings): Promise<Map<number, number>> {
  const rates = new Map<number, number>();
  for (const c of await listTaxClasses(db)) rates.set(c.taxClassId, c.percent);
  for (const [rate, cls] of Object.entries(settings.vat_map)) rates.set(cls, Number(rate));
  return rates;
}

async function promoGroups(db: Database, settings: Settings): Promise<number[]> {
  if (settings.promo_customer_groups.length) return settings.promo_customer_groups;
  return (await listCustomerGroups(db)).map((g) => g.customerGroupId);
}

function unmatchedReason(field: string, code: string, full: boolean): Reason {
  return reason(full ? 'unknown_code_full' : 'unknown_code', { codeField: field, code });
}

function ambiguousReason(field: string, code: string, n: number): Reason {
  return reason('ambiguous_code', { n, codeField: field, code });
}

/** A growable Int32Array / Float64Array pair of columns, one entry per record. */
class Column<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(public data: T, private readonly make: (n: number) => T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = this.make(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}
const ints = () => new Column(new Int32Array(4096), (n) => new Int32Array(n));
const floats = () => new Column(new Float64Array(4096), (n) => new Float64Array(n));

/**
 * A direct push's changes found so far, as the change table reads them: product rows and new
 * values, the rest from the product index. A class, not an object of arrow functions made per
 * load step: V8 can keep its methods' optimized code from one step and push to the next, where
 * the arrows of each step were compiled again (round 18).
 */
class FoundChanges implements ChangeList {
  readonly length: number;
  readonly codes: CodeTable;
  /** The value the push compared against: what the history records as the old one. */
  private readonly olds: Float64Array | Int32Array;

  constructor(
    private readonly index: ProductIndex,
    private readonly rows: Column<Int32Array>,
    private readonly values: Column<Float64Array>,
    kind: 'prices' | 'stock',
  ) {
    this.length = rows.length;
    this.codes = index.codeTable;
    this.olds = kind === 'stock' ? index.quantity : index.price;
  }

  productId(k: number): number {
    return this.index.productIdOf(this.rows.data[k]!);
  }

  code(k: number): string {
    return this.index.storedCodeOf(this.rows.data[k]!);
  }

  value(k: number): number {
    return this.values.data[k]!;
  }

  old(k: number): number {
    return this.olds[this.rows.data[k]!]!;
  }

  codeEntry(k: number): number {
    return this.index.storedCodeEntryOf(this.rows.data[k]!);
  }

  /** The database's own CRC32 of the row's code, read with it (what the MySQL change table checks). */
  codeCrc(k: number): number {
    return this.index.codeCrcOf(this.rows.data[k]!);
  }
}

/**
 * Loads that run in the background while the document is read: one at a time (the next waits
 * for the caller's next batch), the first failure kept and thrown once the caller waits.
 */
class BackgroundLoad {
  private running: Promise<void> | null = null;
  private failed = false;
  private failure: unknown;

  /** Whether a load is running or one has failed (then no other is started). */
  get blocked(): boolean {
    return this.running !== null || this.failed;
  }

  start(load: Promise<void>): void {
    this.running = load.then(
      () => void (this.running = null),
      (err: unknown) => {
        if (!this.failed) [this.failed, this.failure] = [true, err];
        this.running = null;
      },
    );
  }

  /** Waits for the running load; throws the first failure. */
  async done(): Promise<void> {
    while (this.running) await this.running;
    if (this.failed) throw this.failure;
  }

  /** Waits for the running load, whatever its end (before the stage or table is cleared). */
  async stopped(): Promise<void> {
    while (this.running) await this.running;
  }
}

/**
 * Stock, and prices in stock-and-price sync: the hot path for 100k-record documents and more.
 * Records come in batches as the document is read; each is matched against the product index
 * (one read of the product table, kept warm between pushes) and kept as two numbers: record and
 * product row. A value that differs from the shop's goes straight into a temporary table of
 * changes (ChangeTable), loaded while the body is still arriving; the shop itself is written
 * only in `finish`, after the whole document was read: one UPDATE joined on the primary key. A
 * resend of an unchanged document writes nothing at all. Codes that stand twice are found across
 * the whole document here (by product row, so no code is kept per record); `twins` hands them
 * to the caller, and their rows leave the change table before it is written.
 */
export class DirectPush {
  private index: ProductIndex | null = null;
  private readonly indexReady: Promise<ProductIndex>;
  /** Records that arrived before the index: matched once it is there. */
  private waiting: Array<{ seq: number; code: string; value: number }> = [];
  /**
   * Records matched against the warm index before the database confirmed it (its signature
   * query took 0.12–0.14 s at 100,000 products by hand, about as long as the reading thread takes
   * to read the document; the changes found meanwhile are loaded meanwhile): kept until the index
   * read answers. The same index: dropped. Another (the table changed since, as after orders):
   * the matches are undone and these records matched again (`rebase`).
   */
  private kept: Array<{ seq: number; code: string; value: number }> | null = null;
  /** Undoing the matches against a stale warm index (see `kept`). */
  private rebasing: Promise<void> | null = null;
  /** Records with a value whose code one product has (counted, not kept: a million records took 4 MB). */
  private singles = 0;
  /** Per product row: the seq of its first record (negative: that record had no value), 0: none yet. */
  private firstSeq = new Int32Array(0);
  /**
   * Per product row whose code stands twice (its keys: the rows whose changes leave the table):
   * how many of its records had a value (not matched, then).
   */
  private readonly twinRows = new Map<number, number>();
  private readonly otherSeen = new Map<string, number>();
  private readonly others: Array<{ seq: number; code: string; slot: number }> = [];
  readonly twins = new Map<string, number[]>();
  private readonly field: ProductCodeField;
  /** Changes (product row, new value), in document order; those up to `loadedTo` are in the table. */
  private readonly changeRows = ints();
  private readonly changeValues = floats();
  private loadedTo = 0;
  private readonly loads = new BackgroundLoad();

  constructor(
    private readonly db: Database,
    /** The journal run: the products' history is written under it. */
    private readonly runId: number,
    private readonly kind: 'prices' | 'stock',
    private readonly settings: Settings,
    private readonly rates: Map<number, number> | null,
    /** The change table (none in a dry run: nothing is loaded or written). */
    private readonly table: ChangeTable | null,
    /**
     * Changes found before they are loaded in the background (LOAD_STEP; `directPush` always
     * uses it). Tests give a few, so a load while reading, and a close during one, need no 20,000 products.
     */
    private readonly loadStep = LOAD_STEP,
    /** The product index, being read (`directPush` asks for it before it makes the change table). */
    indexReady?: Promise<ProductIndex>,
    /** The warm index as it stood before that read began: records are matched against it meanwhile. */
    guess?: ProductIndex | null,
  ) {
    if (!Number.isInteger(loadStep) || loadStep < 1) throw new RangeError(`loadStep must be a whole number of at least 1, not ${loadStep}`);
    this.field = settings.product_code_field;
    // Read while the body arrives and is parsed.
    this.indexReady = indexReady ?? loadProductIndex(db, this.field);
    if (guess) this.use(guess), (this.kept = []);
    this.indexReady.then((i) => {
      const guessed = this.kept ? this.index : null;
      if (!guessed) {
        pushTiming(runId, `index read (${lastIndexLoad(db)})`);
        this.use(i);
      } else if (i === guessed) {
        pushTiming(runId, `index read (${lastIndexLoad(db)}, as guessed)`);
        this.kept = null;
      } else {
        // The products and codes the guess had, a few of them with other values (orders since):
        // only those are matched again. Else every record is.
        const moved = guessed.movedRows(i, kind === 'stock' ? 'quantity' : 'price', AMEND_ROWS);
        pushTiming(runId, `index read (${lastIndexLoad(db)}, not as guessed: ${moved ? `${moved.length} products' values moved` : 'matched again'})`);
        this.index = null; // records wait from here on
        this.rebasing = moved ? this.amend(i, moved) : this.rebase(i);
        this.rebasing.catch(() => {}); // awaited by indexRead and finish
      }
    }, () => {});
  }

  private use(index: ProductIndex): void {
    this.index = index;
    this.firstSeq = new Int32Array(index.size + 1);
  }

  /**
   * The warm index was stale: what was matched against it is undone (the loads stopped, the
   * change table emptied, every count and twin forgotten) and the kept records, then those that
   * waited meanwhile, are matched against the index read now, in document order.
   */
  private async rebase(index: ProductIndex): Promise<void> {
    await this.loads.stopped();
    await this.table?.clear();
    this.singles = 0;
    this.twinRows.clear();
    this.otherSeen.clear();
    this.others.length = 0;
    this.twins.clear();
    this.changeRows.length = 0;
    this.changeValues.length = 0;
    this.loadedTo = 0;
    this.use(index);
    this.waiting = this.kept!.concat(this.waiting);
    this.kept = null;
    this.rebasing = null;
  }

  /**
   * The warm index had the products the database has, and `moved` rows' values changed since (a
   * few orders): the matches stand (the twin check and the counts go by product and code), the
   * changes of those rows leave (from the change table and its history, if loaded), and each such
   * row's first record is decided again against the values read now.
   */
  private async amend(index: ProductIndex, moved: number[]): Promise<void> {
    await this.loads.stopped();
    const isMoved = new Set(moved);
    const rows = this.changeRows;
    const values = this.changeValues;
    const gone: number[] = [];
    let kept = 0;
    let loaded = 0;
    for (let k = 0; k < rows.length; k++) {
      const row = rows.data[k]!;
      if (isMoved.has(row)) {
        if (k < this.loadedTo) gone.push(row);
        continue;
      }
      if (k < this.loadedTo) loaded++;
      rows.data[kept] = row;
      values.data[kept++] = values.data[k]!;
    }
    rows.length = values.length = kept;
    this.loadedTo = loaded;
    if (gone.length && this.table) await this.table.remove(gone.map((r) => index.productIdOf(r)), gone.map((r) => index.storedCodeOf(r)));
    this.index = index;
    for (const row of moved) {
      const seq = this.firstSeq[row]!;
      if (seq > 0) this.decide(row, this.keptValue(seq)); // its first record, with a value
    }
    this.kept = null;
    this.rebasing = null;
  }

  /** The value of the kept record `seq` (kept in document order). */
  private keptValue(seq: number): number {
    const kept = this.kept!;
    const at = indexOfSorted(kept.length, (i) => kept[i]!.seq, seq);
    if (at < 0) throw new Error(`record ${seq} was matched but not kept`);
    return kept[at]!.value;
  }

  /** One record: its code (every record with one, for the twin check) and its value (NaN: refused). */
  add(seq: number, code: string, value: number): void {
    if (!code) return;
    if (!this.index || this.waiting.length) this.waiting.push({ seq, code, value });
    else {
      this.kept?.push({ seq, code, value });
      this.match(seq, code, value);
    }
  }

  /**
   * Records that wait for the index: past WAIT_LIMIT the caller stops reading until the index
   * is there (a million records arriving while a million products are read would all be held).
   */
  get backlog(): number {
    return this.waiting.length + (this.kept?.length ?? 0);
  }

  /** Resolves once the index is there and confirmed (rejects if it could not be read). */
  async indexRead(): Promise<void> {
    await this.indexReady;
    while (this.rebasing) await this.rebasing;
  }

  /** Matches what waited, once the index is there, and loads changes (call between batches). */
  catchUp(): void {
    if (this.index && this.waiting.length) {
      const w = this.waiting;
      this.waiting = [];
      for (const r of w) {
        this.kept?.push(r);
        this.match(r.seq, r.code, r.value);
      }
    }
    // Not while matches are undone (the changes found so far are about to be forgotten).
    if (this.table && !this.rebasing && !this.loads.blocked && this.changeRows.length - this.loadedTo >= this.loadStep) this.loadMore();
  }

  /** Loads the changes found so far into the change table, in the background. */
  private loadMore(): void {
    const from = this.loadedTo;
    const to = this.changeRows.length;
    this.loadedTo = to;
    this.loads.start(this.table!.load(this.changeList(), from, to));
  }

  private changeList(): ChangeList {
    return new FoundChanges(this.index!, this.changeRows, this.changeValues, this.kind);
  }

  private match(seq: number, code: string, value: number): void {
    const index = this.index!;
    const slot = index.slotOf(code);
    const single = slot >= 0 && index.countOf(slot) === 1;
    // The twin check: by the product's row when one product has the code, else by the code.
    const key = single ? index.rowOf(slot) : -1;
    const valued = !Number.isNaN(value);
    const first = key >= 0 ? this.firstSeq[key]! : this.otherSeen.get(code) ?? 0;
    if (first === 0) {
      if (key >= 0) this.firstSeq[key] = valued ? seq : -seq;
      else this.otherSeen.set(code, seq);
    } else {
      const list = this.twins.get(code);
      if (list) list.push(seq);
      else this.twins.set(code, [Math.abs(first), seq]);
      if (key >= 0) {
        const n = this.twinRows.get(key) ?? (first > 0 ? 1 : 0);
        this.twinRows.set(key, valued ? n + 1 : n);
      }
    }
    if (!valued) return;
    if (!single) {
      this.others.push({ seq, code, slot });
      return;
    }
    this.singles++;
    // A twin's second record is not loaded (its first may be: both leave the table in `finish`).
    if (first !== 0) return;
    this.decide(key, value);
  }

  /** A product row's first record with a value: a change when the value is not the row's. */
  private decide(key: number, value: number): void {
    const index = this.index!;
    if (this.kind === 'stock') {
      if (index.quantity[key] !== value) this.changeRows.push(key), this.changeValues.push(value);
    } else {
      const net = this.rates ? round4(value / (1 + (this.rates.get(index.taxClassId[key]!) ?? 0) / 100)) : value;
      if (round4(index.price[key]!) !== round4(net)) this.changeRows.push(key), this.changeValues.push(net);
    }
  }

  async finish(opts: ApplyOptions, onStep?: (done: number, total: number) => Promise<void> | void): Promise<ApplyResult> {
    await this.indexRead();
    const index = this.index!;
    this.catchUp();
    const { kind, field } = this;
    const notApplied: JournalItem[] = [];
    for (const o of this.others) {
      if (this.twins.has(o.code)) continue;
      if (o.slot < 0) notApplied.push({ seq: o.seq, code: o.code, outcome: 'unknown', ...unmatchedReason(field, o.code, false) });
      else notApplied.push({ seq: o.seq, code: o.code, outcome: 'ambiguous', ...ambiguousReason(field, o.code, index.countOf(o.slot)) });
    }
    // Records of a product whose code stands twice are not matched (the caller refuses them).
    let matched = this.singles;
    for (const n of this.twinRows.values()) matched -= n;
    // The changes that stand: twins' rows leave (counted here; skipped where they are used, not
    // copied: at a million changes a copy was 12 MB at the push's peak).
    const cr = this.changeRows.data;
    let n = 0;
    for (let k = 0; k < this.changeRows.length; k++) if (!this.twinRows.has(cr[k]!)) n++;
    await opts.checkpoint?.('classified');
    let updated = n;
    if (!opts.dryRun && this.table) {
      pushTiming(this.runId, 'classified');
      await this.loads.done();
      pushTiming(this.runId, `last load of ${this.changeRows.length - this.loadedTo}`);
      await this.table.load(this.changeList(), this.loadedTo, this.changeRows.length);
      this.loadedTo = this.changeRows.length;
      if (this.twinRows.size) await this.table.remove([...this.twinRows.keys()].map((r) => index.productIdOf(r)), [...this.twinRows.keys()].map((r) => index.storedCodeOf(r)));
      pushTiming(this.runId, 'loaded');
      await opts.checkpoint?.('loaded');
      const now = nowFn();
      const column = kind === 'stock' ? 'quantity' : 'price';
      if (n > 0) opts.writing?.();
      updated = n === 0 ? 0 : await this.table.write(now, { tableRows: index.size, rows: n, onStep });
      // The warm index follows the shop; a write that did not land everywhere makes it read again.
      if (updated === n) index.wrote(column, cr, this.changeValues.data, this.changeRows.length, now, this.twinRows);
      else forgetProductIndex(this.db);
      await opts.checkpoint?.('applied');
    }
    return {
      counts: { updated, unchanged: matched - updated, unknown: notApplied.filter((x) => x.outcome === 'unknown').length, ambiguous: notApplied.filter((x) => x.outcome === 'ambiguous').length },
      notApplied,
    };
  }

  /** Drops the change table and frees its connection (always, also after an error). */
  async close(): Promise<void> {
    await this.loads.stopped();
    await this.table?.close();
  }
}

export const LOAD_STEP = 20_000;
/** Past this many products whose values moved since the warm index, a push matches every record again (`rebase`) rather than those (`amend`). */
export const AMEND_ROWS = 10_000;
/** Records held while the index is read, before reading the body pauses (see `backlog`). */
export const WAIT_LIMIT = 50_000;

/** Whether a push of this kind takes the direct path (DirectPush) rather than the staging table. */
export const isDirect = (kind: Exclude<PushKind, 'categories'>, settings: Settings) => kind === 'stock' || (kind === 'prices' && settings.sync_type !== 'full');

/** A direct push; unless a dry run, its change table is opened (close() it in every case). */
export async function directPush(db: Database, runId: number, kind: 'prices' | 'stock', settings: Settings, dryRun: boolean): Promise<DirectPush> {
  // The warm index as it stands, then the product index: its signature query runs while the change table is made.
  const guess = peekProductIndex(db, settings.product_code_field);
  const index = loadProductIndex(db, settings.product_code_field);
  index.catch(() => {}); // its failure reaches the push through DirectPush (indexRead, finish)
  const [rates, table] = await Promise.allSettled([
    kind === 'prices' && settings.price_basis === 'gross' ? vatRates(db, settings) : null,
    dryRun ? null : ChangeTable.open(db, settings.product_code_field, kind === 'stock' ? 'quantity' : 'price', runId),
  ]);
  if (rates.status === 'rejected' || table.status === 'rejected') {
    // The table that was made goes with its connection, and the index read ends before the
    // push lets go of its lease (nothing reads the product table for a push that has ended).
    if (table.status === 'fulfilled') await table.value?.close().catch(() => {});
    await index.catch(() => {});
    throw rates.status === 'rejected' ? rates.reason : (table as PromiseRejectedResult).reason;
  }
  return new DirectPush(db, runId, kind, settings, rates.value, table.value, LOAD_STEP, index, guess);
}

/**
 * Sets each staged row's match_count and product_id (one product: its id; none or several: null).
 * `full`: a full sync's row whose net price or tax class is not its product's (the index holds
 * both) is 'updated' here, so the SQL classification (`sameExpr`: names, descriptions,
 * categories, store and mapping, each a lookup per row: about 1 s for 50,000 rows) checks only
 * the others. The same test `sameExpr` makes; a gross price is made net in SQL, so it waits. A
 * price found different keeps the product's (`old_price`: its history's old value), and an
 * unknown code that full sync will create is 'created' here (an UPDATE of the stage took 0.56 s
 * at 50,000 such rows: round 25).
 */
function matchFromIndex(rows: StagedProduct[], index: ProductIndex, full = false): void {
  for (const r of rows) {
    const slot = index.slotOf(r.code);
    const n = slot < 0 ? 0 : index.countOf(slot);
    r.match_count = n;
    if (n !== 1) {
      r.product_id = null;
      if (full) markCreatable(r);
      continue;
    }
    const row = index.rowOf(slot);
    r.product_id = index.productIdOf(row);
    if (!full) continue;
    const price = index.price[row]!;
    if (r.price != null && round4(price) !== round4(r.price)) (r.outcome = 'updated'), (r.old_price = round4(price));
    else if (r.tax_class_id != null && index.taxClassId[row] !== r.tax_class_id) r.outcome = 'updated';
  }
}

/**
 * Whether the product index `read` as the push began is still the shop's: read again (only its
 * signature, where nothing changed), it is the same index. A dialect that keeps no signature
 * (SQLite) reads it whole each time and cannot tell: no. A failed read: no (the SQL form reads
 * what it needs itself).
 */
async function stillCurrent(db: Database, field: ProductCodeField, read: Promise<ProductIndex>): Promise<boolean> {
  const index = await read.catch(() => null);
  if (!index?.signature) return false;
  return (await loadProductIndex(db, field).catch(() => null)) === index;
}

/** What a ReadingStager staged: the stage, the index it matched with and (promo prices) the specials' marks. */
interface Staged {
  index: ProductIndex;
  st: ProductStaging;
  specials?: SpecialWriter;
}

/** Records staged while the document is still read: from this many on, in parts of this many. */
export const STAGE_WHILE_READING = 20_000;

/**
 * Promo prices and full sync of a big push: the records are matched (and promo prices marked)
 * and staged in parts while the document is still being read (the database is mostly idle then),
 * instead of all at once after it (0.65–0.9 s at 100,000 records, with nothing else to do
 * meanwhile). Only the stage is written while reading (never the shop), so a refused document
 * still changes nothing. A small push never starts this: it stages everything at the end, as before.
 */
export class ReadingStager {
  private loadedTo = 0;
  private readonly loads = new BackgroundLoad();
  private prepared: Promise<Staged> | null = null;
  private readonly today = todayFn();

  constructor(
    private readonly db: Database,
    private readonly runId: number,
    private readonly kind: 'promo-prices' | 'prices',
    private readonly settings: Settings,
    private readonly index: Promise<ProductIndex>,
  ) {}

  get started(): boolean {
    return this.prepared !== null;
  }

  /** A staged 'prices' push is a full sync (stock-and-price prices take the direct path). */
  private get full(): boolean {
    return this.kind === 'prices';
  }

  /** Call between batches with the rows read so far (the same array, growing). */
  async catchUp(rows: StagedProduct[]): Promise<void> {
    if (this.loads.blocked || rows.length - this.loadedTo < STAGE_WHILE_READING) return;
    this.prepared ??= this.prepare();
    const { index, st, specials } = await this.prepared;
    const part = rows.slice(this.loadedTo);
    this.loadedTo = rows.length;
    matchFromIndex(part, index, this.full);
    specials?.prepareMore(part);
    pushTiming(this.runId, `staging ${part.length}`);
    this.loads.start(st.append(part).then(() => pushTiming(this.runId, `staged ${part.length}`)));
  }

  private async prepare(): Promise<Staged> {
    const { db, runId, settings } = this;
    const index = await this.index;
    const st = new ProductStaging(db, runId, this.kind);
    let specials: SpecialWriter | undefined;
    if (this.kind === 'promo-prices') {
      specials = new SpecialWriter(st, (await shopSchema(db)).specials, await promoGroups(db, settings), this.today, addDays(this.today, -1));
      await specials.prepareAll();
    }
    await st.begin();
    return { index, st, specials };
  }

  /**
   * Stages the rest of `read` (every row it was given) once the document is whole; rows not in
   * `stand` (refused at the end, as twins) are left out, or taken out again where already staged.
   */
  async finish(read: StagedProduct[], stand: StagedProduct[]): Promise<Staged> {
    const { index, st, specials } = await this.prepared!;
    await this.loads.done();
    const standing = new Set(stand.map((r) => r.seq));
    const part = read.slice(this.loadedTo).filter((r) => standing.has(r.seq));
    matchFromIndex(part, index, this.full);
    specials?.prepareMore(part);
    await st.append(part);
    await st.removeSeqs(read.slice(0, this.loadedTo).filter((r) => !standing.has(r.seq)).map((r) => r.seq));
    await st.loaded();
    return { index, st, specials };
  }

  /** Waits for a load still running and empties the stage (whether or not the push got to apply it). */
  async close(): Promise<void> {
    await this.loads.stopped();
    if (this.prepared) await (await this.prepared.catch(() => null))?.st.clear();
  }
}

export async function applyProducts(db: Database, runId: number, kind: Exclude<PushKind, 'categories'>, rows: StagedProduct[], settings: Settings, opts: ApplyOptions): Promise<ApplyResult> {
  const full = kind === 'prices' && settings.sync_type === 'full';
  if (kind === 'stock' || (kind === 'prices' && !full)) {
    const d = await directPush(db, runId, kind, settings, opts.dryRun);
    try {
      for (const r of rows) d.add(r.seq, r.code, (kind === 'stock' ? r.quantity : r.gross ?? r.price) ?? NaN);
      return await d.finish(opts);
    } finally {
      await d.close();
    }
  }
  const step = async (name: string) => {
    pushTiming(runId, name);
    await opts.checkpoint?.(name);
  };
  const now = nowFn();
  const today = todayFn();
  // Promo prices and full sync match codes in memory (the index a direct push uses), so the
  // stage is loaded matched: no UPDATE of every staged row joined to the product table (full
  // sync matched in SQL while the index was a Map of strings: with every record's names and
  // texts beside it, that took its peak past 300 MB at 100,000 records). The products full sync
  // creates are matched in SQL, by id, right after they are inserted. A big promo push was
  // staged while it was read (`ReadingStager`): `rows` are then the records that stand.
  let st: ProductStaging;
  let specials: SpecialWriter | undefined;
  let stagedEarly = false;
  const matchedWith = opts.index ?? loadProductIndex(db, settings.product_code_field);
  matchedWith.catch(() => {}); // awaited below, unless the stage's last load fails first
  // Full sync's net prices are compared in memory, and their history's old values taken from the
  // index read as the push began (a slow upload may take minutes): asked again now that the
  // document is whole, beside the stage's last load, it says whether the products changed
  // meanwhile (an owner's edit). Then, or where it cannot tell, the history is read in SQL.
  const historyInMemory = full && !opts.dryRun && settings.price_basis !== 'gross' ? stillCurrent(db, settings.product_code_field, matchedWith) : Promise.resolve(false);
  if (opts.stager?.stager.started) {
    ({ st, specials } = await opts.stager.stager.finish(opts.stager.read, rows));
    stagedEarly = true;
  } else {
    st = new ProductStaging(db, runId, kind);
  }
  const index = await matchedWith;
  st.scanProducts(rows.length, index.size);
  if (!stagedEarly) {
    matchFromIndex(rows, index, full);
    specials = kind === 'promo-prices' ? new SpecialWriter(st, (await shopSchema(db)).specials, await promoGroups(db, settings), today, addDays(today, -1)) : undefined;
    await specials?.prepare(rows);
  }
  try {
    pushTiming(runId, 'index matched');
    if (!stagedEarly) await st.load(rows, opts.onProgress);
    pushTiming(runId, 'staged');
    await step('matched');

    // Net before anything is written: full sync creates products with the price it stages.
    if (settings.price_basis === 'gross') await st.grossToNet(kind === 'prices' ? 'price' : 'promo', await vatRates(db, settings), full);

    let master: ProductMasterWriter | undefined;
    // Known before the first write (creating products changes the table the check reads).
    const pricesInMemory = await historyInMemory;
    if (full) {
      const lang = await defaultLanguage(db);
      // The rows to create were marked in memory (`matchFromIndex`).
      master = new ProductMasterWriter(st, lang.languageId, await shopSchema(db));
      if (!opts.dryRun) {
        opts.writing?.();
        const cfg = async (key: string, fallback: number) => Number((await readConfigValue(db, key)) ?? fallback) || fallback;
        await master.createProducts({
          codeField: settings.product_code_field,
          status: settings.new_product_status === 'enabled' ? 1 : 0,
          stockStatusId: await cfg('config_stock_status_id', 5),
          weightClassId: await cfg('config_weight_class_id', 1),
          lengthClassId: await cfg('config_length_class_id', 1),
          today,
          now,
        });
        await step('created');
      }
      await master.resolveCategories();
    }

    if (master) await st.classify(master.sameExpr());
    // Promo prices came matched and mostly classified (`prepare`); full sync is classified here.
    if (specials) await specials.classify();
    else await st.markUnmatched();
    await step('classified');

    if (!opts.dryRun) {
      opts.writing?.();
      // The products' history: prices read before the products lane writes them, promos beside their writing.
      if (master) {
        // Net prices decided in memory, against an index still current: their history is written
        // from there, in blocks (a gross price is made net in SQL, so its history is read there, as rows).
        await master.apply(now, (await listLanguages(db)).map((l) => l.languageId), step, async () => {
          if (pricesInMemory) await recordPriceBlocks(db, runId, rows, await st.createdIds(rows));
          else await recordStagedPrices(db, runId, st.S);
          pushTiming(runId, 'price history');
        });
      } else {
        // Decided in memory, the promos' history is written from there, in blocks (one row per block).
        const inMemory = specials!.decidedInMemory;
        await specials!.apply(now, step, () => (inMemory ? recordPromoBlocks(db, runId, rows) : recordStagedPromos(db, runId, st.S)));
        pushTiming(runId, 'specials written');
      }
      await step('applied');
    }

    pushTiming(runId, 'history');
    // Promo prices whose every outcome was decided in memory (`prepare`) are counted there: the
    // GROUP BY over the stage was about 70 ms of a 100,000-record push.
    const { counts, notApplied } = await st.outcomes(specials?.decidedInMemory ? rows : undefined);
    const field = settings.product_code_field;
    return {
      counts,
      notApplied: notApplied.map((r) => ({
        seq: Number(r.seq),
        code: String(r.code),
        outcome: String(r.outcome),
        ...(r.outcome === 'unknown' ? unmatchedReason(field, String(r.code), full) : ambiguousReason(field, String(r.code), Number(r.match_count))),
      })),
    };
  } finally {
    await st.clear().catch(() => {});
  }
}
