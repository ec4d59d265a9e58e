// One read of the product table, indexed by the configured code field: the shop's code
// columns carry no index (and erp-bridge adds none to the shop's tables), so matching 100k
// codes in memory after one scan is cheaper than joining on TRIM(code) in the database.
//
// The index is compact (a table of codes without a string per code, and typed arrays per column:
// a million products take about 70 MB) and stays warm between pushes. Before it is used again,
// one aggregate query over the product table, per block of SIGNATURE_BLOCK product ids (count,
// highest id, latest date_modified and a checksum of id, code, price, quantity and tax class:
// MySQL only), must give exactly what the index itself gives, with the push's own writes applied
// to it. A few blocks that differ (orders took stock, the owner saved a price) are read again
// alone; many, every value (codes unread); a product added or deleted, or a code changed, the
// whole table.
import { indexOfSorted } from '../util/sorted.js';
import { crc32 } from 'node:zlib';
import type { Database } from '../db/database.js';
import { decodeLikeOpenCart } from '../util/html.js';
import type { ProductCodeField } from './products.js';
import { CodeTable } from './code-table.js';

export interface IndexedProduct {
  productId: number;
  /** The code as the shop stores it (HTML-encoded by its admin, trimmed). */
  storedCode: string;
  price: number;
  quantity: number;
  taxClassId: number;
}

interface Signature {
  n: number;
  maxId: number;
  modified: string;
  crc: number;
}

/**
 * code (trimmed as SQL TRIM does, and decoded: OpenCart's admin stores `KV&1` as `KV&amp;1`)
 * → a slot; per slot the product's id, stored code, price, quantity and tax class. A code that
 * several products share has one slot whose `count` is above 1 (and no single product).
 */
export class ProductIndex {
  /**
   * `capacity`: the rows expected (the database's count, when it gives one). Arrays made to size
   * hold no spare room; at a million products, doubling from 1,024 left up to half of each array
   * empty, and copying them to size afterwards only moved the peak.
   */
  constructor(capacity = 1024) {
    this.slots = new CodeTable(capacity);
    this.productId = new Int32Array(capacity);
    this.price = new Float64Array(capacity);
    this.quantity = new Int32Array(capacity);
    this.taxClassId = new Int32Array(capacity);
    this.rowCrcs = new Uint32Array(capacity);
    this.first = new Int32Array(capacity);
    this.count = new Int32Array(capacity);
    this.rowSlot = new Int32Array(capacity);
    this.codeCrcs = new Uint32Array(capacity);
  }

  /** The distinct codes (decoded); a code's entry is its slot. */
  private slots!: CodeTable;
  /** Per product row (not per code): id, price, quantity, tax class, and its code's slot. */
  private productId!: Int32Array;
  price!: Float64Array;
  quantity!: Int32Array;
  taxClassId!: Int32Array;
  /** Each product row's checksum term (so a write recomputes only the new one). */
  private rowCrcs!: Uint32Array;
  /** The push's own writes, folded into the checksum after its answer (off the request's path). */
  private settling: Promise<void> | null = null;
  /** Per slot: the first product row with the code, and how many share it. */
  private first!: Int32Array;
  private count!: Int32Array;
  /** Each product row's slot, whose code is the row's stored code, unless `encoded` has the row. */
  private rowSlot!: Int32Array;
  /** The stored code of each product row that the shop keeps HTML-encoded (a few, if any). */
  private encoded = new Map<number, string>();
  /** Each product row's code checksum, as the database gives it (a refresh compares these, not the codes). */
  private codeCrcs!: Uint32Array;
  private rows = 0;
  /** The checksum over what the index holds (as the database computes it), when known. */
  signature: Signature | null = null;
  private crc = 0;
  private maxId = 0;
  private modified = '';

  get size(): number {
    return this.rows;
  }

  /** The slot of a code, or -1. */
  slotOf(code: string): number {
    return this.slots.find(code);
  }

  /** How many products have the slot's code. */
  countOf(slot: number): number {
    return this.count[slot]!;
  }

  /** The product row of a slot whose code one product has. */
  rowOf(slot: number): number {
    return this.first[slot]!;
  }

  productIdOf(row: number): number {
    return this.productId[row]!;
  }

