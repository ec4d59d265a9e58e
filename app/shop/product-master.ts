// Full sync: product master data from the ERP (name, description, tax class, category, unit,
// image) and products created for unknown codes. Set-based over the staging table; each
// statement only fills what is missing or different, so a resend repairs an interrupted push.
import { sqlDate, sqlInt, sqlIntTable } from '../db/sql.js';
import type { ProductStaging, StageRow } from './product-staging.js';
import type { ProductCodeField } from './products.js';
import type { ShopSchema } from './schema.js';
import { pushTiming } from '../util/push-timings.js';
import { runLanes } from '../util/lanes.js';

export interface NewProductDefaults {
  codeField: ProductCodeField;
  status: 0 | 1;
  stockStatusId: number;
  weightClassId: number;
  lengthClassId: number;
  today: string;
  now: string;
}

/** A row with an unknown code and a name becomes a product ('created'), decided before it is staged. */
export function markCreatable(r: StageRow): void {
  if (r.match_count === 0 && r.outcome == null && r.name != null) r.outcome = 'created';
}

export class ProductMasterWriter {
  constructor(
    private readonly st: ProductStaging,
    private readonly languageId: number,
    private readonly schema: ShopSchema,
  ) {}

  private raw(sql: string) {
    return this.st.db.knex.raw(sql);
  }

  private t(name: string) {
    return this.st.db.t(name);
  }

  /** Inserts the products (every NOT NULL column), then matches them like any other. */
  async createProducts(d: NewProductDefaults): Promise<void> {
    const { S, R, P } = this.st;
    // The superset of what the releases' admins write for a new product; the profile keeps the
    // columns this shop has (3.0 `viewed`; 4.x `master_id`, `variant`, `override`, `rating`).
    const codeCols = ['model', 'sku', 'upc', 'ean', 'jan', 'isbn', 'mpn'];
    const values: Record<string, string> = Object.fromEntries(codeCols.map((c) => [c, c === 'model' || c === d.codeField ? 's.code' : "''"]));
    Object.assign(values, {
      master_id: '0', variant: "''", override: "''", location: "''", quantity: '0', stock_status_id: sqlInt(d.stockStatusId),
      image: "CASE WHEN s.image IS NULL OR s.image LIKE 'http%' THEN '' ELSE s.image END", manufacturer_id: '0', shipping: '1',
      price: 'COALESCE(s.price, 0)', points: '0', tax_class_id: 'COALESCE(s.tax_class_id, 0)', date_available: sqlDate(d.today),
      weight: '0', weight_class_id: sqlInt(d.weightClassId), length: '0', width: '0', height: '0', length_class_id: sqlInt(d.lengthClassId),
      subtract: '1', minimum: '1', rating: '0', sort_order: '0', status: sqlInt(d.status), viewed: '0', date_added: sqlDate(d.now), date_modified: sqlDate(d.now),
    });
    const { columns, exprs } = this.schema.insertColumns('product', values);
    // The new products get ids above this one: only they are matched again (not the whole table).
    const before = await this.st.db.knex(P).max({ id: 'product_id' }).first();
    await this.raw(
      `INSERT INTO ${P} (${columns.join(', ')})
       SELECT ${exprs.join(', ')}
       FROM ${S} s WHERE s.run_id = ${R} AND s.outcome = 'created' AND s.match_count = 0`,
    );
    await this.st.matchCreated(d.codeField, Number(before?.id ?? 0));
  }

  /** Resolves kat (ERP category code) to the shop's category through the mapping table. */
  async resolveCategories(): Promise<void> {
    const { S, R, db } = this.st;
    await this.raw(db.dialect.joinUpdate({
      table: S, alias: 's', from: db.own('category_map'), fromAlias: 'cm', on: 'cm.erp_code = s.category_code',
      set: { category_id: 'cm.category_id' }, where: `s.run_id = ${R}`,
    }));
  }

