// What the ERP changed on each product, and when, per push and concern (price, stock, promo price),
// written set-based with the shop write it describes, never one statement per product. Two forms:
// - stock and price pushes write blocks, one row each (product_change_block,
//   app/plugin/change-blocks.ts: up to 256 per 20,000-row load step, ~80 changes each; a push of
//   a few, one per change): a row per product cost the database as much as the push's own write.
//   Indexed by (run_id, slot): a code's block follows from its hash;
// - full sync's prices and the promo prices, written by INSERT … SELECT from their staging table,
//   are one row per product (product_change), indexed by (run_id, code) (migrations 010 and 012).
// Retention deletes both by run; a product's history is read run by run, newest first, looking its
// code up within each.
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import type { KeptRows } from '../db/dialects/types.js';
import { sqlInt } from '../db/sql.js';
import { packBlocks, quoted, repack, slotOf, unpackBlock, type BlockEntry } from './change-blocks.js';

export type ChangeField = 'price' | 'quantity' | 'promo';

/** The journal kinds whose runs write the history (stock, stock-and-price or full sync, promo prices). */
const HISTORY_KINDS = ['stock', 'prices', 'promo-prices'];
/**
 * Runs read per step of a product's history: most products change in most pushes, and a page is
 * 50 rows. In each run the database reads the code's slot's blocks (one per 20,000 changes, about
 * 2.5 KB) and sends only those that hold the code.
 */
const RUN_BATCH = 1000;

export interface ProductChangeRow {
  /** The history row's id (a block's entries share their block's). */
  id: number;
  run_id: number;
  product_id: number;
  code: string;
  field: ChangeField;
  old_value: number | null;
  new_value: number | null;
  promo_start: string | null;
  promo_end: string | null;
  started_at: string;
  kind: string;
  dry_run: number | boolean;
  /** The run's status: a run that failed or was interrupted while writing may not have made the change. */
  run_status: string;
}

/**
 * Stock and stock-and-price pushes: a load step's change rows [product_id, code, new value, old
 * value] packed as history blocks (the old value is the one the push compared against: its product
 * index, proved current by the signature check), kept in the least memory the dialect loads them
 * from. Returns the step's load, run when the push decides (see ChangeTable); its rows count from
 * the run's writing phase on (`changes`). The UPDATE's own re-check may still leave a row alone
 * (the shop changed it meanwhile): `forgetUnwritten` takes those out after it.
 */
export function historyStep(db: Database, runId: number, column: 'price' | 'quantity', rows: unknown[][]): () => Promise<void> {
  return historyBlocks(db, runId, column, db.dialect.keepRows(packBlocks(rows)));
}

/** The load of a step's blocks already packed (rows [slot, entries, data], or their load text: `writeBlocks`). */
export function historyBlocks(db: Database, runId: number, column: 'price' | 'quantity', kept: KeptRows): () => Promise<void> {
  return () => db.dialect.bulkInsert(db.knex, db.own('product_change_block'), ['slot', 'entries', 'data'], kept, { run_id: runId, field: column });
}

type Block = { id: number; field: string; entries: BlockEntry[] };
/** Blocks read per page on the rare paths: a million-change run has up to 12,800 of them. */
export const BLOCK_PAGE = 500;

/** A run's blocks (of one concern, and of some slots, when given), decoded, a page at a time by id. */
async function* blockPages(db: Database, runId: number, column?: string, slots?: number[]): AsyncGenerator<Block[]> {
  for (let after = 0; ; ) {
    const rows = (await db.knex(db.own('product_change_block'))
      .where('run_id', runId)
      .where('id', '>', after)
      .modify((q) => void (column && q.where('field', column)))
      .modify((q) => void (slots && q.whereIn('slot', [...new Set(slots)])))
      .orderBy('id')
      .limit(BLOCK_PAGE)
      .select('id', 'field', 'data')) as Array<{ id: number | string; field: string; data: string }>;
    if (!rows.length) return;
    yield rows.map((r) => ({ id: Number(r.id), field: r.field, entries: unpackBlock(r.data) }));
    if (rows.length < BLOCK_PAGE) return;
    after = Number(rows.at(-1)!.id);
  }
}

/**
 * Takes the changes `drop` names out of a page of blocks: a block that loses some is rewritten by
 * one UPDATE of its own row, the emptied ones go in one DELETE, the page's statements in one
 * transaction (the plugin's tables are InnoDB on MySQL; SQLite's transactions are atomic too).
 * Only the rare paths (a twin in the document, a row the UPDATE left alone, a write taken back)
 * come here.
 */
