// Promo prices as OpenCart specials. erp-bridge owns priority 10 and nothing else: rows of any
// other priority are never read for writing, changed or ended. OpenCart's admin rewrites a
// product's specials on save (new ids), so our rows are known by priority, not by id. Where the
// specials live comes from the schema profile: `product_special` (3.0, 4.0), or 4.1's
// `product_discount` rows with `special = 1` (whose own discounts are never touched).
import { pushTiming } from '../util/push-timings.js';
import { sqlDate, sqlInt, sqlIntList, sqlIntTable, sqlString } from '../db/sql.js';
import type { ProductStaging, StageRow } from './product-staging.js';
import type { SpecialsTable } from './schema.js';
import { round4 } from '../util/decimals.js';
import { runLanes } from '../util/lanes.js';

export const ERP_PRIORITY = 10;

const literal = (v: number | string) => (typeof v === 'number' ? sqlInt(v) : sqlString(v));
const literals = (o: Record<string, number | string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, literal(v)]));

const [COPIES, EVERY_GROUP, ONE] = [1, 2, 4];

/**
 * What one grouped read tells of each product's specials of ours in the promo's customer groups,
 * a few numbers and shared strings per product (a promo push reads every product's: an object per
 * product, and the rows it came from, took the server's peak 50 MB higher).
 */
class OursTable {
  private readonly at = new Map<number, number>();
  /** The earliest start among those running today (null: none runs today). */
  private readonly starts: Array<string | null> = [];
  /** Bits: COPIES (some group has more than one), EVERY_GROUP (each has one or more), ONE (exactly one each, all alike: `same`). */
  private readonly flags: number[] = [];
  private readonly prices: number[] = [];
  private readonly sameStarts: string[] = [];
  private readonly sameEnds: string[] = [];
  /** Dates repeat: each is kept once. */
  private readonly dates = new Map<string, string>();

  private date(d: unknown): string {
    const s = String(d);
    let kept = this.dates.get(s);
    if (kept === undefined) this.dates.set(s, (kept = s));
    return kept;
  }

  add(productId: number, start: unknown, flags: number, price: number, sameStart: unknown, sameEnd: unknown): void {
    this.at.set(productId, this.flags.length);
    this.starts.push(start === null ? null : this.date(start));
    this.flags.push(flags);
    this.prices.push(price);
    this.sameStarts.push(this.date(sameStart));
    this.sameEnds.push(this.date(sameEnd));
  }

  /** The product's row here, or -1 (no special of ours in the groups). */
  find(productId: number): number {
    return this.at.get(productId) ?? -1;
  }

  start(k: number): string | null {
    return this.starts[k]!;
  }

  has(k: number, flag: number): boolean {
    return (this.flags[k]! & flag) !== 0;
  }

  /** Whether each group holds exactly this promo, once. */
  same(k: number, price: number, start: string | null | undefined, end: string | null | undefined): boolean {
    return this.has(k, ONE) && this.prices[k] === price && this.sameStarts[k] === start && this.sameEnds[k] === end;
  }
}

const activeDates = (alias: string, today: string) =>
  `(${alias}.date_start = '0000-00-00' OR ${alias}.date_start <= ${sqlDate(today)}) AND (${alias}.date_end = '0000-00-00' OR ${alias}.date_end > ${sqlDate(today)})`;

export class SpecialWriter {
  private readonly PS: string;
  private readonly ID: string;

  private readonly groups: number[];

  constructor(
    private readonly st: ProductStaging,
    private readonly sp: SpecialsTable,
    groups: number[],
    private readonly today: string,
    private readonly yesterday: string,
  ) {
    this.PS = sp.table;
    this.ID = sp.idColumn;
    // Each group once: the comparisons count rows per group, and step 3 inserts one per group.
    this.groups = [...new Set(groups)];
  }

  /** Our rows: priority 10, and (4.1) specials only. */
  private ours(alias: string): string {
    return `${alias}.priority = ${ERP_PRIORITY} AND ${this.sp.filter(alias)}`;
  }

  private raw(sql: string) {
    return this.st.db.knex.raw(sql);
  }

