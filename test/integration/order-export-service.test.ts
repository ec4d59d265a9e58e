// The order export service (app/sync/order-export.ts) through its own methods, on the SQLite
// demo shop and the 3.0.3.8 fixture (orders written by hand in 3.0's shape): prepare queues each
// eligible order once (in batches), holds what needs attention and notes replaced characters;
// re-send rebuilds from the current rows; deliver pushes each claimed order through the
// transports once, records the ERP's document id, retries with a growing delay, fails after the
// last attempt or a refusal, holds an unreadable row aside; run journals it all under a lease.
// The fake ERP is a real HTTP server on 127.0.0.1. Each test starts with no orders and an empty outbox.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { Journal } from '../../app/plugin/journal.js';
import { withLease } from '../../app/plugin/lease.js';
import { EXPORT_LEASE } from '../../app/plugin/run-leases.js';
import type { Settings } from '../../app/settings/schema.js';
import { OrderExporter, type ExportOptions } from '../../app/sync/order-export.js';
import { formatDateTime } from '../../app/util/time.js';
import { startFakeServer, type FakeServer, type Reply } from '../support/fake-http.js';
import { configureVat, placeOrder, setOrderStatus, type OrderSpec } from '../support/orders.js';
import { addProduct, uniqueCode } from '../support/shop.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const READY = { webshop_id: 'bolt1', password: 'erp-pw', shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ', coupon_code: 'KUPON', export_start_date: '2026-01-01' };
// A retry waits a minute: within one delivery an order is tried once.
const fast: ExportOptions = { baseDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 500 };

