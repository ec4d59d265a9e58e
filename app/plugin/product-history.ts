// What the ERP changed on each product, and when: one row per product and concern (price,
// stock, promo price) per push, written set-based with the shop write it describes (bulk loads
// or one INSERT … SELECT over the same rows the write joins), never one statement per product.
// Its one index is (run_id, code), so a push's rows go to the end of it (every index is paid for
// on every push; migrations 010 and 012): retention deletes by run, and a product's history is
// read run by run, newest first, looking its code up within each.
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { sqlInt } from '../db/sql.js';

export type ChangeField = 'price' | 'quantity' | 'promo';

/** The journal kinds whose runs write the history (stock, stock-and-price or full sync, promo prices). */
const HISTORY_KINDS = ['stock', 'prices', 'promo-prices'];
/** Runs read per step of a product's history: most products change in most pushes, and a page is 50 rows. */
const RUN_BATCH = 1000;

export interface ProductChangeRow {
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

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Stock and stock-and-price pushes: where the change table's own rows [product_id, code, new
 * value, old value] go in the history, loaded beside them (the old value is the one the push
 * compared against: its product index, proved current by the signature check). Loaded while the
 * document is read; they count from the run's writing phase on (`changes`). The UPDATE's own
 * re-check may still leave a row alone (the shop changed it meanwhile): `forgetUnwritten` takes
 * those out after it.
 */
export function historyLoad(db: Database, runId: number, column: 'price' | 'quantity') {
  return { table: db.own('product_change'), columns: ['product_id', 'code', 'new_value', 'old_value'], constants: { run_id: runId, field: column } };
}

/** A run's history rows, all of them (the push stopped before it wrote the shop). */
export async function forgetRun(trx: Knex | Knex.Transaction, db: Database, runId: number): Promise<void> {
  await trx.raw(`DELETE FROM ${db.own('product_change')} WHERE run_id = ${sqlInt(runId)}`);
}

/**
 * After the UPDATE wrote fewer rows than `from` holds: the history rows of products that do not
 * now have the pushed value under the pushed code (the UPDATE did not write them) are removed.
 */
export async function forgetUnwritten(trx: Knex | Knex.Transaction, db: Database, runId: number, from: string, codeField: string, column: 'price' | 'quantity'): Promise<void> {
  await trx.raw(
    `DELETE FROM ${db.own('product_change')} WHERE run_id = ${sqlInt(runId)} AND field = ${lit(column)} AND product_id IN (
       SELECT s.product_id FROM ${from} s LEFT JOIN ${db.t('product')} p ON p.product_id = s.product_id
       WHERE p.product_id IS NULL OR s.code <> TRIM(p.${codeField}) OR p.${column} <> s.v)`,
  );
}

/**
 * After a push failed once its write had begun: the history rows of products that do not hold
 * the new value now. Where the write was taken back (InnoDB's rollback) that is all of them;
 * where it stayed (MyISAM, SQLite) none, or those a write cut short did not reach.
 */
export async function forgetNotInShop(db: Database, runId: number, column: 'price' | 'quantity'): Promise<void> {
  const pc = db.own('product_change');
  await db.knex.raw(
    `DELETE FROM ${pc} WHERE run_id = ${sqlInt(runId)} AND field = ${lit(column)} AND NOT EXISTS (
       SELECT 1 FROM ${db.t('product')} p WHERE p.product_id = ${pc}.product_id AND p.${column} = ${pc}.new_value)`,
  );
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
      // Within these runs, by (run_id, code): one range per run and code.
      const rows = (await knex(this.db.own('product_change'))
        .whereIn('run_id', [...byId.keys()])
        .where((w) => {
          if (f.codes.length) w.whereIn('code', f.codes);
          if (f.productIds.length) w.orWhereIn('product_id', f.productIds);
        })
        .orderBy('run_id', 'desc')
        .orderBy('id', 'desc')) as Array<Record<string, unknown>>;
      for (const r of rows) {
        // A page ends only between runs.
        if (out.length >= f.limit && Number(r.run_id) !== out.at(-1)!.run_id) return out;
        const run = byId.get(Number(r.run_id))!;
        out.push({
          ...(r as unknown as ProductChangeRow),
          run_id: Number(r.run_id),
          old_value: r.old_value === null ? null : Number(r.old_value),
          new_value: r.new_value === null ? null : Number(r.new_value),
          started_at: run.started_at, kind: run.kind, dry_run: run.dry_run, run_status: run.status,
        } as ProductChangeRow);
      }
      if (out.length >= f.limit || runs.length < batch) return out;
      before = Number(runs.at(-1)!.id);
    }
  }
}
