import request from 'supertest';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { setLoadDataForTests } from '../../app/db/dialects/mysql.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, product, pushXml, uniqueCode } from '../support/shop.js';
import { encodeLikeOpenCart } from '../../app/util/html.js';
import { applyProductChanges } from '../../app/shop/product-changes.js';

describe.each(TARGETS)('prices and stock on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, vat_map: '27=9' });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  it('applies ar to price and szabadraktar to quantity, bumping date_modified', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    const doc = [{ termekkod: code, ar: '1234,5', szabadraktar: 17 }];
    const prices = await pushXml(app, 'prices', doc);
    expect(prices.status).toBe(200);
    expect(prices.body.counts).toMatchObject({ received: 1, updated: 1, unchanged: 0 });
    expect(prices.body.ignoredFields).toEqual(['szabadraktar']);
    const stock = await pushXml(app, 'stock', doc);
    expect(stock.body.counts).toMatchObject({ received: 1, updated: 1 });
    expect(stock.body.ignoredFields).toEqual(['ar']);
    const p = await product(db(), id);
    expect(Number(p.price)).toBe(1234.5);
    expect(Number(p.quantity)).toBe(17);
    expect(String(p.date_modified) > '2026-01-01 10:00:00').toBe(true);
  });

  it('reports the same document sent again as unchanged and changes nothing', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    const doc = [{ termekkod: code, ar: 555, szabadraktar: 3 }];
    await pushXml(app, 'prices', doc);
    await pushXml(app, 'stock', doc);
    const before = await product(db(), id);
    const again = await pushXml(app, 'prices', doc);
    expect(again.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await pushXml(app, 'stock', doc)).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await product(db(), id)).toEqual(before);
  });

  it('writes a change only while the product still has the code it was matched by (the joined UPDATE re-checks it)', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 100, quantity: 1 });
    // Matched by one read of the product table; the owner renames the product before the write.
    await db().knex(db().t('product')).where({ product_id: id }).update({ model: `${code}-renamed` });
    const written = await applyProductChanges(db(), 'model', 'price', [{ productId: id, code, value: 555 }], '2026-12-01 10:00:00');
    expect(written).toBe(0);
    expect(Number((await product(db(), id)).price)).toBe(100);
    const applied = await applyProductChanges(db(), 'model', 'price', [{ productId: id, code: `${code}-renamed`, value: 555 }], '2026-12-01 10:00:00');
    expect(applied).toBe(1);
  });

  it('matches codes as OpenCart stores them: its admin saves KV&1 as KV&amp;1', async () => {
    const code = `KV&1"${uniqueCode()}`;
    const stored = encodeLikeOpenCart(code);
    const id = await addProduct(db(), { model: stored, price: 100, quantity: 1 });
    const prices = await pushXml(app, 'prices', [{ termekkod: code, ar: 250 }]);
    expect(prices.body.counts).toMatchObject({ received: 1, updated: 1, unknown: 0 });
    const stock = await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 3 }]);
    expect(stock.body.counts).toMatchObject({ received: 1, updated: 1, unknown: 0 });
    expect(await product(db(), id)).toMatchObject({ price: 250, quantity: 3, model: stored });
    // The answer names the code as the ERP sent it.
    const unknown = await pushXml(app, 'stock', [{ termekkod: `${code}<x>`, szabadraktar: 1 }]);
    expect(unknown.body.notApplied).toMatchObject([{ code: `${code}<x>`, outcome: 'unknown' }]);
  });

  it('matches the code trimmed and case-sensitively; unknown codes are listed, not applied', async () => {
    const code = uniqueCode('Case');
    const id = await addProduct(db(), { model: `  ${code} `, price: 10 });
    const res = await pushXml(app, 'prices', [{ termekkod: code.toLowerCase(), ar: 99 }, { termekkod: ` ${code}`, ar: 20 }]);
    expect(res.body.counts).toMatchObject({ received: 2, updated: 1, unknown: 1 });
    expect(res.body.notApplied).toEqual([{ record: 1, code: code.toLowerCase(), outcome: 'unknown', reason: expect.stringContaining('no product has model') }]);
    expect(Number((await product(db(), id)).price)).toBe(20);
  });

  it('leaves both products alone when two share a code (ambiguous)', async () => {
    const code = uniqueCode('Dup');
    const a = await addProduct(db(), { model: code, price: 10 });
    const b = await addProduct(db(), { model: code, price: 11 });
    const res = await pushXml(app, 'prices', [{ termekkod: code, ar: 50 }]);
    expect(res.body.counts).toMatchObject({ ambiguous: 1, updated: 0 });
    expect(res.body.notApplied[0]).toMatchObject({ outcome: 'ambiguous', reason: expect.stringContaining('2 products') });
    expect(Number((await product(db(), a)).price)).toBe(10);
    expect(Number((await product(db(), b)).price)).toBe(11);
  });

  it('stages codes with backslashes, tabs and accents exactly (LOAD DATA and INSERT alike)', async () => {
    for (const loadData of [null, false]) {
      setLoadDataForTests(loadData);
      try {
        const code = uniqueCode('Ő\\x\ty');
        const id = await addProduct(db(), { model: code, quantity: 1 });
        const res = await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 12 }, { termekkod: code + '\\', szabadraktar: 1 }]);
        expect(res.body.counts).toMatchObject({ updated: 1, unknown: 1 });
        expect(Number((await product(db(), id)).quantity)).toBe(12);
      } finally {
        setLoadDataForTests(null);
      }
    }
  });

  it('reads numbers as 1234.5, 1234,5 and "1 234,50"', async () => {
    const codes = [uniqueCode(), uniqueCode(), uniqueCode()];
    const ids = await Promise.all(codes.map((c) => addProduct(db(), { model: c })));
    await pushXml(app, 'prices', [{ termekkod: codes[0]!, ar: '1234.5' }, { termekkod: codes[1]!, ar: '1234,5' }, { termekkod: codes[2]!, ar: '1 234,50' }]);
    for (const id of ids) expect(Number((await product(db(), id)).price)).toBe(1234.5);
  });

  it('accepts JSON and CSV documents', async () => {
    const [c1, c2] = [uniqueCode(), uniqueCode()];
    const [i1, i2] = [await addProduct(db(), { model: c1 }), await addProduct(db(), { model: c2 })];
    const json = await request(app).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'application/json').send(JSON.stringify({ termekek: [{ termekkod: c1, szabadraktar: '8' }] }));
    expect(json.status).toBe(200);
    const csv = await request(app).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'text/csv; charset=utf-8').send(`termekkod;szabadraktar\n${c2};9\n`);
    expect(csv.status).toBe(200);
    expect(csv.body.counts).toMatchObject({ received: 1, updated: 1 });
    expect(Number((await product(db(), i1)).quantity)).toBe(8);
    expect(Number((await product(db(), i2)).quantity)).toBe(9);
  });

  it('answers in XML when the request is XML and Accept does not say otherwise', async () => {
    const code = uniqueCode();
    await addProduct(db(), { model: code });
    const res = await request(app).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'application/xml').send(`<termekek><termek><termekkod>${code}</termekkod><szabadraktar>4</szabadraktar></termek></termekek>`);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(res.text).toMatch(/<counts received="1" updated="1"/);
  });

  it('turns gross prices into net with the product VAT rate when the price basis is gross', async () => {
    await env.ctx.settings.update({ price_basis: 'gross' });
    try {
      const code = uniqueCode();
      const id = await addProduct(db(), { model: code, tax_class_id: 9 });
      await pushXml(app, 'prices', [{ termekkod: code, ar: 1270 }]);
      // Class 9 is mapped to 27% (vat_map), whatever the shop's own rates are.
      expect(Number((await product(db(), id)).price)).toBeCloseTo(1000, 4);
      expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 1270 }])).body.counts.unchanged).toBe(1);
    } finally {
      await env.ctx.settings.update({ price_basis: 'net' });
    }
  });

  it('matches on another product code field when configured (sku)', async () => {
    await env.ctx.settings.update({ product_code_field: 'sku' });
    try {
      const sku = uniqueCode('SKU');
      const id = await addProduct(db(), { model: uniqueCode('M'), sku });
      const res = await pushXml(app, 'stock', [{ termekkod: sku, szabadraktar: 42 }]);
      expect(res.body.counts.updated).toBe(1);
      expect(Number((await product(db(), id)).quantity)).toBe(42);
    } finally {
      await env.ctx.settings.update({ product_code_field: 'model' });
    }
  });

  it('computes the answer without writing anything on ?dry_run=1', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 10, quantity: 1 });
    const before = await product(db(), id);
    const res = await pushXml(app, 'prices', [{ termekkod: code, ar: 77 }, { termekkod: 'no-such', ar: 1 }], '&dry_run=1');
    expect(res.body).toMatchObject({ dryRun: true, counts: { updated: 1, unknown: 1 } });
    expect(await product(db(), id)).toEqual(before);
    const run = await env.ctx.db.knex(env.ctx.db.own('journal_run')).where({ id: res.body.run }).first();
    expect(Boolean(run.dry_run)).toBe(true);
  });

  it('decodes ISO-8859-2 and Windows-1250 exactly (full sync names keep ő and ű)', async () => {
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      for (const charset of ['iso-8859-2', 'windows-1250']) {
        const code = uniqueCode('CS');
        const xml = `<?xml version="1.0" encoding="${charset}"?><termekek><termek><termekkod>${code}</termekkod><nev>Tűzőgép ő Ű</nev><ar>10</ar></termek></termekek>`;
        const res = await request(app).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/xml').set('Accept', 'application/json').send(iconv.encode(xml, charset));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ charset, counts: { created: 1 } });
        const p = await env.ctx.db.knex(env.ctx.db.t('product')).where({ model: code }).first('product_id');
        const names = await env.ctx.db.knex(env.ctx.db.t('product_description')).where({ product_id: p.product_id }).pluck('name');
        expect(new Set(names)).toEqual(new Set(['Tűzőgép ő Ű']));
      }
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });

  it('journals every call with counts and the records not applied', async () => {
    const res = await pushXml(app, 'stock', [{ termekkod: 'journal-unknown', szabadraktar: 1 }, { termekkod: 'journal-x', szabadraktar: -1 }]);
    const run = await env.ctx.db.knex(env.ctx.db.own('journal_run')).where({ id: res.body.run }).first();
    expect(run).toMatchObject({ kind: 'stock', status: 'partial', http_status: 200, received: 2, unknown: 1, invalid: 1 });
    expect(run.actor).toMatch(/^erp /);
    const items = await env.ctx.db.knex(env.ctx.db.own('journal_item')).where({ run_id: res.body.run }).orderBy('seq');
    expect(items.map((i) => [i.code, i.outcome])).toEqual([['journal-unknown', 'unknown'], ['journal-x', 'invalid']]);
  });
});