async function dropFrom(db: Database, page: Block[], drop: (e: BlockEntry) => boolean): Promise<void> {
  const gone: number[] = [];
  const rewritten: Array<{ id: number; entries: BlockEntry[] }> = [];
  for (const b of page) {
    const left = b.entries.filter((e) => !drop(e));
    if (left.length === b.entries.length) continue;
    if (left.length) rewritten.push({ id: b.id, entries: left });
    else gone.push(b.id);
  }
  if (!gone.length && !rewritten.length) return;
  const table = db.own('product_change_block');
  await db.knex.transaction(async (trx) => {
    if (gone.length) await trx(table).whereIn('id', gone).delete();
    for (const r of rewritten) await trx(table).where('id', r.id).update(repack(r.entries));
  });
}

/** Every change a run recorded, both forms, as rows (tests read a run whole this way). */
export async function runChanges(db: Database, runId: number): Promise<Array<{ product_id: number; code: string; field: string; old_value: number | null; new_value: number | null }>> {
  const rows = (await db.knex(db.own('product_change')).where('run_id', runId).orderBy('id').select('product_id', 'code', 'field', 'old_value', 'new_value')) as Array<Record<string, unknown>>;
  const out = rows.map((r) => ({ product_id: Number(r.product_id), code: String(r.code), field: String(r.field), old_value: r.old_value === null ? null : Number(r.old_value), new_value: r.new_value === null ? null : Number(r.new_value) }));
  for await (const page of blockPages(db, runId)) {
    for (const b of page) for (const e of b.entries) out.push({ product_id: e.productId, code: e.code, field: b.field, old_value: e.old, new_value: e.value });
  }
  return out;
}

/** A run's history rows, all of them (the push stopped before it wrote the shop). */
export async function forgetRun(trx: Knex | Knex.Transaction, db: Database, runId: number): Promise<void> {
  await trx.raw(`DELETE FROM ${db.own('product_change_block')} WHERE run_id = ${sqlInt(runId)}`);
  await trx.raw(`DELETE FROM ${db.own('product_change')} WHERE run_id = ${sqlInt(runId)}`);
}

/**
 * Takes the named products' changes of one concern out of a run's blocks (a code that stood twice
 * in the document). With their stored codes, only the blocks of those codes' slots are read.
 * A push has one change table, and its rewrites come one after another: no two rewrite a block at once.
 */
export async function forgetProducts(db: Database, runId: number, column: 'price' | 'quantity', productIds: readonly number[], codes?: readonly string[]): Promise<void> {
  const ids = new Set(productIds.map(Number));
  if (!ids.size) return;
  // Codes that do not pair with the ids (none, or not one each) narrow nothing: every block is read.
  const slots = codes && codes.length === productIds.length ? codes.map(slotOf) : undefined;
  for await (const page of blockPages(db, runId, column, slots)) await dropFrom(db, page, (e) => ids.has(e.productId));
}

/**
 * After the UPDATE wrote fewer rows than `from` holds: the changes of products that do not now
 * have the pushed value under the pushed code (the UPDATE did not write them) leave the history.
 * `trx` is the change table's connection: `from` is its temporary table, and it sees its own write
 * (this SELECT is the one history statement in the change table's transaction).
 */
export async function forgetUnwritten(trx: Knex | Knex.Transaction, db: Database, runId: number, from: string, codeField: string, column: 'price' | 'quantity'): Promise<void> {
  // The change table has the code (SQLite) or its CRC32 and its slot (MySQL).
  const { codeColumn, codeMatches } = db.dialect.changeTable;
  const withCode = codeColumn === 'code';
  const rows = (await trx({ s: from })
    .leftJoin({ p: db.t('product') }, 'p.product_id', 's.product_id')
    .whereNull('p.product_id')
    .orWhereRaw(`NOT (${codeMatches(codeField)})`)
    .orWhereRaw(`p.${column} <> s.v`)
    .select(['s.product_id', withCode ? 's.code' : 's.code_slot'])) as Array<{ product_id: number | string; code?: string; code_slot?: number | string }>;
  const unwritten = new Set(rows.map((r) => Number(r.product_id)));
  // The blocks were loaded on the history's own connection: read (and rewritten) there, not in
  // `trx`, whose InnoDB snapshot may be older than they are. Only the blocks of the codes' slots.
  const slots = rows.map((r) => (withCode ? slotOf(r.code!) : Number(r.code_slot)));
  if (unwritten.size) for await (const page of blockPages(db, runId, column, slots)) await dropFrom(db, page, (e) => unwritten.has(e.productId));
}

