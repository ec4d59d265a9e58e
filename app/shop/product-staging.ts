// Set-based product writes: the records of one push sit in the staging table (keyed by run),
// and every concern is one joined statement over it. No statement per product. Each step is
// idempotent, so on MyISAM (no transactions) a resent document repairs an interrupted one.
import type { Database } from '../db/database.js';
import { sqlDate, sqlInt } from '../db/sql.js';
import type { ProductCodeField } from './products.js';
import { decodeLikeOpenCart, encodeLikeOpenCart } from '../util/html.js';
import type { KeptRows } from '../db/dialects/types.js';
import type { LoadTextWriter } from '../db/dialects/mysql-load-text.js';

export interface StageRow {
  seq: number;
  code: string;
  product_id?: number | null;
  /** How many products have the code, when matched before staging (from the product index). */
  match_count?: number | null;
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
  /**
   * Set before staging where it is known in memory (promo prices: matched and classified there;
   * full sync: a price or tax class not the product's, and an unknown code with a name, `created`).
   */
  outcome?: 'updated' | 'unchanged' | 'check' | 'unknown' | 'ambiguous' | 'created' | null;
  /** Full sync: the product's price the push compared against, where it differs (its history's old value; not staged). */
  old_price?: number;
}

const STAGE_COLUMNS = ['seq', 'code', 'product_id', 'match_count', 'outcome', 'price', 'gross', 'quantity', 'promo', 'promo_start', 'promo_end', 'name', 'description', 'unit', 'vat', 'tax_class_id', 'image', 'category_code'] as const;
export type StageColumn = (typeof STAGE_COLUMNS)[number];

/**
 * A row's fields as the stage takes them. The stage holds codes as the shop stores them
 * (HTML-encoded, as OpenCart's admin saves `KV&1`), so SQL matching and new products use the
 * shop's form; answers decode them back.
 */
export function stageFields(runId: number, r: StageRow, used: readonly StageColumn[]): unknown[] {
  return [runId, ...used.map((c) => (c === 'code' ? encodeLikeOpenCart(r.code) : r[c] ?? null))];
}

/**
 * Rows `[from, to)` as LOAD DATA's text, written straight into bytes: the same bytes as their
 * `stageFields` give. Built from arrays of fields, 100,000 promo rows took about 0.3 s of the
 * push's thread (more than their load took the database), this way about 0.08 s.
 */
export function stageText(w: LoadTextWriter, runId: number, rows: StageRow[], from: number, to: number, used: readonly StageColumn[]): KeptRows {
  for (let k = from; k < to; k++) {
    const r = rows[k]!;
    w.number(runId);
    for (const c of used) {
      w.tab();
      const v = c === 'code' ? encodeLikeOpenCart(r.code) : r[c];
      if (v === null || v === undefined) w.nullField();
      else if (typeof v === 'number') w.number(v);
      else w.text(v);
    }
    w.line();
  }
  return { loadText: w.take(), length: to - from };
}

export class ProductStaging {
  readonly S: string;
  readonly P: string;
  readonly R: string;

  constructor(
    readonly db: Database,
    readonly runId: number,
    kind: 'prices' | 'promo-prices',
  ) {
    this.S = db.own(`stage_${kind.replace('-', '_')}`);
    this.P = db.t('product');
    this.R = sqlInt(runId);
  }

  raw(sql: string, bindings: unknown[] = []) {
    return this.db.knex.raw(sql, bindings as never);
  }

  private update(u: Parameters<Database['dialect']['joinUpdate']>[0]) {
    return this.raw(this.db.dialect.joinUpdate(u));
  }

  /**
   * Loads rows in multi-row inserts sized to the dialect's parameter limit, with only the
   * columns the push uses (a stock push stages seq, code and quantity).
   */
  async load(rows: StageRow[], onChunk?: (done: number) => Promise<void>): Promise<void> {
    await this.begin();
    await this.append(rows, onChunk);
    await this.loaded();
  }

  /** Empties the stage before a load: rows of an interrupted earlier run of this URL would only be in the way. */
  async begin(): Promise<void> {
    await this.db.knex(this.S).truncate();
  }

  /** Adds rows (after `begin`; a push may add its rows in several parts while it reads). */
  async append(rows: StageRow[], onChunk?: (done: number) => Promise<void>): Promise<void> {
    const used = STAGE_COLUMNS.filter((c) => c === 'seq' || c === 'code' || rows.some((r) => r[c] !== undefined && r[c] !== null));
    const cols = ['run_id', ...used];
    const step = 20_000;
    for (let i = 0; i < rows.length; i += step) {
      const end = Math.min(rows.length, i + step);
      const w = this.db.dialect.loadTextWriter();
      const chunk = w ? stageText(w, this.runId, rows, i, end, used) : rows.slice(i, end).map((r) => stageFields(this.runId, r, used));
      await this.db.dialect.bulkInsert(this.db.knex, this.S, cols, chunk);
      await onChunk?.(end);
    }
  }