  /** The database's CRC32 of the product row's trimmed code, as read with the row (0 where the dialect has none: SQLite). */
  codeCrcOf(row: number): number {
    return this.codeCrcs[row]!;
  }

  /** The code table's entry of a product row's stored code, or -1 where the stored code differs from it (HTML-encoded: use `storedCodeOf`). */
  storedCodeEntryOf(row: number): number {
    return this.encoded.has(row) ? -1 : this.rowSlot[row]!;
  }

  /** The codes (see `storedCodeEntryOf`). */
  get codeTable(): CodeTable {
    return this.slots;
  }

  storedCodeOf(row: number): string {
    return this.encoded.get(row) ?? this.slots.text(this.rowSlot[row]!);
  }

  /** One product row; `crc` is its checksum term as the database computed it (none: computed here). */
  add(productId: number, storedCode: string, price: number, quantity: number, taxClassId: number, crc?: number, codeCrc = 0): void {
    const row = this.rows++;
    if (row === this.productId.length) this.grow();
    this.productId[row] = productId;
    this.price[row] = price;
    this.quantity[row] = quantity;
    this.taxClassId[row] = taxClassId;
    const code = storedCode.includes('&') ? decodeLikeOpenCart(storedCode) : storedCode;
    if (code !== storedCode) this.encoded.set(row, storedCode);
    const known = this.slots.size;
    const slot = this.slots.add(code);
    if (slot === known) {
      if (slot === this.first.length) this.growSlots();
      this.first[slot] = row;
    }
    this.rowSlot[row] = slot;
    this.count[slot]! += 1;
    const c = crc ?? rowCrc(productId, storedCode, price, quantity, taxClassId);
    this.codeCrcs[row] = codeCrc;
    this.rowCrcs[row] = c;
    this.crc = (this.crc ^ c) >>> 0;
    if (productId > this.maxId) this.maxId = productId;
  }

