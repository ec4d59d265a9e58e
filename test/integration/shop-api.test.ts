// The shop's own API client (app/sync/shop-api.ts) against a fake OpenCart API on 127.0.0.1 that
// checks what OpenCart checks (test/support/fake-shop-api.ts), on the SQLite demo shop (given
// 3.0's API tables) and the 3.0.3.8 fixture. The release's API is chosen from the tables: 3.0's
// session (api/login, api/order/history), 4.0's (api/account/login, api/sale/order.addHistory) and
// 4.1's signed calls (the signature checked by the fake as 4.1.0.3 does). What is posted, the
// answers read (success, the shop's refusal, an order it does not have, no result), timeouts and
// unreachable shops named by origin without a stack, and nothing tried before the API is set up.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeDbError } from '../../app/db/database.js';
import { defaultLanguage } from '../../app/shop/catalog.js';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import { ShopApi, apiNotReady, type HistoryCall } from '../../app/sync/shop-api.js';
import { startFakeServer } from '../support/fake-http.js';
import { withDialect } from '../support/dialect-hooks.js';
import { fakeShopWithApiUser, type FakeShopApi } from '../support/fake-shop-api.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const USER = 'erp-bridge';
const KEY_ = 'a1'.repeat(32);
const call: HistoryCall = { orderId: 42, orderStatusId: 3, notify: true, override: false, comment: 'Szállító: GLS' };
const settings = (over: Partial<Settings> = {}): Settings => ({ ...structuredClone(DEFAULTS), ...over });
const json = (body: unknown, status = 200) => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('whether the API is set up', () => {
  it('needs the shop\'s address and an API user', () => {
    expect(apiNotReady(settings({ shop_url: '', shop_api_user: USER }))).toBe("the shop's address is not set (setting shop_url)");
    expect(apiNotReady(settings({ shop_url: 'http://shop.test/', shop_api_user: '' }))).toBe('no API user is chosen (setting shop_api_user; `erp-bridge shop-api-user` creates one)');
    expect(apiNotReady(settings({ shop_url: '', shop_api_user: '' }))).toBe("the shop's address is not set (setting shop_url)");
    expect(apiNotReady(settings({ shop_url: 'http://shop.test/', shop_api_user: USER }))).toBeNull();
  });
});

