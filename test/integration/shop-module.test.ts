// erp-bridge and the shop's module, without a browser: the signed launch from the shop's admin
// (valid, replayed, forged, expired, malformed, read-only), where settings live (code
// erp_bridge, moved from the old module_erp_bridge), what the module's state does to pushes and
// the scheduler, and `purge`. Shop users are rows in 3.0's shape, so the fixture targets; the
// browser suite does the same through the real OpenCart admins of 3.0, 4.0 and 4.1.
import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install } from '../../app/context.js';
import { purge } from '../../app/admin/purge.js';
import { schedulerTick } from '../../app/jobs/scheduler.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

/** What the PHP module sends, computed here from the documented message format. */
function launchQuery(secret: string, over: Partial<Record<'uid' | 'user' | 'level' | 'ts' | 'nonce' | 'lang', string>> = {}, sigSecret = secret) {
  const p = { uid: '1', user: 'admin', level: 'modify', ts: String(Math.floor(Date.now() / 1000)), nonce: randomBytes(16).toString('hex'), lang: 'en', ...over };
  const sig = createHmac('sha256', sigSecret).update(['erp-bridge-launch-v1', p.uid, p.user, p.level, p.ts, p.nonce, p.lang].join('\n')).digest('hex');
  return new URLSearchParams({ ...p, sig }).toString();
}

const PUSH = JSON.stringify([{ termekkod: 'no-such-code', szabadraktar: 1 }]);

