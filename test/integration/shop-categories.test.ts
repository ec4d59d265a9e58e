// The shop's category tables (app/shop/categories.ts) through their own functions on each
// database: what the readers give, the next free id, and what each writer changes and what it
// leaves alone (other categories, other languages, other stores' links, other paths), also past
// one statement's worth of rows. push-categories reaches them only through HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CategoryWriter, loadCategories, loadCategoryMap, loadDescriptionKeys, loadNames, loadPaths, loadStoreLinks, nextCategoryId,
} from '../../app/shop/categories.js';
import { listLanguages } from '../../app/shop/catalog.js';
import { shopSchema } from '../../app/shop/schema.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const NOW = '2026-12-02 11:00:00';

describe.each(TARGETS)('the shop\'s category tables on $name', (target) => {
  let env: TargetEnv;
  let languages: number[];
  let writer: CategoryWriter;
  let hasDates: boolean;
  let nextId = 0;
  const db = () => env.ctx.db;
  const t = (name: string) => db().t(name);
  /** Fresh category ids above everything in the shop and the map. */
  const ids = async (n: number) => {
    nextId = Math.max(nextId, await nextCategoryId(db()));
    const out = Array.from({ length: n }, (_, i) => nextId + i);
    nextId += n;
    return out;
  };
  const addCategories = async (list: number[], parent = 0) => {
    await writer.insertCategories(list.map((id, i) => ({ category_id: id, parent_id: parent, sort_order: i, status: 1, image: '', ...(hasDates ? { date_added: NOW, date_modified: NOW } : {}) })));
  };
  const row = (id: number) => db().knex(t('category')).where({ category_id: id }).first();

  beforeAll(async () => {
    env = await openTarget(target);
    languages = (await listLanguages(db())).map((l) => l.languageId);
    const schema = await shopSchema(db());
    writer = new CategoryWriter(db(), schema);
    hasDates = schema.has('category', 'date_modified');
  });
  afterAll(async () => env?.cleanup());

  it('inserts categories given only some columns, the release\'s other required columns filled, and reads them back as numbers', async () => {
    const [a, b] = await ids(2);
    await writer.insertCategories([{ category_id: a, parent_id: 0, sort_order: 3, status: 1 }, { category_id: b!, parent_id: a, sort_order: 0, status: 0 }]);
    const all = await loadCategories(db());
    expect(all.get(a!)).toEqual({ categoryId: a, parentId: 0, sortOrder: 3, status: 1 });
    expect(all.get(b!)).toEqual({ categoryId: b, parentId: a, sortOrder: 0, status: 0 });
    // The rows named only some columns: the release's other NOT NULL columns were filled (SQLite
    // refuses a row without them; MySQL outside strict mode would fill them with a warning).
    expect(await row(a!)).toBeDefined();
  });

  it('gives the next free id above both the shop\'s categories and the ids the map has promised', async () => {
    const top = Number((await db().knex(t('category')).max({ m: 'category_id' }).first())!.m ?? 0);
    expect(await nextCategoryId(db())).toBe(top + 1);
    await writer.addMappings([{ erp_code: `PROMISED-${top}`, category_id: top + 50, updated_at: NOW }]);
    expect(await nextCategoryId(db())).toBe(top + 51);
    expect((await loadCategoryMap(db())).get(`PROMISED-${top}`)).toBe(top + 50);
    nextId = top + 51;
  });

  it('gives the next free id above the highest id the map has promised, not just any', async () => {
    const top = Math.max(Number((await db().knex(t('category')).max({ m: 'category_id' }).first())!.m ?? 0), nextId);
    await writer.addMappings([
      { erp_code: `LOW-${top}`, category_id: top + 5, updated_at: NOW },
      { erp_code: `HIGH-${top}`, category_id: top + 9, updated_at: NOW },
    ]);
    expect(await nextCategoryId(db())).toBe(top + 10);
    nextId = top + 10;
  });

  it('updates a release without category dates (4.1) without writing date_modified', async () => {
    const [a] = await ids(1);
    await addCategories([a!]);
    const schema = await shopSchema(db());
    const noDates = Object.create(schema) as typeof schema;
    noDates.has = (table: string, column?: string) => !(table === 'category' && column === 'date_modified') && schema.has(table, column);
    await new CategoryWriter(db(), noDates).updateCategories([{ category_id: a!, parent_id: 0, sort_order: 42, status: 0 }], '2026-12-02 12:34:56');
    expect((await loadCategories(db())).get(a!)).toEqual({ categoryId: a, parentId: 0, sortOrder: 42, status: 0 });
    if (hasDates) expect(String((await row(a!)).date_modified)).toBe(NOW);
  });

  it('updates parent, order and status of exactly the categories given, each to its own values, past one statement\'s worth of rows', async () => {
    const list = await ids(3752);
    await addCategories(list);
    const [untouched] = await ids(1);
    await addCategories([untouched!]);
    // 8 values a row: 3,750 rows a statement; 3,752 make two.
    const changes = list.map((id, i) => ({ category_id: id, parent_id: i % 2 ? list[0]! : 0, sort_order: 10_000 + i, status: i % 3 === 0 ? 0 : 1 }));
    await writer.updateCategories(changes, '2026-12-02 12:34:56');
    const all = await loadCategories(db());
    for (const i of [0, 1, 2, 3749, 3750, 3751]) {
      expect(all.get(list[i]!), `row ${i}`).toEqual({ categoryId: list[i], parentId: i % 2 ? list[0] : 0, sortOrder: 10_000 + i, status: i % 3 === 0 ? 0 : 1 });
    }
    expect(all.get(untouched!)).toMatchObject({ parentId: 0, sortOrder: 0, status: 1 });
    if (hasDates) {
      expect(String((await row(list[3751]!)).date_modified)).toBe('2026-12-02 12:34:56');
      expect(String((await row(untouched!)).date_modified)).toBe(NOW);
    }
    await writer.updateCategories([], NOW);
  });

  it('renames in one language only the categories named, quotes and accents kept, past one statement\'s worth', async () => {
    const list = await ids(10_001);
    const [other] = await ids(1);
    const [lang, second] = languages;
    await writer.insertDescriptions([...list, other!].flatMap((id) => languages.map((l) => ({ category_id: id, language_id: l, name: `old ${id}`, description: '', meta_title: `old ${id}`, meta_description: '', meta_keyword: '' }))));
    const keys = await loadDescriptionKeys(db());
    expect(keys.has(`${list[0]}:${lang}`) && keys.has(`${list[10_000]}:${second}`)).toBe(true);
    await writer.renameInLanguage(lang!, list.map((id, i) => ({ category_id: id, name: i === 0 ? 'Kávé & "tea" \'s' : `Új ${i}` })));
    const names = await loadNames(db(), lang!);
    expect(names.get(list[0]!)).toBe('Kávé & "tea" \'s');
    expect(names.get(list[9_999]!)).toBe('Új 9999');
    expect(names.get(list[10_000]!)).toBe('Új 10000');
    expect(names.get(other!)).toBe(`old ${other}`);
    const secondNames = await loadNames(db(), second!);
    expect(secondNames.get(list[0]!)).toBe(`old ${list[0]}`);
  });

  it('links categories to the default store only, and reads the default store\'s links only', async () => {
    const [a, b] = await ids(2);
    await writer.addStoreLinks([a!]);
    await db().knex(t('category_to_store')).insert({ category_id: b, store_id: 1 });
    const links = await loadStoreLinks(db());
    expect(links.has(a!)).toBe(true);
    expect(links.has(b!)).toBe(false);
    await writer.addStoreLinks([]);
  });

  it('reads each category\'s path in level order, whatever order the rows are stored in', async () => {
    // A category moved under ancestors with higher ids: by path_id (the key) the levels run 2, 0, 1.
    const [leaf, top, mid] = await ids(3);
    const rows = [{ category_id: leaf!, path_id: leaf!, level: 2 }, { category_id: leaf!, path_id: mid!, level: 1 }, { category_id: leaf!, path_id: top!, level: 0 }];
    await writer.replacePaths([leaf!], rows);
    expect((await loadPaths(db())).get(leaf!)).toEqual([...rows].reverse());
  });

  it('replaces the paths of the categories given, in level order, and leaves every other path as it was', async () => {
    const [root, child, other] = await ids(3);
    await writer.replacePaths([root!, other!], [{ category_id: root!, path_id: root!, level: 0 }, { category_id: other!, path_id: other!, level: 0 }]);
    await writer.replacePaths([child!], [{ category_id: child!, path_id: child!, level: 1 }, { category_id: child!, path_id: root!, level: 0 }]);
    // Moved: the child's path is replaced whole; the other category's stays.
    await writer.replacePaths([child!], [{ category_id: child!, path_id: other!, level: 0 }, { category_id: child!, path_id: child!, level: 1 }]);
    const paths = await loadPaths(db());
    expect(paths.get(child!)).toEqual([{ category_id: child, path_id: other, level: 0 }, { category_id: child, path_id: child, level: 1 }]);
    expect(paths.get(root!)).toEqual([{ category_id: root, path_id: root, level: 0 }]);
    expect(paths.get(other!)).toEqual([{ category_id: other, path_id: other, level: 0 }]);
  });
});
