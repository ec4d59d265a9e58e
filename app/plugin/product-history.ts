// What the ERP changed on each product, and when, per push and concern (price, stock, promo price),
// written set-based with the shop write it describes, never one statement per product. Two forms:
// - stock and price pushes write blocks, one row each (product_change_block,
//   app/plugin/change-blocks.ts: up to 256 per 20,000-row load step, ~80 changes each; a push of
//   a few, one per change): a row per product cost the database as much as the push's own write.
//   A code's blocks are all in the slot of its hash, found newest first by (slot, run_id);
//   Promo prices and full sync's prices decided in memory (net promos and net prices) write
//   blocks too (history-blocks.ts), promos with their dates (round 24: 100,000 rows took MariaDB
//   0.55–0.8 s beside the specials' own writes, on the same two cores; full sync's, round 25, 2 s);
// - the other promo prices (a 0, a gross promo) and full sync's gross prices, compared in SQL and
//   written by INSERT … SELECT from their staging table, are one row per product (product_change),
//   indexed by (run_id, code) (migrations 010 and 012); the runs that wrote any are listed once
//   each in product_change_run (migration 014).
// Retention deletes all three by run. The product page reads a code's history newest first from
// both forms at once: never run by run through the journal (migration 014 says why).
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import type { KeptRows } from '../db/dialects/types.js';
import { sqlInt } from '../db/sql.js';
import { packBlocks, quoted, repack, slotOf, unpackBlock, type BlockEntry } from './change-blocks.js';

export type ChangeField = 'price' | 'quantity' | 'promo';

/** The journal kinds whose runs write the history (stock, stock-and-price or full sync, promo prices). */
const HISTORY_KINDS = ['stock', 'prices', 'promo-prices'];
/**
 * A step of the product page's read: blocks read per slot (a code changed in every run has a block
 * or two in each: a page of 50 rows needs about 50), and runs that wrote history rows looked up
 * (point reads by (run_id, code), a few bytes each unless they hold the code).
 */
const BLOCK_STEP = 200;
const ROW_RUN_STEP = 1000;
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
export function historyBlocks(db: Database, runId: number, column: ChangeField, kept: KeptRows): () => Promise<void> {
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
  await trx.raw(`DELETE FROM ${db.own('product_change_run')} WHERE run_id = ${sqlInt(runId)}`);
}

/**
 * Lists the run among those that wrote history rows (the product page walks only those), before
 * its rows are written: rows without their run would never be shown.
 */
export async function listRowRun(db: Database, runId: number): Promise<void> {
  await db.knex.raw(`${db.dialect.insertIgnore()} INTO ${db.own('product_change_run')} (run_id) VALUES (${sqlInt(runId)})`);
}

/**
 * Writes a run's history rows (`insert`: an INSERT … SELECT), its run listed first and taken off
 * the list again when it wrote none (a promo push that changed nothing): every listed run is one
 * more point read for the product page.
 */