describe.each(FIXTURE_DIALECT_TARGETS)('the shop API client on $name', (target) => {
  let env: TargetEnv;
  let shop: FakeShopApi;
  const db = () => env.ctx.db;
  const api = (over: Partial<Settings> = {}, timeoutMs?: number) => new ShopApi(db(), settings({ shop_url: shop.shopUrl, shop_api_user: USER, ...over }), timeoutMs);
  const rename = (from: string, to: string) => db().knex.schema.renameTable(db().t(from), db().t(to));
  const createTable = (name: string) => db().knex.schema.createTable(db().t(name), (t) => { t.increments('id'); });
  const dropTable = (name: string) => db().knex.schema.dropTable(db().t(name));
  /** 4.0's tables: 3.0's plus `startup`. */
  const as40 = async (fn: () => Promise<void>) => {
    await createTable('startup');
    try { await fn(); } finally { await dropTable('startup'); }
  };
  /** 4.1's: `api_history`, no `api_session`. */
  const as41 = async (fn: () => Promise<void>) => {
    await createTable('api_history');
    await rename('api_session', 'api_session_away');
    try { await fn(); } finally {
      await dropTable('api_history');
      await rename('api_session_away', 'api_session');
    }
  };
  const config = async (key: string, value: string | null) => {
    await db().knex(db().t('setting')).where({ store_id: 0, code: 'config', key }).delete();
    if (value !== null) await db().knex(db().t('setting')).insert({ store_id: 0, code: 'config', key, value, serialized: 0 });
  };

  beforeAll(async () => {
    env = await openTarget(target);
    shop = await fakeShopWithApiUser(db(), USER, KEY_);
  });
  beforeEach(() => {
    shop.posts.length = 0;
    shop.logins.length = 0;
    shop.seen.length = 0;
    shop.answerHistory(() => json({ success: 'Success: You have modified orders!' }));
  });
  afterAll(async () => {
    await shop?.close();
    await env?.cleanup();
  });

  it('asks nothing of the shop before the API is set up', async () => {
    expect(await api({ shop_url: '' }).addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's address is not set (setting shop_url)" });
    expect(await api({ shop_api_user: '' }).addHistory(call)).toEqual({ ok: false, retry: true, error: 'no API user is chosen (setting shop_api_user; `erp-bridge shop-api-user` creates one)' });
    expect(shop.seen).toEqual([]);
  });

  it('a shop without API tables, or without that enabled user, waits: nothing is sent', async () => {
    await rename('api', 'api_away');
    try {
      expect(await api().addHistory(call)).toEqual({ ok: false, retry: true, error: 'the shop has no API tables' });
    } finally {
      await rename('api_away', 'api');
    }
    expect(await api({ shop_api_user: 'nobody' }).addHistory(call)).toEqual({ ok: false, retry: true, error: 'the shop has no enabled API user "nobody" (System → Users → API)' });
    await db().knex(db().t('api')).where({ username: USER }).update({ status: 0 });
    try {
      expect(await api().addHistory(call)).toEqual({ ok: false, retry: true, error: `the shop has no enabled API user "${USER}" (System → Users → API)` });
    } finally {
      await db().knex(db().t('api')).where({ username: USER }).update({ status: 1 });
    }
    expect(shop.seen).toEqual([]);
  });

  it('API tables that cannot be read: waits, with the reason', async () => {
    const closed = env.newContext();
    await closed.close();
    const r = await new ShopApi(closed.db, settings({ shop_url: shop.shopUrl, shop_api_user: USER })).addHistory(call);
    expect(r).toMatchObject({ ok: false, retry: true });
    expect((r as { error: string }).error).toMatch(/^the shop's API tables cannot be read: .+/);
    expect((r as { error: string }).error.length).toBeLessThanOrEqual("the shop's API tables cannot be read: ".length + 200);
    expect(shop.seen).toEqual([]);
  });

  it('API tables whose reading fails at a statement: the reason in the database\'s words, never the statement', async () => {
    // The table lookup fails as a real statement does (knex puts the SQL, values and all, before
    // the driver's message); the statement spans lines and a value holds " - ".
    const failing = withDialect(db(), () => ({
      describeColumns: async (knex) => {
        await knex.raw('SELECT api_id, `key`\nFROM no_such_api_table\nWHERE username = ?', ['x - secret-ish']);
        return [];
      },
    }));
    const r = await new ShopApi(failing, settings({ shop_url: shop.shopUrl, shop_api_user: USER })).addHistory(call);
    expect(r).toMatchObject({ ok: false, retry: true });
    const error = (r as { error: string }).error;
    expect(error).toMatch(/^the shop's API tables cannot be read: .*no_such_api_table/);
    expect(error).not.toMatch(/SELECT|FROM|WHERE|api_id|secret/i);
    expect(shop.seen).toEqual([]);
  });

  it('API tables whose reading fails with a reason over 200 characters: the reason is cut to its first 200', async () => {
    // A driver's reason that long: SQLite names a missing table in full; MariaDB quotes up to 200
    // characters of a value it refuses for a variable. The statement stands in for the table lookup.
    const statement: [string, string[]] = db().dialect.name === 'sqlite'
      ? [`SELECT 1 FROM "no_such_api_table_${'x'.repeat(300)}"`, []]
      : ['SET SESSION sql_mode = ?', [`NO_SUCH_MODE_${'X'.repeat(300)}`]];
    const reason = await db().knex.raw(...statement).then(() => '', (err: unknown) => describeDbError(err));
    expect(reason.length).toBeGreaterThan(200);
    const failing = withDialect(db(), () => ({
      describeColumns: async (knex) => {
        await knex.raw(...statement);
        return [];
      },
    }));
    const r = await new ShopApi(failing, settings({ shop_url: shop.shopUrl, shop_api_user: USER })).addHistory(call);
    expect(r).toEqual({ ok: false, retry: true, error: `the shop's API tables cannot be read: ${reason.slice(0, 200)}` });
    expect(shop.seen).toEqual([]);
  });

  it('3.0: logs in once with the user and key, then posts each history with the session token', async () => {
    const a = api();
    expect(await a.addHistory(call)).toEqual({ ok: true });
    expect(await a.addHistory({ orderId: 43, orderStatusId: 5, notify: false, override: true, comment: '' })).toEqual({ ok: true });
    expect(shop.logins).toEqual([{ username: USER, key: KEY_ }]);
    expect(shop.posts).toEqual([
      { flavor: 'session3', query: { route: 'api/order/history', api_token: expect.stringMatching(/^tok\d+$/), order_id: '42' }, form: { order_status_id: '3', notify: '1', override: '0', comment: 'Szállító: GLS' } },
      { flavor: 'session3', query: { route: 'api/order/history', api_token: shop.posts[0]!.query.api_token, order_id: '43' }, form: { order_status_id: '5', notify: '0', override: '1', comment: '' } },
    ]);
    // Every call is a POST to index.php under the shop's address, asking for JSON.
    for (const r of shop.seen) {
      expect(r.method).toBe('POST');
      expect(r.url).toMatch(/^\/shop\/index\.php\?route=api%2F/);
      expect(r.headers.accept).toBe('application/json');
    }
    // A shop address without its trailing slash is the same folder.
    expect(await api({ shop_url: shop.shopUrl.replace(/\/$/, '') }).addHistory(call)).toEqual({ ok: true });
    expect(shop.seen.at(-1)!.url).toMatch(/^\/shop\/index\.php\?/);
  });

  it('3.0: logs in again after half an hour, not before', async () => {
    const a = api();
    await a.addHistory(call);
    const token = (a as unknown as { token: { value: string; at: number } }).token;
    token.at = Date.now() - 29 * 60_000;
    await a.addHistory(call);
    expect(shop.logins).toHaveLength(1);
    token.at = Date.now() - 31 * 60_000;
    await a.addHistory(call);
    expect(shop.logins).toHaveLength(2);
    expect(shop.posts.map((p) => p.query.api_token)).toEqual([shop.posts[0]!.query.api_token, shop.posts[0]!.query.api_token, expect.not.stringMatching(new RegExp(`^${shop.posts[0]!.query.api_token}$`))]);
  });

  it('3.0: the session token is used until it is 30 minutes old, to the millisecond; a millisecond later it logs in again', async () => {
    let t = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => t);
    try {
      const a = api();
      expect(await a.addHistory(call)).toEqual({ ok: true });
      t += 30 * 60_000;
      expect(await a.addHistory(call)).toEqual({ ok: true });
      expect(shop.logins).toHaveLength(1);
      t += 1;
      expect(await a.addHistory(call)).toEqual({ ok: true });
      expect(shop.logins).toHaveLength(2);
    } finally {
      clock.mockRestore();
    }
    const [first, second, third] = shop.posts.map((p) => p.query.api_token);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  it('3.0: a refused login is retried later, with the shop\'s words or its HTTP status', async () => {
    await db().knex(db().t('api')).where({ username: USER }).update({ key: 'wrong' });
    try {
      expect(await api().addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's API answered: login refused: Warning: Incorrect API Key!" });
    } finally {
      await db().knex(db().t('api')).where({ username: USER }).update({ key: KEY_ });
    }
    expect(shop.posts).toEqual([]);
    const plain = await startFakeServer(() => ({ status: 500, body: 'Fatal error' }));
    try {
      expect(await api({ shop_url: `${plain.origin}/` }).addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's API answered: login refused: HTTP 500" });
      plain.answer(() => json({ api_token: '' }));
      expect(await api({ shop_url: `${plain.origin}/` }).addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's API answered: login refused: HTTP 200" });
      plain.answer(() => json({ api_token: 12345 }));
      expect(await api({ shop_url: `${plain.origin}/` }).addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's API answered: login refused: HTTP 200" });
    } finally {
      await plain.close();
    }
  });

  it('4.0: logs in at api/account/login and posts to api/sale/order.addHistory with the order in the form', async () => {
    await as40(async () => {
      const a = api();
      expect(await a.addHistory(call)).toEqual({ ok: true });
      expect(await a.addHistory(call)).toEqual({ ok: true });
      expect(shop.logins).toEqual([{ username: USER, key: KEY_ }]);
      expect(shop.seen.map((r) => new URL(r.url, 'http://x').searchParams.get('route'))).toEqual(['api/account/login', 'api/sale/order.addHistory', 'api/sale/order.addHistory']);
      expect(shop.posts[0]).toEqual({ flavor: 'session4', query: { route: 'api/sale/order.addHistory', api_token: expect.stringMatching(/^tok\d+$/) }, form: { order_id: '42', order_status_id: '3', notify: '1', override: '0', comment: 'Szállító: GLS' } });
    });
  });

  it('4.1: signs every call as OpenCart checks it, with the store\'s language and currency, the posted text as OpenCart cleans it', async () => {
    await as41(async () => {
      await config('config_language_catalog', 'hu-hu');
      await config('config_currency', 'HUF');
      try {
        const comment = `  Csomag <úton> & "kész" 'ma' !()*~ 100% + más\nsor  `;
        const t0 = Math.floor(Date.now() / 1000);
        expect(await api().addHistory({ ...call, comment })).toEqual({ ok: true });
        const t1 = Math.floor(Date.now() / 1000);
        expect(shop.logins).toEqual([]);
        expect(shop.posts).toHaveLength(1);
        const p = shop.posts[0]!;
        expect(p.flavor).toBe('signed4');
        expect(p.query).toEqual({ route: 'api/order', call: 'history_add', username: USER, store_id: '0', language: 'hu-hu', currency: 'HUF', time: expect.stringMatching(/^\d+$/), signature: expect.any(String) });
        expect(Number(p.query.time)).toBeGreaterThanOrEqual(t0);
        expect(Number(p.query.time)).toBeLessThanOrEqual(t1);
        expect(p.form).toEqual({ order_id: '42', order_status_id: '3', notify: '1', override: '0', comment });
        // Without the catalogue's language: the shop's language setting, then the default language; no currency: empty.
        await config('config_language_catalog', null);
        await config('config_language', 'de-de');
        await config('config_currency', null);
        expect(await api().addHistory(call)).toEqual({ ok: true });
        expect(shop.posts[1]!.query).toMatchObject({ language: 'de-de', currency: '' });
        await config('config_language', null);
        expect(await api().addHistory(call)).toEqual({ ok: true });
        expect(shop.posts[2]!.query.language).toBe((await defaultLanguage(db())).code);
        // The fake refuses a wrong signature: another key signs wrongly.
        await db().knex(db().t('api')).where({ username: USER }).update({ key: 'other-key' });
        const wrong = await api().addHistory(call);
        expect(wrong).toEqual({ ok: false, retry: true, error: "the shop's API answered: Warning: You do not have permission to access the API!" });
      } finally {
        await db().knex(db().t('api')).where({ username: USER }).update({ key: KEY_ });
        await config('config_language_catalog', null);
        await config('config_language', 'en-gb');
        await config('config_currency', 'USD');
      }
    });
  });

  it('reads the shop\'s answer: success, its error (an order it does not have is final), a notice before the JSON, no result', async () => {
    const answer = async (reply: { status: number; headers?: Record<string, string>; body?: string }) => {
      shop.answerHistory(() => reply);
      return api().addHistory(call);
    };
    expect(await answer(json({ success: 'ok' }))).toEqual({ ok: true });
    expect(await answer(json({ success: 'ok', error: '' }))).toEqual({ ok: true });
    expect(await answer(json({ success: 'ok', error: 'Warning: stock' }))).toEqual({ ok: false, retry: true, error: "the shop's API answered: Warning: stock" });
    expect(await answer(json({ error: 'Warning: Order could not be found!' }))).toEqual({ ok: false, retry: false, error: "the shop's API answered: Warning: Order could not be found!" });
    expect(await answer(json({ error: 'A rendelés (order) nem található' }))).toEqual({ ok: false, retry: false, error: "the shop's API answered: A rendelés (order) nem található" });
    expect(await answer(json({ error: 'Warning: Order could not be found!' }, 404))).toMatchObject({ ok: false, retry: true });
    expect(await answer(json({ error: 'Warning: Order status not allowed' }))).toMatchObject({ retry: false });
    expect(await answer(json({ error: 'Order: you do not have permission' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: 'Order not found: wrong IP' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: 'Order not allowed for this key' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: 'Order not found: token expired' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: 'Something is wrong' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: 'Order accepted' }))).toMatchObject({ retry: true });
    expect(await answer(json({ error: { warning: 'Warning: a', order: 'b' } }))).toEqual({ ok: false, retry: true, error: "the shop's API answered: Warning: a; b" });
    expect(await answer(json({ error: 7 }))).toEqual({ ok: false, retry: true, error: "the shop's API answered: 7" });
    expect(await answer(json({ error: 'x'.repeat(400) }))).toEqual({ ok: false, retry: true, error: `the shop's API answered: ${'x'.repeat(300)}` });
    expect(await answer({ status: 200, body: 'Notice: Undefined index: x in /var/www/a.php on line 3\n{"success":"ok"}' })).toEqual({ ok: true });
    expect(await answer({ status: 200, body: '<b>Notice</b>: something\n  broke   here' })).toEqual({ ok: false, retry: true, error: "the shop's API answered HTTP 200 without a result (<b>Notice</b>: something broke here)" });
    expect(await answer({ status: 500, body: `${'y'.repeat(200)}` })).toEqual({ ok: false, retry: true, error: `the shop's API answered HTTP 500 without a result (${'y'.repeat(120)})` });
    expect(await answer({ status: 200, body: '{"success": "ok"' })).toMatchObject({ ok: false, retry: true, error: expect.stringMatching(/without a result/) });
    expect(await answer({ status: 200, body: '{}' })).toEqual({ ok: false, retry: true, error: "the shop's API answered HTTP 200 without a result ({})" });
    expect(await answer({ status: 302, headers: { Location: '/shop/index.php?route=account/login' }, body: '' })).toEqual({ ok: false, retry: true, error: "the shop's API answered HTTP 302 without a result ()" });
  });

  it('a shop that does not answer in time, or cannot be reached, waits: named by its origin, without a stack', async () => {
    shop.answerHistory(() => 'hang');
    expect(await api({}, 300).addHistory(call)).toEqual({ ok: false, retry: true, error: `the shop's API cannot be reached at ${shop.origin}: no answer within 0.3 s` });
    const gone = await startFakeServer(() => ({ status: 200 }));
    await gone.close();
    expect(await api({ shop_url: `${gone.origin}/shop/` }).addHistory(call)).toEqual({ ok: false, retry: true, error: `the shop's API cannot be reached at ${gone.origin}: ECONNREFUSED` });
    const own = await api({ shop_url: `http://u:p@127.0.0.1:${gone.port}/shop/` }).addHistory(call);
    expect(own).toMatchObject({ ok: false, retry: true });
    expect((own as { error: string }).error).toMatch(new RegExp(`^the shop's API cannot be reached at http://127\\.0\\.0\\.1:${gone.port}: Request cannot be constructed from a URL that includes credentials`));
    expect((own as { error: string }).error).not.toMatch(/\n\s+at /);
  });

  it('waits 20 s for the shop by default', async () => {
    shop.answerHistory(() => new Promise((r) => setTimeout(() => r(json({ success: 'ok' })), 600)));
    expect(await api({}, 300).addHistory(call)).toMatchObject({ ok: false });
    expect(await new ShopApi(db(), settings({ shop_url: shop.shopUrl, shop_api_user: USER })).addHistory(call)).toEqual({ ok: true });
  });
});
