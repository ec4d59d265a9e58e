import { mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { setMethodMapping } from '../../app/shop/orders.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { AdminAccounts } from '../../app/admin/accounts.js';
import { today } from '../../app/util/time.js';
import { createApp } from '../../app/web/server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, uniqueCode } from '../support/shop.js';
import { configureVat, placeOrder, setOrderStatus, startFakeErp, type ErpBehaviour, type OrderSpec } from '../support/orders.js';
import { loginWithForm } from '../support/admin-forms.js';

// No waits between attempts, and a timeout roomy enough that an answer slowed by a loaded machine
// is not taken for a hang (a test about timeouts gives its own).
const fast = { baseDelayMs: 0, maxDelayMs: 0, timeoutMs: 10_000 };

// Orders and admin sessions here are written by hand in 3.0's shape: fixture targets only
// (the real releases' orders and sessions are covered where OpenCart makes them).
describe.each(FIXTURE_DIALECT_TARGETS)('order export on $name', (target) => {
  let env: TargetEnv;
  let productA: number;
  let productB: number;
  let codeA: string;
  const db = () => env.ctx.db;
  const doc = async (orderId: number) => JSON.parse((await db().knex(db().own('outbox')).where({ order_id: orderId }).first()).document) as OrderDocument;
  const state = async (orderId: number) => (await db().knex(db().own('outbox')).where({ order_id: orderId }).first())?.state;
  const spec = (over: Partial<OrderSpec> = {}): OrderSpec => ({
    products: [
      { productId: productA, name: 'Kés &amp; villa', model: codeA, quantity: 2, price: 1000, tax: 270, options: [['Szín', 'Piros']] },
      { productId: productB, name: 'Serpenyő', model: 'old-model', quantity: 1, price: 500, tax: 135 },
    ],
    shipping: 1000, handling: 200, coupon: -250, ...over,
  });
  const paidOrder = async (over: Partial<OrderSpec> = {}) => {
    const o = await placeOrder(db(), spec(over));
    await setOrderStatus(db(), o.orderId, 2);
    return o;
  };
  /** A fake ERP as the HTTP push target for the duration of `fn`, then back to the feed. */
  const withErp = async (behaviour: ErpBehaviour, fn: (erp: Awaited<ReturnType<typeof startFakeErp>>) => Promise<void>) => {
    const erp = await startFakeErp(behaviour);
    await env.ctx.settings.update({ export_transport: 'http', export_url: erp.url });
    try {
      await fn(erp);
    } finally {
      await erp.close();
      await env.ctx.settings.update({ export_transport: 'feed', export_url: '' });
    }
  };
  const exporter = (opts = {}) => new OrderExporter(db(), env.ctx.settings, { ...fast, ...opts });
  /** Orders from earlier tests should not disturb counts: mark them exported. */
  const settleOutbox = async () => {
    await exporter().prepare();
    await db().knex(db().own('outbox')).update({ state: 'exported' });
  };

  beforeAll(async () => {
    env = await openTarget(target);
    codeA = uniqueCode('ORD');
    const vat = await configureVat(db());
    productA = await addProduct(db(), { model: codeA, tax_class_id: vat });
    productB = await addProduct(db(), { model: uniqueCode('ORD'), tax_class_id: vat });
    await db().knex(db().own('product_map')).insert({ product_id: productA, erp_code: codeA, unit: 'db', updated_at: '2026-11-20 10:00:00' });
    // The fixture's processing statuses include 2; the demo shop's too.
    await env.ctx.settings.update({ import_password: KEY, webshop_id: 'bolt1', password: 'erp-pw', shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ', coupon_code: 'KUPON', export_transport: 'feed', export_start_date: '2026-01-01' });
  });
  afterAll(async () => env?.cleanup());
  beforeEach(settleOutbox);

  it('prepares eligible orders only: an abandoned checkout (status 0) never, a later-paid order still', async () => {
    const abandoned = await placeOrder(db(), spec());
    const paid = await paidOrder();
    const later = await placeOrder(db(), spec());
    expect((await exporter().prepare()).prepared).toBe(1);
    expect(await state(abandoned.orderId)).toBeUndefined();
    expect(await state(paid.orderId)).toBe('waiting');
    await setOrderStatus(db(), later.orderId, 2);
    expect((await exporter().prepare()).prepared).toBe(1);
    expect(await state(later.orderId)).toBe('waiting');
    expect((await exporter().prepare()).prepared).toBe(0);
  });

  it('turns shipping, handling and coupon into lines under their ERP codes, totals equal to the order', async () => {
    const o = await paidOrder();
    await exporter().prepare();
    const d = await doc(o.orderId);
    expect(d.lines.map((l) => [l.kind, l.code, l.quantity, l.net, l.vat, l.gross])).toEqual([
      ['product', codeA, 2, 2000, 540, 2540],
      ['product', expect.stringMatching(/^ORD-/), 1, 500, 135, 635],
      ['shipping', 'SZALL', 1, 1000, 270, 1270],
      ['handling', 'KEZ', 1, 200, 54, 254],
      ['coupon', 'KUPON', 1, -250, -67.5, -317.5],
    ]);
    expect(d.lines[0]).toMatchObject({ name: 'Kés & villa (Szín: Piros)', unit: 'db', netUnitPrice: 1000, vatRate: 27 });
    expect(d.lines[4]).toMatchObject({ vatRate: 27, netUnitPrice: -250 });
    expect(d.totals).toEqual({ net: 3450, vat: [{ rate: 27, net: 3450, vat: 931.5 }], fixedTaxes: [], gross: 4381.5, shopTotal: 4381.5 });
    expect(d.totals.gross).toBe(o.total);
  });

  it('queues nothing before the export is set up: connection, shipping code and start date', async () => {
    await env.ctx.settings.update({ export_start_date: '' });
    try {
      const o = await paidOrder();
      expect(await exporter().prepare()).toEqual({ prepared: 0, attention: 0, notReady: ['export_start_date'] });
      expect((await exporter().run('test')).skipped).toMatch(/not set up yet: export_start_date not set/);
      expect(await state(o.orderId)).toBeUndefined();
    } finally {
      await env.ctx.settings.update({ export_start_date: '2026-01-01' });
    }
  });

  it('holds a document lacking a line\'s ERP code, naming the setting; re-send rebuilds it from the current settings', async () => {
    await env.ctx.settings.update({ payment_fee_code: '' });
    const o = await paidOrder();
    try {
      await exporter().prepare();
      const row = await db().knex(db().own('outbox')).where({ order_id: o.orderId }).first();
      expect(row.state).toBe('attention');
      expect(row.last_error).toBe("the ERP item code setting payment_fee_code is not set (needed for the order's handling line)");
    } finally {
      await env.ctx.settings.update({ payment_fee_code: 'KEZ2' });
    }
    expect(await exporter().resend(o.orderId, ['failed', 'attention'])).toEqual({ requeued: true, problem: null });
    expect(await state(o.orderId)).toBe('waiting');
    expect((await doc(o.orderId)).lines.find((l) => l.kind === 'handling')?.code).toBe('KEZ2');
    // An exported order sent again: the order's current state (its comment changed) and settings.
    await db().knex(db().own('outbox')).where({ order_id: o.orderId }).update({ state: 'exported' });
    await db().knex(db().t('order')).where({ order_id: o.orderId }).update({ comment: 'Új megjegyzés' });
    await env.ctx.settings.update({ payment_fee_code: 'KEZ' });
    expect((await exporter().resend(o.orderId, ['exported'])).requeued).toBe(true);
    const d = await doc(o.orderId);
    expect(d.internalNote).toBe('Új megjegyzés');
    expect(d.lines.find((l) => l.kind === 'handling')?.code).toBe('KEZ');
    expect((await exporter().resend(o.orderId, ['exported'])).requeued).toBe(false); // it is waiting now
  });

  it.runIf(target.dialect === 'mysql')('an order with no address of its own bills to the account\'s default address', async () => {
    const k = db().knex;
    const [customerId] = await k(db().t('customer')).insert({ customer_group_id: 1, store_id: 0, language_id: 1, firstname: 'Anna', lastname: 'Szabó', email: 'anna@example.hu', telephone: '1', fax: '', password: '', salt: '', custom_field: '', ip: '', status: 1, safe: 0, token: '', code: '', date_added: '2026-01-01 00:00:00' });
    const [hu] = await k(db().t('country')).where({ iso_code_2: 'HU' }).pluck('country_id');
    const [addressId] = await k(db().t('address')).insert({ customer_id: customerId, firstname: 'Anna', lastname: 'Szabó', company: 'Szabó &amp; Tsa', address_1: 'Kossuth tér 2.', address_2: '', city: 'Pécs', postcode: '7621', country_id: hu, zone_id: 0, custom_field: '' });
    await k(db().t('customer')).where({ customer_id: customerId }).update({ address_id: addressId });
    const o = await paidOrder({ customerId: Number(customerId) });
    const blank = Object.fromEntries(['payment', 'shipping'].flatMap((p) => ['firstname', 'lastname', 'company', 'address_1', 'city', 'postcode', 'country'].map((f) => [`${p}_${f}`, ''])));
    await k(db().t('order')).where({ order_id: o.orderId }).update(blank);
    await exporter().prepare();
    expect((await doc(o.orderId)).customer.billing).toEqual({ name: 'Anna Szabó', company: 'Szabó & Tsa', address1: 'Kossuth tér 2.', address2: '', city: 'Pécs', postcode: '7621', country: 'Hungary', zone: '' });
  });

  it('the admin: retry rebuilds a held order from the current settings; the first setup offers today as the start date', async () => {
    await new AdminAccounts(db()).createFirst('admin', 'admin-pass-12345').catch(() => {});
    const app = createApp(env.ctx);
    const { cookie } = await loginWithForm(app, 'admin', 'admin-pass-12345');
    const settingsPage = async () => (await request(app).get('/admin/settings').set('Cookie', cookie)).text;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await settingsPage())![1]!;
    await env.ctx.settings.update({ coupon_code: '' });
    const o = await paidOrder();
    try {
      await exporter().prepare();
      expect(await state(o.orderId)).toBe('attention');
    } finally {
      await env.ctx.settings.update({ coupon_code: 'KUPON' });
    }
    const retry = await request(app).post(`/admin/orders/${o.orderId}/retry`).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(retry.status).toBe(200);
    expect(await state(o.orderId)).toBe('waiting');
    expect((await doc(o.orderId)).lines.find((l) => l.kind === 'coupon')?.code).toBe('KUPON');
    // Not set up yet: the Orders group offers today's date, and export-now says what is missing.
    await env.ctx.settings.update({ export_start_date: '' });
    try {
      // In English the date stays ISO; the Hungarian page shows it as 2026. 12. 02.
      const en = (await request(app).get('/admin/settings').set('Cookie', `${cookie}; erpb_lang=en`)).text;
      expect(en).toMatch(new RegExp(`id="in-export_start_date" name="export_start_date" value="${today()}"`));
      const [y, m, d] = today().split('-');
      const hu = (await request(app).get('/admin/settings').set('Cookie', `${cookie}; erpb_lang=hu`)).text;
      expect(hu).toMatch(new RegExp(`id="in-export_start_date" name="export_start_date" value="${y}\\. ${m}\\. ${d}\\."`));
      const now = await request(app).post('/admin/orders/export-now').set('Cookie', `${cookie}; erpb_lang=en`).type('form').send({ _csrf: csrf });
      expect(now.text).toContain('The order export is not set up yet: set Export orders placed from in the settings.');
    } finally {
      await env.ctx.settings.update({ export_start_date: '2026-01-01' });
    }
  });

  it('holds an order whose totals do not add up as needing attention, with the difference', async () => {
    const o = await paidOrder({ total: 4390 });
    const r = await exporter().prepare();
    expect(r.attention).toBe(1);
    const row = await db().knex(db().own('outbox')).where({ order_id: o.orderId }).first();
    expect(row.state).toBe('attention');
    expect(row.last_error).toMatch(/the lines' net 3450.00 differs from OpenCart's total before tax 3458.50 by -8.50/);
  });

  it('follows the settings: lines, description, customer recognition, tax number, method mapping', async () => {
    await env.ctx.settings.update({ order_lines: 'code_quantity', order_description: 'webshop_order', customer_recognition: 'smart', tax_number_field: '3', customer_processing: 'add_update' });
    await setMethodMapping(db(), 'payment', 'cod', 'UTANVET');
    await setMethodMapping(db(), 'shipping', 'flat', 'FUTAR');
    try {
      const guest = await paidOrder({ email: 'Vendeg@Example.hu', postcode: '1011', customField: { '3': '12345678-2-42' } });
      const member = await paidOrder({ customerId: 42 });
      await exporter().prepare();
      const g = await doc(guest.orderId);
      expect(g.lines[0]).toEqual({ kind: 'product', code: codeA, quantity: 2, net: 2000, vat: 540, gross: 2540 });
      expect(g.description).toBe(`Webshop-order INV-2026-${guest.orderId}`);
      expect(g.customer).toMatchObject({ key: 'vendeg@example.hu|1011', taxNumber: '12345678-2-42', processing: 'add_update', company: 'Kovács Kft.' });
      expect(g.payment).toEqual({ shopCode: 'cod', name: 'Utánvét', erpCode: 'UTANVET' });
      expect(g.shipping).toMatchObject({ shopCode: 'flat.flat', erpCode: 'FUTAR' });
      expect(g.internalNote).toBe('Délután hozzák');
      expect((await doc(member.orderId)).customer.key).toBe('C42');
    } finally {
      await env.ctx.settings.update({ order_lines: 'full', tax_number_field: '', customer_processing: 'add' });
    }
  });

  it('serves the feed oldest first and offers an order again until it is acknowledged', async () => {
    const app = createApp(env.ctx);
    const a = await paidOrder();
    const b = await paidOrder();
    await exporter().prepare();
    const page1 = await request(app).get(`/integration/orders?key=${KEY}&format=json&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.rendelesek.map((d: OrderDocument) => d.orderId)).toEqual([a.orderId]);
    const page2 = await request(app).get(`/integration/orders?key=${KEY}&format=json&limit=1&after=${page1.body.next}`);
    expect(page2.body.rendelesek.map((d: OrderDocument) => d.orderId)).toEqual([b.orderId]);
    const xml = await request(app).get(`/integration/orders?key=${KEY}`);
    expect(xml.headers['content-type']).toMatch(/xml/);
    expect(xml.text).toContain(`<rendeles azonosito="${a.orderId}">`);
    expect(xml.text).toContain('<cikkszam>SZALL</cikkszam>');
    const csv = await request(app).get(`/integration/orders?key=${KEY}&format=csv`);
    expect(csv.text.split('\r\n')[0]).toMatch(/^rendelesszam;datum;vevo_azonosito/);
    const ack = await request(app).post(`/integration/orders/ack?key=${KEY}`).set('Content-Type', 'application/xml')
      .send(`<visszaigazolas><rendeles><rendelesszam>INV-2026-${a.orderId}</rendelesszam><bizonylatszam>VR-77</bizonylatszam></rendeles><rendeles><rendelesazonosito>999999</rendelesazonosito></rendeles></visszaigazolas>`);
    expect(ack.body).toMatchObject({ acknowledged: [a.orderId], unknown: [999999] });
    const row = await db().knex(db().own('outbox')).where({ order_id: a.orderId }).first();
    expect(row).toMatchObject({ state: 'exported', erp_document_id: 'VR-77' });
    const again = await request(app).get(`/integration/orders?key=${KEY}&format=json`);
    expect(again.body.rendelesek.map((d: OrderDocument) => d.orderId)).toEqual([b.orderId]);
    expect((await request(app).get('/integration/orders?key=wrong')).status).toBe(401);
  });

  it('pushes over HTTP: retries failures and timeouts, never books an order twice', async () => {
    await withErp((n, key) => {
      const id = Number(key.split('-').pop()) % 3;
      if (id === 0) return n <= 2 ? 'fail' : 'ok';
      if (id === 1) return n === 1 ? 'hang' : 'ok';
      return n === 1 ? 'store-then-fail' : 'ok';
    }, async (erp) => {
      const orders = [await paidOrder(), await paidOrder(), await paidOrder()];
      const r = await exporter({ timeoutMs: 300 }).run('test'); // the hanging answer times out
      expect(r).toMatchObject({ prepared: 3, exported: 3, failed: 0 });
      for (const o of orders) {
        const key = `erp-bridge-bolt1-order-${o.orderId}`;
        expect(erp.stored.has(key)).toBe(true);
        expect(await db().knex(db().own('outbox')).where({ order_id: o.orderId }).first()).toMatchObject({ state: 'exported', erp_document_id: `VR-${o.orderId}` });
      }
      expect(erp.stored.size).toBe(3);
      expect(erp.auth.length).toBeGreaterThan(0);
      expect(erp.auth.every((a) => a === 'Basic ' + Buffer.from('bolt1:erp-pw').toString('base64'))).toBe(true);
      expect(erp.stored.get(`erp-bridge-bolt1-order-${orders[0]!.orderId}`)).toContain('<cikkszam>KUPON</cikkszam>');
    });
  });

  it('marks an order failed, with the error, after the last attempt or a refusal', async () => {
    await withErp((_n, key) => (Number(key.split('-').pop()) % 2 ? 'reject' : 'fail'), async (erp) => {
      const orders = [await paidOrder(), await paidOrder()];
      const r = await exporter({ maxAttempts: 3 }).run('test');
      expect(r).toMatchObject({ exported: 0, failed: 2 });
      for (const o of orders) {
        const row = await db().knex(db().own('outbox')).where({ order_id: o.orderId }).first();
        expect(row.state).toBe('failed');
        expect(row.last_error).toMatch(o.orderId % 2 ? /HTTP 422: unknown article/ : /HTTP 500: ERP busy/);
        expect(Number(row.attempts)).toBe(o.orderId % 2 ? 1 : 3);
      }
      const run = await db().knex(db().own('journal_run')).where({ id: r.run }).first();
      expect(run).toMatchObject({ kind: 'order-export', status: 'partial' });
    });
  });

  it('two exporters racing over the same outbox deliver each order once', async () => {
    await withErp(() => 'ok', async (erp) => {
      for (let i = 0; i < 12; i++) await paidOrder();
      await exporter().prepare();
      const other = env.newContext();
      const [a, b] = await Promise.all([exporter().deliver(), new OrderExporter(other.db, other.settings, fast).deliver()]);
      expect(a.exported + b.exported).toBe(12);
      expect(erp.attempts.size).toBeGreaterThan(0);
      expect([...erp.attempts.values()].every((n) => n === 1)).toBe(true);
      expect(erp.attempts.size).toBe(12);
    });
  });

  it('a process killed mid-run loses nothing: its claims expire and the order is delivered once', async () => {
    await withErp(() => 'ok', async (erp) => {
      const o1 = await paidOrder();
      const o2 = await paidOrder();
      await exporter().prepare();
      // Worker 1 claims o1 and o2, gets o1 accepted by the ERP, and dies before recording it.
      const dying = exporter({ claimMs: 1000, afterDelivered: () => { throw new Error('killed'); } });
      await expect(dying.deliver()).rejects.toThrow('killed');
      expect(await state(o1.orderId)).toBe('waiting');
      // Another worker cannot take the claimed orders until the claim runs out…
      expect((await exporter().deliver()).exported).toBe(0);
      await new Promise((r) => setTimeout(r, 2100));
      // …then delivers both; the ERP books o1 once thanks to the same Idempotency-Key.
      expect((await exporter().deliver()).exported).toBe(2);
      expect(await state(o1.orderId)).toBe('exported');
      expect(await state(o2.orderId)).toBe('exported');
      expect(erp.stored.size).toBe(2);
    });
  });

  it('drops files atomically into a folder: the final name appears only by renaming a complete temp file, never written in place', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-drop-'));
    await env.ctx.settings.update({ export_transport: 'file', export_dir: dir });
    // What an ERP polling the folder would notice (inotify): every creation, rename and write, by name.
    const events: Array<[string, string]> = [];
    const watcher = watch(dir, (type, name) => events.push([type, String(name)]));
    try {
      const o = await paidOrder();
      const final = `order-INV-2026-${o.orderId}.xml`;
      expect((await exporter().run('test')).exported).toBe(1);
      expect(readdirSync(dir)).toEqual([final]);
      expect(readFileSync(path.join(dir, final), 'utf8')).toContain(`<rendeles azonosito="${o.orderId}">`);
      for (let i = 0; i < 50 && !events.some(([, n]) => n === final); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      // The content was written under a hidden temp name…
      expect(events.filter(([type, n]) => type === 'change' && n !== final).map(([, n]) => n)).toContain(`.${final}.tmp`);
      // …and the final name only ever appeared by a rename: no write was ever seen on it.
      expect(events.filter(([, n]) => n === final).map(([type]) => type)).toEqual(['rename']);
    } finally {
      watcher.close();
      await env.ctx.settings.update({ export_transport: 'feed', export_dir: '' });
    }
  });

  it('never runs twice at once: a second run while one holds the lease is skipped', async () => {
    await withErp((n) => (n === 1 ? 'hang' : 'ok'), async (erp) => {
      await paidOrder();
      const slow = exporter({ timeoutMs: 1500 }).run('a');
      await new Promise((r) => setTimeout(r, 300));
      const second = await exporter().run('b');
      expect(second.skipped).toMatch(/another export run/);
      expect((await slow).exported).toBe(1);
    });
  });
});