  private grow(): void {
    const n = Math.max(1024, this.productId.length * 2);
    const g = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T) => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.productId = g(this.productId, (k) => new Int32Array(k));
    this.price = g(this.price, (k) => new Float64Array(k));
    this.quantity = g(this.quantity, (k) => new Int32Array(k));
    this.taxClassId = g(this.taxClassId, (k) => new Int32Array(k));
    const c = new Uint32Array(n);
    c.set(this.rowCrcs);
    this.rowCrcs = c;
    const cc = new Uint32Array(n);
    cc.set(this.codeCrcs);
    this.codeCrcs = cc;
    this.rowSlot = g(this.rowSlot, (k) => new Int32Array(k));
  }

  /**
   * A new index with this one's products and codes (shared: they are never changed once read)
   * and fresh values, filled row by row with `refresh`; null as soon as a row is not the same
   * product with the same code (then the caller reads the table whole).
   */
  startRefresh(): { refresh(productId: number, codeCrc: number, price: number, quantity: number, taxClassId: number, crc: number): boolean; done(): ProductIndex | null } {
    const n = this.productId.length;
    const next = this.withValues({ price: new Float64Array(n), quantity: new Int32Array(n), taxClassId: new Int32Array(n), rowCrcs: new Uint32Array(n) });
    let row = 0;
    return {
      refresh: (productId, codeCrc, price, quantity, taxClassId, crc) => {
        if (row >= this.rows || this.productId[row] !== productId || this.codeCrcs[row] !== codeCrc) return false;
        next.price[row] = price;
        next.quantity[row] = quantity;
        next.taxClassId[row] = taxClassId;
        next.rowCrcs[row] = crc;
        next.crc = (next.crc ^ crc) >>> 0;
        row++;
        return true;
      },
      done: () => {
        if (row !== this.rows) return null;
        next.rows = row;
        return next;
      },
    };
  }

  /**
   * When `other` holds the same products with the same codes, row for row (a patch or refresh of
   * this index, which share its products: only values differ), the rows whose `column` or tax
   * class differ there; null when its products are others, or more than `limit` rows differ.
   */
  movedRows(other: ProductIndex, column: 'price' | 'quantity', limit: number): number[] | null {
    if (other.productId !== this.productId || other.slots !== this.slots || other.rows !== this.rows) return null;
    const [mine, theirs] = column === 'price' ? [this.price, other.price] : [this.quantity, other.quantity];
    const moved: number[] = [];
    for (let row = 0; row < this.rows; row++) {
      if (mine[row] === theirs[row] && this.taxClassId[row] === other.taxClassId[row]) continue;
      if (moved.push(row) > limit) return null;
    }
    return moved;
  }

  /**
   * Per block of `size` product ids: how many rows the index holds and the XOR of their checksum
   * terms, as the database's signature gives them per block (rows are in product_id order).
   */
  blockTerms(size: number): Map<number, { n: number; crc: number }> {
    const out = new Map<number, { n: number; crc: number }>();
    for (let row = 0; row < this.rows; row++) {
      const b = Math.floor(this.productId[row]! / size);
      const t = out.get(b);
      if (t) {
        t.n++;
        t.crc = (t.crc ^ this.rowCrcs[row]!) >>> 0;
      } else out.set(b, { n: 1, crc: this.rowCrcs[row]! });
    }
    return out;
  }

  /** The latest date_modified the index holds (its signature's). */
  get modifiedAt(): string {
    return this.modified;
  }

  /**
   * A new index with this one's products and codes (shared) and a copy of its values, patched
   * row by row with `patch` (the rows of the blocks that changed); `patch` answers false for a
   * row that is not a product of this index with the same code.
   */
  startPatch(): { patch(productId: number, codeCrc: number, price: number, quantity: number, taxClassId: number, crc: number): boolean; done(): ProductIndex } {
    const next = this.withValues(
      { price: this.price.slice(), quantity: this.quantity.slice(), taxClassId: this.taxClassId.slice(), rowCrcs: this.rowCrcs.slice() },
      { rows: this.rows, crc: this.crc, modified: this.modified },
    );
    return {
      patch: (productId, codeCrc, price, quantity, taxClassId, crc) => {
        const row = this.rowOfId(productId);
        if (row < 0 || this.codeCrcs[row] !== codeCrc) return false;
        next.price[row] = price;
        next.quantity[row] = quantity;
        next.taxClassId[row] = taxClassId;
        next.crc = (next.crc ^ next.rowCrcs[row]! ^ crc) >>> 0;
        next.rowCrcs[row] = crc;
        return true;
      },
      done: () => next,
    };
  }

  /** A new index with this one's products and codes (shared: never changed once read) and these value arrays. */
  private withValues(
    values: { price: Float64Array; quantity: Int32Array; taxClassId: Int32Array; rowCrcs: Uint32Array },
    counts: { rows?: number; crc?: number; modified?: string } = {},
  ): ProductIndex {
    const next = new ProductIndex(0);
    Object.assign(next, {
      slots: this.slots, rowSlot: this.rowSlot, encoded: this.encoded, codeCrcs: this.codeCrcs, productId: this.productId, first: this.first, count: this.count,
      maxId: this.maxId, ...values, ...counts,
    });
    return next;
  }

  /** The row of a product id (rows are in product_id order), or -1. */
  private rowOfId(productId: number): number {
    return indexOfSorted(this.rows, (row) => this.productId[row]!, productId);
  }

  private growSlots(): void {
    const n = Math.max(1024, this.first.length * 2);
    const f = new Int32Array(n);
    f.set(this.first);
    this.first = f;
    const c = new Int32Array(n);
    c.set(this.count);
    this.count = c;
  }

  /**
   * The push wrote `column` of these product rows at `now`: the index takes the values at once;
   * the checksum follows in the background (`ready()` waits for it), and until then the index
   * is not trusted by anyone else.
   */
  wrote(column: 'price' | 'quantity', rows: ArrayLike<number>, values: ArrayLike<number>, count: number, now: string, skip?: { has(row: number): boolean }): void {
    const target = column === 'price' ? this.price : this.quantity;
    const list = new Int32Array(count);
    let written = 0;
    for (let k = 0; k < count; k++) {
      const row = rows[k]!;
      if (skip?.has(row)) continue;
      target[row] = values[k]!;
      list[written++] = row;
    }
    count = written;
    if (count > 0 && now > this.modified) this.modified = now;
    const sealed = this.signature !== null;
    this.signature = null;
    if (!sealed || count === 0) {
      if (sealed) this.signature = this.own();
      return;
    }
    const previous = this.settling ?? Promise.resolve();
    // Not while the push still journals and answers (100,000 checksums are 50 ms of the server's
    // time, and the tail of a push was CPU-bound): a moment later, or at once when asked (`ready`).
    let start!: () => void;
    const go = new Promise<void>((r) => (start = r));
    const timer = setTimeout(start, SETTLE_AFTER_MS);
    timer.unref?.();
    // A write while an earlier one is still unsettled (within SETTLE_AFTER_MS: a stock push and a
    // prices push may overlap) returns above, unfolded: the checksum then differs from the
    // database's, and the next load reads the changed blocks again (slower, never wrong).
    this.settleNow = () => {
      clearTimeout(timer);
      start();
    };
    this.settling = previous.then(() => go).then(async () => {
      for (let k = 0; k < count; k++) {
        const row = list[k]!;
        const c = rowCrc(this.productId[row]!, this.storedCodeOf(row), this.price[row]!, this.quantity[row]!, this.taxClassId[row]!);
        this.crc = (this.crc ^ this.rowCrcs[row]! ^ c) >>> 0;
        this.rowCrcs[row] = c;
        if (k % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
      }
      this.signature = this.own();
    });
    const mine = this.settling;
    void mine
      .finally(() => {
        if (this.settling === mine) [this.settling, this.settleNow] = [null, () => {}];
      })
      .catch(() => {});
  }

  /** Waits until the checksum includes every write (see `wrote`). */
  async ready(): Promise<void> {
    while (this.settling) {
      this.settleNow();
      await this.settling;
    }
  }

  /** Starts the checksum of the last writes now, not after SETTLE_AFTER_MS. */
  private settleNow: () => void = () => {};

  private own(): Signature {
    return { n: this.rows, maxId: this.maxId, modified: this.modified, crc: this.crc };
  }

  /** After a full read: the database's signature (read before the rows) must be the index's own. */
  seal(db: Signature | null, modified: string): void {
    this.slots.trim();
    this.modified = modified;
    this.signature = db && db.crc === this.crc && db.n === this.rows && db.maxId === this.maxId ? this.own() : null;
  }
}

