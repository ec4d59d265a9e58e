// The categories use case (app/sync/apply-categories.ts) called directly on each database: what
// each refused record answers (and that nothing of it is written), what a new category gets (row,
// descriptions in every language, store link, path, mapping, SEO URL), what an update changes and
// what it keeps, which records count as created, updated or unchanged, parents and cycles through
// the document and through the shop, and a dry run that writes nothing. push-categories reaches
// it only through HTTP. Its rows are checked in 3.0's shape (the SQLite demo shop and the 3.0.3.8
// fixture and real 3.0.4.1: `seo_url.query`, `category.top` and `column`), so it leaves the real 4.x installs out;
// push-categories and opencart-pushes prove categories on every real release.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCategories } from '../../app/sync/apply-categories.js';
import { emptyFields, type RawRecord } from '../../app/erp/record.js';
import { listLanguages } from '../../app/shop/catalog.js';
import { CategoryWriter, nextCategoryId } from '../../app/shop/categories.js';
import { shopSchema } from '../../app/shop/schema.js';
import { now } from '../../app/util/time.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { categoryIdOf, defaultLanguageId, uniqueCode } from '../support/shop.js';

type Fields = Record<string, string>;

describe.each(TARGETS.filter((t) => !t.release?.startsWith('4.')))('the categories use case on $name', (target) => {
  let env: TargetEnv;
  let lang: number;
  let languages: number[];
  let others: number[];
  const db = () => env.ctx.db;
  const t = (name: string) => db().t(name);

  /** Records as the document readers give them: seq from 1, the line after the root's. */
  const recordsOf = (list: Fields[]): RawRecord[] =>
    list.map((fields, i) => ({ seq: i + 1, line: i + 2, fields: Object.assign(emptyFields(), fields) }));
  const apply = (list: Fields[], dryRun = false) => applyCategories(db(), recordsOf(list), { dryRun });
  const idOf = async (code: string) => (await categoryIdOf(db(), code))!;
  const category = async (id: number) => {
    const r = await db().knex(t('category')).where({ category_id: id }).first();
    return r && { parent_id: Number(r.parent_id), sort_order: Number(r.sort_order), status: Number(r.status) };
  };
  const fullRow = (id: number) => db().knex(t('category')).where({ category_id: id }).first();
  const pathOf = async (id: number) =>
    (await db().knex(t('category_path')).where({ category_id: id }).orderBy('level').select('path_id', 'level')).map((r) => [Number(r.path_id), Number(r.level)]);
  const descriptions = async (id: number) =>
    (await db().knex(t('category_description')).where({ category_id: id }).orderBy('language_id').select('language_id', 'name', 'description', 'meta_title', 'meta_description', 'meta_keyword'))
      .map((r) => ({ ...r, language_id: Number(r.language_id) }));
  const nameIn = async (id: number, language: number) => (await db().knex(t('category_description')).where({ category_id: id, language_id: language }).first('name'))?.name;
  const storeLinks = async (id: number) => (await db().knex(t('category_to_store')).where({ category_id: id }).pluck('store_id')).map(Number);
  /** A category tree of the ERP, made through the use case: a > b > c. */
  const tree = async () => {
    const codes = { a: uniqueCode('CA'), b: uniqueCode('CB'), c: uniqueCode('CC') };
    const res = await apply([{ kod: codes.a, nev: 'Konyha' }, { kod: codes.b, szulo: codes.a, nev: 'Edények' }, { kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
    expect(res.counts.created).toBe(3);
    return { codes, ids: { a: await idOf(codes.a), b: await idOf(codes.b), c: await idOf(codes.c) } };
  };
  /** A category the owner made in the shop (not the ERP's), under a parent, with its path. */
  const shopCategory = async (parent: number, name: string) => {
    const id = await nextCategoryId(db());
    const schema = await shopSchema(db());
    const w = new CategoryWriter(db(), schema);
    await w.insertCategories([{ category_id: id, parent_id: parent, sort_order: 0, status: 1, image: '', ...(schema.has('category', 'date_added') ? { date_added: now(), date_modified: now() } : {}) }]);
    await w.insertDescriptions(languages.map((l) => ({ category_id: id, language_id: l, name, description: '', meta_title: name, meta_description: '', meta_keyword: '' })));
    await w.addStoreLinks([id]);
    const parentPath = (await pathOf(parent)).map(([p]) => p!);
    await w.replacePaths([id], [...parentPath, id].map((p, level) => ({ category_id: id, path_id: p, level })));
    return id;
  };
  const setSeo = async (value: string) => {
    const q = db().knex(t('setting')).where({ store_id: 0, code: 'config', key: 'config_seo_url' });
    if (await q.clone().first()) await q.clone().update({ value });
    else await db().knex(t('setting')).insert({ store_id: 0, code: 'config', key: 'config_seo_url', value, serialized: 0 });
  };
  const keywords = async (id: number) =>
    (await db().knex(t('seo_url')).where({ store_id: 0, query: `category_id=${id}` }).orderBy('language_id').select('language_id', 'keyword')).map((r) => [Number(r.language_id), r.keyword]);
  const invalid = (res: Awaited<ReturnType<typeof apply>>) => res.notApplied.map((n) => [n.seq, n.code, n.outcome, n.reason]);

  beforeAll(async () => {
    env = await openTarget(target);
    lang = await defaultLanguageId(db());
    languages = (await listLanguages(db())).map((l) => l.languageId).sort((a, b) => a - b);
    others = languages.filter((l) => l !== lang);
  });
  afterAll(async () => env?.cleanup());

  it('refuses each bad record with its own reason, in record order, writes nothing of it, and names the unknown fields once, sorted', async () => {
    const c = Array.from({ length: 13 }, () => uniqueCode('CR'));
    const long64 = `${c[0]}-`.padEnd(64, 'x');
    const long65 = `${c[1]}-`.padEnd(65, 'x');
    const before = await nextCategoryId(db());
    const res = await apply([
      { kod: '  ', nev: 'Nincs kód', zzz: '1' },
      { kod: long65, nev: 'Hosszú' },
      { kod: long64, nev: 'Pont 64', aaa: 'x', zzz: '2' },
      { kod: ` ${c[2]} `, nev: 'Iker 1' },
      { kod: c[3]!, nev: '   ' },
      { kod: c[2]!, nev: 'Iker 2' },
      { kod: c[4]!, nev: 'Kés 😀' },
      { kod: c[5]!, nev: `${'n'.repeat(250)}&` },
      { kod: c[6]!, nev: `${'n'.repeat(251)}&` },
      { kod: c[7]!, nev: 'Saját', szulo: ` ${c[7]} ` },
      { kod: c[8]!, nev: 'Tört', sorrend: '1.5' },
      { kod: c[9]!, nev: 'Nagy', sorrend: '100000' },
      { kod: c[10]!, nev: 'Kicsi', sorrend: '-100000' },
      { kod: c[11]!, nev: 'Talán', aktiv: 'Talán' },
      { nev: 'Mező nélkül' },
      { kod: c[12]! },
    ]);
    expect(invalid(res)).toEqual([
      [1, '', 'invalid', 'record 1 (line 2) has no kod'],
      [2, long65, 'invalid', 'kod is longer than 64 characters'],
      [4, c[2], 'invalid', 'the code stands 2 times in the document (records 4, 6): none of them is applied'],
      [5, c[3], 'invalid', 'no nev'],
      [6, c[2], 'invalid', 'the code stands 2 times in the document (records 4, 6): none of them is applied'],
      [7, c[4], 'invalid', "nev holds a character the shop's tables cannot store (emoji or other 4-byte character)"],
      [9, c[6], 'invalid', 'nev is longer than 255 characters (as the shop stores it)'],
      [10, c[7], 'invalid', 'the category is its own parent'],
      [11, c[8], 'invalid', 'sorrend "1.5" is not a whole number'],
      [12, c[9], 'invalid', 'sorrend "100000" is not a whole number'],
      [13, c[10], 'invalid', 'sorrend "-100000" is not a whole number'],
      [14, c[11], 'invalid', 'aktiv "Talán" is not 1/0 (igen/nem)'],
      [15, '', 'invalid', 'record 15 (line 16) has no kod'],
      [16, c[12], 'invalid', 'no nev'],
    ]);
    expect(res.notApplied[0]).toMatchObject({ reasonCode: 'no_code', reasonVars: { record: 1, line: 2, field: 'kod' } });
    expect(res.unknownFields).toEqual(['aaa', 'zzz']);
    expect(res.counts).toEqual({ received: 16, created: 2, updated: 0, unchanged: 0, invalid: 14 });
    // The two good ones: exactly 64 characters of code, a name of exactly 255 as stored.
    expect(await idOf(long64)).toBe(before);
    expect(await idOf(c[5]!)).toBe(before + 1);
    expect(await nameIn(before + 1, lang)).toBe(`${'n'.repeat(250)}&amp;`);
    for (const code of [long65, ...c.filter((_, i) => i !== 5)]) expect(await categoryIdOf(db(), code)).toBeUndefined();
    expect(await nextCategoryId(db())).toBe(before + 2);
  });

  it('reads order and status trimmed, any case, at their limits, and gives a new category 0 and active when they are empty', async () => {
    const values: Array<[Fields, number, number]> = [
      [{ sorrend: ' 7 ', aktiv: ' IGEN ' }, 7, 1],
      [{ sorrend: '99999', aktiv: 'Nem' }, 99999, 0],
      [{ sorrend: '-99999', aktiv: '0' }, -99999, 0],
      [{ sorrend: '', aktiv: '' }, 0, 1],
      [{ sorrend: '  ', aktiv: ' ' }, 0, 1],
      [{ aktiv: 'inaktiv' }, 0, 0],
      [{ aktiv: 'TRUE' }, 0, 1],
    ];
    const codes = values.map(() => uniqueCode('CV'));
    const res = await apply(values.map(([f], i) => ({ kod: codes[i]!, nev: `Érték ${i}`, ...f })));
    expect(res.notApplied).toEqual([]);
    expect(res.counts).toEqual({ received: values.length, created: values.length, updated: 0, unchanged: 0, invalid: 0 });
    for (const [i, [, sortOrder, status]] of values.entries()) expect(await category(await idOf(codes[i]!))).toEqual({ parent_id: 0, sort_order: sortOrder, status });
  });

  it('creates new categories with consecutive new ids, parents after children, names HTML-encoded in every language, store link, path and mapping', async () => {
    const [parent, child] = [uniqueCode('CN'), uniqueCode('CN')];
    const first = await nextCategoryId(db());
    const before = now();
    const res = await apply([
      { kod: child, szulo: ` ${parent} `, nev: '  Kések & "villák" <új>  ', sorrend: '3', aktiv: '0' },
      { kod: ` ${parent} `, nev: 'Konyha' },
    ]);
    const after = now();
    expect(res).toEqual({ counts: { received: 2, created: 2, updated: 0, unchanged: 0, invalid: 0 }, notApplied: [], unknownFields: [] });
    expect([await idOf(child), await idOf(parent)]).toEqual([first, first + 1]);
    const [c, p] = [first, first + 1];
    const childRow = await fullRow(c);
    const parentRow = await fullRow(p);
    expect(await category(c)).toEqual({ parent_id: p, sort_order: 3, status: 0 });
    expect(await category(p)).toEqual({ parent_id: 0, sort_order: 0, status: 1 });
    expect([Number(childRow.top), Number(parentRow.top), Number(childRow.column), Number(parentRow.column), childRow.image, parentRow.image]).toEqual([0, 1, 1, 1, '', '']);
    for (const d of [String(childRow.date_added), String(childRow.date_modified)]) expect(d >= before && d <= after).toBe(true);
    const encoded = 'Kések &amp; &quot;villák&quot; &lt;új&gt;';
    expect(await descriptions(c)).toEqual(languages.map((l) => ({ language_id: l, name: encoded, description: '', meta_title: encoded, meta_description: '', meta_keyword: '' })));
    expect(await storeLinks(c)).toEqual([0]);
    expect(await storeLinks(p)).toEqual([0]);
    expect(await pathOf(p)).toEqual([[p, 0]]);
    expect(await pathOf(c)).toEqual([[p, 0], [c, 1]]);
    const mapRow = await db().knex(db().own('category_map')).where({ erp_code: child }).first();
    expect(String(mapRow.updated_at) >= before && String(mapRow.updated_at) <= after).toBe(true);
  });

  it('answers a resend unchanged and writes nothing; changes only what a record says, keeping order and status it leaves empty', async () => {
    const { codes, ids } = await tree();
    await apply([{ kod: codes.b, szulo: codes.a, nev: 'Edények', sorrend: '4', aktiv: '0' }]);
    // An old date: a resend that wrote the unchanged rows again would set it to now.
    if ((await shopSchema(db())).has('category', 'date_modified')) await db().knex(t('category')).whereIn('category_id', [ids.a, ids.b, ids.c]).update({ date_modified: '2026-01-01 10:00:00' });
    const rowBefore = await fullRow(ids.b);
    const resend = await apply([{ kod: codes.a, nev: 'Konyha' }, { kod: codes.b, szulo: codes.a, nev: 'Edények', sorrend: '  ', aktiv: ' ' }, { kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
    expect(resend.counts).toEqual({ received: 3, created: 0, updated: 0, unchanged: 3, invalid: 0 });
    // Empty order and status keep the shop's values (4 and 0), not the defaults of a new category.
    expect(await fullRow(ids.b)).toEqual(rowBefore);
    // Each of order, status and parent alone makes an update.
    for (const [fields, want] of [
      [{ sorrend: '5' }, { parent_id: ids.a, sort_order: 5, status: 0 }],
      [{ aktiv: 'igen' }, { parent_id: ids.a, sort_order: 5, status: 1 }],
      [{ szulo: '' }, { parent_id: 0, sort_order: 5, status: 1 }],
    ] as Array<[Fields, object]>) {
      const res = await apply([{ kod: codes.b, szulo: codes.a, nev: 'Edények', ...fields }]);
      expect(res.counts).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, invalid: 0 });
      expect(await category(ids.b)).toEqual(want);
    }
    expect(await category(ids.a)).toEqual({ parent_id: 0, sort_order: 0, status: 1 });
    expect(await pathOf(ids.b)).toEqual([[ids.b, 0]]);
    expect(await pathOf(ids.c)).toEqual([[ids.b, 0], [ids.c, 1]]);
  });

  it('renames in the default language only, HTML-encoded, keeping what the owner wrote in the others', async () => {
    const { codes, ids } = await tree();
    for (const l of others) await db().knex(t('category_description')).where({ category_id: ids.a, language_id: l }).update({ name: `Kitchen &amp; dining ${l}` });
    const res = await apply([{ kod: codes.a, nev: 'Kert & udvar' }, { kod: codes.b, szulo: codes.a, nev: 'Edények' }]);
    expect(res.counts).toEqual({ received: 2, created: 0, updated: 1, unchanged: 1, invalid: 0 });
    expect(await nameIn(ids.a, lang)).toBe('Kert &amp; udvar');
    for (const l of others) expect(await nameIn(ids.a, l)).toBe(`Kitchen &amp; dining ${l}`);
    expect(await nameIn(ids.b, lang)).toBe('Edények');
    // Sent again the same: unchanged (the stored name is compared in its encoded form).
    expect((await apply([{ kod: codes.a, nev: 'Kert & udvar' }])).counts).toEqual({ received: 1, created: 0, updated: 0, unchanged: 1, invalid: 0 });
  });

  it('adds a missing description, store link or path of a known category and counts it updated, leaving the rest as it was', async () => {
    const { codes, ids } = await tree();
    const other = others[0]!;
    await db().knex(t('category_description')).where({ category_id: ids.a, language_id: other }).del();
    await db().knex(t('category_to_store')).where({ category_id: ids.b }).del();
    // c's path: a row of the wrong parent, then (below) the wrong level, then one row missing.
    await db().knex(t('category_path')).where({ category_id: ids.c, level: 0 }).update({ path_id: ids.c + 1000 });
    const res = await apply([{ kod: codes.a, nev: 'Konyha' }, { kod: codes.b, szulo: codes.a, nev: 'Edények' }, { kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
    expect(res.counts).toEqual({ received: 3, created: 0, updated: 3, unchanged: 0, invalid: 0 });
    expect(await descriptions(ids.a)).toEqual(languages.map((l) => ({ language_id: l, name: 'Konyha', description: '', meta_title: 'Konyha', meta_description: '', meta_keyword: '' })));
    expect(await storeLinks(ids.b)).toEqual([0]);
    const full = [[ids.a, 0], [ids.b, 1], [ids.c, 2]];
    expect(await pathOf(ids.c)).toEqual(full);
    for (const spoil of [
      // Every level one up: the same path ids in the same order, only the levels wrong.
      () => db().knex(t('category_path')).where({ category_id: ids.c }).update({ level: db().knex.raw('level + 1') }),
      () => db().knex(t('category_path')).where({ category_id: ids.c, path_id: ids.b }).update({ level: 5 }),
      () => db().knex(t('category_path')).where({ category_id: ids.c, path_id: ids.a }).del(),
    ]) {
      await spoil();
      const again = await apply([{ kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
      expect(again.counts).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, invalid: 0 });
      expect(await pathOf(ids.c)).toEqual(full);
    }
  });

  it('moves a whole subtree: every category below, the owner\'s own too, gets its new path; only the moved one counts', async () => {
    const { codes, ids } = await tree();
    const target2 = uniqueCode('CT');
    await apply([{ kod: target2, nev: 'Kert' }]);
    const t2 = await idOf(target2);
    const owners = await shopCategory(ids.c, 'Saját');
    const untouched = await shopCategory(ids.a, 'Marad');
    const stray = async () => Number((await db().knex(t('category_path')).whereNotIn('category_id', db().knex(t('category')).select('category_id')).count({ n: '*' }).first())!.n);
    const strayBefore = await stray();
    const res = await apply([{ kod: codes.b, szulo: target2, nev: 'Edények' }]);
    expect(res.counts).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, invalid: 0 });
    // No path row for a category that is not there.
    expect(await stray()).toBe(strayBefore);
    expect(await category(ids.b)).toMatchObject({ parent_id: t2 });
    expect(await pathOf(ids.b)).toEqual([[t2, 0], [ids.b, 1]]);
    expect(await pathOf(ids.c)).toEqual([[t2, 0], [ids.b, 1], [ids.c, 2]]);
    expect(await pathOf(owners)).toEqual([[t2, 0], [ids.b, 1], [ids.c, 2], [owners, 3]]);
    expect(await pathOf(untouched)).toEqual([[ids.a, 0], [untouched, 1]]);
    expect(await pathOf(ids.a)).toEqual([[ids.a, 0]]);
  });

  it('takes a parent the ERP sent before; refuses an unknown parent, the records under it (however deep, in any order) and both sides of a cycle', async () => {
    const { codes, ids } = await tree();
    const [orphan, child, grandchild, x, y, ok] = ['CO', 'CK', 'CG', 'CX', 'CY', 'CP'].map((p) => uniqueCode(p)) as [string, string, string, string, string, string];
    const before = await nextCategoryId(db());
    const res = await apply([
      { kod: grandchild, szulo: child, nev: 'Unoka' },
      { kod: child, szulo: orphan, nev: 'Gyerek' },
      { kod: orphan, szulo: 'NOPE', nev: 'Árva' },
      { kod: x, szulo: y, nev: 'X' },
      { kod: y, szulo: x, nev: 'Y' },
      { kod: ok, szulo: codes.c, nev: 'Jó' },
    ]);
    expect(invalid(res)).toEqual([
      [1, grandchild, 'invalid', `parent "${child}" is invalid`],
      [2, child, 'invalid', `parent "${orphan}" is invalid`],
      [3, orphan, 'invalid', 'parent "NOPE" is neither in this document nor a known ERP category'],
      [4, x, 'invalid', `the parent chain makes a cycle (${x} → ${y} → ${x})`],
      [5, y, 'invalid', `the parent chain makes a cycle (${y} → ${x} → ${y})`],
    ]);
    expect(res.counts).toEqual({ received: 6, created: 1, updated: 0, unchanged: 0, invalid: 5 });
    // A parent refusal (found after every record was read) still stands in record order.
    const mixed = await apply([{ kod: uniqueCode('CM'), szulo: 'NOPE', nev: 'Árva' }, { kod: uniqueCode('CM') }]);
    expect(mixed.notApplied.map((n) => [n.seq, n.reasonCode])).toEqual([[1, 'parent_unknown'], [2, 'no_name']]);
    for (const code of [orphan, child, grandchild, x, y]) expect(await categoryIdOf(db(), code)).toBeUndefined();
    expect(await idOf(ok)).toBe(before);
    expect(await pathOf(before)).toEqual([[ids.a, 0], [ids.b, 1], [ids.c, 2], [before, 3]]);
  });

  it('refuses a cycle made through the shop, also across a category the owner made between two of the ERP\'s', async () => {
    const { codes, ids } = await tree();
    // a > owner's > z: the ERP's z sits under the owner's category.
    const between = await shopCategory(ids.a, 'Köztes');
    const z = uniqueCode('CZ');
    await apply([{ kod: z, nev: 'Z' }]);
    const zId = await idOf(z);
    await new CategoryWriter(db(), await shopSchema(db())).updateCategories([{ category_id: zId, parent_id: between, sort_order: 0, status: 1 }], now());
    // a under c (c is under b under a), and a under z (z is under a through the owner's category).
    const res = await apply([{ kod: codes.a, szulo: codes.c, nev: 'Konyha' }]);
    expect(invalid(res)).toEqual([[1, codes.a, 'invalid', `the parent chain makes a cycle (${codes.a} → ${codes.c} → ${codes.b} → ${codes.a})`]]);
    const res2 = await apply([{ kod: codes.a, szulo: z, nev: 'Konyha' }]);
    expect(invalid(res2)).toEqual([[1, codes.a, 'invalid', `the parent chain makes a cycle (${codes.a} → ${z} → ${codes.a})`]]);
    expect(await category(ids.a)).toEqual({ parent_id: 0, sort_order: 0, status: 1 });
    // Under the owner's category, away from the ERP's: no cycle, the shop parent is kept as it is.
    const res3 = await apply([{ kod: z, szulo: codes.b, nev: 'Z' }]);
    expect(res3.counts).toEqual({ received: 1, created: 0, updated: 1, unchanged: 0, invalid: 0 });
    expect(await pathOf(zId)).toEqual([[ids.a, 0], [ids.b, 1], [zId, 2]]);
  });

  it('walks up the shop past a loop or a missing parent among the owner\'s categories, and takes a parent deleted in the shop by its mapped id', async () => {
    const { codes, ids } = await tree();
    const schema = await shopSchema(db());
    const w = new CategoryWriter(db(), schema);
    // The owner's x and y are each other's parent; the ERP's z sits under x.
    const x = await shopCategory(0, 'X');
    const y = await shopCategory(0, 'Y');
    await w.updateCategories([{ category_id: x, parent_id: y, sort_order: 0, status: 1 }, { category_id: y, parent_id: x, sort_order: 0, status: 1 }], now());
    const z = uniqueCode('CL');
    await apply([{ kod: z, nev: 'Z' }]);
    await w.updateCategories([{ category_id: await idOf(z), parent_id: x, sort_order: 0, status: 1 }], now());
    // The walk up (the parent check and the new path) stops at the loop: the path names x and y
    // once each (a path repeating them broke category_path's key half-way through the push).
    const under = uniqueCode('CL');
    const looped = await apply([{ kod: under, szulo: z, nev: 'A hurok alatt' }]);
    expect(looped.counts).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, invalid: 0 });
    const underId = await idOf(under);
    const pathIds = (await pathOf(underId)).map(([id]) => id);
    expect(new Set(pathIds).size).toBe(pathIds.length);
    expect(pathIds.slice(-2)).toEqual([await idOf(z), underId]);
    expect(pathIds.slice(0, -2).sort()).toEqual([x, y].sort());
    // Undo the loop: the other tests walk the shop's tree too.
    await w.updateCategories([{ category_id: x, parent_id: 0, sort_order: 0, status: 1 }], now());
    // The owner's d points at a parent that is not there; the ERP's e sits under d.
    const d = await shopCategory(0, 'D');
    await w.updateCategories([{ category_id: d, parent_id: 999_999, sort_order: 0, status: 1 }], now());
    const e = uniqueCode('CL');
    await apply([{ kod: e, nev: 'E' }]);
    await w.updateCategories([{ category_id: await idOf(e), parent_id: d, sort_order: 0, status: 1 }], now());
    const dangling = await apply([{ kod: uniqueCode('CL'), szulo: e, nev: 'Árva ág alatt' }]);
    expect(dangling.counts).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, invalid: 0 });
    // c deleted in the shop (its mapping stays): a new child of c is made under c's mapped id.
    await db().knex(t('category')).where({ category_id: ids.c }).del();
    const child = uniqueCode('CL');
    const res = await apply([{ kod: child, szulo: codes.c, nev: 'Gyerek' }]);
    expect(res.counts).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, invalid: 0 });
    expect(await category(await idOf(child))).toMatchObject({ parent_id: ids.c });
  });

  it('counts a category recreated over its left-behind descriptions as created', async () => {
    const { codes, ids } = await tree();
    await db().knex(t('category')).where({ category_id: ids.c }).del();
    const res = await apply([{ kod: codes.c, szulo: codes.b, nev: 'Más név' }]);
    expect(res.counts).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, invalid: 0 });
    expect(await category(ids.c)).toEqual({ parent_id: ids.b, sort_order: 0, status: 1 });
  });

  it('recreates a mapped category deleted in the shop under the same id, as new', async () => {
    const { codes, ids } = await tree();
    for (const table of ['category', 'category_path', 'category_description', 'category_to_store']) await db().knex(t(table)).where({ category_id: ids.c }).del();
    const res = await apply([{ kod: codes.c, szulo: codes.b, nev: 'Serpenyők', sorrend: '2' }]);
    expect(res.counts).toEqual({ received: 1, created: 1, updated: 0, unchanged: 0, invalid: 0 });
    expect(await idOf(codes.c)).toBe(ids.c);
    expect(await category(ids.c)).toEqual({ parent_id: ids.b, sort_order: 2, status: 1 });
    expect(Number((await fullRow(ids.c)).top)).toBe(0);
    expect(await pathOf(ids.c)).toEqual([[ids.a, 0], [ids.b, 1], [ids.c, 2]]);
    expect((await descriptions(ids.c)).map((d) => d.name)).toEqual(languages.map(() => 'Serpenyők'));
    expect(await storeLinks(ids.c)).toEqual([0]);
  });

  it('a dry run answers as the push would and writes nothing at all', async () => {
    const { codes, ids } = await tree();
    await db().knex(t('category_to_store')).where({ category_id: ids.c }).del();
    const fresh = uniqueCode('CD');
    const tables = ['category', 'category_path', 'category_description', 'category_to_store', ...((await shopSchema(db())).seoUrl ? ['seo_url'] : [])];
    const snapshot = async () => Promise.all(tables.map((x) => db().knex(t(x)).count({ n: '*' }).first()).concat([db().knex(db().own('category_map')).count({ n: '*' }).first()]));
    const before = await snapshot();
    const beforeRows = await Promise.all([ids.a, ids.b, ids.c].map(fullRow));
    const names = await Promise.all([ids.a, ids.b].map(descriptions));
    await setSeo('1');
    try {
      const docs: Fields[] = [
        { kod: codes.a, nev: 'Új név' },
        { kod: codes.b, szulo: '', nev: 'Edények', sorrend: '9' },
        { kod: codes.c, szulo: codes.b, nev: 'Serpenyők' },
        { kod: fresh, szulo: codes.a, nev: 'Friss' },
        { kod: uniqueCode('CD'), szulo: 'NOPE', nev: 'Rossz' },
      ];
      const res = await apply(docs, true);
      expect(res.counts).toEqual({ received: 5, created: 1, updated: 3, unchanged: 0, invalid: 1 });
      expect(await snapshot()).toEqual(before);
      expect(await Promise.all([ids.a, ids.b, ids.c].map(fullRow))).toEqual(beforeRows);
      expect(await Promise.all([ids.a, ids.b].map(descriptions))).toEqual(names);
      expect(await categoryIdOf(db(), fresh)).toBeUndefined();
    } finally {
      await setSeo('0');
    }
  });

  it.runIf(target.dialect === 'mysql')('writes SEO URLs for new categories and for those whose path changed, in every language, only when the shop uses them', async () => {
    const { codes, ids } = await tree();
    expect(await keywords(ids.a)).toEqual([]);
    const owners = await shopCategory(ids.b, 'Saját & más');
    const nameless = await shopCategory(ids.c, 'Névtelen');
    await db().knex(t('category_description')).where({ category_id: nameless, language_id: lang }).del();
    const seoRows = async () => Number((await db().knex(t('seo_url')).count({ n: '*' }).first())!.n);
    const seoBefore = await seoRows();
    await setSeo('1');
    try {
      const [n1, n2] = [uniqueCode('CS'), uniqueCode('CS')];
      const res = await apply([{ kod: n1, nev: 'Kések & Villák' }, { kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
      expect(res.counts).toMatchObject({ created: 1, unchanged: 1 });
      expect(await keywords(await idOf(n1))).toEqual(languages.map((l) => [l, 'kesek-villak']));
      expect(await seoRows()).toBe(seoBefore + languages.length);
      // Unchanged path, no SEO URL written.
      expect(await keywords(ids.c)).toEqual([]);
      // b moves: b, c and the owner's category below get theirs (the owner's under its shop name).
      await apply([{ kod: codes.b, szulo: n1, nev: 'Edények' }]);
      expect(await keywords(ids.b)).toEqual(languages.map((l) => [l, 'edenyek']));
      expect(await keywords(ids.c)).toEqual(languages.map((l) => [l, 'serpenyok']));
      expect(await keywords(owners)).toEqual(languages.map((l) => [l, 'sajat-mas']));
      // No name in the default language: the keyword falls back to the category's id.
      expect(await keywords(nameless)).toEqual(languages.map((l) => [l, `category-${nameless}`]));
      expect(await seoRows()).toBe(seoBefore + 5 * languages.length);
      expect(await keywords(ids.a)).toEqual([]);
      await setSeo('0');
      await apply([{ kod: n2, nev: 'Nincs SEO' }]);
      expect(await keywords(await idOf(n2))).toEqual([]);
    } finally {
      await setSeo('0');
    }
  });
});