  /**
   * Before staging (the records are matched in memory): each record's outcome as far as one
   * grouped read of our specials tells (no single product: unknown or ambiguous; a net promo
   * price above 0: 'unchanged' where every group already holds exactly this promo once, else
   * 'updated'; a gross one: 'updated', or 'check' where the product has specials of ours, which
   * `classify` compares once the price is net), and the start date of a new promo: the given one,
   * else the start of the promo already running (so a resend tomorrow is 'unchanged'), else
   * today. Setting these here spares statements over every staged row (a 100,000-row UPDATE of
   * the staging table took a second or more, the comparison with no specials 3.5 s, with every
   * product's specials 1.4 s). The specials are read as the push begins: an owner's edit of a
   * product's special while the document is read is not seen (a promo found unchanged, a copy
   * not deleted, a group's row deleted meanwhile not written again); a resend writes the promo.
   */
  async prepare(rows: StageRow[]): Promise<void> {
    // A small push reads the specials of its own products only (by the specials' product index);
    // a big one reads all of ours in one pass.
    const ids = [...new Set(rows.filter((r) => r.match_count === 1).map((r) => r.product_id!))];
    this.toCheck = 0;
    this.mayEnd = 0;
    this.copies = false;
    this.missing = false;
    if (ids.length === 0) return this.mark(rows, new OursTable());
    this.mark(rows, await this.readOurs(ids.length <= 10_000 ? ids : null));
  }

  /**
   * For a push that stages its records in parts while it reads (see ReadingStager): reads all of
   * our specials once, before the first part; then `prepareMore` marks each part.
   */
  async prepareAll(): Promise<void> {
    this.toCheck = 0;
    this.mayEnd = 0;
    this.copies = false;
    this.missing = false;
    this.all = await this.readOurs(null);
  }

  prepareMore(rows: StageRow[]): void {
    this.mark(rows, this.all!);
  }

  private all: OursTable | undefined;

  /** Per product with any of our specials in the groups (of `ids`, or all): what they hold (`OursTable`). */
  private async readOurs(ids: number[] | null): Promise<OursTable> {
    const ours = new OursTable();
    const only = ids ? ` AND ps.product_id IN (${sqlIntList(ids)})` : '';
    const fixed = Object.entries(this.sp.fixed).map(([c, v]) => `ps.${c} = ${literal(v)}`).join(' AND ') || '1 = 1';
    const G = sqlInt(this.groups.length);
    // ONE: a row in each group (as many rows as groups, each group among them), all alike.
    const rows = await this.st.db.dialect.readArrays(this.st.db.knex,
      `SELECT ps.product_id, MIN(CASE WHEN ${activeDates('ps', this.today)} THEN ps.date_start END),
          (CASE WHEN COUNT(*) > COUNT(DISTINCT ps.customer_group_id) THEN ${COPIES} ELSE 0 END)
          + (CASE WHEN COUNT(DISTINCT ps.customer_group_id) = ${G} THEN ${EVERY_GROUP} ELSE 0 END)
          + (CASE WHEN COUNT(*) = ${G} AND COUNT(DISTINCT ps.customer_group_id) = ${G} AND SUM(CASE WHEN ${fixed} THEN 1 ELSE 0 END) = ${G}
              AND MIN(ps.price) = MAX(ps.price) AND MIN(ps.date_start) = MAX(ps.date_start) AND MIN(ps.date_end) = MAX(ps.date_end) THEN ${ONE} ELSE 0 END),
          MIN(ps.price), MIN(ps.date_start), MIN(ps.date_end)
        FROM ${this.PS} ps
        WHERE ${this.ours('ps')} AND ps.customer_group_id IN (${sqlIntList(this.groups)})${only} GROUP BY ps.product_id`);
    for (const r of rows) ours.add(Number(r[0]), r[1], Number(r[2]), round4(Number(r[3])), r[4], r[5]);
    return ours;
  }

  /** Sets each record's outcome and start date from `ours` (see `prepare`). */
  private mark(rows: StageRow[], ours: OursTable): void {
    for (const r of rows) {
      if (r.match_count !== 1) {
        r.outcome = r.match_count === 0 ? 'unknown' : 'ambiguous';
        continue;
      }
      // A gross promo becomes net in the stage (grossToNet): one so small that it is 0 net ends
      // the promo too (see classify).
      const value = r.promo ?? r.gross ?? 0;
      if (!(value > 0) || r.gross != null) this.mayEnd++;
      if (!(value > 0)) continue;
      // Only a product that has specials of ours can be unchanged.
      const k = ours.find(r.product_id!);
      r.promo_start ??= (k < 0 ? null : ours.start(k)) ?? this.today;
      if (k < 0 || !ours.has(k, EVERY_GROUP)) this.missing = true;
      if (k < 0) {
        r.outcome = 'updated';
        continue;
      }
      if (ours.has(k, COPIES)) this.copies = true;
      if (r.gross != null) {
        // Net only in the stage: `classify` compares it there.
        r.outcome = 'check';
        this.toCheck++;
        continue;
      }
      r.outcome = ours.same(k, round4(value), r.promo_start, r.promo_end) ? 'unchanged' : 'updated';
    }
  }

