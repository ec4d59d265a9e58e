// Hostile input against the order export: text XML cannot carry, poison documents, loose or
// early acknowledgements, a feed that is switched off, dishonest paging, formula cells, and a
// run killed while it held the export lease.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Express } from 'express';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { LEASE_TTL_MS, tryAcquire } from '../../app/plugin/lease.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, uniqueCode } from '../support/shop.js';
import { configureVat, placeOrder, setOrderStatus, startFakeErp, type OrderSpec } from '../support/orders.js';
import { loginWithForm } from '../support/admin-forms.js';
import { assertWellFormedXml } from '../../app/erp/xml-text.js';

const PASSWORD = 'Admin-jelszo-2026';

// Orders are written by hand in 3.0's shape: fixture targets only.
describe.each(FIXTURE_DIALECT_TARGETS)('hostile orders on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let productId: number;
  let code: string;
  const db = () => env.ctx.db;
  const outbox = () => db().knex(db().own('outbox'));
  const row = async (orderId: number) => outbox().where({ order_id: orderId }).first();
  const spec = (over: Partial<OrderSpec> = {}): OrderSpec => ({ products: [{ productId, name: 'Kés', model: code, quantity: 1, price: 1000, tax: 270 }], ...over });
  const paidOrder = async (over: Partial<OrderSpec> = {}) => {
    const o = await placeOrder(db(), spec(over));
    await setOrderStatus(db(), o.orderId, 2);
    return o;
  };
  const exporter = () => new OrderExporter(db(), env.ctx.settings, { baseDelayMs: 0, maxDelayMs: 0, timeoutMs: 500 });
  const feed = (query = '') => request(app).get(`/integration/orders?key=${KEY}${query}`);
  const ack = (body: string, type = 'application/json') => request(app).post(`/integration/orders/ack?key=${KEY}`).set('Content-Type', type).send(body);

  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    app = createApp(env.ctx);
    code = uniqueCode('HO');
    // A real 27% tax class: the document's tax is computed as OpenCart does, and must reconcile.
    productId = await addProduct(db(), { model: code, tax_class_id: await configureVat(db()) });
    await env.ctx.settings.update({ import_password: KEY, webshop_id: 'bolt1', password: 'erp-pw', shipping_fee_code: 'SZALL', coupon_code: 'KUPON', export_start_date: '2026-01-01', export_transport: 'feed' });
  });
  afterAll(async () => env?.cleanup());
  // Earlier tests' orders must not disturb what a test sees.
  beforeEach(async () => {
    await exporter().prepare();
    await outbox().update({ state: 'exported' });
    await env.ctx.settings.update({ export_transport: 'feed', export_url: '', export_dir: '' });
  });

  it('a vertical tab or NUL in a customer name: every feed format stays well-formed, the text is replaced with U+FFFD and the order is noted', async () => {
    const o = await paidOrder();
    await db().knex(db().t('order')).where({ order_id: o.orderId }).update({ firstname: 'Év\u000Ba', lastname: 'Kov\u0000ács', payment_city: 'Sze\u0001ged', comment: 'a\uFFFEb' });
    const later = await paidOrder();
    const run = await exporter().run('test');
    expect(run.prepared).toBe(2);
    const notes = await db().knex(db().own('journal_item')).where({ run_id: run.run, outcome: 'noted' }).select('code', 'reason');
    expect(notes).toEqual([{ code: String(o.orderId), reason: expect.stringMatching(/U\+FFFD in: internalNote, customer\.name, customer\.billing\.city$/) }]);
    const xml = await feed();
    expect(xml.status).toBe(200);
    expect(() => assertWellFormedXml(xml.text)).not.toThrow();
    expect(xml.text).toContain('<nev>Év\uFFFDa Kov\uFFFDács</nev>');
    expect(xml.text).toContain(`<rendeles azonosito="${later.orderId}">`);
    const json = await feed('&format=json');
    const doc = (json.body.rendelesek as OrderDocument[]).find((d) => d.orderId === o.orderId)!;
    expect(doc.customer.name).toBe('Év\uFFFDa Kov\uFFFDács');
    expect(doc.internalNote).toBe('a\uFFFDb');
    const csv = await feed('&format=csv');
    expect(csv.text).not.toMatch(/[\u0000\u000B]/);
  });

  it('the HTTP push and the file drop send well-formed XML for the same order', async () => {
    const o = await paidOrder();
    await db().knex(db().t('order')).where({ order_id: o.orderId }).update({ firstname: 'A\u000Bb', shipping_address_1: 'Fő\u0000utca' });
    const erp = await startFakeErp();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-drop-'));
    try {
      await env.ctx.settings.update({ export_transport: 'http,file', export_url: erp.url, export_dir: dir });
      const r = await exporter().run('test');
      expect(r.exported).toBe(1);
      const sent = [...erp.stored.values()];
      expect(sent).toHaveLength(1);
      expect(() => assertWellFormedXml(sent[0]!)).not.toThrow();
      const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
      expect(files).toHaveLength(1);
      expect(() => assertWellFormedXml(readFileSync(path.join(dir, files[0]!), 'utf8'))).not.toThrow();
    } finally {
      await erp.close();
    }
  });

  it('a poison stored document is held aside with its reason while the orders behind it are served', async () => {
    const poison = await paidOrder();
    const next = await paidOrder();
    await exporter().prepare();
    // A document stored by an older version with a character XML cannot carry, and one that is not JSON at all.
    const stored = JSON.parse((await row(poison.orderId)).document) as OrderDocument;
    stored.customer.name = 'bad\u000Bname';
    await outbox().where({ order_id: poison.orderId }).update({ document: JSON.stringify(stored) });
    const xml = await feed();
    expect(() => assertWellFormedXml(xml.text)).not.toThrow();
    expect(xml.text).toContain(`<rendeles azonosito="${poison.orderId}">`);
    await outbox().where({ order_id: poison.orderId }).update({ document: '{"broken' });
    const page = await feed('&format=json');
    expect(page.status).toBe(200);
    expect(page.body.rendelesek.map((d: OrderDocument) => d.orderId)).toEqual([next.orderId]);
    expect(await row(poison.orderId)).toMatchObject({ state: 'attention', last_error: expect.stringMatching(/cannot be served.*retry the order/) });
  });

  it('a poison stored document does not stop the HTTP push of the others', async () => {
    const poison = await paidOrder();
    const next = await paidOrder();
    await exporter().prepare();
    await outbox().where({ order_id: poison.orderId }).update({ document: 'not json' });
    const erp = await startFakeErp();
    try {
      await env.ctx.settings.update({ export_transport: 'http', export_url: erp.url });
      const r = await exporter().run('test');
      expect(r.exported).toBe(1);
      expect(await row(next.orderId)).toMatchObject({ state: 'exported' });
      expect(await row(poison.orderId)).toMatchObject({ state: 'attention', last_error: expect.stringMatching(/cannot be read/) });
    } finally {
      await erp.close();
    }
  });

  it('retry rebuilds the stored document from the shop: a name fixed in the shop reaches the ERP', async () => {
    const o = await paidOrder({ total: 9999 }); // totals do not add up: held for attention
    await exporter().prepare();
    expect((await row(o.orderId)).state).toBe('attention');
    // The owner fixes the order in the shop, then presses retry in the admin.
    await db().knex(db().t('order')).where({ order_id: o.orderId }).update({ total: 1270, firstname: 'Javított' });
    await db().knex(db().t('order_total')).where({ order_id: o.orderId, code: 'total' }).update({ value: 1270 });
    const { cookie, csrf } = await loginWithForm(app, 'admin', PASSWORD);
    const res = await request(app).post(`/admin/orders/${o.orderId}/retry`).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(200);
    const after = await row(o.orderId);
    expect(after.state).toBe('waiting');
    const doc = JSON.parse(after.document) as OrderDocument;
    expect(doc.customer.name).toBe('Javított Kovács');
    expect(doc.totals.shopTotal).toBe(1270);
  });

  it('acks take exact order ids: "-1010", "1010.5" and "zzz 1031" are refused with 400 and change nothing', async () => {
    const o = await paidOrder();
    await exporter().prepare();
    await feed();
    for (const bad of [`-${o.orderId}`, `${o.orderId}.5`, `zzz ${o.orderId}`, `${o.orderId}abc`]) {
      const res = await ack(JSON.stringify([{ orderId: bad }]));
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatch(/is not an order id/);
    }
    const byNumberWithJunk = await ack(JSON.stringify([{ orderNumber: `zzz INV-2026-${o.orderId}` }]));
    expect(byNumberWithJunk.body).toMatchObject({ acknowledged: [] });
    expect((await row(o.orderId)).state).toBe('waiting');
    const good = await ack(JSON.stringify([{ orderId: String(o.orderId), erpDocumentId: 'VR-1' }]));
    expect(good.body).toMatchObject({ acknowledged: [o.orderId] });
    expect(await row(o.orderId)).toMatchObject({ state: 'exported', erp_document_id: 'VR-1' });
  });

  it('an order number two orders share is refused as ambiguous; each order is acked by its id', async () => {
    // Prefix "DEMO-10" + order id N and prefix "DEMO-" + order id 10N give the same order number.
    const a = await paidOrder();
    const bigId = Number(`10${a.orderId}`);
    await db().knex(db().t('order')).where({ order_id: a.orderId }).update({ invoice_prefix: 'DEMO-10' });
    const b = await placeOrder(db(), spec());
    await db().knex(db().t('order_total')).where({ order_id: b.orderId }).update({ order_id: bigId });
    await db().knex(db().t('order_product')).where({ order_id: b.orderId }).update({ order_id: bigId });
    await db().knex(db().t('order')).where({ order_id: b.orderId }).update({ order_id: bigId, invoice_prefix: 'DEMO-' });
    await setOrderStatus(db(), bigId, 2);
    await exporter().prepare();
    await feed();
    const number = `DEMO-10${a.orderId}`;
    expect(JSON.parse((await row(a.orderId)).document).orderNumber).toBe(number);
    expect(JSON.parse((await row(bigId)).document).orderNumber).toBe(number);
    const res = await ack(`<visszaigazolas><rendeles><rendelesszam>${number}</rendelesszam></rendeles></visszaigazolas>`, 'application/xml');
    expect(res.status).toBe(200);
    expect(res.body.acknowledged).toEqual([]);
    expect(res.body.refused).toEqual([expect.objectContaining({ order: number, reason: expect.stringMatching(/held by orders .*acknowledge by orderId/) })]);
    expect((await row(a.orderId)).state).toBe('waiting');
    expect((await row(bigId)).state).toBe('waiting');
    const byId = await ack(JSON.stringify([{ orderId: a.orderId }, { orderId: bigId }]));
    expect(byId.body.acknowledged).toEqual([a.orderId, bigId]);
  });

  it('acks only orders the feed delivered: an order never served stays waiting', async () => {
    const o = await paidOrder();
    await exporter().prepare();
    const early = await ack(JSON.stringify([{ orderId: o.orderId }]));
    expect(early.status).toBe(200);
    expect(early.body.acknowledged).toEqual([]);
    expect(early.body.refused).toEqual([expect.objectContaining({ reason: expect.stringMatching(/has not served this order/) })]);
    expect((await row(o.orderId)).state).toBe('waiting');
    await feed();
    expect((await ack(JSON.stringify([{ orderId: o.orderId }]))).body.acknowledged).toEqual([o.orderId]);
  });

  it('a feed that is off answers 404, its ack 409, and the ack cannot take an order from the HTTP push', async () => {
    const o = await paidOrder();
    await exporter().prepare();
    await feed(); // served while the feed was on
    await env.ctx.settings.update({ export_transport: 'http', export_url: 'http://127.0.0.1:9/orders' });
    const page = await feed();
    expect(page.status).toBe(404);
    expect(page.text).toMatch(/feed is off/);
    const res = await ack(JSON.stringify([{ orderId: o.orderId }]));
    expect(res.status).toBe(409);
    expect((await row(o.orderId)).state).toBe('waiting');
  });

  it('an acknowledgement that fails inside (the outbox unreadable) answers 500 with a reference; the journal names the same reference and the log line the detail; neither the answer nor the journal holds SQL', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const original = env.ctx.log;
    env.ctx.log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) {
      logged.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    } }));
    const name = db().own('outbox');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      const res = await ack(JSON.stringify([{ orderId: 1 }]));
      expect(res.status).toBe(500);
      expect(res.body.ref).toMatch(/^[0-9a-f]{10}$/);
      expect(res.body.error).toBe(`internal error (reference ${res.body.ref}; the details are in the log)`);
      const entry = await db().knex(db().own('journal_run')).where({ id: res.body.run }).first();
      expect(entry).toMatchObject({ kind: 'order-ack', status: 'failed', http_status: 500, message: res.body.error });
      const line = logged.find((l) => l.ref === res.body.ref);
      expect((line?.err as { message?: string } | undefined)?.message).toContain(name);
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
      env.ctx.log = original;
    }
  });

  it('feed paging is honest: a bad limit is refused, a large one is capped and still says what follows', async () => {
    await paidOrder();
    await paidOrder();
    await exporter().prepare();
    for (const bad of ['-1', 'abc', '0', '1.5']) expect((await feed(`&limit=${bad}`)).status, bad).toBe(400);
    expect((await feed('&after=-3')).status).toBe(400);
    const first = await feed('&format=json&limit=1');
    expect(first.body.rendelesek).toHaveLength(1);
    expect(first.body.next).toBe(first.body.rendelesek[0].orderId);
    const rest = await feed(`&format=json&limit=5000&after=${first.body.next}`);
    expect(rest.status).toBe(200);
    expect(rest.body.rendelesek).toHaveLength(1);
    expect(rest.body.next).toBeNull();
    // More than 1000 waiting: a limit above the cap gives 1000 and a next cursor.
    const many = Array.from({ length: 1001 }, (_, i) => ({ order_id: 900_000 + i, state: 'waiting', attempts: 0, document: JSON.stringify({ ...first.body.rendelesek[0], orderId: 900_000 + i }), total: 1, prepared_at: '2026-11-20 10:00:00', updated_at: '2026-11-20 10:00:00' }));
    for (let i = 0; i < many.length; i += 200) await outbox().insert(many.slice(i, i + 200));
    const capped = await feed(`&format=json&limit=5000&after=${first.body.next}`);
    expect(capped.body.rendelesek).toHaveLength(1000);
    expect(capped.body.next).toBe(capped.body.rendelesek[999].orderId);
    await outbox().where('order_id', '>=', 900_000).delete();
  });

  it('orders CSV neutralises cells that a spreadsheet would run as formulas, numbers stay numbers', async () => {
    const o = await paidOrder({ email: '=HYPERLINK("http://evil")@x.hu', coupon: -100 });
    await db().knex(db().t('order')).where({ order_id: o.orderId }).update({ firstname: '@SUM(A1)', lastname: '+1' });
    await exporter().prepare();
    const csv = (await feed('&format=csv')).text;
    const line = csv.split('\r\n').find((l) => l.includes(`INV-2026-${o.orderId}`) && l.includes(';coupon;'))!;
    expect(line).toContain(`;'@SUM(A1) +1;`);
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")@x.hu"`);
    expect(line).toMatch(/;-100;/);
  });

  it('a run killed while it held the export lease: the next run within a minute takes over, marks it interrupted and frees its claims', async () => {
    const o = await paidOrder();
    await exporter().prepare();
    // The killed process: its journal run is still "running", it holds the lease and has claimed the order.
    const [deadRun] = await db().knex(db().own('journal_run')).insert({ kind: 'order-export', actor: 'schedule', status: 'running', dry_run: false, started_at: '2026-11-20 10:00:00' });
    expect(await tryAcquire(db(), 'task:order-export', 'export:w-dead', LEASE_TTL_MS)).not.toBeNull();
    await outbox().where({ order_id: o.orderId }).update({ claimed_by: 'w-dead', claimed_until: '2099-01-01 00:00:00' });
    const erp = await startFakeErp();
    try {
      await env.ctx.settings.update({ export_transport: 'http', export_url: erp.url });
      expect((await exporter().run('test')).skipped).toMatch(/in progress/);
      // A minute later (the dead process renewed nothing since).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
      const r = await exporter().run('test');
      vi.useRealTimers();
      expect(r.skipped).toBeUndefined();
      expect(r.exported).toBe(1);
      expect(await db().knex(db().own('journal_run')).where({ id: deadRun }).first()).toMatchObject({ status: 'interrupted', message: expect.stringMatching(/interrupted/) });
      expect(await row(o.orderId)).toMatchObject({ state: 'exported' });
    } finally {
      vi.useRealTimers();
      await erp.close();
    }
  });
});