describe.each(FIXTURE_DIALECT_TARGETS)('the order export service on $name', (target) => {
  let env: TargetEnv;
  let productId: number;
  let code: string;
  let erp: FakeServer;
  let erpReply: (orderId: number, n: number) => Reply | Promise<Reply> = () => ({ status: 201 });
  let dropRoot: string;
  const db = () => env.ctx.db;
  const outboxTable = () => db().knex(db().own('outbox'));
  const row = async (orderId: number) => outboxTable().where({ order_id: orderId }).first();
  const stateOf = async (orderId: number) => (await row(orderId))?.state;
  const exporter = (opts: ExportOptions = fast) => new OrderExporter(db(), env.ctx.settings, opts);
  const spec = (over: Partial<OrderSpec> = {}): OrderSpec => ({ products: [{ productId, name: 'Serpenyő', model: code, quantity: 1, price: 1000, tax: 270 }], shipping: 500, ...over });
  const paidOrder = async (over: Partial<OrderSpec> = {}, status = 2) => {
    const o = await placeOrder(db(), spec(over));
    await setOrderStatus(db(), o.orderId, status);
    return o.orderId;
  };
  /** The settings as the admin form posts them (lists comma-separated). */
  const setSettings = (s: Partial<Settings>) => env.ctx.settings.update(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)])));
  /** Orders prepared as the export does (a waiting row each), ready to deliver. */
  const prepared = async (n: number) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(await paidOrder());
    expect((await exporter().prepare()).prepared).toBe(n);
    return ids;
  };
  const orderOfKey = (key: string | string[] | undefined) => Number(String(key).split('-').pop());
  const erpKeys = () => erp.seen.map((r) => orderOfKey(r.headers['idempotency-key']));
  const useHttp = () => setSettings({ export_transport: ['http'], export_url: `${erp.origin}/orders` });
  const journal = () => new Journal(db());
  const when = (ms: number) => formatDateTime(new Date(Date.now() + ms));

  beforeAll(async () => {
    env = await openTarget(target);
    code = uniqueCode('EXS');
    productId = await addProduct(db(), { model: code, tax_class_id: await configureVat(db()) });
    await db().knex(db().own('product_map')).insert({ product_id: productId, erp_code: code, unit: 'db', updated_at: '2026-11-20 10:00:00' });
    erp = await startFakeServer((req, n) => erpReply(orderOfKey(req.headers['idempotency-key']), n));
    dropRoot = mkdtempSync(path.join(os.tmpdir(), 'erpb-exs-'));
  });
  beforeEach(async () => {
    for (const t of ['order_product', 'order_option', 'order_total', 'order_history', 'order']) await db().knex(db().t(t)).delete();
    await outboxTable().delete();
    await db().knex(db().own('lease')).delete();
    erp.seen.length = 0;
    erpReply = () => ({ status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"bizonylatszam":"VR-1"}' });
    await setSettings({ ...READY, export_transport: ['feed'], export_url: '', export_dir: '', export_statuses: [] });
  });
  afterAll(async () => {
    await erp?.close();
    if (dropRoot) rmSync(dropRoot, { recursive: true, force: true });
    await env?.cleanup();
  });

  it('queues nothing before the export is set up, and says which settings are missing', async () => {
    const id = await paidOrder();
    await setSettings({ webshop_id: '', export_start_date: '' });
    expect(await exporter().prepare()).toEqual({ prepared: 0, attention: 0, notReady: ['webshop_id', 'export_start_date'] });
    expect(await stateOf(id)).toBeUndefined();
  });

  it('queues each eligible order once: paid, placed on or after the start date, in the chosen statuses', async () => {
    const paid = await paidOrder();
    const abandoned = (await placeOrder(db(), spec())).orderId;
    const early = await paidOrder({ dateAdded: '2025-12-31 23:59:59' });
    const onTheDay = await paidOrder({ dateAdded: '2026-01-01 00:00:00' });
    const complete = await paidOrder({}, 5);
    const r = await exporter().prepare();
    expect(r).toEqual({ prepared: 3, attention: 0, noted: [] });
    expect(await stateOf(paid)).toBe('waiting');
    expect(await stateOf(onTheDay)).toBe('waiting');
    expect(await stateOf(complete)).toBe('waiting');
    expect(await stateOf(abandoned)).toBeUndefined();
    expect(await stateOf(early)).toBeUndefined();
    const d = JSON.parse((await row(paid)).document) as OrderDocument;
    expect(d).toMatchObject({ orderId: paid, orderNumber: `INV-2026-${paid}` });
    expect(d.lines.map((l) => [l.kind, l.code])).toEqual([['product', code], ['shipping', 'SZALL']]);
    expect(await exporter().prepare()).toEqual({ prepared: 0, attention: 0, noted: [] });
    // The owner's statuses replace the shop's processing and complete ones.
    await setSettings({ export_statuses: [3] });
    const shipped = await paidOrder({}, 3);
    const processing = await paidOrder({}, 2);
    expect((await exporter().prepare()).prepared).toBe(1);
    expect(await stateOf(shipped)).toBe('waiting');
    expect(await stateOf(processing)).toBeUndefined();
  });

  it('queues more orders than one batch holds', async () => {
    const first = await paidOrder();
    const o = await db().knex(db().t('order')).where({ order_id: first }).first();
    const totals = await db().knex(db().t('order_total')).where({ order_id: first }).select();
    const products = await db().knex(db().t('order_product')).where({ order_id: first }).select();
    const base = Number(first) + 1;
    const copies = Array.from({ length: 200 }, (_, i) => ({ ...o, order_id: base + i }));
    for (let i = 0; i < copies.length; i += 20) await db().knex(db().t('order')).insert(copies.slice(i, i + 20));
    for (let i = 0; i < 200; i += 20) {
      const ids = Array.from({ length: 20 }, (_, j) => base + i + j);
      await db().knex(db().t('order_total')).insert(ids.flatMap((id) => totals.map(({ order_total_id: _t, ...t }) => ({ ...t, order_id: id }))));
      await db().knex(db().t('order_product')).insert(ids.flatMap((id) => products.map(({ order_product_id: _p, ...p }) => ({ ...p, order_id: id }))));
    }
    expect(await exporter().prepare()).toEqual({ prepared: 201, attention: 0, noted: [] });
    expect(Number((await outboxTable().where({ state: 'waiting' }).count({ n: '*' }))[0]!.n)).toBe(201);
  });

  it('holds an order that needs attention, counted; notes an order whose text had characters XML cannot carry', async () => {
    const held = await paidOrder({ total: 9999 });
    const odd = await paidOrder({ comment: 'Csengő\u0007 nélkül' });
    const fine = await paidOrder();
    const r = await exporter().prepare();
    expect(r.prepared).toBe(3);
    expect(r.attention).toBe(1);
    expect(r.noted).toEqual([{ orderId: odd, note: 'characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: internalNote' }]);
    expect(await row(held)).toMatchObject({ state: 'attention' });
    expect(String((await row(held)).last_error)).toMatch(/differs from OpenCart's total/);
    expect(await stateOf(odd)).toBe('waiting');
    expect(await stateOf(fine)).toBe('waiting');
  });

  it('re-sends an order rebuilt from its current rows and settings, only from the states asked, and never a deleted one', async () => {
    const id = await paidOrder({ handling: 200 });
    await setSettings({ payment_fee_code: '' });
    await exporter().prepare();
    expect(await row(id)).toMatchObject({ state: 'attention', last_error: "the ERP item code setting payment_fee_code is not set (needed for the order's handling line)" });
    // Not from a state that was not asked; not an order the outbox does not hold.
    expect(await exporter().resend(id, ['failed', 'exported'])).toEqual({ requeued: false, problem: null });
    expect(await exporter().resend(id + 1000, ['attention'])).toEqual({ requeued: false, problem: null });
    // Still broken: held again with the reason.
    expect(await exporter().resend(id, ['attention'])).toEqual({ requeued: true, problem: "the ERP item code setting payment_fee_code is not set (needed for the order's handling line)" });
    expect(await stateOf(id)).toBe('attention');
    await setSettings({ payment_fee_code: 'KEZ2' });
    await db().knex(db().t('order')).where({ order_id: id }).update({ comment: 'Új megjegyzés' });
    expect(await exporter().resend(id, ['failed', 'attention'])).toEqual({ requeued: true, problem: null });
    const r = await row(id);
    expect(r.state).toBe('waiting');
    const d = JSON.parse(r.document) as OrderDocument;
    expect(d.lines.find((l) => l.kind === 'handling')?.code).toBe('KEZ2');
    expect(d.internalNote).toBe('Új megjegyzés');
    // The order deleted from the shop: nothing to rebuild, the row is left as it is.
    await outboxTable().where({ order_id: id }).update({ state: 'failed' });
    await db().knex(db().t('order')).where({ order_id: id }).delete();
    expect(await exporter().resend(id, ['failed'])).toEqual({ requeued: false, problem: null });
    expect(await stateOf(id)).toBe('failed');
  });

  it('with the feed alone, delivery pushes and claims nothing', async () => {
    const [id] = await prepared(1);
    expect(await exporter().deliver()).toEqual({ exported: 0, retrying: 0, failed: 0, errors: [] });
    expect(await row(id!)).toMatchObject({ state: 'waiting', claimed_by: null, claimed_until: null, attempts: 0 });
    expect(erp.seen).toEqual([]);
  });

  it('delivers every waiting order once over HTTP, more than one claim\'s worth, recording the ERP\'s document id', async () => {
    erpReply = (orderId) => ({ status: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ bizonylatszam: `VR-${orderId}` }) });
    const ids = await prepared(23);
    await useHttp();
    expect(await exporter().deliver()).toEqual({ exported: 23, retrying: 0, failed: 0, errors: [] });
    expect(erpKeys().sort((a, b) => a - b)).toEqual(ids);
    for (const id of ids) expect(await row(id)).toMatchObject({ state: 'exported', erp_document_id: `VR-${id}`, claimed_by: null, last_error: null });
    expect(await exporter().deliver()).toEqual({ exported: 0, retrying: 0, failed: 0, errors: [] });
    expect(erp.seen).toHaveLength(23);
  });

  it('claims an order for five minutes while it is delivered, and marks it exported only after the ERP took it', async () => {
    const [id] = await prepared(1);
    await useHttp();
    const seen: Array<Record<string, unknown>> = [];
    const ex = exporter({ ...fast, afterDelivered: async (orderId) => { seen.push({ orderId, posted: erp.seen.length, ...(await row(orderId)) }); } });
    const lo = when(5 * 60_000 - 2000);
    await ex.deliver();
    const hi = when(5 * 60_000 + 2000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ orderId: id, posted: 1, state: 'waiting', claimed_by: ex.worker });
    expect(ex.worker).toMatch(/^w-[0-9a-f]{8}$/);
    const until = String(seen[0]!.claimed_until);
    expect(until >= lo && until <= hi, `${lo} <= ${until} <= ${hi}`).toBe(true);
    expect(await row(id!)).toMatchObject({ state: 'exported', erp_document_id: 'VR-1' });
    // A shorter claim when asked.
    const [id2] = await prepared(1);
    const claims: string[] = [];
    await exporter({ ...fast, claimMs: 60_000, afterDelivered: async (o) => { claims.push(String((await row(o)).claimed_until)); } }).deliver();
    expect(claims).toHaveLength(1);
    expect(claims[0]! >= when(58_000) && claims[0]! <= when(62_000)).toBe(true);
    expect(await stateOf(id2!)).toBe('exported');
  });

  it('retries a failed delivery later, the delay growing from its base; a refusal or the last attempt fails the order', async () => {
    erpReply = (orderId) => (orderId % 2 ? { status: 503, body: 'ERP\n busy' } : { status: 422, body: 'unknown article' });
    const ids = await prepared(2);
    const retried = ids.find((id) => id % 2)!;
    const refused = ids.find((id) => id % 2 === 0)!;
    await useHttp();
    // A base of a minute: the check below that it is not due yet must not race a slow machine's clock.
    let lo = when(60_000 - 1500);
    const r = await exporter({ ...fast, baseDelayMs: 60_000, maxDelayMs: 600_000 }).deliver();
    let hi = when(60_000 + 1500);
    expect(r).toEqual({
      exported: 0, retrying: 1, failed: 1,
      errors: [...ids.map((id) => ({ orderId: id, error: id === retried ? 'http: HTTP 503: ERP busy' : 'http: HTTP 422: unknown article' }))],
    });
    expect(await row(refused)).toMatchObject({ state: 'failed', attempts: 1, next_attempt_at: null, last_error: 'http: HTTP 422: unknown article', claimed_by: null });
    let w = await row(retried);
    expect(w).toMatchObject({ state: 'waiting', attempts: 1, last_error: 'http: HTTP 503: ERP busy', claimed_by: null });
    expect(w.next_attempt_at >= lo && w.next_attempt_at <= hi, `${lo} <= ${w.next_attempt_at} <= ${hi}`).toBe(true);
    // Not due yet: not delivered again.
    expect(await exporter().deliver()).toEqual({ exported: 0, retrying: 0, failed: 0, errors: [] });
    // Due: the third attempt waits four times the base.
    await outboxTable().where({ order_id: retried }).update({ next_attempt_at: '2000-01-01 00:00:00', attempts: 2 });
    lo = when(4000 - 1500);
    await exporter({ ...fast, baseDelayMs: 1000, maxDelayMs: 10_000 }).deliver();
    hi = when(4000 + 1500);
    w = await row(retried);
    expect(w.attempts).toBe(3);
    expect(w.next_attempt_at >= lo && w.next_attempt_at <= hi, `${lo} <= ${w.next_attempt_at} <= ${hi}`).toBe(true);
    // …and never more than the maximum.
    await outboxTable().where({ order_id: retried }).update({ next_attempt_at: null, attempts: 5 });
    lo = when(3000 - 1500);
    await exporter({ ...fast, baseDelayMs: 1000, maxDelayMs: 3000 }).deliver();
    hi = when(3000 + 1500);
    w = await row(retried);
    expect(w.next_attempt_at >= lo && w.next_attempt_at <= hi, `${lo} <= ${w.next_attempt_at} <= ${hi}`).toBe(true);
    // The last of the attempts allowed fails it.
    await outboxTable().where({ order_id: retried }).update({ next_attempt_at: null, attempts: 2 });
    expect(await exporter({ ...fast, maxAttempts: 3 }).deliver()).toMatchObject({ retrying: 0, failed: 1 });
    expect(await row(retried)).toMatchObject({ state: 'failed', attempts: 3, next_attempt_at: null });
  });

  it('without options: 10 attempts, the first retry after 30 s, at most an hour apart, a 30 s timeout', async () => {
    erpReply = () => ({ status: 500, body: 'down' });
    const [id] = await prepared(1);
    await useHttp();
    const ex = exporter({});
    let lo = when(30_000 - 2000);
    expect(await ex.deliver()).toMatchObject({ retrying: 1, failed: 0 });
    let hi = when(30_000 + 2000);
    let w = await row(id!);
    expect(w.next_attempt_at >= lo && w.next_attempt_at <= hi, `${lo} <= ${w.next_attempt_at} <= ${hi}`).toBe(true);
    // The eighth attempt: 30 s × 2^7 is over an hour, so an hour.
    await outboxTable().where({ order_id: id! }).update({ next_attempt_at: null, attempts: 7 });
    lo = when(3_600_000 - 2000);
    expect(await ex.deliver()).toMatchObject({ retrying: 1 });
    hi = when(3_600_000 + 2000);
    w = await row(id!);
    expect(w.attempts).toBe(8);
    expect(w.next_attempt_at >= lo && w.next_attempt_at <= hi, `${lo} <= ${w.next_attempt_at} <= ${hi}`).toBe(true);
    await outboxTable().where({ order_id: id! }).update({ next_attempt_at: null, attempts: 8 });
    expect(await ex.deliver()).toMatchObject({ retrying: 1, failed: 0 });
    expect(await row(id!)).toMatchObject({ state: 'waiting', attempts: 9 });
    await outboxTable().where({ order_id: id! }).update({ next_attempt_at: null });
    expect(await ex.deliver()).toMatchObject({ retrying: 0, failed: 1 });
    expect(await row(id!)).toMatchObject({ state: 'failed', attempts: 10 });
    // The timeout: an ERP that answers after 1 s is waited for without options, not with a short timeout.
    erpReply = () => new Promise<Reply>((r) => setTimeout(() => r({ status: 201 }), 1000));
    const [slow] = await prepared(1);
    expect(await exporter({ ...fast, timeoutMs: 300 }).deliver()).toMatchObject({ exported: 0, retrying: 1 });
    await outboxTable().where({ order_id: slow! }).update({ next_attempt_at: null });
    expect(await exporter({}).deliver()).toMatchObject({ exported: 1 });
  });

  it('holds an unreadable stored document aside with its reason, and delivers the orders behind it', async () => {
    const ids = await prepared(3);
    await outboxTable().where({ order_id: ids[0]! }).update({ document: '{"broken' });
    await useHttp();
    const r = await exporter().deliver();
    expect(r).toEqual({ exported: 2, retrying: 0, failed: 1, errors: [{ orderId: ids[0], error: 'the stored document cannot be read; retry the order to rebuild it from the shop' }] });
    expect(await row(ids[0]!)).toMatchObject({ state: 'attention', last_error: 'the stored document cannot be read; retry the order to rebuild it from the shop', claimed_by: null });
    expect(erpKeys().sort((a, b) => a - b)).toEqual(ids.slice(1));
  });

  it('with HTTP and the file drop, an order counts as exported only when both took it; the ERP\'s id comes from HTTP', async () => {
    const dir = path.join(dropRoot, `both-${target.dialect}`);
    const [a] = await prepared(1);
    await setSettings({ export_transport: ['http', 'file'], export_url: `${erp.origin}/orders`, export_dir: dir });
    expect(await exporter().deliver()).toMatchObject({ exported: 1, failed: 0 });
    expect(await row(a!)).toMatchObject({ state: 'exported', erp_document_id: 'VR-1' });
    expect(readdirSync(dir)).toEqual([`order-INV-2026-${a}.xml`]);
    // HTTP fails: the file is not dropped; the error names the transport.
    erpReply = () => ({ status: 500, body: 'nope' });
    const [b] = await prepared(1);
    expect(await exporter().deliver()).toEqual({ exported: 0, retrying: 1, failed: 0, errors: [{ orderId: b, error: 'http: HTTP 500: nope' }] });
    expect(readdirSync(dir)).toEqual([`order-INV-2026-${a}.xml`]);
    // The file cannot be written after HTTP took it: retried, named by the file transport.
    erpReply = () => ({ status: 201 });
    const blocked = path.join(dropRoot, `blocked-${target.dialect}`);
    writeFileSync(blocked, 'x');
    await setSettings({ export_dir: blocked });
    await outboxTable().where({ order_id: b! }).update({ next_attempt_at: null });
    const r = await exporter().deliver();
    expect(r.exported).toBe(0);
    expect(r.retrying).toBe(1);
    expect(r.errors).toEqual([{ orderId: b, error: expect.stringMatching(new RegExp(`^file: cannot write into ${blocked}: E`)) }]);
    expect(await row(b!)).toMatchObject({ state: 'waiting', attempts: 2, erp_document_id: null });
    // The file drop alone: no ERP id.
    await setSettings({ export_transport: ['file'], export_dir: dir });
    await outboxTable().where({ order_id: b! }).update({ next_attempt_at: null });
    expect(await exporter().deliver()).toMatchObject({ exported: 1 });
    expect(await row(b!)).toMatchObject({ state: 'exported', erp_document_id: null });
  });

  it('a run prepares and delivers, journalled as ok with its counts, its message and its duration', async () => {
    const ids = [await paidOrder(), await paidOrder()];
    await useHttp();
    const t0 = performance.now();
    const r = await exporter().run('tester');
    const took = performance.now() - t0;
    expect(r).toEqual({ run: expect.any(Number), prepared: 2, attention: 0, exported: 2, retrying: 0, failed: 0, errors: [] });
    for (const id of ids) expect(await stateOf(id)).toBe('exported');
    const run = (await journal().get(r.run!))!;
    expect(run).toMatchObject({ kind: 'order-export', actor: 'tester', status: 'ok', message: 'prepared 2, exported 2, retrying 0, failed 0, needs attention 0' });
    expect([run.received, run.created, run.updated, run.invalid, run.unchanged, run.unknown, run.ignored, run.ambiguous].map(Number)).toEqual([2, 2, 2, 0, 0, 0, 0, 0]);
    expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
    expect(await journal().items(r.run!)).toEqual([]);
    // The lease is given back: the next run runs.
    expect((await exporter().run('tester')).run).toEqual(expect.any(Number));
  });

  it('a run with failures, retries, held and noted orders is partial, each listed in the journal', async () => {
    erpReply = (orderId) => (orderId % 2 ? { status: 500, body: 'busy' } : { status: 400, body: 'bad' });
    const a = await paidOrder();
    const b = await paidOrder();
    const held = await paidOrder({ total: 1 });
    const noted = await paidOrder({ comment: 'x\u0001' });
    await useHttp();
    const r = await exporter().run('tester');
    const odd = [a, b, noted].filter((id) => id % 2);
    const even = [a, b, noted].filter((id) => id % 2 === 0);
    expect(r).toMatchObject({ prepared: 4, attention: 1, exported: 0, retrying: odd.length, failed: even.length });
    const run = (await journal().get(r.run!))!;
    expect(run).toMatchObject({ status: 'partial', message: `prepared 4, exported 0, retrying ${odd.length}, failed ${even.length}, needs attention 1` });
    expect([run.received, run.created, run.updated, run.invalid, run.unchanged].map(Number)).toEqual([4, 4, 0, 1 + even.length, odd.length]);
    const items = (await journal().items(r.run!)).map((i) => [i.seq, i.code, i.outcome, i.reason]);
    expect(items).toEqual([
      ...r.errors.map((e, i) => [i + 1, String(e.orderId), 'failed', e.error]),
      [4, String(noted), 'noted', 'characters XML cannot carry (control characters such as NUL or a vertical tab) were replaced with U+FFFD in: internalNote'],
    ]);
    expect(r.errors.map((e) => e.orderId)).toEqual([a, b, noted]);
    expect(await stateOf(held)).toBe('attention');
    // Only held orders: partial too.
    await paidOrder({ total: 2 });
    const h = await exporter().run('tester');
    expect(h).toMatchObject({ prepared: 1, attention: 1, errors: [] });
    expect(await journal().get(h.run!)).toMatchObject({ status: 'partial' });
  });

  it('a run before the export is set up is skipped, with no journal run', async () => {
    await setSettings({ shipping_fee_code: '', password: '' });
    const before = await db().knex(db().own('journal_run')).count({ n: '*' });
    expect(await exporter().run('tester')).toEqual({ run: null, skipped: 'the order export is not set up yet: password, shipping_fee_code not set', prepared: 0, attention: 0, exported: 0, retrying: 0, failed: 0, errors: [] });
    expect(await db().knex(db().own('journal_run')).count({ n: '*' })).toEqual(before);
  });

  it('a run while another holds the lease is skipped; a run whose holder died takes over, closing its journal run and freeing its claims', async () => {
    const [id] = await prepared(1);
    await useHttp();
    const busy = await withLease(db(), EXPORT_LEASE, 'export:other', () => exporter().run('tester'), { waitMs: 0 });
    expect(busy).toEqual({ run: null, skipped: 'another export run is in progress', prepared: 0, attention: 0, exported: 0, retrying: 0, failed: 0, errors: [] });
    expect(erp.seen).toEqual([]);
    // A dead run: its journal run still running, its claim on the order far from expired, its lease expired.
    const dead = await journal().start('order-export', 'dead');
    await outboxTable().where({ order_id: id! }).update({ claimed_by: 'w-dead', claimed_until: '2999-01-01 00:00:00' });
    await db().knex(db().own('lease')).where({ name: EXPORT_LEASE }).update({ holder: 'export:w-dead', expires_at: 1 });
    const r = await exporter().run('tester');
    expect(r).toMatchObject({ exported: 1 });
    expect(await journal().get(dead)).toMatchObject({ status: 'interrupted' });
    expect(await stateOf(id!)).toBe('exported');
  });

  it('a run that fails inside is journalled as failed with a reference, never the SQL, and the error is thrown on carrying that reference', async () => {
    await paidOrder();
    const name = db().own('outbox');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      const err = await exporter().run('tester').then(() => null, (e: Error & { ref?: string }) => e);
      expect(err).toBeInstanceOf(Error);
      // The thrown error keeps its detail for the log; the journal entry (an admin page) names only its reference.
      expect(err!.message).toContain('outbox');
      expect(err!.ref).toMatch(/^[0-9a-f]{10}$/);
      const run = await db().knex(db().own('journal_run')).where({ kind: 'order-export' }).orderBy('id', 'desc').first();
      expect(run).toMatchObject({ status: 'failed', message: `internal error (reference ${err!.ref}; the details are in the log)` });
      expect(run.message).not.toContain('outbox');
      expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
    }
    // The lease was given back.
    expect((await exporter().run('tester')).skipped).toBeUndefined();
  });
});
