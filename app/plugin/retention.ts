// The journal does not grow without end: runs older than JOURNAL_KEEP_DAYS go, with their records
// (journal_item) and the product history they wrote (product_change_block, up to 256 rows of
// about 2.5 KB per 20,000 products a stock or price push changed, and product_change, a row per
// product of full sync's prices and promos, and of stock pushes before migration 013, with
// product_change_run, which lists the runs that wrote such rows). The per-day totals behind the dashboard's chart stay, and so
// does each kind's newest run and newest successful run, which the health verdict reads.
//
// Deleted in slices of SLICE rows by id (a derived table, because MariaDB refuses LIMIT inside
// IN (…) and SQLite has no DELETE … LIMIT), so one daily prune never holds a long lock or a huge
// undo log, and a prune cut short by a crash simply continues on the next day.
import type { Database } from '../db/database.js';
import { formatDateTime } from '../util/time.js';

export const SLICE = 20_000;
/** History blocks per DELETE: a block is about 2.5 KB (a row of the others a few dozen bytes). */
export const BLOCK_SLICE = 500;

export interface Pruned {
  runs: number;
  items: number;
  /** History rows, one per product (full sync's prices, promos). */
  changes: number;
  /** History blocks, one per few hundred products (stock and price pushes). */
  blocks: number;
}

/** Removes what is older than `keepDays` (0 keeps everything); `now` for tests. */
export async function pruneJournal(db: Database, keepDays: number, now = new Date(), slice = SLICE): Promise<Pruned> {
  const done: Pruned = { runs: 0, items: 0, changes: 0, blocks: 0 };
  if (keepDays <= 0) return done;
  const { knex } = db;
  const runs = db.own('journal_run');
  const cutoff = formatDateTime(new Date(now.getTime() - keepDays * 86_400_000));
  // The newest run id started before the cutoff bounds everything below; runs still running are never touched.
  const last = await knex(runs).where('started_at', '<', cutoff).max({ id: 'id' }).first();
  const upTo = Number(last?.id ?? 0);
  if (!upTo) return done;
  const newest = (await knex(runs).select(knex.raw('MAX(id) AS id')).groupBy('kind')) as Array<{ id: number | string }>;
  const newestOk = (await knex(runs).select(knex.raw('MAX(id) AS id')).where({ status: 'ok', dry_run: false }).groupBy('kind')) as Array<{ id: number | string }>;
  const kept = [...newest, ...newestOk];
  const keep = kept.map((r) => Number(r.id)).filter((id) => id <= upTo);

  // `key`: the table's primary key (the runs with history rows have only their run's id).
  const sliced = async (table: string, column: string, rows = slice, key = 'id'): Promise<number> => {
    let total = 0;
    for (;;) {
      const t = db.own(table);
      const inner = knex(t).select(key).where(column, '<=', upTo).orderBy(key).limit(rows);
      if (keep.length) inner.whereNotIn(column, keep);
      if (table === 'journal_run') inner.whereNot('status', 'running');
      const n = Number(await knex(t).whereIn(key, knex.select(key).from(inner.as('x'))).delete());
      total += n;
      if (n < rows) return total;
    }
  };
  // Children first: a prune cut short never leaves records without their run.
  done.blocks = await sliced('product_change_block', 'run_id', Math.min(slice, BLOCK_SLICE));
  done.changes = await sliced('product_change', 'run_id');
  await sliced('product_change_run', 'run_id', slice, 'run_id');
  done.items = await sliced('journal_item', 'run_id');
  done.runs = await sliced('journal_run', 'id');
  return done;
}
