// Hostile input against the four integration URLs: documents of any size on the embedded
// SQLite shop, failures midway, internals in answers, loose flags and numbers, field names that
// are object keys elsewhere, text XML cannot carry, huge values, missing tables, dead leases.
import request from 'supertest';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Express } from 'express';
import { LEASE_TTL_MS, tryAcquire } from '../../app/plugin/lease.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, product, pushXml, specials, uniqueCode, xmlDoc } from '../support/shop.js';
import { STAGE_WHILE_READING } from '../../app/sync/apply-products.js';
import { addDays, today } from '../../app/util/time.js';

function wellFormed(xml: string): boolean {
  const parser = new SaxesParser({ xmlns: false });
  let ok = true;
  parser.on('error', () => {
    ok = false;
  });
  parser.write(xml).close();
  return ok;
}

/** What no answer may carry: SQL, a stack frame, a file path, the table prefix. */
function expectNoInternals(text: string, prefix: string) {
  expect(text).not.toMatch(/\b(select|insert|update|delete)\b[\s\S]*\bfrom\b|SQLITE_|ER_[A-Z_]+|\n\s+at |\.ts:\d+|\/work\/|node_modules/i);
  expect(text).not.toContain(`${prefix}product`);
  expect(text).not.toContain(`${prefix}setting`);
}