  /**
   * Whether every staged row's outcome is the one `prepare` set (nothing to compare, no promo that
   * may end): no statement changes it afterwards.
   */
  get decidedInMemory(): boolean {
    return this.toCheck === 0 && this.mayEnd === 0;
  }

  /** How many staged promos `classify` must compare with the specials (set by `prepare`). */
  private toCheck = 0;
  // These three say what `prepare` found; until it has run, every statement runs.
  /**
   * How many staged promos may end a promo (0, or gross: 0 once net): without any, the two
   * statements over the stage's promos of 0 are not run (each read the whole stage: about 0.15 s
   * of a 100,000-record push).
   */
  private mayEnd = 1;
  /** Whether a product of the push has copies of ours in a group (only then are they deleted: step 1 of writeSpecials). */
  private copies = true;
  /**
   * Whether a product of the push lacks a special of ours in some group (only then are rows
   * inserted: step 3; its NOT EXISTS over every staged promo took about 0.3 s of a 100,000-record
   * push whose products all had theirs).
   */
  private missing = true;

  /**
   * Gross promos ('check', net only in the stage): 'unchanged' when every group already has
   * exactly this priority-10 special once (and no other of ours), as `prepare` decides for net
   * ones. One join of the records to their products' specials, counted per record; only the
   * records whose product has specials of ours (a first promo for every product joins nothing).
   */
  async classify(): Promise<void> {
    const { S, R, db } = this.st;
    const G = this.groups.length;
    if (this.toCheck > 0) {
      const candidates = (a: string) => `${a}run_id = ${R} AND ${a}outcome = 'check' AND ${a}promo > 0`;
      const same = `ROUND(ps.price, 4) = ROUND(s2.promo, 4) AND ps.date_start = s2.promo_start AND ps.date_end = s2.promo_end${Object.entries(this.sp.fixed).map(([c, v]) => ` AND ps.${c} = ${literal(v)}`).join('')}`;
      const counted = `(SELECT s2.seq AS seq, COUNT(*) AS n, COUNT(DISTINCT ps.customer_group_id) AS g, SUM(CASE WHEN ${same} THEN 1 ELSE 0 END) AS n_same
        FROM ${S} s2 JOIN ${this.PS} ps ON ps.product_id = s2.product_id AND ${this.ours('ps')} AND ps.customer_group_id IN (${sqlIntList(this.groups)})
        WHERE ${candidates('s2.')} GROUP BY s2.seq)`;
      await this.raw(db.dialect.joinUpdate({
        table: S, alias: 's', from: counted, fromAlias: 'm', on: 'm.seq = s.seq', set: { outcome: "'unchanged'" },
        where: `s.run_id = ${R} AND m.n = ${G} AND m.g = ${G} AND m.n_same = ${G}`, straight: true,
      }));
      await this.raw(`UPDATE ${S} SET outcome = 'updated' WHERE run_id = ${R} AND outcome = 'check'`);
      pushTiming(this.st.runId, 'unchanged promos found');
    }
    // A promo price of 0 ends the product's priority-10 specials as of yesterday (a gross promo so
    // small that it is 0 net counts as 0, as it did before `prepare`).
    if (!this.mayEnd) return;
    const open = `EXISTS (SELECT 1 FROM ${this.PS} ps WHERE ps.product_id = ${S}.product_id AND ${this.ours('ps')}
        AND (ps.date_end = '0000-00-00' OR ps.date_end > ${sqlDate(this.yesterday)}))`;
    await this.raw(
      `UPDATE ${S} SET outcome = CASE WHEN ${open} THEN 'updated' ELSE 'unchanged' END
       WHERE run_id = ${R} AND match_count = 1 AND promo = 0 AND (outcome IS NULL OR outcome IN ('updated', 'check'))`,
    );
  }