/** How long after a push's write its checksum waits to begin (the push answers meanwhile). */
export const SETTLE_AFTER_MS = 250;

/**
 * A row's checksum term as the database computes it (mysql.ts): CRC32 of the row string as
 * CONCAT_WS gives it (DECIMAL(15,4) prices), times 2 × id + 1, mod 2^32.
 */
// Math.imul wraps both operands to 32 bits, as the SQL takes the factor mod 2^32 (negative ids too).
function rowCrc(productId: number, code: string, price: number, quantity: number, taxClassId: number): number {
  return Math.imul(crc32(`${productId}|${code}|${price.toFixed(4)}|${quantity}|${taxClassId}`), 2 * productId + 1) >>> 0;
}

interface Cached {
  field: ProductCodeField;
  index: ProductIndex;
}

const warm = new WeakMap<Database, Cached>();

/** How the last index was had: kept warm, warm with changed blocks read again, every value read again, or read whole. */
export type IndexLoad = 'warm' | 'patched' | 'refreshed' | 'read';
const lastLoad = new WeakMap<Database, IndexLoad>();
/** How `loadProductIndex` last had its index on `db` (the push timings print it; tests prove which path a change took). */
export function lastIndexLoad(db: Database): IndexLoad | undefined {
  return lastLoad.get(db);
}

/** Product ids per block of the signature: after a few changes (orders, the owner's edits), only their blocks are read again. */
export const SIGNATURE_BLOCK = 256;
/** Past this share of the blocks changed, the index is refreshed whole (one scan beats many ranges). */
const PATCH_SHARE = 0.25;

interface Block {
  b: number;
  n: number;
  modified: string;
  crc: number;
}