// Pushes match the shop's products the same on every release; the fixture targets cover both dialects.
describe.each(FIXTURE_DIALECT_TARGETS)('hostile pushes on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  const db = () => env.ctx.db;
  const post = (kind: string, body: string, type = 'application/xml', query = '') =>
    request(app).post(`/integration/${kind}?key=${KEY}${query}`).set('Content-Type', type).set('Accept', 'application/json').send(body);
  const run = (id: number) => db().knex(db().own('journal_run')).where({ id }).first();
  /** Renames a table away for the duration of `fn` (a table missing, as on a half-migrated shop). */
  const withoutTable = async (table: string, fn: () => Promise<void>) => {
    await db().knex.schema.renameTable(table, `${table}_gone`);
    try {
      await fn();
    } finally {
      await db().knex.schema.renameTable(`${table}_gone`, table);
    }
  };

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, webshop_id: 'shop1', password: 'pw-secret' });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  it('a push with more than 500 unmatched records is answered in full, dry run too (SQLite writes in chunks)', async () => {
    const known = uniqueCode('HP');
    const id = await addProduct(db(), { model: known, quantity: 1 });
    const records = [{ termekkod: known, szabadraktar: 7 }, ...Array.from({ length: 1200 }, (_, i) => ({ termekkod: `NOPE-${i}-${known}`, szabadraktar: 1 }))];
    const dry = await post('stock', xmlDoc(records), 'application/xml', '&dry_run=1');
    expect(dry.status).toBe(200);
    expect(dry.body.counts).toMatchObject({ received: 1201, updated: 1, unknown: 1200 });
    expect((await product(db(), id)).quantity).toBe(1);
    const res = await post('stock', xmlDoc(records));
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ received: 1201, updated: 1, unknown: 1200 });
    expect((await product(db(), id)).quantity).toBe(7);
    expect(await run(res.body.run)).toMatchObject({ status: 'partial', updated: 1, unknown: 1200 });
    expect(await db().knex(db().own('journal_item')).where({ run_id: res.body.run }).count({ n: '*' }).first()).toMatchObject({ n: 1200 });
  });

  it('a push that fails after writing says what it had written, in the answer and the journal, without SQL', async () => {
    const code = uniqueCode('HW');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    let res!: request.Response;
    await withoutTable(db().own('journal_item'), async () => {
      res = await post('stock', xmlDoc([{ termekkod: code, szabadraktar: 9 }, { termekkod: `${code}-unknown`, szabadraktar: 1 }]));
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^internal error \(reference [0-9a-f]+; .*\); the shop was already changed: updated 1, created 0$/);
    expectNoInternals(res.text, db().prefix);
    expect((await product(db(), id)).quantity).toBe(9);
    expect(await run(res.body.run)).toMatchObject({ status: 'failed', http_status: 500, updated: 1, message: expect.stringContaining('updated 1') });
  });

  // The history is written beside the shop write: its failure still fails the push, and neither
  // fixture takes that write back (SQLite has no transaction around it here, 3.0's MyISAM none at all).
  // `before`: what the shop holds first (a promo of ours, for the push that ends it).
  const none = async () => {};
  const promoFirst = async (code: string) => expect((await post('promo-prices', xmlDoc([{ termekkod: code, arakcios: 5 }]))).status).toBe(200);
  it.each([
    // The blocks load beside the UPDATE and are awaited after it.
    ['a stock push whose history blocks', 'product_change_block', 'stock', { szabadraktar: 7 }, none, async (id: number) => expect(Number((await product(db(), id)).quantity)).toBe(7)],
    // A net promo's history (decided in memory) is blocks, written at the same time as the specials and the products' date_modified.
    ['a promo push whose history blocks', 'product_change_block', 'promo-prices', { arakcios: 5 }, none, async (id: number) => expect(new Set((await specials(db(), id)).filter((r) => Number(r.priority) === 10).map((r) => Number(r.price)))).toEqual(new Set([5]))],
    // A 0 is compared in SQL, and its history is a row: it ends the promo the product has, as of yesterday.
    ['a promo push ending a promo whose history rows', 'product_change', 'promo-prices', { arakcios: 0 }, promoFirst, async (id: number) => expect(new Set((await specials(db(), id)).filter((r) => Number(r.priority) === 10).map((r) => r.date_end))).toEqual(new Set([addDays(today(), -1)]))],
  ] as const)('%s cannot be written fails with 500 and a failed run, though the shop was written beside it', async (_name, table, kind, fields, before, written) => {
    const code = uniqueCode('HH');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    await before(code);
    let res!: request.Response;
    await withoutTable(db().own(table), async () => {
      res = await post(kind, xmlDoc([{ termekkod: code, ...fields }]));
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^internal error \(reference [0-9a-f]{10}/);
    expectNoInternals(res.text, db().prefix);
    expect(await run(res.body.run)).toMatchObject({ status: 'failed', http_status: 500 });
    await written(id);
  });

  it('a full sync whose price history cannot be written fails with 500 and a failed run: the texts\' lane wrote beside it, the price waits for a resend', async () => {
    const code = uniqueCode('HF');
    const id = await addProduct(db(), { model: code, price: 100 });
    // Its history: blocks where the push can tell its index is current (MySQL's signature), else rows.
    const table = db().dialect.name === 'sqlite' ? 'product_change' : 'product_change_block';
    let res!: request.Response;
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      await withoutTable(db().own(table), async () => {
        res = await post('prices', xmlDoc([{ termekkod: code, ar: 5, nev: 'Új név' }]));
      });
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^internal error \(reference [0-9a-f]{10}/);
    expectNoInternals(res.text, db().prefix);
    expect(await run(res.body.run)).toMatchObject({ status: 'failed', http_status: 500 });
    // The history comes before the products in their lane: the price is not written without it.
    expect(Number((await product(db(), id)).price)).toBe(100);
    expect((await db().knex(db().t('product_description')).where({ product_id: id }).pluck('name'))).toContain('Új név');
  });

  it.each([
    ['promo prices', 'promo-prices', 'stage_promo_prices', 'stock_price'],
    ['full sync', 'prices', 'stage_prices', 'full'],
  ] as const)('%s: a big push whose stage cannot be written while it is read fails with a reference, changes nothing and does not say the shop may be changed', async (_name, kind, stage, syncType) => {
    const code = uniqueCode('HS');
    const id = await addProduct(db(), { model: code, price: 100 });
    const records = Array.from({ length: STAGE_WHILE_READING + 10 }, (_, i) =>
      i === 1 ? { termekkod: code, ...(kind === 'promo-prices' ? { arakcios: 5 } : { ar: 5, nev: 'Új' }) } : { termekkod: `NOPE-${i}`, ...(kind === 'promo-prices' ? { arakcios: 1 } : { ar: 1 }) });
    let res!: request.Response;
    await env.ctx.settings.update({ sync_type: syncType });
    try {
      await withoutTable(db().own(stage), async () => {
        res = await post(kind, xmlDoc(records));
      });
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^internal error \(reference [0-9a-f]{10}; the details are in the log\)$/);
    expectNoInternals(res.text, db().prefix);
    expect(await run(res.body.run)).toMatchObject({ status: 'failed', http_status: 500, updated: 0, created: 0 });
    expect(Number((await product(db(), id)).price)).toBe(100);
    expect(await specials(db(), id)).toEqual([]);
  });

  it('an internal error answers a short message and a reference, never SQL, a stack or a path (JSON and XML)', async () => {
    const code = uniqueCode('HI');
    await addProduct(db(), { model: code });
    await withoutTable(db().t('product'), async () => {
      const json = await post('prices', xmlDoc([{ termekkod: code, ar: 5 }]));
      expect(json.status).toBe(500);
      expect(json.body.error).toMatch(/^internal error \(reference [0-9a-f]{10}/);
      expectNoInternals(json.text, db().prefix);
      const xml = await request(app).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/xml').send(xmlDoc([{ termekkod: code, ar: 5 }]));
      expect(xml.status).toBe(500);
      expect(wellFormed(xml.text)).toBe(true);
      expectNoInternals(xml.text, db().prefix);
      expect((await run(json.body.run)).message).toMatch(/^internal error \(reference /);
    });
    // With the settings table gone even a wrong key gets a short answer.
    await withoutTable(db().t('setting'), async () => {
      const res = await request(app).post('/integration/prices?key=wrong').set('Content-Type', 'application/xml').set('Accept', 'application/json').send(xmlDoc([{ termekkod: code, ar: 5 }]));
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ status: 500, error: expect.stringMatching(/^internal error \(reference/), ref: expect.stringMatching(/^[0-9a-f]{10}$/) });
      expectNoInternals(res.text, db().prefix);
    });
  });

  it('/healthz answers 503 while a table it needs is missing, naming none of them', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    for (const table of [db().t('product'), db().own('journal_run'), db().own('product_change_block'), db().own('outbox')]) {
      await withoutTable(table, async () => {
        const res = await request(app).get('/healthz');
        expect(res.status, table).toBe(503);
        expect(res.body.error).toMatch(/a table erp-bridge needs is missing/);
        expectNoInternals(res.text, db().prefix);
      });
    }
  });

  it('dry_run takes the documented words in any case and refuses anything else with 400, writing nothing', async () => {
    const code = uniqueCode('HD');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    const doc = xmlDoc([{ termekkod: code, szabadraktar: 5 }]);
    for (const word of ['TRUE', 'on', 'Yes', '1']) {
      const res = await post('stock', doc, 'application/xml', `&dry_run=${word}`);
      expect(res.status, word).toBe(200);
      expect(res.body.dryRun, word).toBe(true);
    }
    for (const word of ['1.0', 'maybe', 'ture']) {
      const res = await post('stock', doc, 'application/xml', `&dry_run=${word}`);
      expect(res.status, word).toBe(400);
      expect(res.body.error).toMatch(/dry_run must be one of 1, true, yes, on, 0, false, no, off/);
    }
    expect((await post('stock', doc, 'application/xml', '&dry_run=1&dry_run=0')).status).toBe(400);
    expect((await product(db(), id)).quantity).toBe(1);
    expect((await post('stock', doc, 'application/xml', '&dry_run=OFF')).body.dryRun).toBe(false);
    expect((await product(db(), id)).quantity).toBe(5);
  });

  it('field names are data: constructor, toString and __proto__ are unknown fields, not reasons to reject the document', async () => {
    const code = uniqueCode('HF');
    const id = await addProduct(db(), { model: code, quantity: 1 });
    const xml = await post('stock', `<termekek><termek><termekkod>${code}</termekkod><szabadraktar>4</szabadraktar><constructor>x</constructor><toString>y</toString></termek></termekek>`);
    expect(xml.status).toBe(200);
    expect(xml.body.unknownFields).toEqual(expect.arrayContaining(['constructor', 'toString']));
    expect((await product(db(), id)).quantity).toBe(4);
    const json = await post('stock', `[{"termekkod":"${code}","szabadraktar":"6","__proto__":{"x":1},"constructor":"z"}]`, 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error).toMatch(/field "__proto__" is not a plain value/);
    const json2 = await post('stock', `[{"termekkod":"${code}","szabadraktar":"6","__proto__":"p","hasOwnProperty":"h"}]`, 'application/json');
    expect(json2.status).toBe(200);
    expect(json2.body.unknownFields).toEqual(expect.arrayContaining(['__proto__', 'hasOwnProperty']));
    const csv = await post('stock', `termekkod;szabadraktar;constructor\r\n${code};8;c\r\n`, 'text/csv');
    expect(csv.status).toBe(200);
    expect((await product(db(), id)).quantity).toBe(8);
  });

  it('a control character in a code: the XML answer stays well-formed', async () => {
    const res = await request(app).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'application/json').set('Accept', 'application/xml')
      .send(JSON.stringify([{ termekkod: 'AB\u000BC\u0000D', szabadraktar: 1 }, { termekkod: 'X\uFFFEY', szabadraktar: 1 }]));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(wellFormed(res.text)).toBe(true);
    expect(res.text).toContain('code="AB\uFFFDC\uFFFDD"');
  });

  it('numbers are read strictly: "1 2 3" is not 123, 1e-7 is a number, a 20-digit JSON code keeps its digits', async () => {
    const code = uniqueCode('HN');
    const id = await addProduct(db(), { model: code, price: 100 });
    for (const bad of ['1 2 3', '1.2.3,4', '12,34,56', '1  234']) {
      const res = await post('prices', xmlDoc([{ termekkod: code, ar: bad }]));
      expect(res.body.counts.invalid, bad).toBe(1);
      expect(res.body.notApplied[0].reason, bad).toMatch(/is not a number/);
    }
    expect((await product(db(), id)).price).toBe(100);
    expect((await post('prices', xmlDoc([{ termekkod: code, ar: '1 234,50' }]))).body.counts.updated).toBe(1);
    expect((await product(db(), id)).price).toBe(1234.5);
    const tiny = await post('prices', `[{"termekkod":"${code}","ar":1e-7}]`, 'application/json');
    expect(tiny.body.counts.invalid).toBe(0);
    const long = '12345678901234567891';
    const longId = await addProduct(db(), { model: long, quantity: 0 });
    const res = await post('stock', `[{"termekkod":${long},"szabadraktar":3}]`, 'application/json');
    expect(res.body.counts).toMatchObject({ updated: 1, unknown: 0 });
    expect((await product(db(), longId)).quantity).toBe(3);
  });

  it('a 10 MB invalid value is not echoed back whole', async () => {
    const code = uniqueCode('HB');
    await addProduct(db(), { model: code });
    const huge = '9x'.repeat(5 * 1024 * 1024);
    const res = await post('prices', xmlDoc([{ termekkod: code, ar: huge }]));
    expect(res.status).toBe(200);
    expect(res.body.notApplied[0].reason).toMatch(/^ar "9x9x.*… \(10485760 characters\)" is not a number$/);
    expect(res.text.length).toBeLessThan(10_000);
    const field = await post('stock', `<termekek><termek><termekkod>${code}</termekkod><${'f'.repeat(100_000)}>1</${'f'.repeat(100_000)}></termek></termekek>`);
    expect(field.status).toBe(200);
    expect(field.text.length).toBeLessThan(10_000);
  });

  it('a push killed while it held its URL\'s lease: the next push a minute later takes over at once and marks it interrupted', async () => {
    const code = uniqueCode('HL');
    await addProduct(db(), { model: code });
    const [dead] = await db().knex(db().own('journal_run')).insert({ kind: 'promo-prices', actor: 'erp', status: 'running', dry_run: false, started_at: '2026-11-20 10:00:00' });
    expect(await tryAcquire(db(), 'push:promo-prices', `run:${dead}`, LEASE_TTL_MS)).not.toBeNull();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
    try {
      const started = performance.now();
      const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 50 }]);
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      vi.useRealTimers();
    }
    expect(await run(Number(dead))).toMatchObject({ status: 'interrupted', message: expect.stringMatching(/interrupted/) });
  });
});
