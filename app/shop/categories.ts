// Reading and writing the shop's category tables the way OpenCart keeps them: `category`,
// `category_description` (every language), `category_to_store` (store 0) and `category_path`
// (one row per ancestor including itself, level 0 at the root).
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { sqlInt } from '../db/sql.js';
import type { ShopSchema } from './schema.js';

export interface ShopCategory {
  categoryId: number;
  parentId: number;
  sortOrder: number;
  status: number;
}

export interface PathRow {
  category_id: number;
  path_id: number;
  level: number;
}

export async function loadCategories(db: Database): Promise<Map<number, ShopCategory>> {
  const rows = await db.knex(db.t('category')).select('category_id', 'parent_id', 'sort_order', 'status');
  return new Map(rows.map((r) => [Number(r.category_id), { categoryId: Number(r.category_id), parentId: Number(r.parent_id), sortOrder: Number(r.sort_order), status: Number(r.status) }]));
}

export async function loadCategoryMap(db: Database): Promise<Map<string, number>> {
  const rows = await db.knex(db.own('category_map')).select('erp_code', 'category_id');
  return new Map(rows.map((r) => [String(r.erp_code), Number(r.category_id)]));
}

export async function loadNames(db: Database, languageId: number): Promise<Map<number, string>> {
  const rows = await db.knex(db.t('category_description')).where({ language_id: languageId }).select('category_id', 'name');
  return new Map(rows.map((r) => [Number(r.category_id), String(r.name)]));
}

export async function loadDescriptionKeys(db: Database): Promise<Set<string>> {
  const rows = await db.knex(db.t('category_description')).select('category_id', 'language_id');
  return new Set(rows.map((r) => `${r.category_id}:${r.language_id}`));
}

export async function loadStoreLinks(db: Database): Promise<Set<number>> {
  const rows = await db.knex(db.t('category_to_store')).where({ store_id: 0 }).select('category_id');
  return new Set(rows.map((r) => Number(r.category_id)));
}

export async function loadPaths(db: Database): Promise<Map<number, PathRow[]>> {
  const rows = await db.knex(db.t('category_path')).orderBy(['category_id', 'level']).select('category_id', 'path_id', 'level');
  const out = new Map<number, PathRow[]>();
  for (const r of rows) {
    const row = { category_id: Number(r.category_id), path_id: Number(r.path_id), level: Number(r.level) };
    out.set(row.category_id, [...(out.get(row.category_id) ?? []), row]);
  }
  return out;
}

/** The next free category id, above both the shop's ids and ids already promised in the map. */
export async function nextCategoryId(db: Database): Promise<number> {
  const a = await db.knex(db.t('category')).max({ m: 'category_id' }).first();
  const b = await db.knex(db.own('category_map')).max({ m: 'category_id' }).first();
  return Math.max(Number(a?.m ?? 0), Number(b?.m ?? 0)) + 1;
}

export class CategoryWriter {
  constructor(
    private readonly db: Database,
    private readonly schema: ShopSchema,
  ) {}

  private async insert(table: string, rows: object[]): Promise<void> {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0]!).length;
    for (const chunk of chunkRows(rows, cols, this.db.dialect.maxBindings)) await this.db.knex(table).insert(chunk);
  }

  async addMappings(rows: Array<{ erp_code: string; category_id: number; updated_at: string }>): Promise<void> {
    await this.insert(this.db.own('category_map'), rows);
  }

  /** New categories: the columns this release has (4.1 has no top, column or dates). */
  async insertCategories(rows: Array<Record<string, unknown>>): Promise<void> {
    await this.insert(this.db.t('category'), rows.map((r) => this.schema.completeRow('category', r)));
  }

  /** One UPDATE per chunk: column = CASE category_id WHEN … END for each changed column. */
  async updateCategories(rows: Array<{ category_id: number; parent_id: number; sort_order: number; status: number }>, now: string): Promise<void> {
    for (const chunk of chunkRows(rows, 8, this.db.dialect.maxBindings)) {
      if (chunk.length === 0) continue;
      const ids = chunk.map((r) => sqlInt(r.category_id)).join(', ');
      const kase = (col: 'parent_id' | 'sort_order' | 'status') =>
        `CASE category_id ${chunk.map((r) => `WHEN ${sqlInt(r.category_id)} THEN ${sqlInt(r[col])}`).join(' ')} END`;
      const modified = this.schema.has('category', 'date_modified') ? ', date_modified = ?' : '';
      await this.db.knex.raw(
        `UPDATE ${this.db.t('category')} SET parent_id = ${kase('parent_id')}, sort_order = ${kase('sort_order')}, status = ${kase('status')}${modified} WHERE category_id IN (${ids})`,
        modified ? [now] : [],
      );
    }
  }

  async insertDescriptions(rows: Array<Record<string, unknown>>): Promise<void> {
    await this.insert(this.db.t('category_description'), rows.map((r) => this.schema.completeRow('category_description', r)));
  }

  async renameInLanguage(languageId: number, names: Array<{ category_id: number; name: string }>): Promise<void> {
    for (const chunk of chunkRows(names, 3, this.db.dialect.maxBindings)) {
      if (chunk.length === 0) continue;
      const bindings: Array<string | number> = [];
      const kase = chunk.map((r) => {
        bindings.push(r.category_id, r.name);
        return 'WHEN ? THEN ?';
      }).join(' ');
      await this.db.knex.raw(
        `UPDATE ${this.db.t('category_description')} SET name = CASE category_id ${kase} END WHERE language_id = ? AND category_id IN (${chunk.map((r) => sqlInt(r.category_id)).join(', ')})`,
        [...bindings, languageId],
      );
    }
  }

  async addStoreLinks(ids: number[]): Promise<void> {
    await this.insert(this.db.t('category_to_store'), ids.map((id) => ({ category_id: id, store_id: 0 })));
  }

  /** Replaces the path rows of the given categories. */
  async replacePaths(ids: number[], rows: PathRow[]): Promise<void> {
    for (const chunk of chunkRows(ids, 1, this.db.dialect.maxBindings)) await this.db.knex(this.db.t('category_path')).whereIn('category_id', chunk).delete();
    await this.insert(this.db.t('category_path'), rows);
  }
}