/**
 * After a push failed once its write had begun: the history rows of products that do not hold
 * the new value now. Where the write was taken back (InnoDB's rollback) that is all of them;
 * where it stayed (MyISAM, SQLite) none, or those a write cut short did not reach. A page of
 * blocks at a time: what the shop holds for its products (one set-based read), then the rewrite.
 */
export async function forgetNotInShop(db: Database, runId: number, column: 'price' | 'quantity'): Promise<void> {
  for await (const page of blockPages(db, runId, column)) {
    const ids = [...new Set(page.flatMap((b) => b.entries.map((e) => e.productId)))];
    const held = new Map<number, number>();
    for (let i = 0; i < ids.length; i += 10_000) {
      const rows = (await db.knex(db.t('product')).whereIn('product_id', ids.slice(i, i + 10_000)).select('product_id', `${column} as v`)) as Array<{ product_id: number | string; v: unknown }>;
      for (const r of rows) held.set(Number(r.product_id), Number(r.v));
    }
    await dropFrom(db, page, (e) => held.get(e.productId) !== e.value);
  }
}

/** Full sync: the staged prices that are about to change (called before they are written). */
export async function recordStagedPrices(db: Database, runId: number, stage: string): Promise<void> {
  await db.knex.raw(
    `INSERT INTO ${db.own('product_change')} (run_id, product_id, code, field, old_value, new_value)
     SELECT s.run_id, s.product_id, s.code, 'price', CASE WHEN s.outcome = 'created' THEN NULL ELSE p.price END, s.price
     FROM ${stage} s JOIN ${db.t('product')} p ON p.product_id = s.product_id
     WHERE s.run_id = ${sqlInt(runId)} AND s.match_count = 1 AND s.outcome IN ('updated', 'created') AND s.price IS NOT NULL
       AND (s.outcome = 'created' OR p.price <> s.price)`,
  );
}

/** Promo prices: every special that was written (0 = the promo was ended), with its dates as staged. */
export async function recordStagedPromos(db: Database, runId: number, stage: string): Promise<void> {
  await db.knex.raw(
    `INSERT INTO ${db.own('product_change')} (run_id, product_id, code, field, old_value, new_value, promo_start, promo_end)
     SELECT s.run_id, s.product_id, s.code, 'promo', NULL, s.promo, s.promo_start, s.promo_end
     FROM ${stage} s
     WHERE s.run_id = ${sqlInt(runId)} AND s.match_count = 1 AND s.outcome = 'updated' AND s.product_id IS NOT NULL`,
  );
}

export class ProductHistory {
  /** `runBatch`: runs read per step (tests make it small to cross a step). */
  constructor(private readonly db: Database, private readonly opts: { runBatch?: number } = {}) {}

  /**
   * A product's changes, newest first, keyset-paginated by run: a page holds whole runs, at least
   * `limit` rows unless no older run has any (so `beforeRun` = the page's last run never skips
   * part of a run). `codes` may hold the stored and the plain form. `productIds` has no index:
   * it reads each run's rows whole (the admin finds products by code), so keep it for the few
   * ids of one product, never a hot path.
   */
  async changes(f: { codes: string[]; productIds: number[]; beforeRun?: number; limit: number }): Promise<ProductChangeRow[]> {
    if (!f.codes.length && !f.productIds.length) return [];
    const { knex } = this.db;
    const out: ProductChangeRow[] = [];
    const batch = this.opts.runBatch ?? RUN_BATCH;
    let before = f.beforeRun;
    for (;;) {
      // The runs that may have written history, newest first, a batch at a time (journal_run's
      // (kind, id) index): a stock or price push loads its rows while it reads the document, so
      // they describe a change only once the run got to write the shop (a run stopped earlier
      // by a crash keeps them).
      const runs = (await knex(this.db.own('journal_run'))
        .whereIn('kind', HISTORY_KINDS)
        .where((w) => w.where('phase', 'writing').orWhereIn('status', ['ok', 'partial']))
        .modify((q) => void (before !== undefined && q.where('id', '<', before)))
        .orderBy('id', 'desc')
        .limit(batch)
        .select('id', 'started_at', 'kind', 'dry_run', 'status')) as Array<{ id: number | string; started_at: string; kind: string; dry_run: unknown; status: string }>;
      if (!runs.length) return out;
      const byId = new Map(runs.map((r) => [Number(r.id), r]));
      // Both forms side by side (on MySQL, two connections).
      const found = (await Promise.all([this.rowsOf([...byId.keys()], f), this.blockEntriesOf([...byId.keys()], f)])).flat();
      // Newest run first; within a run, the last written first.
      found.sort((a, b) => b.run_id - a.run_id || b.order - a.order);
      for (const r of found) {
        // A page ends only between runs.
        if (out.length >= f.limit && r.run_id !== out.at(-1)!.run_id) return out;
        const run = byId.get(r.run_id)!;
        out.push({ ...r.row, run_id: r.run_id, started_at: run.started_at, kind: run.kind, dry_run: run.dry_run as ProductChangeRow['dry_run'], run_status: run.status });
      }
      if (out.length >= f.limit || runs.length < batch) return out;
      before = Number(runs.at(-1)!.id);
    }
  }