  /** Takes rows out again by seq (records found twice in the document after they were added). */
  async removeSeqs(seqs: number[]): Promise<void> {
    for (let i = 0; i < seqs.length; i += 1000) {
      await this.db.knex(this.S).where({ run_id: this.runId }).whereIn('seq', seqs.slice(i, i + 1000)).delete();
    }
  }

  /** Call once every row is in. */
  async loaded(): Promise<void> {
    // An InnoDB table just filled has stale statistics until a background thread catches up;
    // plans made on them can go quadratic. Sampling a few pages takes milliseconds.
    await this.db.dialect.refreshStatistics(this.db.knex, this.S);
  }

  // Promo prices and full sync: product_id is written into the stage once, because many
  // statements follow that need it.

  /**
   * Sets match_count and product_id of the rows no product matched, from the products with an id
   * above `createdAfter`: those full sync just created for them. (Every other row was matched in
   * memory before staging: `matchFromIndex`.)
   */
  async matchCreated(field: ProductCodeField, createdAfter: number): Promise<void> {
    // Driven from the product table, only its new ids (a range of the primary key), one index
    // lookup into the stage per product (the shop's code columns carry no index, and we add none).
    const sub = `(SELECT s2.seq AS seq, COUNT(*) AS n, MIN(p.product_id) AS pid FROM ${this.P} p ${this.db.dialect.straightJoin()} ${this.S} s2
      ON s2.run_id = ${this.R} AND s2.code = TRIM(p.${field}) WHERE p.product_id > ${sqlInt(createdAfter)} GROUP BY s2.seq)`;
    await this.update({
      table: this.S, alias: 's', from: sub, fromAlias: 'm', on: 'm.seq = s.seq', set: { match_count: 'm.n', product_id: 'm.pid' },
      where: `s.run_id = ${this.R} AND s.match_count = 0`,
    });
  }

  /**
   * The ids of the products full sync created for `rows` (by seq), once they were matched: read
   * only when some row was to be created with a price (the products' history needs them).
   */
  async createdIds(rows: readonly StageRow[]): Promise<Map<number, number>> {
    const ids = new Map<number, number>();
    if (!rows.some((r) => r.outcome === 'created' && r.price != null)) return ids;
    const found = (await this.db.knex(this.S).where({ run_id: this.runId, outcome: 'created', match_count: 1 }).select('seq', 'product_id')) as Array<{ seq: number | string; product_id: number | string }>;
    for (const r of found) ids.set(Number(r.seq), Number(r.product_id));
    return ids;
  }

  async markUnmatched(): Promise<void> {
    await this.raw(`UPDATE ${this.S} SET outcome = CASE WHEN match_count = 0 THEN 'unknown' ELSE 'ambiguous' END WHERE run_id = ${this.R} AND match_count <> 1 AND outcome IS NULL`);
  }

  /**
   * Gross → net with the product's VAT rate (or the record's own afakulcs). `unmatched`: also the
   * rows no product has yet (full sync creates them, so this runs before it does), by the
   * record's afakulcs; without one the new product gets no tax class, and costs what was sent.
   * Until round 25 they were created at price 0.
   */
  async grossToNet(target: 'price' | 'promo', rateByTaxClass: Map<number, number>, unmatched = false): Promise<void> {
    await this.update({
      table: this.S, alias: 's', from: this.P, fromAlias: 'p', on: 'p.product_id = s.product_id',
      set: { [target]: netFromGross(rateByTaxClass, 's.vat') },
      where: `s.run_id = ${this.R} AND s.match_count = 1 AND s.gross IS NOT NULL`,
    });
    if (unmatched) {
      await this.raw(`UPDATE ${this.S} SET ${target} = ${netFromGross(new Map(), 'vat', 'gross')}
        WHERE run_id = ${this.R} AND match_count = 0 AND gross IS NOT NULL`);
    }
  }

  /** outcome = 'unchanged' where `sameExpr` holds for the matched product, else 'updated'. */
  async classify(sameExpr: string, extraWhere = ''): Promise<void> {
    await this.update({
      table: this.S, alias: 's', from: this.P, fromAlias: 'p', on: 'p.product_id = s.product_id',
      set: { outcome: `CASE WHEN ${sameExpr} THEN 'unchanged' ELSE 'updated' END` },
      where: `s.run_id = ${this.R} AND s.match_count = 1 AND s.outcome IS NULL${extraWhere ? ` AND ${extraWhere}` : ''}`,
    });
  }

  /**
   * Whether the shop's tables are better scanned than looked up: set by the caller once it knows
   * how many products the shop has (`scanProducts`).
   */
  private scan = false;

