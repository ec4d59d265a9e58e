// POST /integration/order-status on the SQLite demo shop and the 3.0.3.8 fixture: the wire
// contract (formats, charsets, whole-document refusal, per-record answers), the queue while the
// shop's API is not set up, the owner's direct fallback, the scheduler's retry, and what the
// admin shows. (OpenCart applying the changes itself, with its e-mail: order-status-opencart.test.ts.)
import iconv from 'iconv-lite';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { schedulerTick } from '../../app/jobs/scheduler.js';
import { listAdminOrderStatuses, shopApiFlavor } from '../../app/shop/order-history.js';
import { orderStatusCommands } from '../../app/cli/order-status-commands.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { resolveStatusMap } from '../../app/sync/order-status-map.js';
import { createApp } from '../../app/web/server.js';
import { loginWithForm } from '../support/admin-forms.js';
import { configureVat, placeOrder, setOrderStatus } from '../support/orders.js';
import { KEY, addProduct, uniqueCode } from '../support/shop.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { englishIn } from '../browser/hungarian.js';

const PASSWORD = 'Admin-jelszo-2026';

// Orders here are written by hand in 3.0's shape: fixture targets only.
describe.each(FIXTURE_DIALECT_TARGETS)('order status from the ERP on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let productId: number;
  let code: string;
  const db = () => env.ctx.db;
  const exporter = () => new OrderExporter(db(), env.ctx.settings);

  /** A paid order (status 2, as the fixture's and the demo's processing status), exported: its id and number. */
  const exportedOrder = async () => {
    const { orderId } = await placeOrder(db(), { products: [{ productId, name: 'Serpenyő', model: code, quantity: 1, price: 1000, tax: 270 }], shipping: 500 });
    await setOrderStatus(db(), orderId, 2);
    await exporter().prepare();
    const row = await db().knex(db().own('outbox')).where({ order_id: orderId }).first();
    return { orderId, number: (JSON.parse(row.document) as OrderDocument).orderNumber };
  };
  const post = (body: string | Buffer, type: string, query = '') => request(app).post(`/integration/order-status?key=${KEY}${query}`).set('Content-Type', type).send(body);
  const json = (records: Array<Record<string, string | number>>, query = '') => post(JSON.stringify(records), 'application/json', query);
  const queueOf = (orderId: number) => db().knex(db().own('status_queue')).where({ order_id: orderId }).orderBy('id').select();
  const shopStatus = async (orderId: number) => Number((await db().knex(db().t('order')).where({ order_id: orderId }).first('order_status_id')).order_status_id);

  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    code = uniqueCode('ST');
    productId = await addProduct(db(), { model: code, tax_class_id: await configureVat(db()) });
    await env.ctx.settings.update({ import_password: KEY, webshop_id: 'bolt1', password: 'erp-pw', shipping_fee_code: 'SZALL', export_start_date: '2026-01-01' });
    app = createApp(env.ctx);
  });
  afterAll(async () => env?.cleanup());

  it('refuses a malformed document whole: nothing queued, the run journalled as rejected', async () => {
    const { orderId, number } = await exportedOrder();
    const r = await post(`<rendelesek><rendeles><rendelesszam>${number}</rendelesszam><allapot>szamlazva</allapot></rendeles><rendeles><rendelesszam>`, 'application/xml');
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/malformed XML at line 1/);
    expect(r.text).not.toMatch(/SELECT|at .*\.ts:\d+/);
    expect(await queueOf(orderId)).toEqual([]);
    const run = await db().knex(db().own('journal_run')).where({ kind: 'order-status' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ status: 'rejected', http_status: 400 });
  });

  it('needs the same credentials as the other URLs, and journals a refusal', async () => {
    const r = await request(app).post('/integration/order-status').set('Content-Type', 'application/json').send('[]');
    expect(r.status).toBe(401);
    const wrong = await request(app).post('/integration/order-status?key=wrong').set('Content-Type', 'application/json').send('[]');
    expect(wrong.status).toBe(401);
    const run = await db().knex(db().own('journal_run')).where({ kind: 'order-status' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ status: 'rejected', http_status: 401 });
    // A browser opening the address gets a page saying what it is for.
    const info = await request(app).get('/integration/order-status').set('Accept', 'text/html').set('Accept-Language', 'en');
    expect(info.status).toBe(405);
    expect(info.headers.allow).toBe('POST');
    expect(info.text).toContain('reports what became of the shop’s orders');
  });

  it('answers each record (updated, unchanged, unknown, invalid with reasons) and queues the change while the shop\'s API is not set up', async () => {
    const { orderId, number } = await exportedOrder();
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rendelesek>
  <rendeles><rendelesszam>${number}</rendelesszam><allapot>szallitas_alatt</allapot><szallito>GLS</szallito><fuvarlevelszam>GLS-1</fuvarlevelszam><extra>x</extra></rendeles>
  <rendeles><rendelesszam>${number}</rendelesszam><allapot>szallitas_alatt</allapot><fuvarlevelszam>GLS-1</fuvarlevelszam></rendeles>
  <rendeles><rendelesszam>NINCS-1</rendelesszam><allapot>szamlazva</allapot></rendeles>
  <rendeles><order_id>${orderId}</order_id><allapot>elveszett</allapot></rendeles>
  <rendeles><allapot>teljesitve</allapot></rendeles>
  <rendeles><order_id>12a</order_id><allapot>teljesitve</allapot></rendeles>
  <rendeles><order_id>${orderId}</order_id><allapot>teljesitve</allapot><ertesites>talán</ertesites></rendeles>
</rendelesek>`;
    const r = await post(xml, 'application/xml').set('Accept', 'application/json');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'order-status', status: 'partial', format: 'xml', counts: { received: 7, updated: 1, unchanged: 1, unknown: 1, invalid: 4 } });
    expect(r.body.unknownFields).toEqual(['extra']);
    const reasons = Object.fromEntries(r.body.notApplied.map((n: { record: number; outcome: string; reason: string }) => [n.record, `${n.outcome}: ${n.reason}`]));
    expect(reasons[3]).toMatch(/^unknown: no order exported by erp-bridge carries this order number/);
    expect(reasons[4]).toMatch(/^invalid: allapot "elveszett" is not one of szamlazva, szallitas_alatt/);
    expect(reasons[5]).toMatch(/^invalid: no rendelesszam .* or order_id/);
    expect(reasons[6]).toMatch(/^invalid: order_id "12a" is not an order id/);
    expect(reasons[7]).toMatch(/^invalid: ertesites "talán" is not 1 or 0/);
    // Not set up: the change waits for the shop, the answer says why, the shop is untouched.
    expect(r.body.shop).toMatchObject({ applied: 0, waiting: 1, failed: 0 });
    expect(r.body.shop.error).toMatch(/shop_url/);
    expect(await shopStatus(orderId)).toBe(2);
    const [q] = await queueOf(orderId);
    expect(q).toMatchObject({ state: 'waiting', erp_state: 'szallitas_alatt', notify: 1 });
    expect(String(q.comment)).toBe('Szállító: GLS\nCsomagszám: GLS-1\nNyomkövetés: https://gls-group.com/HU/hu/csomagkovetes?match=GLS-1');
    const items = await db().knex(db().own('journal_item')).where({ run_id: r.body.run }).orderBy('seq').select('seq', 'outcome');
    expect(items.map((i) => `${i.seq}:${i.outcome}`)).toEqual(['3:unknown', '4:invalid', '5:invalid', '6:invalid', '7:invalid']);
  });

  it('reads CSV in Windows-1250 and JSON in ISO-8859-2 with the accents of the comment intact', async () => {
    const a = await exportedOrder();
    const csv = iconv.encode(`rendelesszam;allapot;megjegyzes;ertesites\r\n${a.number};teljesitve;"Köszönjük a vásárlást, ő és ű";0\r\n`, 'win1250');
    const r = await post(csv, 'text/csv; charset=windows-1250');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ format: 'csv', charset: 'windows-1250', counts: { updated: 1 } });
    expect((await queueOf(a.orderId))[0]).toMatchObject({ comment: 'Köszönjük a vásárlást, ő és ű', notify: 0 });
    const b = await exportedOrder();
    const body = iconv.encode(JSON.stringify({ rendelesek: [{ order_id: b.orderId, allapot: 'sztornozva', megjegyzes: 'Tőlünk elnézést' }] }), 'iso-8859-2');
    // The bytes as they are (supertest would otherwise serialise a Buffer as JSON itself).
    const j = await request(app).post(`/integration/order-status?key=${KEY}`).set('Content-Type', 'application/json; charset=iso-8859-2').serialize((x: unknown) => x as string).send(body);
    expect(j.body).toMatchObject({ format: 'json', charset: 'iso-8859-2', counts: { updated: 1 } });
    expect((await queueOf(b.orderId))[0].comment).toBe('Tőlünk elnézést');
  });

  it('makes no change and queues nothing on a dry run', async () => {
    const { orderId, number } = await exportedOrder();
    const r = await json([{ rendelesszam: number, allapot: 'szamlazva', szamlaszam: 'SZ-1' }], '&dry_run=1');
    expect(r.body).toMatchObject({ dryRun: true, counts: { received: 1 } });
    expect(r.body.counts.updated + r.body.counts.unchanged).toBe(1);
    expect(await queueOf(orderId)).toEqual([]);
    expect(await db().knex(db().own('order_erp_state')).where({ order_id: orderId }).first()).toBeUndefined();
  });

  it('refuses a state the shop has no status for until the owner picks one, then uses the chosen one', async () => {
    const { orderId } = await exportedOrder();
    const statuses = await listAdminOrderStatuses(db());
    const auto = resolveStatusMap(await env.ctx.settings.get(), statuses).visszakuldve;
    const r = await json([{ order_id: orderId, allapot: 'visszakuldve' }]);
    if (auto.id === null) {
      expect(r.body.counts).toMatchObject({ updated: 0, invalid: 1 });
      expect(r.body.notApplied[0].reason).toMatch(/status_map_visszakuldve/);
    } else expect((await queueOf(orderId)).at(-1)).toMatchObject({ order_status_id: auto.id });
    // A status id the shop does not have is refused by the settings.
    await expect(env.ctx.settings.update({ status_map_visszakuldve: '999999' })).rejects.toThrow(/no order status with id 999999/);
    const chosen = statuses.find((s) => s.orderStatusId !== 2 && s.orderStatusId !== auto.id)!;
    await env.ctx.settings.update({ status_map_visszakuldve: String(chosen.orderStatusId) });
    try {
      const again = await json([{ order_id: orderId, allapot: 'visszakuldve', force: 1 }]);
      expect(again.body.counts).toMatchObject({ updated: 1 });
      expect((await queueOf(orderId)).at(-1)).toMatchObject({ order_status_id: chosen.orderStatusId, erp_state: 'visszakuldve' });
    } finally {
      await env.ctx.settings.update({ status_map_visszakuldve: '' });
    }
  });

  it('writes the history row straight into the shop only when the owner switched the fallback on, and the scheduler retries what waits', async () => {
    const { orderId, number } = await exportedOrder();
    const r = await json([{ rendelesszam: number, allapot: 'szallitas_alatt', szallito: 'MPL', fuvarlevelszam: 'RL<123>&HU' }]);
    expect(r.body.shop).toMatchObject({ waiting: 1 });
    // Not due yet (the retry waits): the scheduler leaves it.
    await schedulerTick(env.ctx, exporter());
    expect((await queueOf(orderId))[0].state).toBe('waiting');
    await env.ctx.settings.update({ status_direct_fallback: 'yes' });
    try {
      // Time passes: the retry is due, the API is still not set up, the fallback writes it.
      await db().knex(db().own('status_queue')).where({ order_id: orderId }).update({ next_attempt_at: '2000-01-01 00:00:00' });
      await schedulerTick(env.ctx, exporter());
      const [q] = await queueOf(orderId);
      expect(q).toMatchObject({ state: 'applied', applied_via: 'direct' });
      expect(String(q.last_error)).toMatch(/written directly \(no e-mail\)/);
      const statuses = await listAdminOrderStatuses(db());
      const shipped = resolveStatusMap(await env.ctx.settings.get(), statuses).szallitas_alatt.id!;
      expect(await shopStatus(orderId)).toBe(shipped);
      const h = await db().knex(db().t('order_history')).where({ order_id: orderId }).orderBy('order_history_id', 'desc').first();
      expect(h).toMatchObject({ order_status_id: shipped, notify: 0 });
      // Stored as OpenCart stores posted text: HTML-encoded.
      expect(String(h.comment)).toContain('RL&lt;123&gt;&amp;HU');
    } finally {
      await env.ctx.settings.update({ status_direct_fallback: 'no' });
    }
  });

  it('shows the ERP status, invoice and tracking number on the orders page, the waiting changes, and the run in the journal', async () => {
    const { orderId, number } = await exportedOrder();
    const r = await json([{ rendelesszam: number, allapot: 'szamlazva', szamlaszam: 'SZ-2026-777', fuvarlevelszam: 'TRK-888' }]);
    expect(r.body.counts.updated).toBe(1);
    const { cookie } = await loginWithForm(app, 'admin', PASSWORD);
    const page = await request(app).get('/admin/orders').set('Cookie', cookie).set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    const row = new RegExp(`<tr id="order-${orderId}">[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    expect(row).toContain('SZ-2026-777');
    expect(row).toContain('TRK-888');
    expect(row).toMatch(/invoiced|számlázva/);
    expect(page.text).toContain('id="status-queue"');
    // Why the change waits, in Hungarian too (no English word of the catalogue in it).
    const hu = await request(app).get('/admin/orders').set('Cookie', `${cookie}; erpb_lang=hu`);
    const queue = /<form class="alert warn" id="status-queue"[\s\S]*?<\/form>/.exec(hu.text)?.[0] ?? '';
    expect(queue).toContain('a bolt címe nincs megadva');
    expect(englishIn(queue.replace(/<[^>]*>/g, ' '))).toEqual([]);
    const journal = await request(app).get('/admin/journal?kind=order-status').set('Cookie', cookie);
    expect(journal.text).toContain(`/admin/journal/${r.body.run}`);
    const urls = await request(app).get('/admin/integration').set('Cookie', cookie);
    expect(urls.text).toContain('/integration/order-status?key=');
    const settings = await request(app).get('/admin/settings').set('Cookie', cookie);
    expect(settings.text).toContain('id="settings-order_status"');
    expect(settings.text).toContain('name="status_map_szallitas_alatt"');
  });

  it('creates erp-bridge\'s own API user in the shop (button and command), chooses it, and never shows its key', async () => {
    const { cookie, csrf } = await loginWithForm(app, 'admin', PASSWORD);
    const flavor = await shopApiFlavor(db());
    const button = await request(app).post('/admin/settings/shop-api-user').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    if (!flavor) {
      // The demo shop has no API tables: nothing to create, said plainly.
      expect(button.status).toBe(409);
      expect(button.text).toMatch(/no API tables|nincsenek API-táblái/);
      await expect(orderStatusCommands['shop-api-user']!.run(env.ctx, [], { json: false, stdin: async () => '', ask: async () => '' })).rejects.toThrow(/no API tables/);
      return;
    }
    expect(button.status).toBe(303);
    const api = await db().knex(db().t('api')).where({ username: 'erp-bridge' }).first();
    expect(api).toMatchObject({ status: 1 });
    expect(String(api.key)).toMatch(/^[0-9a-f]{64}$/);
    const ips = (await db().knex(db().t('api_ip')).where({ api_id: api.api_id }).select('ip')).map((r) => r.ip).sort();
    expect(ips).toEqual(['127.0.0.1', '::1']);
    expect((await env.ctx.settings.get()).shop_api_user).toBe('erp-bridge');
    // Again from the command line: the same user, one more address, the key kept and not printed.
    const out = await orderStatusCommands['shop-api-user']!.run(env.ctx, ['--ip', '192.0.2.7'], { json: false, stdin: async () => '', ask: async () => '' });
    expect(out.text).toMatch(/enabled the shop's API user "erp-bridge"/);
    expect(out.text).not.toContain(api.key);
    const again = await db().knex(db().t('api')).where({ username: 'erp-bridge' }).select('key');
    expect(again).toEqual([{ key: api.key }]);
    expect((await db().knex(db().t('api_ip')).where({ api_id: api.api_id }).select('ip')).map((r) => r.ip).sort()).toEqual(['127.0.0.1', '192.0.2.7', '::1']);
    const settings = await request(app).get('/admin/settings').set('Cookie', cookie);
    expect(settings.text).toContain('<option value="erp-bridge" selected>');
    expect(settings.text).not.toContain(api.key);
    await env.ctx.settings.update({ shop_api_user: '' });
  });

  it('offers waiting changes to the shop again from the orders page ("apply now")', async () => {
    // Changes earlier tests left waiting would be offered first (oldest first): set them aside.
    await db().knex(db().own('status_queue')).where('state', 'waiting').update({ state: 'failed' });
    const { orderId, number } = await exportedOrder();
    await json([{ rendelesszam: number, allapot: 'szallitas_alatt' }]);
    const [before] = await queueOf(orderId);
    expect(before).toMatchObject({ state: 'waiting', attempts: 1 });
    const { cookie, csrf } = await loginWithForm(app, 'admin', PASSWORD);
    const r = await request(app).post('/admin/orders/statuses/apply').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(r.status, r.text.slice(0, 300)).toBe(303);
    // Offered again at once, although its retry was not due; the shop's API is still not set up.
    const [after] = await queueOf(orderId);
    expect(after, JSON.stringify(after)).toMatchObject({ state: 'waiting', attempts: 2 });
    expect(String(after.last_error)).toMatch(/shop_url/);
  });
});
