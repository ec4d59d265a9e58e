// Who gets into the admin, and what every page sends back: login, CSRF, security headers, rate
// limits (the launch from the shop's admin is in shop-module.test.ts).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { AdminAccounts } from '../../app/admin/accounts.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { formToken, loginWithForm } from '../support/admin-forms.js';

const PASSWORD = 'Admin-jelszo-2026';

async function login(app: Express): Promise<{ cookie: string; csrf: string }> {
  const r = await loginWithForm(app, 'admin', PASSWORD);
  expect(r.status).toBe(302);
  return { cookie: r.cookie, csrf: r.csrf };
}

// Orders and admin sessions here are written by hand in 3.0's shape: fixture targets only
// (the real releases' orders and sessions are covered where OpenCart makes them).
describe.each(FIXTURE_DIALECT_TARGETS)('admin access on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  it('creates the account from ADMIN_PASSWORD, hashed with scrypt', async () => {
    const row = await db().knex(db().own('admin_user')).where({ username: 'admin' }).first();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    expect(await new AdminAccounts(db()).verify('admin', PASSWORD)).toBe(true);
  });

  it('sends anonymous visitors to the login page (htmx gets 401 + HX-Redirect)', async () => {
    const page = await request(app).get('/admin/settings');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/admin/login');
    const hx = await request(app).post('/admin/settings/connection').set('HX-Request', 'true');
    expect(hx.status).toBe(401);
    expect(hx.headers['hx-redirect']).toBe('/admin/login');
  });

  it('sets a strict CSP and other security headers on every page', async () => {
    const { cookie } = await login(app);
    for (const path of ['/admin', '/admin/settings', '/admin/integration', '/admin/journal', '/admin/orders', '/admin/login']) {
      const res = await request(app).get(path).set('Cookie', cookie);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    }
  });

  it('refuses a state-changing request without the CSRF token, and accepts it with one', async () => {
    const { cookie, csrf } = await login(app);
    const without = await request(app).post('/admin/settings/connection').set('Cookie', cookie).type('form').send({ webshop_id: 'evil' });
    expect(without.status).toBe(403);
    expect((await env.ctx.settings.get()).webshop_id).not.toBe('evil');
    const viaHtmx = await request(app).post('/admin/settings/connection').set('Cookie', cookie).set('HX-Request', 'true').set('X-CSRF-Token', csrf).type('form')
      .send({ webshop_id: 'bolt-9', sync_type: 'stock_price', shipping_fee_code: '', payment_fee_code: '', coupon_code: '' });
    expect(viaHtmx.status).toBe(200);
    expect(viaHtmx.text).toContain('id="settings-connection"');
    expect((await env.ctx.settings.get()).webshop_id).toBe('bolt-9');
  });

  it('shows a validation error beside its field and saves nothing of the group', async () => {
    const { cookie, csrf } = await login(app);
    const res = await request(app).post('/admin/settings/orders').set('Cookie', `${cookie}; erpb_lang=en`).type('form')
      .send({ _csrf: csrf, export_interval: 'hourly', export_daily_at: '25:00', export_url: 'ftp://x', revenue_group: 'X' });
    expect(res.status).toBe(422);
    const hu = await request(app).post('/admin/settings/orders').set('Cookie', `${cookie}; erpb_lang=hu`).type('form')
      .send({ _csrf: csrf, export_interval: 'hourly' });
    // The accepted values by their labels, in the page's language (not the stored codes).
    expect(hu.text).toMatch(/id="err-export_interval"[^>]*>ezek egyike lehet: „csak kézzel”, „percenként”, „5 percenként”, „15 percenként”, „óránként”, „naponta”/);
    expect(res.text).toMatch(/id="err-export_interval"[^>]*>must be one of “manual only”, “every minute”, “every 5 minutes”, “every 15 minutes”, “hourly”, “daily at”/);
    expect(res.text).toMatch(/id="err-export_daily_at"/);
    expect(res.text).toMatch(/id="err-export_url"/);
    expect((await env.ctx.settings.get()).revenue_group).toBe('');
  });

  it('slows down repeated failed logins', async () => {
    const fresh = createApp(env.ctx);
    const form = await formToken(fresh);
    const post = (password: string) => request(fresh).post('/admin/login').set('Cookie', form.cookie).type('form').send({ _csrf: form.csrf, username: 'admin', password });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('wrong')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await post(PASSWORD)).status).toBe(429);
  });

  it('draws the last 30 days from the journal on the dashboard, and the last run of each URL', async () => {
    const { cookie } = await login(app);
    await env.ctx.settings.update({ import_password: 'k-dash' });
    const push = await request(app).post('/integration/stock?key=k-dash').set('Content-Type', 'application/json').send(JSON.stringify([{ termekkod: 'no-such-code', szabadraktar: 1 }]));
    expect(push.status).toBe(200);
    const day = (await db().knex(db().own('journal_run')).where({ id: push.body.run }).first()).started_at.slice(0, 10);
    const dash = await request(app).get('/admin').set('Cookie', `${cookie}; erpb_lang=en`);
    const title = new RegExp(`<title>${day}: \\d+ records applied, ([1-9]\\d*) problems, \\d+ orders exported</title>`);
    expect(dash.text).toMatch(title);
    expect(dash.text).toContain(`href="/admin/journal/${push.body.run}"`);
  });

  it('downloads a run and a filtered journal as CSV, and polls a running run for progress', async () => {
    const { cookie } = await login(app);
    await env.ctx.settings.update({ import_password: 'k-csv' });
    const push = await request(app).post('/integration/stock?key=k-csv').set('Content-Type', 'application/json').send(JSON.stringify([{ termekkod: 'csv;"code"', szabadraktar: 1 }]));
    const items = await request(app).get(`/admin/journal/${push.body.run}/items.csv`).set('Cookie', `${cookie}; erpb_lang=en`);
    expect(items.headers['content-type']).toMatch(/text\/csv/);
    expect(items.headers['content-disposition']).toContain(`erp-bridge-run-${push.body.run}.csv`);
    const rows = items.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(rows[0]).toBe('Record;Product code;Outcome;Reason');
    expect(rows[1]).toBe('1;"csv;""code""";unknown product;"no product has model ""csv;""code"""""');
    // In Hungarian: the headers, the outcome and the reason (rendered from its code) too.
    const hu = (await request(app).get(`/admin/journal/${push.body.run}/items.csv`).set('Cookie', `${cookie}; erpb_lang=hu`)).text.replace(/^\uFEFF/, '').split('\r\n');
    expect(hu[0]).toBe('Tétel;Termékkód;Eredmény;Ok');
    expect(hu[1]).toBe('1;"csv;""code""";ismeretlen termék;"nincs termék ezzel a kóddal (modell): „csv;""code""”"');
    const runs = await request(app).get('/admin/journal.csv?kind=stock').set('Cookie', `${cookie}; erpb_lang=hu`);
    const lines = runs.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Futás;Kezdete;Fajta;Ki;Eredmény/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.split(';')[2] === 'Készlet' && l.split(';')[3] === 'ERP (127.0.0.1)')).toBe(true);
    // A run still going: the fragment keeps polling (hx-trigger every 1s) until it is finished.
    const [running] = await db().knex(db().own('journal_run')).insert({ kind: 'prices', actor: 'erp x', status: 'running', dry_run: false, started_at: '2026-11-23 10:00:00', progress: 4200 });
    const frag = await request(app).get(`/admin/journal/${running}/progress`).set('Cookie', `${cookie}; erpb_lang=en`);
    expect(frag.text).toContain('hx-trigger="every 1s"');
    expect(frag.text).toContain('In progress: 4200 records staged');
    await db().knex(db().own('journal_run')).where({ id: running }).update({ status: 'ok' });
    const done = await request(app).get(`/admin/journal/${running}/progress`).set('Cookie', `${cookie}; erpb_lang=en`);
    expect(done.text).not.toContain('hx-trigger');
  });

  it('shows shop and ERP text as text: <script> in a product name or an ERP message stays inert', async () => {
    const { cookie } = await login(app);
    await env.ctx.settings.update({ import_password: 'k-123', sync_type: 'full' });
    const evil = '<script>alert(1)</script>';
    const push = await request(app).post('/integration/prices?key=k-123').set('Content-Type', 'application/json').send(JSON.stringify([{ termekkod: evil, ar: 'x<img src=x onerror=alert(1)>' }]));
    const run = await request(app).get(`/admin/journal/${push.body.run}`).set('Cookie', cookie);
    expect(run.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(run.text).not.toContain(evil);
    expect(run.text).not.toContain('<img src=x');
  });
});