  /** SQL that is true when the product already holds everything the record says. */
  sameExpr(): string {
    const { db } = this.st;
    const L = sqlInt(this.languageId);
    const eq = (a: string, b: string) => db.dialect.binaryEquals(a, b);
    return [
      '(s.price IS NULL OR ROUND(p.price, 4) = ROUND(s.price, 4))',
      '(s.tax_class_id IS NULL OR p.tax_class_id = s.tax_class_id)',
      `(s.image IS NULL OR s.image LIKE 'http%' OR ${eq('p.image', 's.image')})`,
      `(s.name IS NULL OR EXISTS (SELECT 1 FROM ${this.t('product_description')} pd WHERE pd.product_id = p.product_id AND pd.language_id = ${L} AND ${eq('pd.name', 's.name')}))`,
      `(s.description IS NULL OR EXISTS (SELECT 1 FROM ${this.t('product_description')} pd WHERE pd.product_id = p.product_id AND pd.language_id = ${L} AND ${eq('pd.description', 's.description')}))`,
      `(s.category_id IS NULL OR EXISTS (SELECT 1 FROM ${this.t('product_to_category')} pc WHERE pc.product_id = p.product_id AND pc.category_id = s.category_id))`,
      `EXISTS (SELECT 1 FROM ${this.t('product_to_store')} pts WHERE pts.product_id = p.product_id)`,
      `EXISTS (SELECT 1 FROM ${db.own('product_map')} pm WHERE pm.product_id = p.product_id AND ${eq('pm.erp_code', 's.code')}
         AND (s.unit IS NULL OR pm.unit = s.unit) AND (s.image IS NULL OR s.image NOT LIKE 'http%' OR pm.image_url = s.image))`,
    ].join(' AND ');
  }

  /**
   * Writes prices, names, descriptions, store and category links and the mapping of applied rows,
   * in three lanes at once, each on a connection of its own: the products (after `history`, which
   * reads their prices before they change), the texts and links, and the mapping. The lanes write
   * different tables and only read the stage, which none of them writes, so neither order nor
   * locks tie them (the lanes one after another took 7 s at 100,000 rows, about 2.5 s of it the
   * history and the products). A lane that fails fails the push once every lane has stopped; each
   * statement only fills what is missing or different, so a resend completes what is left. `step`
   * runs after each lane's part (tests stop a push there, as a crash would).
   */
  async apply(now: string, languageIds: number[], step: (name: string) => Promise<void> = async () => {}, history: () => Promise<void> = async () => {}): Promise<void> {
    await runLanes([
      (async () => {
        await history();
        await this.writeProducts(now);
        await step('master:products');
      })(),
      (async () => {
        await this.writeTexts(languageIds);
        await step('master:descriptions');
        await this.writeCategories();
        await step('master:categories');
      })(),
      this.writeMapping(now),
    ]);
  }

  /** The rows the lanes write: matched to one product, and updated or just created. */
  private get applied(): string {
    return `s.run_id = ${this.st.R} AND s.match_count = 1 AND s.outcome IN ('updated', 'created')`;
  }

  /**
   * The rows an UPDATE of existing rows needs: a product created by this push has no texts or
   * mapping before the INSERTs below give it them, with the same values.
   */
  private get updatedOnly(): string {
    return `s.run_id = ${this.st.R} AND s.match_count = 1 AND s.outcome = 'updated'`;
  }

  private async writeProducts(now: string): Promise<void> {
    const { S, db } = this.st;
    const applied = this.applied;
    // Updated products only: a created one was just inserted with these values and this date.
    await this.st.applyToProducts(
      { price: 'COALESCE(s.price, p.price)', tax_class_id: 'COALESCE(s.tax_class_id, p.tax_class_id)' },
      now,
      ['updated'],
      ['price', 'tax_class_id'],
    );
    // A picture path in the shop's image folder (a URL waits for its download instead): a
    // statement of its own, because the stage's image column (1,000 characters, for URLs) is too
    // wide for the scan above (see ProductStaging.updateFromStage).
    await this.raw(db.dialect.joinUpdate({
      table: this.t('product'), alias: 'p', from: S, fromAlias: 's', on: 's.product_id = p.product_id',
      set: { image: 's.image' },
      where: `${applied} AND s.image IS NOT NULL AND s.image NOT LIKE 'http%'`,
    }));
  }

