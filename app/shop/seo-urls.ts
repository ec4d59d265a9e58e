// SEO URLs of categories, written the way each release's admin writes them, and only when the
// shop uses SEO URLs (setting config_seo_url). 3.0: one row per category and language,
// `query` = 'category_id=N', keyword the category's own. 4.x: `key` = 'path', `value` = the
// ids of the category's path joined by '_', keyword its parent's keyword + '/' + its own (so a
// moved category gets new rows, as OpenCart's admin does on save). Store 0 only, like every
// other write of erp-bridge. Keywords stay unique per store and language.
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/chunks.js';
import { decodeLikeOpenCart } from '../util/html.js';
import type { ShopSchema } from './schema.js';

export interface CategorySeoChange {
  categoryId: number;
  /** The category's path (root first, itself last) after this push. */
  path: number[];
  /** Its path before, when it existed. */
  oldPath: number[] | null;
  /** The name as stored (HTML-encoded). */
  name: string;
}

/** 'Fő kategória & más' → 'fo-kategoria-mas'. */
export function slugify(text: string, fallback: string): string {
  const slug = decodeLikeOpenCart(text)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || fallback;
}

export async function writeCategorySeoUrls(db: Database, schema: ShopSchema, languageIds: number[], changes: CategorySeoChange[]): Promise<void> {
  if (changes.length === 0 || !schema.seoUrl) return;
  const table = db.t('seo_url');
  const rows: Array<Record<string, string | number>> = await db.knex(table).where({ store_id: 0 }).select('*');
  const taken = new Map<number, Set<string>>(languageIds.map((l) => [l, new Set()]));
  for (const r of rows) taken.get(Number(r.language_id))?.add(String(r.keyword));
  const unique = (languageId: number, wanted: string) => {
    const used = taken.get(languageId)!;
    let kw = wanted;
    for (let n = 2; used.has(kw); n++) kw = `${wanted}-${n}`;
    used.add(kw);
    return kw;
  };

  if (schema.seoUrl === 'query') {
    const have = new Set(rows.map((r) => `${r.language_id}:${r.query}`));
    const inserts = [];
    for (const c of changes)
      for (const l of languageIds)
        if (!have.has(`${l}:category_id=${c.categoryId}`))
          inserts.push(schema.completeRow('seo_url', { store_id: 0, language_id: l, query: `category_id=${c.categoryId}`, keyword: unique(l, slugify(c.name, `category-${c.categoryId}`)) }));
    for (const chunk of chunkRows(inserts, 4, db.dialect.maxBindings)) if (chunk.length) await db.knex(table).insert(chunk);
    return;
  }

  // 4.x: keywords by path value, per language; parents are written before their children.
  const keywordOf = new Map<string, string>();
  for (const r of rows) if (r.key === 'path') keywordOf.set(`${r.language_id}:${r.value}`, String(r.keyword));
  const ordered = [...changes].sort((a, b) => a.path.length - b.path.length);
  // (language, value) pairs whose rows go: the old path of a moved category, and any row the
  // new one replaces.
  const gone: Array<[number, string]> = [];
  const inserts = [];
  for (const c of ordered) {
    const value = c.path.join('_');
    const old = c.oldPath?.join('_');
    for (const l of languageIds) {
      if (old && old !== value) gone.push([l, old]);
      if (old === value && keywordOf.has(`${l}:${value}`)) continue;
      const previous = old ? keywordOf.get(`${l}:${old}`) : undefined;
      const own = previous?.split('/').pop() || slugify(c.name, `category-${c.categoryId}`);
      const parent = c.path.length > 1 ? keywordOf.get(`${l}:${c.path.slice(0, -1).join('_')}`) : undefined;
      if (previous) taken.get(l)!.delete(previous);
      const keyword = unique(l, parent ? `${parent}/${own}` : own);
      keywordOf.set(`${l}:${value}`, keyword);
      gone.push([l, value]);
      inserts.push(schema.completeRow('seo_url', { store_id: 0, language_id: l, key: 'path', value, keyword, sort_order: 0 }));
    }
  }
  // Small chunks: an OR chain nests in SQLite's parser, which allows 1,000 levels.
  for (const chunk of chunkRows(gone, 2, 400))
    if (chunk.length)
      await db.knex(table).where({ store_id: 0, key: 'path' }).where((q) => {
        for (const [l, v] of chunk) q.orWhere({ language_id: l, value: v });
      }).delete();
  for (const chunk of chunkRows(inserts, 6, db.dialect.maxBindings)) if (chunk.length) await db.knex(table).insert(chunk);
}
