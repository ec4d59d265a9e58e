import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { shopSchema } from '../../app/shop/schema.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, breadcrumb, categoryIdOf, defaultLanguageId, pushXml } from '../support/shop.js';

/** category_path rows of one category, in OpenCart's shape. */
async function pathOf(env: TargetEnv, id: number) {
  const rows = await env.ctx.db.knex(env.ctx.db.t('category_path')).where({ category_id: id }).orderBy('level').select('path_id', 'level');
  return rows.map((r) => [Number(r.path_id), Number(r.level)]);
}

describe.each(TARGETS)('categories on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let lang: number;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, sync_type: 'full' });
    app = createApp(env.ctx);
    lang = await defaultLanguageId(db());
  });
  afterAll(async () => env?.cleanup());

  it.runIf(target.dialect === 'mysql')('writes SEO URLs as the release\'s admin does when the shop uses them, and moves them with the category', async () => {
    const setting = db().knex(db().t('setting')).where({ store_id: 0, key: 'config_seo_url' });
    await setting.clone().update({ value: '1' });
    try {
      const seo = (await shopSchema(db())).seoUrl;
      const keywordOf = async (code: string) => {
        const id = (await categoryIdOf(db(), code))!;
        const q = db().knex(db().t('seo_url')).where({ store_id: 0, language_id: lang });
        if (seo === 'query') return (await q.where({ query: `category_id=${id}` }).first('keyword'))?.keyword;
        const path = (await pathOf(env, id)).map(([p]) => p).join('_');
        return (await q.where({ key: 'path', value: path }).first('keyword'))?.keyword;
      };
      await pushXml(app, 'categories', [{ kod: 'SEO-A', nev: 'Kések & Villák' }, { kod: 'SEO-B', szulo: 'SEO-A', nev: 'Szeletelő kés' }, { kod: 'SEO-C', nev: 'Edények' }]);
      expect(await keywordOf('SEO-A')).toBe('kesek-villak');
      expect(await keywordOf('SEO-B')).toBe(seo === 'query' ? 'szeletelo-kes' : 'kesek-villak/szeletelo-kes');
      // A move: 4.x keywords follow the path (the old row goes); 3.0's keyword is the category's own.
      await pushXml(app, 'categories', [{ kod: 'SEO-B', szulo: 'SEO-C', nev: 'Szeletelő kés' }]);
      expect(await keywordOf('SEO-B')).toBe(seo === 'query' ? 'szeletelo-kes' : 'edenyek/szeletelo-kes');
      const rows = await db().knex(db().t('seo_url')).where({ store_id: 0, language_id: lang }).where('keyword', 'like', '%szeletelo-kes%').select('keyword');
      expect(rows).toHaveLength(1);
    } finally {
      await setting.clone().update({ value: '0' });
    }
  });

  it('answers 409 in stock-and-price sync and changes nothing', async () => {
    await env.ctx.settings.update({ sync_type: 'stock_price' });
    try {
      const before = await db().knex(db().t('category')).count({ n: '*' }).first();
      const res = await pushXml(app, 'categories', [{ kod: 'X409', nev: 'Nem' }]);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/full sync/);
      expect(await db().knex(db().t('category')).count({ n: '*' }).first()).toEqual(before);
      expect(await categoryIdOf(db(), 'X409')).toBeUndefined();
    } finally {
      await env.ctx.settings.update({ sync_type: 'full' });
    }
  });

  // Each test below pushes a tree of its own (codes unique to the test), so any one runs alone.
  let trees = 0;
  const newTree = async () => {
    const n = `${process.pid}-${++trees}`;
    const codes = { a: `A-${n}`, b: `B-${n}`, c: `C-${n}` };
    const res = await pushXml(app, 'categories', [
      { kod: codes.c, szulo: codes.b, nev: 'Serpenyők', sorrend: 3 },
      { kod: codes.b, szulo: codes.a, nev: 'Edények & fazekak' },
      { kod: codes.a, szulo: '', nev: 'Konyha', aktiv: 'igen' },
    ]);
    const ids = { a: (await categoryIdOf(db(), codes.a))!, b: (await categoryIdOf(db(), codes.b))!, c: (await categoryIdOf(db(), codes.c))! };
    return { res, codes, ids };
  };

  it('builds the tree with parents after children, as OpenCart keeps it', async () => {
    const { res, ids } = await newTree();
    const { a, b, c } = ids;
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ received: 3, created: 3 });
    expect(await pathOf(env, c)).toEqual([[a, 0], [b, 1], [c, 2]]);
    expect(await breadcrumb(db(), c, lang)).toBe('Konyha > Edények & fazekak > Serpenyők');
    // Stored as OpenCart's admin stores names: HTML-encoded, in every language.
    const names = await db().knex(db().t('category_description')).where({ category_id: b }).orderBy('language_id').pluck('name');
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names).toEqual(names.map(() => 'Edények &amp; fazekak'));
    const cat = await db().knex(db().t('category')).where({ category_id: c }).first();
    expect(cat).toMatchObject({ parent_id: b, sort_order: 3, status: 1 });
    const languages = await db().knex(db().t('language')).count({ n: '*' }).first();
    expect(Number(languages!.n)).toBeGreaterThanOrEqual(2);
    expect(await db().knex(db().t('category_description')).where({ category_id: c }).count({ n: '*' }).first()).toEqual(languages);
    expect(await db().knex(db().t('category_to_store')).where({ category_id: c, store_id: 0 })).toHaveLength(1);
  });

  it('reports a resend as unchanged', async () => {
    const { codes } = await newTree();
    const res = await pushXml(app, 'categories', [{ kod: codes.a, szulo: '', nev: 'Konyha' }, { kod: codes.b, szulo: codes.a, nev: 'Edények & fazekak' }]);
    expect(res.body.counts).toMatchObject({ unchanged: 2, updated: 0, created: 0 });
  });

  it('moves a whole subtree: every descendant gets its new path', async () => {
    const { codes, ids } = await newTree();
    const garden = `K-${codes.a}`;
    await pushXml(app, 'categories', [{ kod: garden, szulo: '', nev: 'Kert' }]);
    const res = await pushXml(app, 'categories', [{ kod: codes.b, szulo: garden, nev: 'Edények & fazekak' }]);
    expect(res.body.counts).toMatchObject({ updated: 1 });
    const k = (await categoryIdOf(db(), garden))!;
    expect(await pathOf(env, ids.c)).toEqual([[k, 0], [ids.b, 1], [ids.c, 2]]);
    expect(await breadcrumb(db(), ids.c, lang)).toBe('Kert > Edények & fazekak > Serpenyők');
    // The old root, left out of the push, is left alone.
    expect(await breadcrumb(db(), ids.a, lang)).toBe('Konyha');
  });

  it('refuses cycles and missing parents, writing nothing for those records', async () => {
    const { codes, ids } = await newTree();
    const before = await db().knex(db().t('category_path')).count({ n: '*' }).first();
    const [orphan, grandchild] = [`Z-${codes.a}`, `Y-${codes.a}`];
    const res = await pushXml(app, 'categories', [
      { kod: codes.a, szulo: codes.c, nev: 'Konyha' },
      { kod: orphan, szulo: 'NOPE', nev: 'Árva' },
      { kod: grandchild, szulo: orphan, nev: 'Unoka' },
    ]);
    expect(res.body.counts).toMatchObject({ invalid: 3, created: 0, updated: 0 });
    const reasons = Object.fromEntries(res.body.notApplied.map((n: { code: string; reason: string }) => [n.code, n.reason]));
    expect(reasons[codes.a]).toMatch(/cycle/);
    expect(reasons[orphan]).toMatch(/parent "NOPE"/);
    expect(reasons[grandchild]).toMatch(new RegExp(`parent "${orphan}" is invalid`));
    expect(await categoryIdOf(db(), orphan)).toBeUndefined();
    expect(await db().knex(db().t('category_path')).count({ n: '*' }).first()).toEqual(before);
    expect((await db().knex(db().t('category')).where({ category_id: ids.a }).first()).parent_id).toBe(0);
  });

  it('renames in the default language and keeps what the owner wrote in the other languages', async () => {
    const { codes, ids } = await newTree();
    const others = (await db().knex(db().t('language')).whereNot({ language_id: lang }).orderBy('language_id').pluck('language_id')).map(Number);
    expect(others.length).toBeGreaterThan(0);
    // The owner translated the category in the shop's admin (stored HTML-encoded, as the admin does).
    for (const l of others) await db().knex(db().t('category_description')).where({ category_id: ids.a, language_id: l }).update({ name: `Kitchen &amp; dining ${l}` });
    const res = await request(app).post(`/integration/categories?key=${KEY}`).set('Content-Type', 'application/json').send(JSON.stringify({ kategoriak: [{ kod: codes.a, szulo: '', nev: 'Kert & udvar', aktiv: 0 }] }));
    expect(res.body.counts.updated).toBe(1);
    expect(await breadcrumb(db(), ids.a, lang)).toBe('Kert & udvar');
    const names = await db().knex(db().t('category_description')).where({ category_id: ids.a }).whereIn('language_id', others).orderBy('language_id').pluck('name');
    expect(names).toEqual(others.map((l) => `Kitchen &amp; dining ${l}`));
    expect((await db().knex(db().t('category')).where({ category_id: ids.a }).first()).status).toBe(0);
  });

  it('recreates a mapped category that was deleted in the shop', async () => {
    const { codes, ids } = await newTree();
    await db().knex(db().t('category')).where({ category_id: ids.c }).delete();
    await db().knex(db().t('category_path')).where({ category_id: ids.c }).delete();
    const res = await pushXml(app, 'categories', [{ kod: codes.c, szulo: codes.b, nev: 'Serpenyők' }]);
    expect(res.body.counts.created).toBe(1);
    expect(await breadcrumb(db(), ids.c, lang)).toBe('Konyha > Edények & fazekak > Serpenyők');
  });
});
