// Writes the changed values of a stock or stock-and-price push: the rows (already matched to
// their products) go into a connection-private temporary table in bulk loads, keyed by
// product_id, and one UPDATE joined on the primary key applies them, scanning the product table
// in its own order (MyISAM writes fastest that way: ~35% quicker than the other order at 100k).
// The join re-checks the code, so a product whose code changed since it was read is left alone:
// on MySQL by the code's CRC32, which the product index read with the row (the table is a MEMORY
// table of fixed-size rows there, see the dialect's `changeTable`), on SQLite by the code itself.
// Each row also carries the value the push compared against (the warm index's, which the
// signature check proved to be the shop's). The products' history gets the same changes, packed
// into JSON blocks by their code's slot (app/plugin/change-blocks.ts: at most 256 rows per
// 20,000-row step, where a row per product cost the database as much as the push's own write), on
// a second connection. A direct push's list hands its codes over as the product index's code
// table: on MySQL both texts are then written straight into bytes (app/shop/change-text.ts), with
// no array or string per change. The history's steps are kept (in their load's form) until the
// shop write begins and loaded beside the UPDATE, when the server only waits and the database has
// a core to spare. Only a push
// of more than HISTORY_HELD rows loads its oldest steps while reading, so memory stays bounded.
// They are awaited right after the UPDATE (a failed history load fails the push, which then says
// the shop was changed: on MyISAM and SQLite it keeps the write, and the failed step's products
// their new values without history); a push that stops before its write never loads the kept
// ones, and one whose document holds a code twice loads them before its write, to take the twin's
// changes out again (`remove`). They count once the run reaches its writing phase (ProductHistory
// reads only such runs); a push that stops before writing takes them out again. Every history
// statement but the re-check's SELECT runs outside the change table's transaction, so none waits on it.
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { sqlDate } from '../db/sql.js';
import type { ProductCodeField } from './products.js';
import { pushTiming } from '../util/push-timings.js';
import { forgetNotInShop, forgetProducts, forgetRun, forgetUnwritten, historyBlocks, historyStep } from '../plugin/product-history.js';
import { slotOf } from '../plugin/change-blocks.js';
import type { CodeTable } from './code-table.js';
import { blocksLoadText, changeLoadText, codeCrcOf } from './change-text.js';

export interface ProductChange {
  productId: number;
  code: string;
  value: number;
  /** The value the change replaces, as the push read it (the history's old value). */
  old?: number | null;
}

/** Changes without an object per change: the k-th product id, its stored code, new and old value, in product_id order. */
export interface ChangeList {
  length: number;
  productId(k: number): number;
  code(k: number): string;
  value(k: number): number;
  old(k: number): number | null;
  /** The k-th code's CRC32 as the database computes it from the product's row (without it: computed here from `code(k)`'s UTF-8). */
  codeCrc?(k: number): number;
  /**
   * Optional, for writing load text without a string per code: the k-th code's entry in `codes`
   * (-1: that code is only had as `code(k)`).
   */
  codeEntry?(k: number): number;
  codes?: CodeTable;
}

const CONCERNS = {
  // Both sides are DECIMAL(15,4) on MySQL and the same rounded doubles on SQLite: no ROUND needed.
  price: { type: 'DECIMAL(15,4)', differs: 'p.price <> s.v' },
  quantity: { type: 'INT', differs: 'p.quantity <> s.v' },
} as const;

const LOAD_ROWS = 20_000;
/**
 * History changes kept, not loaded, until the shop write begins, as their blocks' load form (JSON,
 * about 30 bytes a change with 10-character codes, 100 with 64: 6–20 MB).
 */
export const HISTORY_HELD = 200_000;
/** History steps queued (past HISTORY_HELD) that may wait for their connection before the change table's loads wait too. */
export const HISTORY_AHEAD = 4;
let tables = 0;


function listOf(changes: ProductChange[]): ChangeList {
  const sorted = [...changes].sort((a, b) => a.productId - b.productId);
  return { length: sorted.length, productId: (k) => sorted[k]!.productId, code: (k) => sorted[k]!.code, value: (k) => sorted[k]!.value, old: (k) => sorted[k]!.old ?? null };
}

