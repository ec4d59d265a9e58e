// Bad input gets a precise status and message, a journal entry, and changes nothing.
import request from 'supertest';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { loadConfig } from '../../app/config.js';
import { createContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createApp } from '../../app/web/server.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, uniqueCode } from '../support/shop.js';
import { shopSchema } from '../../app/shop/schema.js';

describe.each(DIALECT_TARGETS)('bad input on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let code: string;
  let snapshot: () => Promise<unknown>;
  let before: unknown;
  const db = () => env.ctx.db;
  const post = (kind: string, type: string, body: string | Buffer, query = `?key=${KEY}`) =>
    request(app).post(`/integration/${kind}${query}`).set('Content-Type', type).set('Accept', 'application/json').send(body);
  const lastRun = () => db().knex(db().own('journal_run')).orderBy('id', 'desc').first();

  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, webshop_id: 'shop1', password: 'pw-secret', sync_type: 'full', vat_map: '27=9' });
    app = createApp(env.ctx);
    code = uniqueCode('BAD');
    await addProduct(db(), { model: code, price: 100, quantity: 5 });
    snapshot = async () => ({
      products: await db().knex(db().t('product')).orderBy('product_id').select('product_id', 'price', 'quantity', 'date_modified'),
      names: await db().knex(db().t('product_description')).orderBy(['product_id', 'language_id']).select('name'),
      specials: await db().knex((await shopSchema(db())).specials.table).orderBy((await shopSchema(db())).specials.idColumn).select(),
      categories: await db().knex(db().t('category_path')).orderBy(['category_id', 'path_id']).select(),
    });
  });
  beforeEach(async () => {
    before = await snapshot();
  });
  afterAll(async () => env?.cleanup());

  const unchanged = async () => expect(await snapshot()).toEqual(before);

  it('malformed XML: 400 with line and column, journalled as rejected', async () => {
    const res = await post('prices', 'application/xml', `<termekek>\n<termek><termekkod>${code}</termekkod><ar>1</ar></termek>\n<termek><termekkod>x</termek>\n</termekek>`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/malformed XML at line 3, column \d+/);
    expect(await lastRun()).toMatchObject({ status: 'rejected', http_status: 400, id: res.body.run });
    await unchanged();
  });

  it('refuses entity expansion ("billion laughs") and external entities', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><termekek><termek><termekkod>${code}</termekkod><nev>&lol2;</nev><ar>1</ar></termek></termekek>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><termekek><termek><termekkod>${code}</termekkod><nev>&xxe;</nev><ar>1</ar></termek></termekek>`;
    for (const body of [laughs, xxe]) {
      const res = await post('prices', 'application/xml', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/DOCTYPE is not allowed/);
      expect(JSON.stringify(res.body)).not.toContain('root:');
    }
    await unchanged();
  });

  it('malformed JSON and CSV: 400 with where it broke', async () => {
    const json = await post('stock', 'application/json', '[{"termekkod": "a", "szabadraktar": 1},\n {"termekkod": }]');
    expect(json.status).toBe(400);
    expect(json.body.error).toMatch(/malformed JSON at line 2/);
    const csv = await post('stock', 'text/csv', `termekkod;szabadraktar\n"${code};1\n`);
    expect(csv.status).toBe(400);
    expect(csv.body.error).toMatch(/malformed CSV/);
    await unchanged();
  });

  it('oversized body: 413, journalled, nothing read into the shop', async () => {
    await env.ctx.settings.update({ max_body_mb: '1' });
    try {
      const big = `<termekek>${`<termek><termekkod>${code}</termekkod><ar>1</ar></termek>`.repeat(30000)}</termekek>`;
      expect(big.length).toBeGreaterThan(1024 * 1024);
      const res = await post('prices', 'application/xml', big);
      expect(res.status).toBe(413);
      expect(res.body.error).toMatch(/over the limit of 1 MB/);
      expect(await lastRun()).toMatchObject({ status: 'rejected', http_status: 413 });
    } finally {
      await env.ctx.settings.update({ max_body_mb: '64' });
    }
    await unchanged();
  });

  it('wrong charset: Windows-1250 bytes sent as UTF-8 are refused, never stored as "?"', async () => {
    const xml = `<termekek><termek><termekkod>${code}</termekkod><nev>Tűzőgép</nev><ar>1</ar></termek></termekek>`;
    const res = await post('prices', 'application/xml; charset=utf-8', iconv.encode(xml, 'windows-1250'));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/not valid UTF-8.*windows-1250/);
    const unsupported = await post('prices', 'application/xml; charset=koi8-r', Buffer.from(xml));
    expect(unsupported.status).toBe(415);
    await unchanged();
  });

  it('unknown content type: 415', async () => {
    const res = await post('prices', 'application/pdf', '%PDF-1.4');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatch(/unsupported content type "application\/pdf"/);
    await unchanged();
  });

  it('wrong or missing credentials: 401, journalled, compared without revealing which part', async () => {
    const wrongKey = await post('prices', 'application/xml', '<termekek/>', '?key=nope');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.headers['www-authenticate']).toMatch(/Basic/);
    const none = await post('prices', 'application/xml', '<termekek/>', '');
    expect(none.status).toBe(401);
    const basicWrong = await request(app).post('/integration/prices').auth('shop1', 'wrong').set('Content-Type', 'application/xml').send('<termekek/>');
    expect(basicWrong.status).toBe(401);
    // The right password under another webshop id is no login either.
    const otherShop = await request(app).post('/integration/prices').auth('shop2', 'pw-secret').set('Content-Type', 'application/xml').send('<termekek/>');
    expect(otherShop.status).toBe(401);
    const basicRight = await request(app).post('/integration/stock').auth('shop1', 'pw-secret').set('Content-Type', 'application/xml').set('Accept', 'application/json').send(`<termekek><termek><termekkod>${code}</termekkod></termek></termekek>`);
    expect(basicRight.status).toBe(200);
    const header = await request(app).post('/integration/stock').set('X-Import-Password', KEY).set('Content-Type', 'application/json').send('[]');
    expect(header.status).toBe(200);
    expect(await lastRun()).toMatchObject({ status: 'ok' });
    const rejected = await db().knex(db().own('journal_run')).where({ http_status: 401 }).count({ n: '*' }).first();
    expect(Number(rejected!.n)).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(await db().knex(db().own('journal_run')).select('message'))).not.toContain('pw-secret');
    await unchanged();
  });

  it('slows down repeated failures from one address with 429', async () => {
    const throttled = createApp(env.ctx);
    let last = 0;
    for (let i = 0; i < 11; i++) last = (await request(throttled).post('/integration/stock?key=wrong').set('Content-Type', 'application/json').send('[]')).status;
    expect(last).toBe(429);
    const right = await request(throttled).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'application/json').send('[]');
    expect(right.status).toBe(429);
    expect(right.headers['retry-after']).toBeDefined();
  });

  it('answers 503 "not configured" when no credentials are set', async () => {
    const saved = await env.ctx.settings.get();
    await env.ctx.settings.update({ import_password: '', password: '' });
    try {
      const res = await post('prices', 'application/xml', '<termekek/>');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/not configured/);
    } finally {
      await env.ctx.settings.update({ import_password: saved.import_password, password: saved.password });
    }
  });

  it('duplicate codes in one document: neither record is applied', async () => {
    const res = await post('prices', 'application/json', JSON.stringify([{ termekkod: code, ar: 1 }, { termekkod: code, ar: 2 }]));
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ received: 2, invalid: 2, updated: 0 });
    expect(res.body.notApplied[0].reason).toMatch(/stands 2 times in the document \(records 1, 2\)/);
    await unchanged();
  });

  it('negative and non-numeric values are invalid and not applied', async () => {
    const res = await post('prices', 'application/json', JSON.stringify([{ termekkod: code, ar: '-5' }, { termekkod: code + 'x', ar: 'sok' }]));
    expect(res.body.counts).toMatchObject({ invalid: 2 });
    expect(res.body.notApplied.map((n: { reason: string }) => n.reason)).toEqual(['ar -5 is negative', 'ar "sok" is not a number']);
    const stock = await post('stock', 'application/json', JSON.stringify([{ termekkod: code, szabadraktar: '-1' }]));
    expect(stock.body.notApplied[0].reason).toBe('szabadraktar -1 is negative');
    const promo = await post('promo-prices', 'application/json', JSON.stringify([{ termekkod: code, arakcios: '5', akcio_vege: '2026-02-30' }]));
    expect(promo.body.notApplied[0].reason).toMatch(/akcio_vege "2026-02-30" is not a date/);
    await unchanged();
  });

  it('answers 404 for an unknown integration URL', async () => {
    expect((await post('orders-typo', 'application/json', '[]')).status).toBe(404);
  });
});

describe('database down', () => {
  it('answers 503 with Retry-After', async () => {
    const ctx = createContext(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:1/x', DATA_DIR: '/tmp/erpb-down', APP_SECRET: 'z'.repeat(20), LOG_LEVEL: 'silent' }), createLogger('silent'));
    try {
      const res = await request(createApp(ctx)).post('/integration/prices?key=a').set('Content-Type', 'application/json').send('[]');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.body.error).toMatch(/database is unavailable/);
    } finally {
      await ctx.close();
    }
  });
});
