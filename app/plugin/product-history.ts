// What the ERP changed on each product, and when: one row per product and concern (price,
// stock, promo price) per push, written set-based with the shop write it describes (bulk loads
// or one INSERT … SELECT over the same rows the write joins), never one statement per product. Read by
// code through its index, newest first (retention deletes by run: the only other index, since
// every index is paid for on every push; migration 010).
import type { Knex } from 'knex';
import type { Database } from '../db/database.js';
import { sqlInt } from '../db/sql.js';

export type ChangeField = 'price' | 'quantity' | 'promo';

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
  constructor(private readonly db: Database) {}

  /**
   * A product's changes, newest first, keyset-paginated by run. `codes` may hold the stored and
   * the plain form. `productIds` has no index: it reads each run's rows whole (the admin finds
   * products by code), so keep it for the few ids of one product, never a hot path.
   */
  async changes(f: { codes: string[]; productIds: number[]; beforeRun?: number; limit: number }): Promise<ProductChangeRow[]> {
    const { knex } = this.db;
    const c = this.db.own('product_change');
    // The runs newest first, and within each the code through (run_id, code): the history is
    // indexed by run, not by code, so that a push's rows go to the end of the index (see
    // migration 012). The join order is forced: from the history's side the code has no index.
    const q = knex(`${this.db.own('journal_run')} as r`)
      .joinRaw(`${this.db.dialect.straightJoin()} ${c} c ON c.run_id = r.id`)
      // A stock or price push loads its rows while it reads the document: they describe a change
      // only once the run got to write the shop (a run stopped earlier by a crash keeps them).
      .where((w) => w.where('r.phase', 'writing').orWhereIn('r.status', ['ok', 'partial']))
      .where((w) => {
        if (f.codes.length) w.whereIn('c.code', f.codes);
        if (f.productIds.length) w.orWhereIn('c.product_id', f.productIds);
      })
      .orderBy('r.id', 'desc')
      .orderBy('c.id', 'desc')
      .limit(f.limit)
      .select('c.*', 'r.started_at', 'r.kind', 'r.dry_run', 'r.status as run_status');
    if (f.beforeRun) q.where('r.id', '<', f.beforeRun);
    if (!f.codes.length && !f.productIds.length) return [];
    const rows = await q;
    return rows.map((r: Record<string, unknown>) => ({
      ...(r as unknown as ProductChangeRow),
      old_value: r.old_value === null ? null : Number(r.old_value),
      new_value: r.new_value === null ? null : Number(r.new_value),
    }));
  }
}