/**
 * The temporary table of one push's changes, on one connection for its whole life: opened when
 * the push starts, loaded in steps while the document is still being read (only this table is
 * written then: the shop is not touched), and written to the shop by `write` once the whole
 * document was read. `close` always runs (it drops the table and frees the connection).
 */
export class ChangeTable {
  private readonly tmp: string;
  private k!: Knex;
  private release!: (ok: boolean) => Promise<void>;
  private ok = false;
  loaded = 0;
  /** Lowest and highest product id loaded (the SQLite write goes through them in steps). */
  private minId = Infinity;
  private maxId = -Infinity;
  /** Set once the shop write began: from then on the history rows stay whatever happens. */
  private writing = false;
  /** The history loads, one after another on a connection of their own; the first failure. */
  private history: Promise<void> = Promise.resolve();
  private historyFailure: unknown = null;
  /** The history steps queued and not yet loaded, oldest first. */
  private historyQueue: Array<Promise<void>> = [];
  /** The history steps kept until the write begins (not queued yet), oldest first, and their rows. */
  private historyHeld: Array<{ rows: number; load: () => Promise<void> }> = [];
  private heldRows = 0;
  /** Whether a history step was queued (so may have been loaded) since the table was opened or cleared. */
  private historyQueued = false;

  private constructor(
    private readonly db: Database,
    private readonly field: ProductCodeField,
    private readonly column: keyof typeof CONCERNS,
    /** The journal run the products' history is loaded under (none: no history). */
    private readonly historyRun?: number,
    /** Rows per load step (LOAD_ROWS; tests give a few, to see the history's bound without 100,000 rows). */
    private readonly loadRows = LOAD_ROWS,
    /** History rows kept until the write begins (HISTORY_HELD; tests give a few steps' worth). */
    private readonly heldRowsMax = HISTORY_HELD,
  ) {
    // A step of no rows would never end the load loop.
    if (!Number.isInteger(loadRows) || loadRows < 1) throw new RangeError(`loadRows must be a whole number of at least 1, not ${loadRows}`);
    if (!Number.isInteger(heldRowsMax) || heldRowsMax < 0) throw new RangeError(`heldRows must be a whole number of at least 0, not ${heldRowsMax}`);
    // One name per table: on SQLite every caller shares the one connection.
    this.tmp = `${db.prefix}erpb_changes${db.dialect.name === 'sqlite' ? `_${++tables}` : ''}`;
  }

  static async open(db: Database, field: ProductCodeField, column: keyof typeof CONCERNS, historyRun?: number, opts: { loadRows?: number; heldRows?: number } = {}): Promise<ChangeTable> {
    const t = new ChangeTable(db, field, column, historyRun, opts.loadRows, opts.heldRows);
    const pinned = await db.dialect.pinConnection(db.knex);
    t.k = pinned.knex;
    t.release = pinned.release;
    try {
      await db.dialect.dropTempTable(t.k, t.tmp);
      await db.dialect.changeTable.create(t.k, t.tmp, `product_id INT NOT NULL PRIMARY KEY, ${db.dialect.changeTable.codeColumnsSql}, v ${CONCERNS[column].type} NOT NULL, old ${CONCERNS[column].type} NULL`);
    } catch (err) {
      await t.release(false);
      throw err;
    }
    return t;
  }