  /** Names and descriptions, and the store link of a product that has none. */
  private async writeTexts(languageIds: number[]): Promise<void> {
    const { S, db } = this.st;
    const applied = this.applied;
    const L = sqlInt(this.languageId);
    // Names: the default language is the ERP's; a product new to a language gets the name too.
    await this.raw(db.dialect.joinUpdate({
      table: this.t('product_description'), alias: 'pd', from: S, fromAlias: 's', on: 's.product_id = pd.product_id',
      set: { name: 'COALESCE(s.name, pd.name)', description: 'COALESCE(s.description, pd.description)' },
      where: `${this.updatedOnly} AND pd.language_id = ${L} AND (s.name IS NOT NULL OR s.description IS NOT NULL)`,
    }));
    pushTiming(this.st.runId, 'master:names updated');
    const langs = sqlIntTable(languageIds, 'language_id');
    const desc = this.schema.insertColumns('product_description', {
      product_id: 's.product_id', language_id: 'l.language_id', name: 's.name', description: "COALESCE(s.description, '')", tag: "''",
      meta_title: 's.name', meta_description: "''", meta_keyword: "''",
    });
    await this.raw(
      `INSERT INTO ${this.t('product_description')} (${desc.columns.join(', ')})
       SELECT ${desc.exprs.join(', ')}
       FROM ${S} s CROSS JOIN ${langs} l
       WHERE ${applied} AND s.name IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM ${this.t('product_description')} pd WHERE pd.product_id = s.product_id AND pd.language_id = l.language_id)`,
    );
    pushTiming(this.st.runId, 'master:descriptions inserted');
    await this.raw(
      `INSERT INTO ${this.t('product_to_store')} (product_id, store_id)
       SELECT s.product_id, 0 FROM ${S} s WHERE ${applied} AND NOT EXISTS (
         SELECT 1 FROM ${this.t('product_to_store')} pts WHERE pts.product_id = s.product_id)`,
    );
  }

  /** The ERP category replaces the product's other ERP categories; the owner's own stay. */
  private async writeCategories(): Promise<void> {
    const { S, db } = this.st;
    const applied = this.applied;
    await this.raw(
      `DELETE FROM ${this.t('product_to_category')} WHERE category_id IN (SELECT category_id FROM ${db.own('category_map')})
       AND EXISTS (SELECT 1 FROM ${S} s WHERE ${applied} AND s.product_id = ${this.t('product_to_category')}.product_id
         AND s.category_id IS NOT NULL AND s.category_id <> ${this.t('product_to_category')}.category_id)`,
    );
    await this.raw(
      `INSERT INTO ${this.t('product_to_category')} (product_id, category_id)
       SELECT s.product_id, s.category_id FROM ${S} s WHERE ${applied} AND s.category_id IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM ${this.t('product_to_category')} pc WHERE pc.product_id = s.product_id AND pc.category_id = s.category_id)`,
    );
  }

  /** Mapping: ERP code, unit of measure, image URL waiting for download. */
  private async writeMapping(now: string): Promise<void> {
    const { S, db } = this.st;
    const applied = this.applied;
    const PM = db.own('product_map');
    await this.raw(
      `INSERT INTO ${PM} (product_id, erp_code, unit, image_url, image_status, updated_at)
       SELECT s.product_id, s.code, COALESCE(s.unit, ''), CASE WHEN s.image LIKE 'http%' THEN s.image END,
         CASE WHEN s.image LIKE 'http%' THEN 'pending' END, ${sqlDate(now)}
       FROM ${S} s WHERE ${applied} AND NOT EXISTS (SELECT 1 FROM ${PM} pm WHERE pm.product_id = s.product_id)`,
    );
    // Two statements: MySQL does not promise the order of assignments in a joined UPDATE, and
    // the status depends on the URL as it was.
    await this.raw(db.dialect.joinUpdate({
      table: PM, alias: 'pm', from: S, fromAlias: 's', on: 's.product_id = pm.product_id',
      set: {
        erp_code: 's.code',
        unit: 'COALESCE(s.unit, pm.unit)',
        image_status: "CASE WHEN s.image LIKE 'http%' AND (pm.image_url IS NULL OR pm.image_url <> s.image) THEN 'pending' ELSE pm.image_status END",
        updated_at: sqlDate(now),
      },
      where: this.updatedOnly,
    }));
    await this.raw(db.dialect.joinUpdate({
      table: PM, alias: 'pm', from: S, fromAlias: 's', on: 's.product_id = pm.product_id',
      set: { image_url: 's.image' },
      where: `${this.updatedOnly} AND s.image LIKE 'http%'`,
    }));
  }
}