  /** Within these runs, the one-row-per-product history (full sync's prices, promos), by (run_id, code). */
  private async rowsOf(runIds: number[], f: { codes: string[]; productIds: number[] }): Promise<Found[]> {
    const rows = (await this.db.knex(this.db.own('product_change'))
      .whereIn('run_id', runIds)
      .where((w) => {
        if (f.codes.length) w.whereIn('code', f.codes);
        if (f.productIds.length) w.orWhereIn('product_id', f.productIds);
      })
      .select('id', 'run_id', 'product_id', 'code', 'field', 'old_value', 'new_value', 'promo_start', 'promo_end')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      run_id: Number(r.run_id),
      // Before the block entries of its run (a run writes one form per concern), the last written first.
      order: Number(r.id) * 2 ** 20,
      row: {
        id: Number(r.id), product_id: Number(r.product_id), code: String(r.code), field: r.field as ChangeField,
        old_value: r.old_value === null ? null : Number(r.old_value), new_value: r.new_value === null ? null : Number(r.new_value),
        promo_start: (r.promo_start as string | null) ?? null, promo_end: (r.promo_end as string | null) ?? null,
      },
    }));
  }

  /**
   * Within these runs, the blocks of the codes' slots (by (run_id, slot)) that hold one of the
   * codes' quoted JSON forms (INSTR, byte-exact under utf8mb4_bin and in SQLite; a code's quoted
   * form may also stand inside another, escaped code: such a block is sent and its entries are
   * filtered here), and their entries of those codes. Product ids have no slot: with `productIds`,
   * every block of the runs is read, a run and a page at a time (memory stays bounded, the time
   * does not: never the admin's path, which finds products by code).
   */
  private async blockEntriesOf(runIds: number[], f: { codes: string[]; productIds: number[] }): Promise<Found[]> {
    const codes = new Set(f.codes);
    const ids = new Set(f.productIds.map(Number));
    const out: Found[] = [];
    const take = (runId: number, blockId: number, field: ChangeField, entries: BlockEntry[]) => {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (!codes.has(e.code) && !ids.has(e.productId)) continue;
        out.push({
          run_id: runId,
          order: blockId * 2 ** 20 + i - 2 ** 52,
          row: { id: blockId, product_id: e.productId, code: e.code, field, old_value: e.old, new_value: e.value, promo_start: null, promo_end: null },
        });
      }
    };
    if (ids.size) {
      for (const runId of runIds) for await (const page of blockPages(this.db, runId)) for (const b of page) take(runId, b.id, b.field as ChangeField, b.entries);
      return out;
    }
    const blocks = (await this.db.knex(this.db.own('product_change_block'))
      .whereIn('run_id', runIds)
      .whereIn('slot', [...new Set(f.codes.map(slotOf))])
      .where((w) => {
        for (const c of f.codes) w.orWhereRaw('INSTR(data, ?) > 0', [quoted(c)]);
      })
      .select('id', 'run_id', 'field', 'data')) as Array<{ id: number | string; run_id: number | string; field: ChangeField; data: string }>;
    for (const b of blocks) take(Number(b.run_id), Number(b.id), b.field, unpackBlock(b.data));
    return out;
  }
}

/** A history entry found for the product page: its run, where it stands within the run, and the change. */
interface Found {
  run_id: number;
  order: number;
  row: Omit<ProductChangeRow, 'run_id' | 'started_at' | 'kind' | 'dry_run' | 'run_status'>;
}