/** The database's signature per block of product ids, and over the whole table. */
async function signatureOf(db: Database, field: ProductCodeField): Promise<{ sig: Signature; blocks: Block[] } | null> {
  const sql = db.dialect.productSignatureSql?.(db.t('product'), field, SIGNATURE_BLOCK);
  if (!sql) return null;
  const rows = db.dialect.rows<{ b: number | string; n: number | string; maxId: number | string | null; modified: string | null; crc: number | string | null }>(await db.knex.raw(sql));
  const sig: Signature = { n: 0, maxId: 0, modified: '', crc: 0 };
  const blocks = rows.map((r) => {
    const block = { b: Number(r.b), n: Number(r.n), modified: String(r.modified ?? ''), crc: Number(r.crc ?? 0) >>> 0 };
    sig.n += block.n;
    sig.maxId = Math.max(sig.maxId, Number(r.maxId ?? 0));
    if (block.modified > sig.modified) sig.modified = block.modified;
    sig.crc = (sig.crc ^ block.crc) >>> 0;
    return block;
  });
  return { sig, blocks };
}

const same = (a: Signature, b: Signature) => a.n === b.n && a.maxId === b.maxId && a.modified === b.modified && a.crc === b.crc;

/**
 * The product index for `field`: the warm one when the database's signature shows nothing
 * changed since (MySQL); else the warm one with the blocks that changed read again, or with every
 * value read again, or one full read. Reads id, code, price, quantity and tax class.
 */
export async function loadProductIndex(db: Database, field: ProductCodeField): Promise<ProductIndex> {
  const signed = await signatureOf(db, field);
  const sig = signed?.sig ?? null;
  const cached = warm.get(db);
  await cached?.index.ready();
  if (sig && cached && cached.field === field && cached.index.signature && same(cached.index.signature, sig)) {
    lastLoad.set(db, 'warm');
    return cached.index;
  }
  warm.delete(db);
  // A table whose products and codes are the ones the warm index holds (only prices, stock or tax
  // classes changed, as between two pushes of a working shop) is patched or refreshed without
  // reading a code. A product added or deleted mostly shows in its block's count (`patchIndex`
  // then reads nothing), but not one deleted and one added above the highest id in the same block:
  // a table whose highest id is above the warm index's is read whole at once, not first patched or
  // refreshed (a refresh streams every row before it can fail) and then read again.
  const grown = !!sig && !!cached?.index.signature && sig.maxId > cached.index.signature.maxId;
  let index: ProductIndex | null = null;
  let how!: IndexLoad;
  if (signed && cached && cached.field === field && !grown) {
    const patched = await patchIndex(db, field, cached.index, signed.blocks);
    index = patched === 'refresh' ? await refreshIndex(db, field, cached.index) : patched === 'read' ? null : patched;
    how = patched === 'refresh' ? 'refreshed' : 'patched';
  }
  if (!index) {
    index = await readIndex(db, field, sig);
    how = 'read';
  }
  lastLoad.set(db, how);
  index.seal(sig, sig?.modified ?? '');
  if (index.signature) warm.set(db, { field, index });
  return index;
}

/**
 * The warm index with the rows of the blocks whose signature changed read again (a few orders
 * change a few products' stock, not the table); 'refresh' when many blocks changed, 'read' when a
 * block's products are not the index's (a product added or deleted, a code changed).
 */
async function patchIndex(db: Database, field: ProductCodeField, old: ProductIndex, blocks: Block[]): Promise<ProductIndex | 'refresh' | 'read'> {
  const crc = db.dialect.productRowCrcSql?.(field);
  if (!crc) return 'refresh';
  const mine = old.blockTerms(SIGNATURE_BLOCK);
  const changed: number[] = [];
  for (const block of blocks) {
    const m = mine.get(block.b);
    if (!m || m.n !== block.n) return 'read';
    mine.delete(block.b);
    // A later date than the index holds: something was saved there (perhaps with the same values).
    if (m.crc !== block.crc || block.modified > old.modifiedAt) changed.push(block.b);
  }
  // A block the index holds and the table no longer has: its products were deleted.
  if (mine.size > 0) return 'read';
  if (changed.length === 0 || changed.length > blocks.length * PATCH_SHARE) return 'refresh';
  const p = old.startPatch();
  const ranges = changed.map((b) => `product_id BETWEEN ${b * SIGNATURE_BLOCK} AND ${(b + 1) * SIGNATURE_BLOCK - 1}`).join(' OR ');
  const columns = `product_id, ${db.dialect.productCodeCrcSql!(field)}, COALESCE(price, 0), COALESCE(quantity, 0), COALESCE(tax_class_id, 0), ${crc}`;
  const whole = await eachProductRow(db, columns, (row) => p.patch(Number(row[0]), Number(row[1]) >>> 0, Number(row[2]), Number(row[3]), Number(row[4]), Number(row[5]) >>> 0), ranges);
  return whole ? p.done() : 'read';
}