  async load(changes: ChangeList, from = 0, to = changes.length): Promise<void> {
    // Steps of about loadRows (at most half as many again), of even size: a step has a cost of its
    // own (22,000 rows as 20,000 and 2,000 took about 30 ms more than as one), and a direct push
    // hands over 20,000 to 20,999 changes at a time.
    const step = Math.ceil((to - from) / Math.max(1, Math.round((to - from) / this.loadRows)));
    for (let i = from; i < to; i += step) {
      const end = Math.min(to, i + step);
      const w = changes.codes && changes.codeEntry ? this.db.dialect.loadTextWriter() : null;
      let history: (() => Promise<void>) | undefined;
      if (w) {
        // Written straight into the load's text, and the history's blocks from the same codes.
        const kept = changeLoadText(w, changes, i, end);
        [this.minId, this.maxId] = [Math.min(this.minId, kept.minId), Math.max(this.maxId, kept.maxId)];
        if (this.historyRun !== undefined) history = historyBlocks(this.db, this.historyRun, this.column, blocksLoadText(w, changes, i, kept));
        await this.db.dialect.bulkInsert(this.k, this.tmp, this.columns, kept);
      } else {
        const rows: unknown[][] = [];
        for (let k = i; k < end; k++) {
          const id = changes.productId(k);
          if (id < this.minId) this.minId = id;
          if (id > this.maxId) this.maxId = id;
          rows.push([id, changes.code(k), changes.value(k), changes.old(k)]);
        }
        if (this.historyRun !== undefined) history = historyStep(this.db, this.historyRun, this.column, rows);
        // The history keeps the code; the change table, where the dialect says so, its CRC32.
        const table = this.db.dialect.changeTable.codeColumn === 'code' ? rows : rows.map((r, j) => [r[0], codeCrcOf(changes, i + j), slotOf(r[1] as string), r[2], r[3]]);
        await this.db.dialect.bulkInsert(this.k, this.tmp, this.columns, table);
      }
      this.loaded += end - i;
      if (history) {
        // Packed into blocks now (the rows go with this step), and kept in their load's form.
        this.historyHeld.push({ rows: end - i, load: history });
        this.heldRows += end - i;
        while (this.heldRows > this.heldRowsMax) {
          const oldest = this.historyHeld.shift()!;
          this.heldRows -= oldest.rows;
          this.queueHistory(oldest.load);
        }
        // A history connection that falls behind slows the loads down rather than holding every
        // waiting step's rows: at a million records the queue alone held over 100 MB.
        while (this.historyQueue.length >= HISTORY_AHEAD) await this.historyQueue.shift();
      }
    }
  }

  private get columns(): string[] {
    return ['product_id', ...this.db.dialect.changeTable.codeColumns, 'v', 'old'];
  }

  /**
   * Takes rows out again (products whose code turned out to stand twice in the document). With
   * their stored codes, the history reads only those codes' blocks; without, every block of the run.
   */
  async remove(productIds: number[], codes?: string[]): Promise<void> {
    await this.historyLoaded();
    for (let i = 0; i < productIds.length; i += 1000) {
      const ids = productIds.slice(i, i + 1000).map((n) => Number(n)).join(', ');
      await this.k.raw(`DELETE FROM ${this.tmp} WHERE product_id IN (${ids})`);
    }
    if (this.historyRun !== undefined) await forgetProducts(this.db, this.historyRun, this.column, productIds, codes);
  }

  /**
   * Empties the table, and the history loaded or kept with it: the push matched its records
   * against a warm index the database then showed was stale, and matches them again. Only
   * before the write; the caller waits for its loads to stop first.
   */
  async clear(): Promise<void> {
    if (this.writing) throw new Error('the change table cannot be cleared once the shop write began');
    await this.forgetHistory();
    if (this.historyFailure) throw this.historyFailure;
    if (this.loaded > 0) await this.k.raw(`DELETE FROM ${this.tmp}`);
    [this.loaded, this.minId, this.maxId] = [0, Infinity, -Infinity];
  }

  /**
   * Before the write: the kept history steps are dropped, the queued ones waited for, and what
   * they loaded taken out again. Only steps queued past the kept rows reach the history tables
   * (none below HISTORY_HELD): without one, there is nothing to take out.
   */
  private async forgetHistory(): Promise<void> {
    [this.historyHeld, this.heldRows] = [[], 0];
    await this.history;
    this.historyQueue = [];
    if (this.historyRun !== undefined && this.historyQueued) await forgetRun(this.db.knex, this.db, this.historyRun);
    this.historyQueued = false;
  }

  /** Loads a history step after those before it, on the history's connection. */
  private queueHistory(load: () => Promise<void>): void {
    this.historyQueued = true;
    // After a failure the steps still to come are skipped while the document is read (the push
    // fails before the shop is written); once the write has begun, every step is still loaded,
    // so that a shop that keeps its write (MyISAM, SQLite) loses no more history than the step that failed.
    this.history = this.history.then(() => (this.historyFailure && !this.writing ? undefined : load())).catch((err) => {
      this.historyFailure ??= err;
    });
    this.historyQueue.push(this.history);
  }

  /** Queues every kept history step. */
  private releaseHistory(): void {
    for (const step of this.historyHeld.splice(0)) this.queueHistory(step.load);
    this.heldRows = 0;
  }

