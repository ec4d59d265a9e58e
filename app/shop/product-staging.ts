// Set-based product writes: the records of one push sit in the staging table (keyed by run),
// and every concern is one joined statement over it. No statement per product. Each step is
// idempotent, so on MyISAM (no transactions) a resent document repairs an interrupted one.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { sqlDate, sqlInt } from '../db/sql.js';
import type { ProductCodeField } from './products.js';

export interface StageRow {
  seq: number;
  code: string;
  price?: number | null;
  gross?: number | null;
  quantity?: number | null;
  promo?: number | null;
  promo_start?: string | null;
  promo_end?: string | null;
  name?: string | null;
  description?: string | null;
  unit?: string | null;
  vat?: number | null;
  tax_class_id?: number | null;
  image?: string | null;
  category_code?: string | null;
}

const STAGE_COLUMNS = ['seq', 'code', 'price', 'gross', 'quantity', 'promo', 'promo_start', 'promo_end', 'name', 'description', 'unit', 'vat', 'tax_class_id', 'image', 'category_code'] as const;

export class ProductStaging {
  readonly S: string;
  readonly P: string;
  readonly R: string;

  constructor(
    readonly db: Database,
    readonly runId: number,
  ) {
    this.S = db.own('stage');
    this.P = db.t('product');
    this.R = sqlInt(runId);
  }

  private raw(sql: string, bindings: unknown[] = []) {
    return this.db.knex.raw(sql, bindings as never);
  }

  private update(u: Parameters<Database['dialect']['joinUpdate']>[0]) {
    return this.raw(this.db.dialect.joinUpdate(u));
  }

  /** Loads rows in multi-row inserts sized to the dialect's parameter limit. */
  async load(rows: StageRow[], onChunk?: (done: number) => Promise<void>): Promise<void> {
    let done = 0;
    const cols = STAGE_COLUMNS.length + 1;
    for (const chunk of chunkRows(rows, cols, this.db.dialect.maxBindings)) {
      const values = chunk.map((r) => {
        const row: Record<string, unknown> = { run_id: this.runId };
        for (const c of STAGE_COLUMNS) row[c] = r[c] ?? null;
        return row;
      });
      await this.db.knex(this.S).insert(values);
      done += chunk.length;
      await onChunk?.(done);
    }
  }

  /** Sets match_count and product_id by comparing the code with the shop's code field. */
  async match(field: ProductCodeField): Promise<void> {
    const sub = `(SELECT s2.seq AS seq, COUNT(*) AS n, MIN(p.product_id) AS pid FROM ${this.S} s2 JOIN ${this.P} p ON s2.code = TRIM(p.${field}) WHERE s2.run_id = ${this.R} GROUP BY s2.seq)`;
    await this.update({ table: this.S, alias: 's', from: sub, fromAlias: 'm', on: 'm.seq = s.seq', set: { match_count: 'm.n', product_id: 'm.pid' }, where: `s.run_id = ${this.R}` });
  }

  async markUnmatched(): Promise<void> {
    await this.raw(`UPDATE ${this.S} SET outcome = CASE WHEN match_count = 0 THEN 'unknown' ELSE 'ambiguous' END WHERE run_id = ${this.R} AND match_count <> 1 AND outcome IS NULL`);
  }

  /** Gross → net with the product's VAT rate (or the record's own afakulcs). */
  async grossToNet(target: 'price' | 'promo', rateByTaxClass: Map<number, number>): Promise<void> {
    const cases = [...rateByTaxClass].map(([cls, pct]) => `WHEN ${sqlInt(cls)} THEN ${Number(pct)}`).join(' ');
    const rate = `COALESCE(s.vat, ${cases ? `CASE p.tax_class_id ${cases} ELSE 0 END` : '0'})`;
    await this.update({
      table: this.S, alias: 's', from: this.P, fromAlias: 'p', on: 'p.product_id = s.product_id',
      set: { [target]: `ROUND(s.gross / (1 + ${rate} / 100.0), 4)` },
      where: `s.run_id = ${this.R} AND s.match_count = 1 AND s.gross IS NOT NULL`,
    });
  }

  /** outcome = 'unchanged' where `sameExpr` holds for the matched product, else 'updated'. */
  async classify(sameExpr: string, extraWhere = ''): Promise<void> {
    await this.update({
      table: this.S, alias: 's', from: this.P, fromAlias: 'p', on: 'p.product_id = s.product_id',
      set: { outcome: `CASE WHEN ${sameExpr} THEN 'unchanged' ELSE 'updated' END` },
      where: `s.run_id = ${this.R} AND s.match_count = 1 AND s.outcome IS NULL${extraWhere ? ` AND ${extraWhere}` : ''}`,
    });
  }

  /** Writes product columns of every row whose outcome is one of `outcomes`. */
  async applyToProducts(set: Record<string, string>, now: string, outcomes = ['updated']): Promise<void> {
    await this.update({
      table: this.P, alias: 'p', from: this.S, fromAlias: 's', on: 's.product_id = p.product_id',
      set: { ...set, date_modified: sqlDate(now) },
      where: `s.run_id = ${this.R} AND s.outcome IN (${outcomes.map((o) => `'${o}'`).join(', ')})`,
    });
  }

  /** Outcome counts and the rows that were not applied (unknown / ambiguous). */
  async outcomes(): Promise<{ counts: Record<string, number>; notApplied: Array<{ seq: number; code: string; outcome: string; match_count: number }> }> {
    const rows: Array<{ outcome: string | null; n: number | string }> = await this.db.knex(this.S).where({ run_id: this.runId }).groupBy('outcome').select('outcome').count({ n: '*' });
    const counts: Record<string, number> = {};
    for (const r of rows) counts[String(r.outcome)] = Number(r.n);
    const notApplied = await this.db.knex(this.S).where({ run_id: this.runId }).whereIn('outcome', ['unknown', 'ambiguous']).orderBy('seq').select('seq', 'code', 'outcome', 'match_count');
    return { counts, notApplied };
  }

  async clear(): Promise<void> {
    await this.db.knex(this.S).where({ run_id: this.runId }).delete();
  }
}
