// The ERP's order status, applied through OpenCart itself. Each release is installed by its own
// installer and served by php -S; its mail goes to a real SMTP server on 127.0.0.1 (the shop's
// own config_mail_* settings point there); an order is placed through the shop (3.0 API, 4.x
// checkout) and exported by erp-bridge; then the ERP's status documents go through the real
// endpoint, and what OpenCart itself wrote (its order, its history, its admin's history page,
// its e-mail) is checked.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { createLogger } from '../../app/log.js';
import { ensureApiUser } from '../../app/shop/order-history.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { OrderStatusService } from '../../app/sync/order-status.js';
import { createApp } from '../../app/web/server.js';
import { adminLogin, freePort, installOpenCart, placeOrder, realOpenCartAvailable, type OpenCartShop } from '../support/opencart/index.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const enabled = realOpenCartAvailable();
const KEY = 'status-import-key';
const RELEASES_UNDER_TEST = ['3.0.4.1', '4.0.2.3', '4.1.0.3'] as const;

describe.skipIf(!enabled).each(RELEASES_UNDER_TEST)('order status from the ERP through OpenCart %s', (release) => {
  let shop: OpenCartShop;
  let smtp: TestSmtpServer;
  let ctx: AppContext;
  let app: Express;
  let dataDir: string;
  let productId: number;
  const p = () => shop.prefix;

  const statusId = async (name: string) => {
    const [row] = await shop.query<Array<{ order_status_id: number }>>(`SELECT order_status_id FROM \`${p()}order_status\` WHERE name = ? LIMIT 1`, [name]);
    return Number(row!.order_status_id);
  };
  const orderStatus = async (orderId: number) => Number((await shop.query<Array<{ s: number }>>(`SELECT order_status_id AS s FROM \`${p()}order\` WHERE order_id = ?`, [orderId]))[0]!.s);
  const history = (orderId: number) =>
    shop.query<Array<{ order_status_id: number; notify: number; comment: string }>>(`SELECT order_status_id, notify, comment FROM \`${p()}order_history\` WHERE order_id = ? ORDER BY order_history_id`, [orderId]);

  /** An order placed through the shop and prepared for the ERP: its id, number and the customer's e-mail. */
  const exportedOrder = async () => {
    const email = `status-${release}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
    const { orderId } = await placeOrder(shop, { products: [{ productId, quantity: 1 }], customer: { email } });
    await new OrderExporter(ctx.db, ctx.settings).prepare();
    const row = await ctx.db.knex(ctx.db.own('outbox')).where({ order_id: orderId }).first();
    expect(row, `order ${orderId} was not exported`).toBeTruthy();
    return { orderId, number: (JSON.parse(row.document) as OrderDocument).orderNumber, email };
  };

  const pushXml = (records: Array<Record<string, string | number>>, query = '') =>
    request(app)
      .post(`/integration/order-status?key=${KEY}${query}`)
      .set('Content-Type', 'application/xml')
      .send(`<?xml version="1.0" encoding="UTF-8"?>\n<rendelesek>${records.map((r) => `<rendeles>${Object.entries(r).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</rendeles>`).join('')}</rendelesek>`);
  const pushJson = (records: Array<Record<string, string | number>>, query = '') =>
    request(app).post(`/integration/order-status?key=${KEY}${query}`).set('Content-Type', 'application/json').send(JSON.stringify({ rendelesek: records }));
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));

  beforeAll(async () => {
    shop = await installOpenCart(release, { prefix: release === '4.0.2.3' ? 'oc4_' : 'oc_' });
    // A mailbox that wants a login, as real ones do (4.x's SMTP client refuses to send without one).
    smtp = await startSmtpServer({ auth: { user: 'shop@example.com', password: 'smtp-Pass1' } });
    // The shop's own mail settings, as System → Settings → Mail stores them: SMTP on 127.0.0.1.
    const mail: Record<string, string> = {
      config_mail_engine: 'smtp', config_mail_smtp_hostname: '127.0.0.1', config_mail_smtp_port: String(smtp.port), config_mail_smtp_timeout: '5',
      config_mail_smtp_username: 'shop@example.com', config_mail_smtp_password: 'smtp-Pass1',
    };
    for (const [key, value] of Object.entries(mail)) {
      const r = await shop.query<{ affectedRows: number }>(`UPDATE \`${p()}setting\` SET value = ? WHERE store_id = 0 AND \`key\` = ?`, [value, key]);
      if (!r.affectedRows) await shop.query(`INSERT INTO \`${p()}setting\` (store_id, code, \`key\`, value, serialized) VALUES (0, 'config', ?, ?, 0)`, [key, value]);
    }
    [{ product_id: productId }] = await shop.query<Array<{ product_id: number }>>(
      `SELECT p.product_id FROM \`${p()}product\` p WHERE p.status = 1 AND p.price > 0 AND p.quantity > 10 AND p.minimum <= 1
         AND p.product_id NOT IN (SELECT product_id FROM \`${p()}product_option\` WHERE required = 1) ORDER BY p.product_id LIMIT 1`,
    );
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-status-'));
    ctx = createContext(loadConfig({ DATABASE_URL: shop.databaseUrl, TABLE_PREFIX: p(), DATA_DIR: dataDir, APP_SECRET: 'test-secret-0123456789abcdef', PUBLIC_URL: 'http://shop.test', LOG_LEVEL: 'silent' }), createLogger('silent'));
    await install(ctx);
    const statuses = (await shop.query<Array<{ id: number }>>(`SELECT DISTINCT order_status_id AS id FROM \`${p()}order_status\``)).map((r) => r.id).join(',');
    // erp-bridge's own API user in the shop (what the admin's button and `erp-bridge shop-api-user` do).
    await ensureApiUser(ctx.db, 'erp-bridge', ['127.0.0.1']);
    await ctx.settings.update({
      import_password: KEY, webshop_id: 'bolt', password: 'erp-pw', export_start_date: '2020-01-01', export_statuses: statuses, shipping_fee_code: 'SZALL',
      shop_url: shop.url, shop_api_user: 'erp-bridge',
    });
    app = createApp(ctx);
  }, 180_000);

  afterAll(async () => {
    await ctx?.close().catch(() => {});
    await smtp?.close();
    await shop?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('invoices, then ships with a tracking number: OpenCart writes the history, changes the status and e-mails the customer', async () => {
    const { orderId, number, email } = await exportedOrder();
    const invoiced = await pushXml([{ rendelesszam: number, allapot: 'szamlazva', szamlaszam: 'SZ-2026/0042' }]);
    expect(invoiced.status, invoiced.text).toBe(200);
    expect(invoiced.headers['content-type']).toMatch(/xml/);
    expect(invoiced.text).toMatch(/<counts received="1" updated="1" unchanged="0" created="0" unknown="0"/);
    expect(invoiced.text).toContain('<shop applied="1" waiting="0" failed="0"/>');
    expect(await orderStatus(orderId)).toBe(await statusId('Processed'));

    const shipped = await pushJson([{ rendelesszam: number, allapot: 'szallitas_alatt', szallito: 'GLS', fuvarlevelszam: 'GLS-77123456', ertesites: 1 }]);
    expect(shipped.status, shipped.text).toBe(200);
    expect(shipped.body.counts).toMatchObject({ received: 1, updated: 1, unchanged: 0, unknown: 0, invalid: 0 });
    expect(shipped.body.shop).toMatchObject({ applied: 1, waiting: 0 });
    expect(await orderStatus(orderId)).toBe(await statusId('Shipped'));
    // Both went through the shop's API (the direct fallback is off).
    expect((await ctx.db.knex(ctx.db.own('status_queue')).where({ order_id: orderId }).orderBy('id').select('state', 'applied_via')).map((q) => `${q.state}/${q.applied_via}`)).toEqual(['applied/api', 'applied/api']);

    // OpenCart's own rows: a history row per change, the last one notified, with the comment.
    const rows = await history(orderId);
    const last = rows[rows.length - 1]!;
    expect(last.order_status_id).toBe(await statusId('Shipped'));
    expect(Number(last.notify)).toBe(1);
    expect(last.comment).toContain('GLS-77123456');
    expect(last.comment).toContain('SZ-2026/0042');
    expect(last.comment).toContain('gls-group.com/HU/hu/csomagkovetes?match=GLS-77123456');
    expect(rows.some((r) => r.order_status_id === 0 || (r.comment.includes('SZ-2026/0042') && r.order_status_id === 0))).toBe(false);

    // The shop's admin shows the history (the order page's history tab).
    const admin = await adminLogin(shop);
    const page = await admin.get(shop.major === 3 ? 'sale/order/history' : 'sale/order.history', { order_id: orderId });
    expect(page.status).toBe(200);
    expect(page.body).toContain('GLS-77123456');
    expect(page.body).toContain('Shipped');

    // OpenCart's notification e-mail reached the customer's mailbox with the tracking number.
    await smtp.waitFor(1);
    const deadline = Date.now() + 15_000;
    while (!mailsTo(email).some((m) => m.text.includes('GLS-77123456')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const mail = mailsTo(email).find((m) => m.text.includes('GLS-77123456'));
    expect(mail, `no e-mail to ${email} with the tracking number (got: ${smtp.messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')})`).toBeDefined();
    expect(mail!.text).toContain('Shipped');
    expect(mail!.user).toBe('shop@example.com');
    expect(shop.phpProblems()).toEqual([]);
  });

  it('answers a resend as unchanged: no second history row, no second e-mail', async () => {
    const { orderId, number, email } = await exportedOrder();
    const doc = [{ rendelesszam: number, allapot: 'szallitas_alatt', szallito: 'GLS', fuvarlevelszam: 'GLS-5550001', ertesites: 1 }];
    expect((await pushJson(doc)).body.counts).toMatchObject({ updated: 1 });
    const deadline = Date.now() + 15_000;
    while (!mailsTo(email).some((m) => m.text.includes('GLS-5550001')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const mails = mailsTo(email).length;
    const rows = (await history(orderId)).length;
    const again = await pushJson(doc);
    expect(again.body.counts).toMatchObject({ received: 1, updated: 0, unchanged: 1 });
    expect(again.body.shop).toMatchObject({ applied: 0, waiting: 0 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await history(orderId)).length).toBe(rows);
    expect(mailsTo(email).length).toBe(mails);
  });

  it('refuses a change out of a final status without force, and makes it with force', async () => {
    const { orderId, number } = await exportedOrder();
    expect((await pushJson([{ order_id: orderId, allapot: 'teljesitve' }])).body.counts).toMatchObject({ updated: 1 });
    expect(await orderStatus(orderId)).toBe(await statusId('Complete'));
    const rows = (await history(orderId)).length;
    const back = await pushJson([{ rendelesszam: number, allapot: 'szallitas_alatt' }]);
    expect(back.body.counts).toMatchObject({ updated: 0, invalid: 1 });
    expect(back.body.notApplied[0]).toMatchObject({ record: 1, code: number, outcome: 'invalid' });
    expect(back.body.notApplied[0].reason).toMatch(/final status.*force=1/);
    expect(await orderStatus(orderId)).toBe(await statusId('Complete'));
    expect((await history(orderId)).length).toBe(rows);
    const forced = await pushJson([{ rendelesszam: number, allapot: 'szallitas_alatt', force: 1 }]);
    expect(forced.body.counts).toMatchObject({ updated: 1 });
    expect(await orderStatus(orderId)).toBe(await statusId('Shipped'));
  });

  it('answers orders it does not know as unknown and changes nothing', async () => {
    const [{ n: before }] = await shop.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM \`${p()}order_history\``);
    const r = await pushJson([{ rendelesszam: 'NINCS-ILYEN-1', allapot: 'szamlazva' }, { order_id: 987654, allapot: 'teljesitve' }]);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('partial');
    expect(r.body.counts).toMatchObject({ received: 2, updated: 0, unknown: 2 });
    expect(r.body.notApplied.map((n: { code: string }) => n.code)).toEqual(['NINCS-ILYEN-1', '987654']);
    const [{ n: after }] = await shop.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM \`${p()}order_history\``);
    expect(Number(after)).toBe(Number(before));
  });

  it('makes no change on a dry run, but answers what it would do', async () => {
    const { orderId, number } = await exportedOrder();
    const before = await orderStatus(orderId);
    const rows = (await history(orderId)).length;
    const r = await pushJson([{ rendelesszam: number, allapot: 'szamlazva', szamlaszam: 'SZ-DRY' }], '&dry_run=1');
    expect(r.body).toMatchObject({ dryRun: true, counts: { updated: 1 } });
    expect(await orderStatus(orderId)).toBe(before);
    expect((await history(orderId)).length).toBe(rows);
    expect(await ctx.db.knex(ctx.db.own('status_queue')).where({ order_id: orderId }).first()).toBeUndefined();
  });

  it('queues a change while the shop\'s API cannot be reached, says so, and applies it once the shop is back', async () => {
    const { orderId, number } = await exportedOrder();
    const before = await orderStatus(orderId);
    // The shop's address now points where nothing listens.
    await ctx.settings.update({ shop_url: `http://127.0.0.1:${await freePort()}/` });
    const r = await pushJson([{ rendelesszam: number, allapot: 'szallitas_alatt', fuvarlevelszam: 'MPL-1', szallito: 'MPL' }]);
    expect(r.status).toBe(200);
    expect(r.body.counts).toMatchObject({ updated: 1 });
    expect(r.body.shop).toMatchObject({ applied: 0, waiting: 1 });
    expect(r.body.shop.error).toMatch(/cannot be reached/);
    expect(await orderStatus(orderId)).toBe(before);
    const service = new OrderStatusService(ctx.db, ctx.settings);
    expect(await service.waiting()).toMatchObject({ waiting: 1 });
    // The same document again while it waits: unchanged, not queued twice.
    expect((await pushJson([{ rendelesszam: number, allapot: 'szallitas_alatt', fuvarlevelszam: 'MPL-1', szallito: 'MPL' }])).body.counts).toMatchObject({ unchanged: 1 });
    expect(await service.waiting()).toMatchObject({ waiting: 1 });

    await ctx.settings.update({ shop_url: shop.url });
    const drained = await service.drain({ all: true });
    expect(drained).toMatchObject({ applied: 1, retrying: 0, failed: 0 });
    expect(await orderStatus(orderId)).toBe(await statusId('Shipped'));
    expect((await history(orderId)).at(-1)!.comment).toContain('MPL-1');
    expect(await service.waiting()).toMatchObject({ waiting: 0 });
  });
});