  /**
   * Writes the specials, the products' date_modified and `beside` (the history of the specials
   * being written) at the same time, each on a connection of its own: each reads the stage and
   * writes a table no other lane writes. The history waited for the specials it took about 1 s of
   * a 100,000-record push; the date_modified UPDATE, after the specials, 0.32 s of a 1.9 s first
   * promo push (round 24, MariaDB's slow log). A failure of any lane fails the push, once all
   * have stopped. A push that fails part-way may have touched date_modified, or named in its
   * history, promos it did not get to write; the resend that completes them writes them again
   * (as full sync's price history). `step` runs between the specials' statements (tests stop a
   * push there, as a crash would). On SQLite (one connection) the lanes' statements take turns.
   */
  async apply(now: string, step: (name: string) => Promise<void> = async () => {}, beside: () => Promise<void> = async () => {}): Promise<void> {
    // The history begins first (it reads the stage as the specials' first statement does); the
    // specials' failure is the one reported if several failed.
    const history = beside();
    await runLanes([this.writeSpecials(step), this.st.applyToProducts({}, now), history]);
  }

  private async writeSpecials(step: (name: string) => Promise<void>): Promise<void> {
    const { S, R, db } = this.st;
    const groups = sqlIntList(this.groups);
    const updated = `s.run_id = ${R} AND s.outcome = 'updated'`;
    // 1. One priority-10 row per product and group: surplus rows (hand-made copies) go.
    //    (DISTINCT keeps MySQL from merging the derived table, which it may not read while deleting.)
    if (this.copies) await this.raw(
      `DELETE FROM ${this.PS} WHERE ${this.ID} IN (SELECT id FROM (
         SELECT DISTINCT ps.${this.ID} AS id FROM ${this.PS} ps
         JOIN ${this.PS} older ON older.product_id = ps.product_id AND older.customer_group_id = ps.customer_group_id
           AND ${this.ours('older')} AND older.${this.ID} < ps.${this.ID}
         JOIN ${S} s ON s.product_id = ps.product_id AND ${updated} AND s.promo > 0
         WHERE ${this.ours('ps')} AND ps.customer_group_id IN (${groups})) dup)`,
    );
    await step('specials:deduplicated');
    // 2. Existing priority-10 rows take the new price and dates.
    await this.raw(db.dialect.joinUpdate({
      table: this.PS, alias: 'ps', from: S, fromAlias: 's', on: 's.product_id = ps.product_id',
      set: { price: 's.promo', date_start: 's.promo_start', date_end: 's.promo_end', ...literals(this.sp.fixed) },
      where: `${updated} AND s.promo > 0 AND ${this.ours('ps')} AND ps.customer_group_id IN (${groups})`,
    }));
    await step('specials:updated');
    // 3. Groups without one get a new row.
    const extra = Object.entries(literals({ ...this.sp.marker, ...this.sp.fixed }));
    if (this.missing) await this.raw(
      `INSERT INTO ${this.PS} (product_id, customer_group_id, priority, price, date_start, date_end${extra.map(([c]) => `, ${c}`).join('')})
       SELECT s.product_id, g.cg, ${ERP_PRIORITY}, s.promo, s.promo_start, s.promo_end${extra.map(([, v]) => `, ${v}`).join('')}
       FROM ${S} s CROSS JOIN ${sqlIntTable(this.groups, 'cg')} g
       WHERE ${updated} AND s.promo > 0 AND NOT EXISTS (
         SELECT 1 FROM ${this.PS} ps WHERE ps.product_id = s.product_id AND ps.customer_group_id = g.cg AND ${this.ours('ps')})`,
    );
    await step('specials:inserted');
    // 4. Promo 0: end every open priority-10 row of the product as of yesterday.
    if (this.mayEnd) await this.raw(db.dialect.joinUpdate({
      table: this.PS, alias: 'ps', from: S, fromAlias: 's', on: 's.product_id = ps.product_id',
      set: { date_end: sqlDate(this.yesterday) },
      where: `${updated} AND s.promo = 0 AND ${this.ours('ps')} AND (ps.date_end = '0000-00-00' OR ps.date_end > ${sqlDate(this.yesterday)})`,
    }));
    pushTiming(this.st.runId, 'ended promos');
  }
}
