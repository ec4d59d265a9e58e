// Hostile input against the admin: racing setups, forged forms, stolen or stale sessions, huge
// forms, a database that is down, timing of unknown users, formula cells, forged client addresses.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { AdminAccounts } from '../../app/admin/accounts.js';
import { randomBytes } from 'node:crypto';
import { readLaunchSecret, signLaunch } from '../../app/admin/launch.js';
import { ConfigError, loadConfig, readTrustProxy } from '../../app/config.js';
import { createContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { formToken, loginWithForm } from '../support/admin-forms.js';
import { KEY, xmlDoc } from '../support/shop.js';

const setCookies = (res: request.Response) => ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map((c) => c.split(';')[0]!);
const sessionCookie = (res: request.Response) => setCookies(res).find((c) => c.startsWith('erpb_session='));

function expectNoInternals(text: string) {
  expect(text).not.toMatch(/\n\s+at |\.ts:\d+|\/work\/|node_modules|PayloadTooLargeError|stack/i);
}

// Shop users are written by hand in 3.0's shape: fixture targets only.
describe.each(FIXTURE_DIALECT_TARGETS)('hostile admin on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let password = '';
  const db = () => env.ctx.db;

  beforeAll(async () => {
    env = await openTarget(target); // no ADMIN_PASSWORD: the setup page is open
    app = createApp(env.ctx);
    await env.ctx.settings.update({ import_password: KEY });
  });
  afterAll(async () => env?.cleanup());

  it('setup refuses a post without the form token or from another site, and creates nothing', async () => {
    const none = await request(app).post('/admin/setup').type('form').send({ password: 'Attacker-pass-1', password2: 'Attacker-pass-1' });
    expect(none.status).toBe(403);
    const form = await formToken(app, '/admin/setup');
    const crossSite = await request(app).post('/admin/setup').set('Cookie', form.cookie).set('Origin', 'https://evil.example').type('form')
      .send({ _csrf: form.csrf, password: 'Attacker-pass-1', password2: 'Attacker-pass-1' });
    expect(crossSite.status).toBe(403);
    expect(sessionCookie(none)).toBeUndefined();
    expect(sessionCookie(crossSite)).toBeUndefined();
    expect(await new AdminAccounts(db()).exists()).toBe(false);
  });

  it('five parallel setups: exactly one creates the account and gets a session; its password is the one kept', async () => {
    const form = await formToken(app, '/admin/setup');
    const passwords = Array.from({ length: 5 }, (_, i) => `Parallel-pass-${i}-xyz`);
    const answers = await Promise.all(passwords.map((pw) => request(app).post('/admin/setup').set('Cookie', form.cookie).type('form').send({ _csrf: form.csrf, password: pw, password2: pw })));
    const winners = answers.map((r, i) => (sessionCookie(r) ? i : -1)).filter((i) => i >= 0);
    expect(winners).toHaveLength(1);
    for (const [i, r] of answers.entries()) expect(r.headers.location, `setup ${i}`).toBe(i === winners[0] ? '/admin' : '/admin/login');
    password = passwords[winners[0]!]!;
    const accounts = new AdminAccounts(db());
    for (const pw of passwords) expect(await accounts.verify('admin', pw), pw).toBe(pw === password);
    expect(await db().knex(db().own('admin_user')).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect((await request(app).get('/admin/setup')).headers.location).toBe('/admin/login');
  });

  it('login and logout refuse posts without their token', async () => {
    const noToken = await request(app).post('/admin/login').type('form').send({ username: 'admin', password });
    expect(noToken.status).toBe(403);
    expect(sessionCookie(noToken)).toBeUndefined();
    const { cookie } = await loginWithForm(app, 'admin', password);
    const logout = await request(app).post('/admin/logout').set('Cookie', cookie).type('form').send({});
    expect(logout.status).toBe(403);
    expect((await request(app).get('/admin/settings').set('Cookie', cookie)).status).toBe(200);
  });

  it('sessions are revocable: an old cookie stops working after logout and after a password change', async () => {
    const a = await loginWithForm(app, 'admin', password);
    const b = await loginWithForm(app, 'admin', password);
    expect((await request(app).get('/admin/settings').set('Cookie', a.cookie)).status).toBe(200);
    const out = await request(app).post('/admin/logout').set('Cookie', a.cookie).type('form').send({ _csrf: a.csrf });
    expect(out.headers.location).toBe('/admin/login');
    const replay = await request(app).get('/admin/settings').set('Cookie', a.cookie);
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toBe('/admin/login');
    expect((await request(app).get('/admin/settings').set('Cookie', b.cookie)).status).toBe(200);
    password = 'Changed-pass-2026';
    await new AdminAccounts(db()).setPassword('admin', password);
    expect((await request(app).get('/admin/settings').set('Cookie', b.cookie)).status).toBe(302);
    expect(await db().knex(db().own('admin_session')).where({ username: 'admin' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('a shop admin disabled in the shop loses the session opened by the signed launch at the next request', async () => {
    const k = db().knex;
    const [group] = await k(db().t('user_group')).insert({ name: 'erp-h', permission: '{}' });
    const [user] = await k(db().t('user')).insert({ user_group_id: group, username: 'hboltos', password: 'x', salt: '', firstname: '', lastname: '', email: '', image: '', code: '', ip: '', status: 1, date_added: '2026-01-01 00:00:00' });
    const secret = (await readLaunchSecret(db()))!;
    const p = { uid: String(user), user: 'hboltos', level: 'modify', ts: String(Math.floor(Date.now() / 1000)), nonce: randomBytes(16).toString('hex'), lang: 'en-gb' };
    const launch = await request(app).get(`/admin/launch?${new URLSearchParams({ ...p, sig: signLaunch(p, secret) })}`);
    expect(launch.status).toBe(302);
    const cookie = sessionCookie(launch)!;
    expect((await request(app).get('/admin/journal').set('Cookie', cookie)).status).toBe(200);
    await k(db().t('user')).where({ user_id: user }).update({ status: 0 });
    const after = await request(app).get('/admin/journal').set('Cookie', cookie);
    expect(after.status).toBe(302);
    expect(after.headers.location).toBe('/admin/login');
    await k(db().t('user')).where({ user_id: user }).update({ status: 1 });
    expect((await request(app).get('/admin/journal').set('Cookie', cookie)).status).toBe(302); // the session is gone, not paused
  });

  it('a form body over the limit gets 413 and a short page, logged in or not', async () => {
    const { cookie, csrf } = await loginWithForm(app, 'admin', password);
    const big = `_csrf=${csrf}&webshop_id=${'a'.repeat(300 * 1024)}`;
    const res = await request(app).post('/admin/settings/connection').set('Cookie', cookie).type('form').send(big);
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/reference [0-9a-f]{10}/);
    expectNoInternals(res.text);
    const anon = await request(app).post('/admin/login').type('form').send(`username=${'b'.repeat(300 * 1024)}`);
    expect(anon.status).toBe(413);
    expectNoInternals(anon.text);
    const hx = await request(app).post('/admin/settings/connection').set('Cookie', cookie).set('HX-Request', 'true').type('form').send(big);
    expect(hx.status).toBe(413);
    expectNoInternals(hx.text);
  });

  it('login costs the same for an unknown user as for the real one', async () => {
    const accounts = new AdminAccounts(db());
    const time = async (user: string) => {
      const t: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await accounts.verify(user, 'Wrong-password-1');
        t.push(performance.now() - s);
      }
      return t.sort((x, y) => x - y)[2]!;
    };
    await time('nobody-at-all'); // the fallback hash is made once
    const known = await time('admin');
    const unknown = await time('nobody-at-all');
    // Without a full scrypt for unknown users the two differ a hundredfold (0.3 ms vs 40 ms);
    // the margin leaves room for a loaded CI machine.
    expect(unknown).toBeGreaterThan(known * 0.2);
  });

  it('journal CSV neutralises cells a spreadsheet would run as formulas', async () => {
    const push = await request(app).post(`/integration/stock?key=${KEY}`).set('Content-Type', 'application/xml').set('Accept', 'application/json')
      .send(xmlDoc([{ termekkod: '=HYPERLINK("http://evil.example","x")', szabadraktar: 1 }, { termekkod: '@SUM(A1)', szabadraktar: 1 }]));
    expect(push.status).toBe(200);
    const { cookie } = await loginWithForm(app, 'admin', password);
    const csv = await request(app).get(`/admin/journal/${push.body.run}/items.csv`).set('Cookie', cookie);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv.text).toContain(`;'@SUM(A1);`);
    expect(csv.text).not.toMatch(/(^|;)[=@+-][A-Z]/m);
  });

  it('X-Forwarded-For from a client is ignored by default: forging it does not escape the login throttle', async () => {
    const fresh = createApp(env.ctx);
    const form = await formToken(fresh);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await request(fresh).post('/admin/login').set('Cookie', form.cookie).set('X-Forwarded-For', `198.51.100.${i}`).type('form').send({ _csrf: form.csrf, username: 'admin', password: 'wrong-wrong' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('TRUST_PROXY', () => {
  it('X-Forwarded-Prefix from a client is ignored unless a proxy is trusted', async () => {
    const env = await openTarget(FIXTURE_DIALECT_TARGETS[0]!, { ADMIN_PASSWORD: 'Prefix-admin-2026' });
    try {
      const plain = await request(createApp(env.ctx)).get('/admin').set('X-Forwarded-Prefix', '/evil');
      expect(plain.headers.location).toBe('/admin/login');
      const trusting = createApp({ ...env.ctx, config: { ...env.ctx.config, trustProxy: 'loopback' } });
      expect((await request(trusting).get('/admin').set('X-Forwarded-Prefix', '/shop')).headers.location).toBe('/shop/admin/login');
    } finally {
      await env.cleanup();
    }
  });

  it('is off by default and takes only the documented forms', () => {
    const base = { DATA_DIR: '/tmp/erpb-proxy', APP_SECRET: 'x'.repeat(20) };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(readTrustProxy('2')).toBe(2);
    expect(readTrustProxy('10.0.0.1, 10.0.0.0/8')).toBe('10.0.0.1,10.0.0.0/8');
    expect(() => readTrustProxy('everyone')).toThrow(ConfigError);
  });
});

describe('the admin with the database down', () => {
  it('the login page answers 503 with a reference, naming neither host nor connection string', async () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://shopuser:s3cret@127.0.0.1:1/secretdb', DATA_DIR: '/tmp/erpb-down-admin', APP_SECRET: 'x'.repeat(20), LOG_LEVEL: 'silent' });
    const ctx = createContext(config, createLogger('silent'));
    try {
      const app = createApp(ctx);
      for (const path of ['/admin/login', '/admin/setup', '/admin']) {
        const res = await request(app).get(path);
        expect(res.status, path).toBe(503);
        expect(res.headers['retry-after']).toBe('30');
        expect(res.text).toMatch(/reference [0-9a-f]{10}/);
        expect(res.text).not.toMatch(/127\.0\.0\.1|secretdb|shopuser|s3cret|ECONNREFUSED|\n\s+at /);
      }
    } finally {
      await ctx.close();
    }
  });
});
