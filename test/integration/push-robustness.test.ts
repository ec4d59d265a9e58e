// MyISAM has no transactions: a push cut off half-way must be repaired by sending the same
// document again. And two pushes to one URL at once must not interleave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { PushService } from '../../app/sync/push-service.js';
import type { PushKind } from '../../app/sync/push-kinds.js';
import { createApp } from '../../app/web/server.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, pushXml, specials, uniqueCode, xmlDoc } from '../support/shop.js';

class Crash extends Error {}

describe.each(DIALECT_TARGETS)('robustness on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let pushes: PushService;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, sync_type: 'full', vat_map: '27=9' });
    app = createApp(env.ctx);
    pushes = new PushService(env.ctx.db, env.ctx.settings);
  });
  afterAll(async () => env?.cleanup());

  const pushCrashingAt = (kind: PushKind, records: Array<Record<string, string | number>>, at: string) =>
    pushes.push({
      kind, body: Buffer.from(xmlDoc(records)), contentType: 'application/xml', actor: 'test',
      checkpoint: (step) => {
        if (step === at) throw new Crash(`killed at ${step}`);
      },
    });

  it.each(['specials:deduplicated', 'specials:updated', 'specials:inserted'])('promo prices: a push killed at %s is repaired by a resend', async (at) => {
    const codes = Array.from({ length: 6 }, () => uniqueCode('CR'));
    const ids = [];
    for (const c of codes) ids.push(await addProduct(db(), { model: c }));
    // Half the products already have our special (so the crash hits both update and insert).
    await pushXml(app, 'promo-prices', codes.slice(0, 3).map((c) => ({ termekkod: c, arakcios: 10 })));
    const doc = codes.map((c, i) => ({ termekkod: c, arakcios: i % 2 ? 0 : 55 }));
    // Killed after writing began: the answer says so, and how to complete it.
    await expect(pushCrashingAt('promo-prices', doc, at)).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/^internal error \(reference [^;]+; the details are in the log\); the shop may be partly changed: send the same document again to complete it$/), detail: expect.stringContaining(`killed at ${at}`) });
    const run = await db().knex(db().own('journal_run')).orderBy('id', 'desc').first();
    expect(run.status).toBe('failed');
    const repaired = await pushXml(app, 'promo-prices', doc);
    expect(repaired.status).toBe(200);
    // Same end state as a clean push of the same document onto fresh products.
    const fresh = Array.from({ length: 6 }, () => uniqueCode('CL'));
    const freshIds = [];
    for (const c of fresh) freshIds.push(await addProduct(db(), { model: c }));
    await pushXml(app, 'promo-prices', fresh.slice(0, 3).map((c) => ({ termekkod: c, arakcios: 10 })));
    await pushXml(app, 'promo-prices', fresh.map((c, i) => ({ termekkod: c, arakcios: i % 2 ? 0 : 55 })));
    for (let i = 0; i < 6; i++) expect(await specials(db(), ids[i]!)).toEqual(await specials(db(), freshIds[i]!));
    expect((await pushXml(app, 'promo-prices', doc)).body.counts).toMatchObject({ updated: 0, unchanged: 6 });
  });

  it('full sync: products created before a crash are completed by the resend, not duplicated', async () => {
    const codes = Array.from({ length: 4 }, () => uniqueCode('FC'));
    const doc = codes.map((c) => ({ termekkod: c, ar: 10, nev: `Termék ${c}`, mee: 'db' }));
    // Killed right after the products were inserted (the master data's lanes then run at once,
    // see ProductMasterWriter.apply): the products exist, without names, store link or mapping.
    await expect(pushCrashingAt('prices', doc, 'created')).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/^internal error \(reference [^;]+; the details are in the log\); the shop may be partly changed: send the same document again to complete it$/), detail: expect.stringMatching(/killed at created/) });
    const made = await db().knex(db().t('product')).whereIn('model', codes).pluck('product_id');
    expect(made).toHaveLength(4);
    expect(await db().knex(db().t('product_description')).whereIn('product_id', made)).toHaveLength(0);
    expect(await db().knex(db().t('product_to_store')).whereIn('product_id', made)).toHaveLength(0);
    expect(await db().knex(db().own('product_map')).whereIn('product_id', made)).toHaveLength(0);
    const res = await pushXml(app, 'prices', doc);
    expect(res.body.counts).toMatchObject({ updated: 4, created: 0 });
    const ids = await db().knex(db().t('product')).whereIn('model', codes).pluck('product_id');
    expect(ids).toHaveLength(4);
    const langs = Number((await db().knex(db().t('language')).count({ n: '*' }).first())!.n);
    expect(await db().knex(db().t('product_description')).whereIn('product_id', ids)).toHaveLength(4 * langs);
    expect(await db().knex(db().t('product_to_store')).whereIn('product_id', ids)).toHaveLength(4);
    expect(await db().knex(db().own('product_map')).whereIn('product_id', ids).pluck('unit')).toEqual(['db', 'db', 'db', 'db']);
  });

  it('stock: a push killed before its UPDATE writes nothing; a resend completes rows a cut-off MyISAM UPDATE left half-written', async () => {
    const codes = Array.from({ length: 10 }, () => uniqueCode('ST'));
    const ids: number[] = [];
    for (const c of codes) ids.push(await addProduct(db(), { model: c, quantity: 1 }));
    const doc = codes.map((c, i) => ({ termekkod: c, szabadraktar: 100 + i }));
    const quantities = async () => (await db().knex(db().t('product')).whereIn('product_id', ids).orderBy('product_id').pluck('quantity')).map(Number);
    // A real crash: the changes are loaded, the process dies before the UPDATE runs.
    // Killed before its first write: the answer does not say the shop may be changed.
    await expect(pushCrashingAt('stock', doc, 'loaded')).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/^internal error \(reference [^;]+; the details are in the log\)$/), detail: expect.stringMatching(/killed at loaded/) });
    expect(await quantities()).toEqual(codes.map(() => 1));
    expect((await db().knex(db().own('journal_run')).orderBy('id', 'desc').first()).status).toBe('failed');
    // What a killed UPDATE leaves on MyISAM (no transaction: the rows it reached stay written),
    // made by hand since a statement cannot be cut at a chosen row: the first half written.
    for (let i = 0; i < 5; i++) await db().knex(db().t('product')).where({ product_id: ids[i] }).update({ quantity: 100 + i });
    const res = await pushXml(app, 'stock', doc);
    expect(res.body.counts).toMatchObject({ updated: 5, unchanged: 5 });
    expect(await quantities()).toEqual(codes.map((_, i) => 100 + i));
  });

  it('stock: a push that fails after its UPDATE says the shop may be partly changed, and a resend finds it complete', async () => {
    const codes = Array.from({ length: 3 }, () => uniqueCode('SA'));
    for (const c of codes) await addProduct(db(), { model: c, quantity: 1 });
    const doc = codes.map((c, i) => ({ termekkod: c, szabadraktar: 40 + i }));
    await expect(pushCrashingAt('stock', doc, 'applied')).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/; the shop may be partly changed: send the same document again to complete it$/), detail: expect.stringMatching(/killed at applied/) });
    expect((await pushXml(app, 'stock', doc)).body.counts).toMatchObject({ updated: 0, unchanged: 3 });
  });

  it('two pushes to the same URL at once do not interleave', async () => {
    const codes = Array.from({ length: 300 }, () => uniqueCode('CC'));
    for (const c of codes) await addProduct(db(), { model: c, price: 1 });
    const docA = codes.map((c) => ({ termekkod: c, ar: 111 }));
    const docB = codes.map((c) => ({ termekkod: c, ar: 222 }));
    const [a, b] = await Promise.all([pushXml(app, 'prices', docA), pushXml(app, 'prices', docB)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const prices = new Set((await db().knex(db().t('product')).whereIn('model', codes).pluck('price')).map(Number));
    expect(prices.size).toBe(1);
    // Serialised: each push saw the whole state the other left, so each changed every product.
    expect([a.body.counts.updated, b.body.counts.updated]).toEqual([300, 300]);
  });
});