async function writeRows(db: Database, runId: number, insert: string): Promise<void> {
  await listRowRun(db, runId);
  if (db.dialect.affectedRows(await db.knex.raw(insert)) === 0) await db.knex(db.own('product_change_run')).where('run_id', runId).delete();
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

/** Full sync's gross prices (made net in SQL): the staged prices that are about to change (called before they are written). */
export async function recordStagedPrices(db: Database, runId: number, stage: string): Promise<void> {
  await writeRows(
    db,
    runId,
    `INSERT INTO ${db.own('product_change')} (run_id, product_id, code, field, old_value, new_value)
     SELECT s.run_id, s.product_id, s.code, 'price', CASE WHEN s.outcome = 'created' THEN NULL ELSE p.price END, s.price
     FROM ${stage} s JOIN ${db.t('product')} p ON p.product_id = s.product_id
     WHERE s.run_id = ${sqlInt(runId)} AND s.match_count = 1 AND s.outcome IN ('updated', 'created') AND s.price IS NOT NULL
       AND (s.outcome = 'created' OR p.price <> s.price)`,
  );
}

/** Promo prices: every special that was written (0 = the promo was ended), with its dates as staged. */
export async function recordStagedPromos(db: Database, runId: number, stage: string): Promise<void> {
  await writeRows(
    db,
    runId,
    `INSERT INTO ${db.own('product_change')} (run_id, product_id, code, field, old_value, new_value, promo_start, promo_end)
     SELECT s.run_id, s.product_id, s.code, 'promo', NULL, s.promo, s.promo_start, s.promo_end
     FROM ${stage} s
     WHERE s.run_id = ${sqlInt(runId)} AND s.match_count = 1 AND s.outcome = 'updated' AND s.product_id IS NOT NULL`,
  );
}

export class ProductHistory {
  /** `blockStep`, `rowRunStep`: a step's size (tests make them small to cross steps). */
  constructor(private readonly db: Database, private readonly opts: { blockStep?: number; rowRunStep?: number } = {}) {}

  /**
   * A product's changes, newest first, keyset-paginated by run: a page holds whole runs, at least
   * `limit` rows unless no older run has any (so `beforeRun` = the page's last run never skips
   * part of a run). `codes` may hold the stored and the plain form.
   *
   * A step reads each form down from `before`, side by side: the blocks of each code's slot that
   * hold the code, newest first, and the rows of the code in the newest runs that wrote rows. Each
   * source has read all it holds from some run up (`from`); the step keeps what lies at or above
   * the higher of the two (the other source may not have reached below it yet), and the next step
   * reads on from there. A source that read to the start is not read again: what it found below
   * is kept. The runs' journal entries decide which runs count.
   */
  async changes(f: { codes: string[]; beforeRun?: number; limit: number }): Promise<ProductChangeRow[]> {
    if (!f.codes.length) return [];
    const out: ProductChangeRow[] = [];
    let before = f.beforeRun ?? Number.MAX_SAFE_INTEGER;
    const sources = [(b: number) => this.rowsBelow(b, f.codes), ...[...new Set(f.codes.map(slotOf))].map((slot) => (b: number) => this.blocksBelow(b, slot, f.codes))];
    let last: Array<{ from: number; found: Found[] }> = [];
    for (;;) {
      const below = before;
      const reads = await Promise.all(sources.map((read, i) => (last[i]?.from === 0 ? { from: 0, found: last[i]!.found.filter((r) => r.run_id < below) } : read(below))));
      last = reads;
      const from = Math.max(...reads.map((r) => r.from));
      const found = reads.flatMap((r) => r.found).filter((r) => r.run_id >= from);
      const runs = await this.runsShown([...new Set(found.map((r) => r.run_id))]);
      // Newest run first; within a run, the last written first.
      found.sort((a, b) => b.run_id - a.run_id || b.order - a.order);
      for (const r of found) {
        const run = runs.get(r.run_id);
        if (!run) continue;
        // A page ends only between runs.
        if (out.length >= f.limit && r.run_id !== out.at(-1)!.run_id) return out;
        out.push({ ...r.row, run_id: r.run_id, started_at: run.started_at, kind: run.kind, dry_run: run.dry_run as ProductChangeRow['dry_run'], run_status: run.status });
      }
      if (out.length >= f.limit || from === 0) return out;
      before = from;
    }
  }

  /**
   * Of these runs, those whose history counts (journal_run's primary key): a stock or price push
   * loads its rows while it reads the document, so they describe a change only once the run got
   * to write the shop (a run stopped earlier by a crash keeps them).
   */
  private async runsShown(runIds: number[]): Promise<Map<number, { started_at: string; kind: string; dry_run: unknown; status: string }>> {
    if (!runIds.length) return new Map();
    const runs = (await this.db.knex(this.db.own('journal_run'))
      .whereIn('id', runIds)
      .whereIn('kind', HISTORY_KINDS)
      .where((w) => w.where('phase', 'writing').orWhereIn('status', ['ok', 'partial']))
      .select('id', 'started_at', 'kind', 'dry_run', 'status')) as Array<{ id: number | string; started_at: string; kind: string; dry_run: unknown; status: string }>;
    return new Map(runs.map((r) => [Number(r.id), r]));
  }

  /**
   * The one-row-per-product history (full sync's prices, promos) of the newest runs below `before`
   * that wrote any (product_change_run), looked up by (run_id, code). Complete from the oldest of
   * those runs up, or to the start when there were fewer than a step's.
   */
  private async rowsBelow(before: number, codes: string[]): Promise<{ from: number; found: Found[] }> {
    const step = this.opts.rowRunStep ?? ROW_RUN_STEP;
    const runIds = ((await this.db.knex(this.db.own('product_change_run')).where('run_id', '<', before).orderBy('run_id', 'desc').limit(step).select('run_id')) as Array<{ run_id: number | string }>).map((r) => Number(r.run_id));
    const from = runIds.length < step ? 0 : runIds.at(-1)!;
    if (!runIds.length) return { from, found: [] };
    const rows = (await this.db.knex(this.db.own('product_change'))
      .whereIn('run_id', runIds)
      .whereIn('code', codes)
      .select('id', 'run_id', 'product_id', 'code', 'field', 'old_value', 'new_value', 'promo_start', 'promo_end')) as Array<Record<string, unknown>>;
    return {
      from,
      found: rows.map((r) => ({
        run_id: Number(r.run_id),
        // Before the block entries of its run (a run writes one form per concern), the last written first.
        order: Number(r.id) * 2 ** 20,
        row: {
          id: Number(r.id), product_id: Number(r.product_id), code: String(r.code), field: r.field as ChangeField,
          old_value: r.old_value === null ? null : Number(r.old_value), new_value: r.new_value === null ? null : Number(r.new_value),
          promo_start: (r.promo_start as string | null) ?? null, promo_end: (r.promo_end as string | null) ?? null,
        },
      })),
    };
  }

  /**
   * The blocks of one slot below `before` that hold one of the codes' quoted JSON forms (INSTR,
   * byte-exact under utf8mb4_bin and in SQLite; a code's quoted form may also stand inside
   * another, escaped code: such a block is sent and its entries are filtered here), newest first
   * by (slot, run_id), and their entries of those codes. A full step may have cut its oldest run:
   * that run's blocks are read whole (by the same index), so the step is complete from it up.
   */
  private async blocksBelow(before: number, slot: number, codes: string[]): Promise<{ from: number; found: Found[] }> {
    const step = this.opts.blockStep ?? BLOCK_STEP;
    const read = (q: Knex.QueryBuilder) => q
      .from(this.db.own('product_change_block'))
      .where('slot', slot)
      .where((w) => {
        for (const c of codes) w.orWhereRaw('INSTR(data, ?) > 0', [quoted(c)]);
      })
      .select('id', 'run_id', 'field', 'data') as unknown as Promise<Array<{ id: number | string; run_id: number | string; field: ChangeField; data: string }>>;
    let blocks = await read(this.db.knex.queryBuilder().where('run_id', '<', before).orderBy([{ column: 'run_id', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(step));
    let from = 0;
    if (blocks.length === step) {
      from = Number(blocks.at(-1)!.run_id);
      blocks = [...blocks.filter((b) => Number(b.run_id) !== from), ...(await read(this.db.knex.queryBuilder().where('run_id', from)))];
    }
    const wanted = new Set(codes);
    const found: Found[] = [];
    for (const b of blocks) {
      const entries = unpackBlock(b.data);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (!wanted.has(e.code)) continue;
        found.push({
          run_id: Number(b.run_id),
          order: Number(b.id) * 2 ** 20 + i - 2 ** 52,
          row: { id: Number(b.id), product_id: e.productId, code: e.code, field: b.field, old_value: e.old, new_value: e.value, promo_start: e.start ?? null, promo_end: e.end ?? null },
        });
      }
    }
    return { from, found };
  }
}

/** A history entry found for the product page: its run, where it stands within the run, and the change. */
interface Found {
  run_id: number;
  order: number;
  row: Omit<ProductChangeRow, 'run_id' | 'started_at' | 'kind' | 'dry_run' | 'run_status'>;
}