describe.each(FIXTURE_DIALECT_TARGETS)('the shop module on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let secret: string;
  let userId: number;
  const db = () => env.ctx.db;
  const setting = async (key: string) => (await db().knex(db().t('setting')).where({ store_id: 0, code: 'erp_bridge', key }).first('value'))?.value as string | undefined;

  beforeAll(async () => {
    env = await openTarget(target);
    app = createApp(env.ctx);
    secret = (await setting('erp_bridge_launch_secret'))!;
    const k = db().knex;
    const [group] = await k(db().t('user_group')).insert({ name: 'Bolt', permission: '{}' });
    const [uid] = await k(db().t('user')).insert({ user_group_id: Number(group), username: 'boltos', password: 'x', salt: '', firstname: '', lastname: '', email: '', image: '', code: '', ip: '', status: 1, date_added: '2026-01-01 00:00:00' });
    userId = Number(uid);
  });
  afterAll(async () => env?.cleanup());

  it('publishes a launch secret and its address for the PHP module, and keeps the secret across restarts', async () => {
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(await setting('erp_bridge_public_url')).toBe('http://shop.test');
    await install(env.ctx);
    expect(await setting('erp_bridge_launch_secret')).toBe(secret);
  });

  it('turns a signed launch into its own session once; a replay, a forgery, an old or a malformed launch is refused', async () => {
    const q = launchQuery(secret, { uid: String(userId), user: 'boltos' });
    const ok = await request(app).get(`/admin/launch?${q}`);
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe('/admin');
    const cookie = String(ok.headers['set-cookie']![0]);
    expect(cookie).toMatch(/^erpb_session=.*; Path=\/; .*HttpOnly/);
    const page = await request(app).get('/admin').set('Cookie', cookie.split(';')[0]!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<span class="who" id="user-name">boltos</span>');

    expect((await request(app).get(`/admin/launch?${q}`)).status).toBe(403); // single use
    const forged = await request(app).get(`/admin/launch?${launchQuery('not-the-secret', { uid: String(userId) })}`).set('Cookie', 'erpb_lang=en');
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('not signed by this shop');
    const old = await request(app).get(`/admin/launch?${launchQuery(secret, { uid: String(userId), ts: String(Math.floor(Date.now() / 1000) - 600) })}`).set('Cookie', 'erpb_lang=en');
    expect(old.status).toBe(403);
    expect(old.text).toMatch(/expired/);
    expect((await request(app).get('/admin/launch?uid=1&sig=zz')).status).toBe(400);
    const gone = await request(app).get(`/admin/launch?${launchQuery(secret, { uid: '99999' })}`);
    expect(gone.status).toBe(403);
    for (const r of [forged, old, gone]) expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('gives an access-only launch read-only pages: no import password in any URL, and no change accepted', async () => {
    await env.ctx.settings.update({ import_password: 'Titkos-kulcs-9', webshop_id: 'bolt', password: 'Erp-Jelszo-9' });
    const ok = await request(app).get(`/admin/launch?${launchQuery(secret, { uid: String(userId), level: 'access' })}`);
    const cookie = String(ok.headers['set-cookie']![0]).split(';')[0]!;
    for (const path of ['/admin', '/admin/settings', '/admin/integration', '/admin/journal', '/admin/orders']) {
      const page = await request(app).get(path).set('Cookie', cookie);
      expect(page.status, path).toBe(200);
      expect(page.text, path).not.toContain('Titkos-kulcs-9');
      expect(page.text, path).not.toContain(secret); // the launch secret is in no page
      expect(page.text, path).toContain('id="read-only"');
    }
    const integration = await request(app).get('/admin/integration').set('Cookie', cookie);
    expect(integration.text).toContain('value="http://shop.test/integration/prices"');
    expect(integration.text).not.toContain('class="test"');
    const csrf = /"X-CSRF-Token":"([^"]+)"|X-CSRF-Token&#34;:&#34;([^&]+)&#34;/.exec(integration.text)!.slice(1).find(Boolean)!;
    const save = await request(app).post('/admin/settings/connection').set('Cookie', cookie).set('X-CSRF-Token', csrf).type('form').send({ webshop_id: 'other' });
    expect(save.status).toBe(403);
    expect((await env.ctx.settings.get()).webshop_id).toBe('bolt');
  });

  it('refuses every change from an access-only shop user: the same valid POSTs a modify launch makes are 403 and change nothing', async () => {
    await env.ctx.settings.update({ webshop_id: 'bolt', password: 'Erp-Jelszo-9', sync_type: 'stock_price', shipping_fee_code: '' });
    const open = async (level: string) => {
      const ok = await request(app).get(`/admin/launch?${launchQuery(secret, { uid: String(userId), level })}`);
      const cookie = String(ok.headers['set-cookie']![0]).split(';')[0]!;
      const page = await request(app).get('/admin/settings').set('Cookie', cookie);
      return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]! };
    };
    // A complete, valid Connection form (secrets left empty keep their value).
    const form = { webshop_id: 'masik-bolt', password: '', sync_type: 'stock_price', import_password: '', shipping_fee_code: 'SZALL', payment_fee_code: '', coupon_code: '' };
    const bodies: Array<[string, Record<string, string>]> = [['/admin/settings/connection', form], ['/admin/settings/methods', {}], ['/admin/orders/export-now', {}]];
    const posts = async (s: { cookie: string; csrf: string }) => {
      const out: Array<[string, number]> = [];
      for (const [path, body] of bodies) out.push([path, (await request(app).post(path).set('Cookie', s.cookie).type('form').send({ ...body, _csrf: s.csrf })).status]);
      return out;
    };
    const reader = await open('access');
    expect(await posts(reader)).toEqual(bodies.map(([path]) => [path, 403]));
    expect(await env.ctx.settings.get()).toMatchObject({ webshop_id: 'bolt', shipping_fee_code: '' });
    // The same requests from a user who may modify are accepted: the 403 above is the access level, not the form.
    const writer = await open('modify');
    expect(await posts(writer)).toEqual(bodies.map(([path]) => [path, 200]));
    expect(await env.ctx.settings.get()).toMatchObject({ webshop_id: 'masik-bolt', shipping_fee_code: 'SZALL' });
    await env.ctx.settings.update({ webshop_id: 'bolt', shipping_fee_code: '' });
  });

  it('follows the module: standalone works, uninstalled answers 503 and idles the scheduler, reinstalled works with the same key', async () => {
    const k = db().knex;
    await env.ctx.settings.update({ import_password: 'Kulcs-123', export_interval: '1' });
    const push = () => request(app).post('/integration/stock?key=Kulcs-123').set('Content-Type', 'application/json').send(PUSH);
    const exporter = new OrderExporter(db(), env.ctx.settings);
    expect((await push()).status).toBe(200); // never installed in the shop: standalone
    // What the module's install hook writes; then OpenCart's uninstall has removed the extension row.
    await k(db().t('setting')).insert({ store_id: 0, code: 'erp_bridge', key: 'erp_bridge_package', value: '1.0.0', serialized: 0 });
    const off = await push();
    expect(off.status).toBe(503);
    expect(off.body.error).toMatch(/^disabled in the shop/);
    expect(await schedulerTick(env.ctx, exporter)).toBe('disabled');
    const page = await request(app).get(`/admin/launch?${launchQuery(secret, { uid: String(userId) })}`);
    const dash = await request(app).get('/admin').set('Cookie', String(page.headers['set-cookie']![0]).split(';')[0]!);
    expect(dash.text).toContain('id="shop-disabled"');
    expect(dash.text).toMatch(/none: the module is uninstalled in the shop|nincs: a modul el van távolítva a boltban/);
    await k(db().t('extension')).insert({ type: 'module', code: 'erp_bridge', ...(await extensionColumn()) });
    expect((await push()).status).toBe(200);
    expect(await schedulerTick(env.ctx, exporter, new Date(Date.now() + 3600_000))).toBe('exported');
    await k(db().t('extension')).where({ code: 'erp_bridge' }).delete();
    await k(db().t('setting')).where({ code: 'erp_bridge', key: 'erp_bridge_package' }).delete();
    await env.ctx.settings.update({ export_interval: 'manual' });
  });

  // 4.x has the package column; the 3.0 schema of these fixtures has not.
  async function extensionColumn(): Promise<Record<string, string>> {
    return (await db().knex.schema.hasColumn(db().t('extension'), 'extension')) ? { extension: 'erp_bridge' } : {};
  }

  it('moves settings an older erp-bridge kept under module_erp_bridge, and removes the extension row it wrote without files', async () => {
    const k = db().knex;
    await k(db().t('setting')).where({ code: 'erp_bridge', key: 'erp_bridge_webshop_id' }).delete();
    await k(db().t('setting')).insert([
      { store_id: 0, code: 'module_erp_bridge', key: 'module_erp_bridge_webshop_id', value: 'regi-bolt', serialized: 0 },
      { store_id: 0, code: 'module_erp_bridge', key: 'module_erp_bridge_sync_type', value: 'stock_price', serialized: 0 },
      { store_id: 0, code: 'module_erp_bridge', key: 'module_erp_bridge_status', value: '1', serialized: 0 },
    ]);
    await k(db().t('extension')).insert({ type: 'module', code: 'erp_bridge', ...(await extensionColumn()) });
    const before = (await env.ctx.settings.get()).sync_type;
    const report = await install(env.ctx);
    expect(report.legacySettingsMoved).toEqual(['erp_bridge_webshop_id']); // sync_type was already stored under erp_bridge
    expect((await env.ctx.settings.get()).webshop_id).toBe('regi-bolt');
    expect((await env.ctx.settings.get()).sync_type).toBe(before);
    expect(await k(db().t('setting')).where({ code: 'module_erp_bridge' })).toHaveLength(0);
    expect(await k(db().t('extension')).where({ code: 'erp_bridge' })).toHaveLength(0);
  });

  it('purge removes erp-bridge\'s own tables and settings, and nothing of the shop', async () => {
    const k = db().knex;
    const shopSettings = Number((await k(db().t('setting')).whereNotIn('code', ['erp_bridge']).count({ n: '*' }).first())!.n);
    const report = await purge(db());
    expect(report.tablesDropped).toContain(db().own('journal_run'));
    expect(report.tablesDropped).toContain(db().own('migrations'));
    expect(report.tablesDropped.length).toBeGreaterThan(0);
    expect(report.tablesDropped.every((t) => t.startsWith(`${target.prefix}erp_bridge_`))).toBe(true);
    expect(await k.schema.hasTable(db().own('outbox'))).toBe(false);
    expect(await k(db().t('setting')).where({ code: 'erp_bridge' })).toHaveLength(0);
    expect(Number((await k(db().t('setting')).count({ n: '*' }).first())!.n)).toBe(shopSettings);
    expect(await k.schema.hasTable(db().t('product'))).toBe(true);
  });
});