  /** Waits for the history loads (the kept steps too); throws the first that failed (nothing is written then). */
  private async historyLoaded(): Promise<void> {
    this.releaseHistory();
    await this.history;
    if (this.historyFailure) throw this.historyFailure;
  }

  /** Writes the loaded changes to the shop; returns how many products were written. */
  async write(now: string, opts: { tableRows?: number; rows: number; onStep?: (done: number, total: number) => Promise<void> | void }): Promise<number> {
    const { db, k, tmp, field, column, historyRun } = this;
    // The history's kept steps are loaded beside the UPDATE (and awaited right after it).
    if (this.historyFailure) throw this.historyFailure;
    this.writing = true;
    this.releaseHistory();
    const total = opts.rows;
    let written = 0;
    const stepRows = db.dialect.updateStepRows;
    const steps = stepRows >= total ? 1 : Math.ceil(total / stepRows);
    const span = Math.ceil((this.maxId - this.minId + 1) / steps);
    for (let i = 0; i < steps; i++) {
      const between = `BETWEEN ${this.minId + i * span} AND ${this.minId + (i + 1) * span - 1}`;
      const range = steps === 1 ? '' : ` AND s.product_id ${between}`;
      // The product's history (what changes, old and new), copied from the same rows before they are written.
      const result = await k.raw(db.dialect.joinUpdate({
        table: db.t('product'), alias: 'p', from: tmp, fromAlias: 's', straight: opts.tableRows === undefined || total * 5 >= opts.tableRows,
        on: 's.product_id = p.product_id',
        set: { [column]: 's.v', date_modified: sqlDate(now) },
        where: `${db.dialect.changeTable.codeMatches(field)} AND ${CONCERNS[column].differs}${range}`,
      }));
      written += db.dialect.affectedRows(result);
      if (historyRun !== undefined) pushTiming(historyRun, `updated ${i + 1}/${steps}`);
      await opts.onStep?.(i + 1, steps);
      // Other requests (the admin on SQLite) get their turn between steps.
      if (steps > 1) await new Promise((r) => setImmediate(r));
    }
    await this.historyLoaded();
    if (historyRun !== undefined) pushTiming(historyRun, 'history loaded');
    // A row the UPDATE left alone (its code or value changed in the shop since the push read it)
    // leaves the history again: rare, so this join runs only then.
    if (historyRun !== undefined && written < total) await forgetUnwritten(k, db, historyRun, tmp, field, column);
    this.ok = true;
    return written;
  }

  async close(): Promise<void> {
    try {
      // Stopped before the shop was written (a refused document, a twin, an error): the history
      // loaded so far describes nothing that happened, and the kept steps are never loaded.
      if (!this.writing) await this.forgetHistory();
      else {
        this.releaseHistory();
        await this.history;
      }
      await this.db.dialect.dropTempTable(this.k, this.tmp);
    } finally {
      await this.release(this.ok);
    }
    // Failed after the write began: on InnoDB the release above took the write back, and the
    // history (loaded on another connection, outside that transaction) must not show a change
    // the shop does not hold. Best effort: the push's own error is what the caller reports.
    if (this.historyRun !== undefined && this.writing && !this.ok) await forgetNotInShop(this.db, this.historyRun, this.column).catch(() => {});
  }
}

/**
 * Returns how many products were written. `onStep(done, total)` reports the steps written so
 * far (the run's progress); `onLoaded` runs once all are loaded (tests stop there).
 */
export async function applyProductChanges(
  db: Database,
  field: ProductCodeField,
  column: keyof typeof CONCERNS,
  input: ProductChange[] | ChangeList,
  now: string,
  onLoaded?: () => Promise<void> | void,
  /** The journal run the products' history is written under (none: no history). */
  historyRun?: number,
  onStep?: (done: number, total: number) => Promise<void> | void,
  /** How many products the table has: a change of most of them is written scanning the product table in its order, a few by looking each up. */
  tableRows?: number,
): Promise<number> {
  const changes = Array.isArray(input) ? listOf(input) : input;
  if (changes.length === 0) return 0;
  const table = await ChangeTable.open(db, field, column, historyRun);
  try {
    await table.load(changes);
    await onLoaded?.();
    return await table.write(now, { tableRows, rows: changes.length, onStep });
  } finally {
    await table.close();
  }
}