/**
 * The whole product table (`eachProductRow`). Where the database keeps a signature (`checked`),
 * each row's checksum terms come with it: the index then checks the read against the signature
 * taken before it without hashing 100,000 rows itself (`seal`). Without a signature (SQLite) the
 * index is never kept warm, and no checksum is needed.
 */
async function readIndex(db: Database, field: ProductCodeField, signed: Signature | null): Promise<ProductIndex> {
  const checked = signed !== null;
  // Sized to the signature's count (a product added since makes the arrays grow once).
  const index = new ProductIndex(signed ? Math.max(1024, signed.n + 64) : undefined);
  const crc = checked ? db.dialect.productRowCrcSql?.(field) : undefined;
  const columns = `product_id, TRIM(COALESCE(${field}, '')), COALESCE(price, 0), COALESCE(quantity, 0), COALESCE(tax_class_id, 0)${crc ? `, ${crc}, ${db.dialect.productCodeCrcSql!(field)}` : ''}`;
  await eachProductRow(db, columns, (r) => index.add(Number(r[0]), String(r[1] ?? ''), Number(r[2]), Number(r[3]), Number(r[4]), crc ? Number(r[5]) >>> 0 : checked ? undefined : 0, crc ? Number(r[6]) >>> 0 : 0));
  return index;
}

/** The warm index with the table's values, or null once a row is not the product and code it holds. */
async function refreshIndex(db: Database, field: ProductCodeField, old: ProductIndex): Promise<ProductIndex | null> {
  const crc = db.dialect.productRowCrcSql?.(field);
  if (!crc) return null;
  const r = old.startRefresh();
  const columns = `product_id, ${db.dialect.productCodeCrcSql!(field)}, COALESCE(price, 0), COALESCE(quantity, 0), COALESCE(tax_class_id, 0), ${crc}`;
  const whole = await eachProductRow(db, columns, (row) => r.refresh(Number(row[0]), Number(row[1]) >>> 0, Number(row[2]), Number(row[3]), Number(row[4]), Number(row[5]) >>> 0));
  return whole ? r.done() : null;
}

/**
 * Every product row's `columns`, in product_id order, never held whole: on MySQL one streamed
 * statement, on SQLite pages by primary key (its one connection, which the admin shares, is free
 * between them). Stops (and answers false) when `each` does.
 */
async function eachProductRow(db: Database, columns: string, each: (row: unknown[]) => boolean | void, where?: string): Promise<boolean> {
  // MySQL: one statement, its rows handled as they arrive (see scanArrays).
  if (db.dialect.scanArrays) return db.dialect.scanArrays(db.knex, `SELECT ${columns} FROM ${db.t('product')}${where ? ` WHERE ${where}` : ''} ORDER BY product_id`, each);
  const pageRows = db.dialect.readPageRows;
  // From the lowest id there can be: a product written by hand may have a negative one.
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const page = await db.dialect.readArrays(db.knex, `SELECT ${columns} FROM ${db.t('product')} WHERE product_id > ${after}${where ? ` AND (${where})` : ''} ORDER BY product_id LIMIT ${pageRows}`);
    for (const r of page) if (each(r) === false) return false;
    if (page.length < pageRows) return true;
    after = Number(page.at(-1)![0]);
    // Other requests get their turn between pages (an awaited SQLite query alone never lets them).
    await new Promise((r) => setImmediate(r));
  }
}
/**
 * The warm index for `field` as it stands, before the database confirmed it (`loadProductIndex`
 * does): a push may match against it meanwhile, and must match again if the load answers with
 * another index. None when no index is kept (SQLite never keeps one).
 */
export function peekProductIndex(db: Database, field: ProductCodeField): ProductIndex | null {
  const cached = warm.get(db);
  return cached && cached.field === field ? cached.index : null;
}

/** Forgets the warm index (tests that write the product table behind erp-bridge's back use the signature instead). */
export function forgetProductIndex(db: Database): void {
  warm.delete(db);
}