  /**
   * A push staging a fifth of the shop's products or more writes them by scanning the product
   * table in its own order, each row looked up among the staged ones; a smaller one looks each
   * staged product up. (Joined to the stage itself, whose product_id has no index, MySQL could
   * only read the stage first and collect the rows to write in a temporary table before writing
   * them: at 100,000 products that took about 1.5 times as long.)
   */
  scanProducts(staged: number, shopProducts: number): void {
    this.scan = staged * 5 >= shopProducts;
  }

  /**
   * Writes product columns of every row whose outcome is one of `outcomes`. `columns`: the stage
   * columns `set` reads (as `s.<column>`), narrow ones only (see `updateFromStage`).
   */
  async applyToProducts(set: Record<string, string>, now: string, outcomes = ['updated'], columns: string[] = []): Promise<void> {
    await this.updateFromStage({
      table: this.P, alias: 'p', set: { ...set, date_modified: sqlDate(now) }, columns,
      where: `s.run_id = ${this.R} AND s.outcome IN (${outcomes.map((o) => `'${o}'`).join(', ')})`,
    });
  }

  /**
   * UPDATE `table` joined to the staged rows `where` selects (it names the stage only, as s), on
   * product_id. A big push (see `scanProducts`) reads those rows as a derived table of `columns`,
   * which the database gives a key of its own, and scans `table` in its order. Narrow columns
   * only: a derived table with wide text (a name, a description, a 1,000-character image URL) no
   * longer fits in memory, goes to disk and took longer than the plain join (MariaDB, 100,000 rows).
   */
  private async updateFromStage(u: { table: string; alias: string; set: Record<string, string>; where: string; columns: string[] }): Promise<void> {
    const on = `s.product_id = ${u.alias}.product_id`;
    if (!this.scan) {
      await this.update({ table: u.table, alias: u.alias, from: this.S, fromAlias: 's', on, set: u.set, where: u.where });
      return;
    }
    const picked = ['product_id', ...u.columns].map((c) => `s.${c}`).join(', ');
    await this.update({ table: u.table, alias: u.alias, from: `(SELECT ${picked} FROM ${this.S} s WHERE ${u.where})`, fromAlias: 's', on, set: u.set, straight: true });
  }

  /**
   * Outcome counts and the rows that were not applied (unknown / ambiguous). `staged`: the rows
   * staged, when their outcomes were all decided in memory (they are counted there).
   */
  async outcomes(staged?: readonly StageRow[]): Promise<{ counts: Record<string, number>; notApplied: Array<{ seq: number; code: string; outcome: string; match_count: number }> }> {
    if (staged) return outcomesOf(staged);
    const rows: Array<{ outcome: string | null; n: number | string }> = await this.db.knex(this.S).where({ run_id: this.runId }).groupBy('outcome').select('outcome').count({ n: '*' });
    const counts: Record<string, number> = {};
    for (const r of rows) counts[String(r.outcome)] = Number(r.n);
    // The records not applied are read only when there are any (a second read of the whole stage).
    if (!counts.unknown && !counts.ambiguous) return { counts, notApplied: [] };
    const notApplied = await this.db.knex(this.S).where({ run_id: this.runId }).whereIn('outcome', ['unknown', 'ambiguous']).orderBy('seq').select('seq', 'code', 'outcome', 'match_count');
    return { counts, notApplied: notApplied.map((r) => ({ ...r, code: decodeLikeOpenCart(String(r.code)) })) };
  }

  async clear(): Promise<void> {
    await this.db.knex(this.S).truncate();
  }
}

/** `ProductStaging.outcomes` of rows whose outcomes were decided before staging. */
function outcomesOf(staged: readonly StageRow[]): { counts: Record<string, number>; notApplied: Array<{ seq: number; code: string; outcome: string; match_count: number }> } {
  const counts: Record<string, number> = {};
  const notApplied: Array<{ seq: number; code: string; outcome: string; match_count: number }> = [];
  for (const r of staged) {
    const outcome = String(r.outcome ?? null);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome === 'unknown' || outcome === 'ambiguous') notApplied.push({ seq: r.seq, code: r.code, outcome, match_count: Number(r.match_count) });
  }
  notApplied.sort((a, b) => a.seq - b.seq);
  return { counts, notApplied };
}

/**
 * SQL for the net price of a staged gross price (aliases s = stage, p = product): divided by
 * the VAT rate of the record (`vatColumn`, full sync's afakulcs) or else of the product's tax
 * class (the owner's VAT mapping, else the class's own rates).
 */
export function netFromGross(rateByTaxClass: Map<number, number>, vatColumn: string | null = null, grossColumn = 's.gross'): string {
  const cases = [...rateByTaxClass].map(([cls, pct]) => `WHEN ${sqlInt(cls)} THEN ${Number(pct)}`).join(' ');
  const byClass = cases ? `(CASE p.tax_class_id ${cases} ELSE 0 END)` : '0';
  const rate = vatColumn ? `COALESCE(${vatColumn}, ${byClass})` : byClass;
  return `ROUND(${grossColumn} / (1 + ${rate} / 100.0), 4)`;
}
