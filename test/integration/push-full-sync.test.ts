import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { decodeLikeOpenCart } from '../../app/util/html.js';
import { today } from '../../app/util/time.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, breadcrumb, categoryIdOf, defaultLanguageId, product, pushXml, uniqueCode } from '../support/shop.js';
import { pngBytes } from '../support/pictures.js';
import { encodeLikeOpenCart } from '../../app/util/html.js';
import { shopSchema } from '../../app/shop/schema.js';
import { ProductHistory, runChanges } from '../../app/plugin/product-history.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe.each(TARGETS)('full sync on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let languages: number[];
  const db = () => env.ctx.db;
  const imageDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-images-'));
  beforeAll(async () => {
    env = await openTarget(target, { SHOP_IMAGE_DIR: imageDir });
    await env.ctx.settings.update({ import_password: KEY, sync_type: 'full', vat_map: '27=9,5=10' });
    app = createApp(env.ctx);
    languages = (await db().knex(db().t('language')).pluck('language_id')).map(Number);
  });
  afterAll(async () => env?.cleanup());

  const productByModel = (model: string) => db().knex(db().t('product')).where({ model }).first();

  it('creates an unknown product with every NOT NULL column, in store 0 and every language', async () => {
    const code = uniqueCode('NEW');
    const res = await pushXml(app, 'prices', [{ termekkod: code, ar: '1990', nev: 'Kés & villa "Luxus" <b>', tmegjegyzes: 'Rozsdamentes', afakulcs: '27', mee: 'db' }]);
    expect(res.body.counts).toMatchObject({ received: 1, created: 1 });
    const p = await productByModel(code);
    expect(p).toMatchObject({ price: 1990, tax_class_id: 9, status: 1, quantity: 0, date_available: today(), subtract: 1, minimum: 1, shipping: 1 });
    const names = await db().knex(db().t('product_description')).where({ product_id: p.product_id }).orderBy('language_id').select('language_id', 'name', 'meta_title', 'description');
    expect(names.map((n) => Number(n.language_id))).toEqual([...languages].sort((a, b) => a - b));
    // Stored as OpenCart's admin stores it, shown as typed once decoded.
    expect(names[0].name).toBe('Kés &amp; villa &quot;Luxus&quot; &lt;b&gt;');
    expect(decodeLikeOpenCart(names[0].name)).toBe('Kés & villa "Luxus" <b>');
    expect(await db().knex(db().t('product_to_store')).where({ product_id: p.product_id, store_id: 0 })).toHaveLength(1);
    const map = await db().knex(db().own('product_map')).where({ product_id: p.product_id }).first();
    expect(map).toMatchObject({ erp_code: code, unit: 'db' });
  });

  it('creates disabled products when the setting says so', async () => {
    await env.ctx.settings.update({ new_product_status: 'disabled' });
    try {
      const code = uniqueCode('OFF');
      await pushXml(app, 'prices', [{ termekkod: code, ar: 5, nev: 'Rejtett' }]);
      expect((await productByModel(code)).status).toBe(0);
    } finally {
      await env.ctx.settings.update({ new_product_status: 'enabled' });
    }
  });

  it('refuses an unmapped VAT rate and creates nothing', async () => {
    const code = uniqueCode('VAT');
    const res = await pushXml(app, 'prices', [{ termekkod: code, ar: 5, nev: 'Áfa', afakulcs: '18' }]);
    expect(res.body.counts).toMatchObject({ invalid: 1, created: 0 });
    expect(res.body.notApplied[0].reason).toMatch(/VAT rate 18% has no tax class/);
    expect(await productByModel(code)).toBeUndefined();
  });

  it('updates the name in the default language only, and reports a resend as unchanged', async () => {
    const code = uniqueCode('UPD');
    const id = await addProduct(db(), { model: code, name: 'Régi név' });
    const lang = await defaultLanguageId(db());
    const doc = [{ termekkod: code, ar: 100, nev: 'Új név' }];
    expect((await pushXml(app, 'prices', doc)).body.counts).toMatchObject({ updated: 1 });
    const rows = await db().knex(db().t('product_description')).where({ product_id: id }).select('language_id', 'name');
    for (const r of rows) expect(r.name).toBe(Number(r.language_id) === lang ? 'Új név' : 'Régi név');
    expect((await pushXml(app, 'prices', doc)).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    // A change of case alone is a change (names compare byte for byte, not by collation).
    expect((await pushXml(app, 'prices', [{ ...doc[0], nev: 'ÚJ NÉV' }])).body.counts.updated).toBe(1);
  });

  // A row whose price or VAT class the product index shows differs is decided in memory (round
  // 22); the rest by the SQL comparison. Both must answer as the SQL alone did.
  it('decides updated and unchanged alike whether the price or VAT class differs (known from the product index) or only the name does, or nothing', async () => {
    const codes = ['PR', 'VT', 'NM', 'SM', 'FM'].map((t) => uniqueCode(t));
    const ids = await Promise.all(codes.map((model) => addProduct(db(), { model, price: 100, tax_class_id: 9, name: `Név ${model}` })));
    const base = codes.map((c) => ({ termekkod: c, ar: '100', afakulcs: '27', nev: `Név ${c}`, mee: 'db' }));
    // The first full sync gives every product its mapping (unit): all updated.
    expect((await pushXml(app, 'prices', base)).body.counts).toMatchObject({ received: 5, updated: 5 });
    const [pr, vt, nm, sm, fm] = base;
    const next = [{ ...pr!, ar: '120' }, { ...vt!, afakulcs: '5' }, { ...nm!, nev: 'Másik név' }, sm!, { ...fm!, ar: '100,0000' }];
    expect((await pushXml(app, 'prices', next)).body.counts).toMatchObject({ received: 5, updated: 3, unchanged: 2 });
    expect(Number((await product(db(), ids[0]!)).price)).toBe(120);
    expect(Number((await product(db(), ids[1]!)).tax_class_id)).toBe(10);
    expect(Number((await product(db(), ids[1]!)).price)).toBe(100);
    const lang = await defaultLanguageId(db());
    expect((await db().knex(db().t('product_description')).where({ product_id: ids[2]!, language_id: lang }).first()).name).toBe('Másik név');
    expect((await pushXml(app, 'prices', next)).body.counts).toMatchObject({ received: 5, updated: 0, unchanged: 5 });
  });

  it('puts the product into the category whose ERP code kat names, replacing its other ERP category', async () => {
    const cats = await request(app).post(`/integration/categories?key=${KEY}`).set('Content-Type', 'application/json').send(JSON.stringify([{ kod: 'FS-A', nev: 'A' }, { kod: 'FS-B', nev: 'B' }]));
    expect(cats.status).toBe(200);
    const code = uniqueCode('CAT');
    await pushXml(app, 'prices', [{ termekkod: code, ar: 1, nev: 'Kategóriás', kat: 'FS-A' }]);
    const p = await productByModel(code);
    const own = await db().knex(db().t('category')).insert((await shopSchema(db())).completeRow('category', { image: '', parent_id: 0, top: 0, column: 1, sort_order: 0, status: 1, date_added: '2026-01-01', date_modified: '2026-01-01' }));
    await db().knex(db().t('product_to_category')).insert({ product_id: p.product_id, category_id: own[0] });
    await pushXml(app, 'prices', [{ termekkod: code, ar: 1, nev: 'Kategóriás', kat: 'FS-B' }]);
    const links = (await db().knex(db().t('product_to_category')).where({ product_id: p.product_id }).pluck('category_id')).map(Number).sort();
    expect(links).toEqual([await categoryIdOf(db(), 'FS-B'), Number(own[0])].sort());
    const bad = await pushXml(app, 'prices', [{ termekkod: code, ar: 1, kat: 'NO-SUCH' }]);
    expect(bad.body.notApplied[0]).toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('kat "NO-SUCH"') });
    expect(await breadcrumb(db(), (await categoryIdOf(db(), 'FS-B'))!, await defaultLanguageId(db()))).toBe('B');
  });

  it('records an image URL as pending and stores an image path directly', async () => {
    const [c1, c2] = [uniqueCode('IMG'), uniqueCode('IMG')];
    await pushXml(app, 'prices', [{ termekkod: c1, ar: 1, nev: 'Kép 1', kep: 'https://erp.example/kep/1.jpg' }, { termekkod: c2, ar: 1, nev: 'Kép 2', kep: 'catalog/erp/2.jpg' }]);
    const p1 = await productByModel(c1);
    const p2 = await productByModel(c2);
    expect(await db().knex(db().own('product_map')).where({ product_id: p1.product_id }).first()).toMatchObject({ image_url: 'https://erp.example/kep/1.jpg', image_status: 'pending' });
    expect(p1.image).toBe('');
    expect(p2.image).toBe('catalog/erp/2.jpg');
  });

  it('writes and matches product codes HTML-encoded, as the admin does: a resend finds the product, no duplicate', async () => {
    const code = `A&B<script>${uniqueCode()}`;
    const first = await pushXml(app, 'prices', [{ termekkod: code, ar: 10, nev: 'Kódolt' }]);
    expect(first.body.counts).toMatchObject({ created: 1 });
    const rows = await db().knex(db().t('product')).where({ model: encodeLikeOpenCart(code) }).select('product_id');
    expect(rows).toHaveLength(1);
    expect(await db().knex(db().t('product')).where({ model: code }).select('product_id')).toHaveLength(0);
    const again = await pushXml(app, 'prices', [{ termekkod: code, ar: 10, nev: 'Kódolt' }]);
    expect(again.body.counts).toMatchObject({ created: 0, unchanged: 1 });
    const promo = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 5 }, { termekkod: `${code}&missing`, arakcios: 5 }]);
    expect(promo.body.counts).toMatchObject({ updated: 1, unknown: 1 });
    expect(promo.body.notApplied).toMatchObject([{ code: `${code}&missing`, outcome: 'unknown' }]);
  });

  it('matches a product whose code another tool stored unencoded (and case-sensitively), instead of creating a second one', async () => {
    // Full sync matches with the same product index as stock and prices: the stored code is
    // decoded before it is compared, so `KV&1` stored as is and `KV&amp;1` are the same code.
    const code = `R&D-${uniqueCode()}`;
    const id = await addProduct(db(), { model: code, price: 10 });
    const res = await pushXml(app, 'prices', [{ termekkod: code, ar: 12, nev: 'Nyers kód' }, { termekkod: code.toLowerCase(), ar: 13, nev: 'Kisbetűs' }]);
    expect(res.body.counts).toMatchObject({ updated: 1, created: 1 });
    expect(Number((await product(db(), id)).price)).toBe(12);
    // Compared here in JS: the 3.0 schema's collation would also match the other case.
    const rows: Array<{ product_id: number; model: string; price: number | string }> = await db().knex(db().t('product')).whereIn('model', [code, encodeLikeOpenCart(code), encodeLikeOpenCart(code.toLowerCase())]).select('product_id', 'model', 'price');
    expect(rows.filter((r) => r.model === code || r.model === encodeLikeOpenCart(code)).map((r) => r.product_id)).toEqual([id]);
    expect(rows.filter((r) => r.model === encodeLikeOpenCart(code.toLowerCase())).map((r) => Number(r.price))).toEqual([13]);
  });

  it('stores a picture sent as data under the shop\'s image folder, named by its content', async () => {
    const code = uniqueCode('IMG');
    const png = pngBytes();
    const res = await request(app).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/json')
      .send({ termekek: [{ termekkod: code, ar: 10, nev: 'Képes', kep: `data:image/png;base64,${png.toString('base64')}` }] });
    expect(res.body.counts).toMatchObject({ created: 1, invalid: 0 });
    const p = await productByModel(code);
    expect(p.image).toMatch(/^catalog\/erp-bridge\/[0-9a-f]{24}\.png$/);
    expect(readFileSync(path.join(imageDir, p.image)).equals(png)).toBe(true);
  });

  it('refuses picture data that is not a picture, and any picture without SHOP_IMAGE_DIR, writing nothing', async () => {
    const code = uniqueCode('BAD');
    const html = Buffer.from('<html><script>alert(1)</script></html>'.repeat(8)).toString('base64');
    const res = await request(app).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/json')
      .send({ termekek: [{ termekkod: code, ar: 10, nev: 'Rossz', kep: html }] });
    expect(res.body.counts).toMatchObject({ created: 0, invalid: 1 });
    expect(res.body.notApplied[0].reason).toMatch(/not a JPEG, PNG, GIF or WebP/);
    expect(await productByModel(code)).toBeUndefined();
    const bare = createApp({ ...env.ctx, config: { ...env.ctx.config, shopImageDir: null } });
    const again = await request(bare).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/json')
      .send({ termekek: [{ termekkod: code, ar: 10, nev: 'Kép nélkül', kep: pngBytes().toString('base64') }] });
    expect(again.body.counts).toMatchObject({ created: 0, invalid: 1 });
    expect(again.body.notApplied[0].reason).toMatch(/SHOP_IMAGE_DIR/);
    expect(await productByModel(code)).toBeUndefined();
  });

  it('in stock-and-price sync ignores the full-sync fields and creates nothing', async () => {
    await env.ctx.settings.update({ sync_type: 'stock_price' });
    try {
      const code = uniqueCode('SP');
      const res = await pushXml(app, 'prices', [{ termekkod: code, ar: 5, nev: 'Nem jön létre' }]);
      expect(res.body.counts).toMatchObject({ unknown: 1, created: 0 });
      expect(res.body.ignoredFields).toEqual(['nev']);
      expect(await productByModel(code)).toBeUndefined();
    } finally {
      await env.ctx.settings.update({ sync_type: 'full' });
    }
  });

  it("writes its prices' history: a new price with the old one, a created product's with none, nothing for a name or VAT class alone; net prices as blocks (the run not listed; rows on SQLite), gross ones as rows (listed); the product page shows both", async () => {
    const [priced, named, taxed, made] = ['FH&P', 'FH', 'FH', 'FH&N'].map((p) => uniqueCode(p)) as [string, string, string, string];
    const stored = encodeLikeOpenCart;
    const pricedId = await addProduct(db(), { model: stored(priced), price: 80, name: 'Ár' });
    await addProduct(db(), { model: named, price: 50, name: 'Régi' });
    await addProduct(db(), { model: taxed, price: 60, tax_class_id: 9, name: 'Áfa' });
    const count = async (table: string, where: Record<string, unknown>) => Number((await db().knex(db().own(table)).where(where).count({ n: '*' }))[0]!.n);
    const forms = async (run: number) => [await count('product_change_block', { run_id: run, field: 'price' }) > 0, await count('product_change', { run_id: run }), await count('product_change_run', { run_id: run })];
    const changes = async (run: number) => (await runChanges(db(), run)).sort((a, b) => a.product_id - b.product_id);

    const res = await pushXml(app, 'prices', [
      { termekkod: priced, ar: 90, nev: 'Ár' },
      { termekkod: named, ar: 50, nev: 'Új név' },
      { termekkod: taxed, ar: 60, nev: 'Áfa', afakulcs: 5 },
      { termekkod: made, ar: 12.5, nev: 'Új' },
    ]);
    expect(res.body.counts).toMatchObject({ updated: 3, created: 1, unchanged: 0 });
    const madeId = Number((await productByModel(stored(made))).product_id);
    expect(await changes(res.body.run)).toEqual([
      { product_id: pricedId, code: stored(priced), field: 'price', old_value: 80, new_value: 90 },
      { product_id: madeId, code: stored(made), field: 'price', old_value: null, new_value: 12.5 },
    ]);
    // From memory where the dialect can tell the index is still the shop's (MySQL's signature); else from SQL.
    const fromMemory = db().dialect.name !== 'sqlite';
    expect(await forms(res.body.run)).toEqual(fromMemory ? [true, 0, 0] : [false, 2, 1]);
    // Unchanged: no history in either form.
    const again = await pushXml(app, 'prices', [{ termekkod: priced, ar: 90, nev: 'Ár' }]);
    expect(again.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await forms(again.body.run)).toEqual([false, 0, 0]);

    // Gross: made net in SQL (the product's class 9 is 27% in the VAT mapping), so read there, as a row.
    await env.ctx.settings.update({ price_basis: 'gross' });
    let gross!: request.Response;
    try {
      gross = await pushXml(app, 'prices', [{ termekkod: priced, ar: 127, nev: 'Ár' }]);
    } finally {
      await env.ctx.settings.update({ price_basis: 'net' });
    }
    expect(gross.body.counts).toMatchObject({ updated: 1 });
    expect(await changes(gross.body.run)).toEqual([{ product_id: pricedId, code: stored(priced), field: 'price', old_value: 90, new_value: 100 }]);
    expect(await forms(gross.body.run)).toEqual([false, 1, 1]);

    // The product page: both forms, newest first, under the code as the shop stores it.
    const page = await new ProductHistory(db()).changes({ codes: [stored(priced), priced], limit: 10 });
    expect(page.map((r) => [r.run_id, r.field, r.code, Number(r.old_value), Number(r.new_value)])).toEqual([
      [gross.body.run, 'price', stored(priced), 90, 100],
      [res.body.run, 'price', stored(priced), 80, 90],
    ]);
  });
});
