// Edges of the order status queue and the shop API client the first StrykerJS run left open: a
// first record with only a carrier or a tracking number, the owner's fallback touching only the
// change it writes, a change due this very second, a failure inside the queue runner thrown on,
// 3.0's login route, 4.1's catalogue language, and an answer ending in a digit without JSON;
// then what the second run left open: a push that died holding the status lease is closed by the
// next push, the apply budget's last millisecond, and the busy answer after the lease wait.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { LEASE_TTL_MS, release, tryAcquire } from '../../app/plugin/lease.js';
import { Outbox } from '../../app/plugin/outbox.js';
import { pushLease } from '../../app/plugin/run-leases.js';
import { listAdminOrderStatuses } from '../../app/shop/order-history.js';
import { DEFAULTS } from '../../app/settings/schema.js';
import { OrderStatusService, STATUS_KIND } from '../../app/sync/order-status.js';
import { ShopApi } from '../../app/sync/shop-api.js';
import { now } from '../../app/util/time.js';
import { fakeShopWithApiUser, type FakeShopApi } from '../support/fake-shop-api.js';
import { placeOrder, setOrderStatus } from '../support/orders.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const USER = 'erp-bridge';
const KEY_ = 'b2'.repeat(32);
const json = (body: unknown, status = 200) => ({ status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe.each(FIXTURE_DIALECT_TARGETS)('order status edges on $name', (target) => {
  let env: TargetEnv;
  let shop: FakeShopApi;
  let svc: OrderStatusService;
  let shipped: number;
  const db = () => env.ctx.db;
  const queue = () => db().knex(db().own('status_queue'));
  const route = (url: string) => new URL(url, 'http://x').searchParams.get('route');
  const order = async () => {
    const { orderId } = await placeOrder(db(), { products: [{ productId: 1, name: 'Kés', model: 'K', quantity: 1, price: 100, tax: 27 }] });
    await setOrderStatus(db(), orderId, 2);
    await new Outbox(db()).add([{ orderId, document: { orderNumber: `E-${orderId}`, totals: { shopTotal: 0 } } as unknown as OrderDocument, problem: null }]);
    return orderId;
  };
  const queueRow = (orderId: number, over: Record<string, unknown> = {}) =>
    queue().insert({ order_id: orderId, erp_state: 'szallitas_alatt', order_status_id: shipped, notify: 0, override: 0, comment: 'c', state: 'waiting', attempts: 0, run_id: 1, created_at: '2026-11-20 10:00:00', ...over });

  beforeAll(async () => {
    env = await openTarget(target);
    shop = await fakeShopWithApiUser(db(), USER, KEY_);
    shipped = (await listAdminOrderStatuses(db())).map((s) => s.orderStatusId).find((id) => id !== 2)!;
    await env.ctx.settings.update({ status_map_szallitas_alatt: String(shipped), shop_url: shop.shopUrl, shop_api_user: USER });
    svc = new OrderStatusService(db(), env.ctx.settings);
  });
  beforeEach(async () => {
    await queue().delete();
    shop.seen.length = 0;
    shop.posts.length = 0;
    shop.answerHistory(() => json({ success: 'ok' }));
    await env.ctx.settings.update({ status_direct_fallback: 'no' });
  });
  afterAll(async () => {
    await shop?.close();
    await env?.cleanup();
  });

  it('a first record of an order with only a carrier and a tracking number, or only a carrier, is queued with just those', async () => {
    const a = await order();
    const b = await order();
    const r = await svc.push({ body: Buffer.from(JSON.stringify([{ order_id: a, allapot: 'szallitas_alatt', szallito: 'GLS', fuvarlevelszam: 'T-9' }, { order_id: b, allapot: 'szallitas_alatt', szallito: 'Posta' }])), contentType: 'application/json', actor: 'erp', dryRun: true });
    expect(r.counts).toMatchObject({ updated: 2, invalid: 0 });
    const q = await svc.push({ body: Buffer.from(JSON.stringify([{ order_id: a, allapot: 'szallitas_alatt', szallito: 'GLS', fuvarlevelszam: 'T-9' }])), contentType: 'application/json', actor: 'erp' });
    expect(q.counts.updated).toBe(1);
    expect((await queue().where({ order_id: a }).first()).comment).toBe('Szállító: GLS\nCsomagszám: T-9\nNyomkövetés: https://gls-group.com/HU/hu/csomagkovetes?match=T-9');
  });

  it('the owner\'s fallback writes only the change it takes: another order\'s change not due yet still waits', async () => {
    const a = await order();
    const b = await order();
    await env.ctx.settings.update({ status_direct_fallback: 'yes' });
    shop.answerHistory(() => ({ status: 503, body: 'down' }));
    await queueRow(a);
    await queueRow(b, { next_attempt_at: '2999-01-01 00:00:00' });
    expect(await svc.drain()).toMatchObject({ direct: 1 });
    expect((await queue().where({ order_id: b }).first()).state).toBe('waiting');
  });

  it('a change due this very second is applied', async () => {
    const a = await order();
    await queueRow(a, { next_attempt_at: now() });
    expect(await svc.drain()).toMatchObject({ applied: 1 });
  });

  it('a failure inside the queue runner is thrown on, not taken for another runner', async () => {
    const a = await order();
    await env.ctx.settings.update({ status_direct_fallback: 'yes' });
    shop.answerHistory(() => ({ status: 503, body: 'down' }));
    await queueRow(a);
    const name = db().t('order_history');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      await expect(svc.drain()).rejects.toThrow();
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
    }
    expect((await queue().where({ order_id: a }).first()).state).toBe('waiting');
  });

  it('the shop API client: 3.0 logs in at api/login; 4.1 names the catalogue\'s language; an answer ending in a digit without JSON is no result', async () => {
    const settings = { ...structuredClone(DEFAULTS), shop_url: shop.shopUrl, shop_api_user: USER };
    const call = { orderId: 5, orderStatusId: 3, notify: false, override: false, comment: '' };
    expect(await new ShopApi(db(), settings).addHistory(call)).toEqual({ ok: true });
    expect(shop.seen.map((r) => route(r.url))).toEqual(['api/login', 'api/order/history']);
    shop.answerHistory(() => ({ status: 500, body: 'Fatal error on line 3' }));
    expect(await new ShopApi(db(), settings).addHistory(call)).toEqual({ ok: false, retry: true, error: "the shop's API answered HTTP 500 without a result (Fatal error on line 3)" });
    shop.answerHistory(() => json({ success: 'ok' }));
    await db().knex.schema.createTable(db().t('api_history'), (t) => { t.increments('id'); });
    await db().knex.schema.renameTable(db().t('api_session'), db().t('api_session_away'));
    const k = db().knex(db().t('setting'));
    try {
      await k.clone().where({ store_id: 0, code: 'config', key: 'config_language_catalog' }).delete();
      await k.clone().insert({ store_id: 0, code: 'config', key: 'config_language_catalog', value: 'xx-yy', serialized: 0 });
      expect(await new ShopApi(db(), settings).addHistory(call)).toEqual({ ok: true });
      expect(shop.posts.at(-1)!.query.language).toBe('xx-yy');
    } finally {
      await k.clone().where({ store_id: 0, code: 'config', key: 'config_language_catalog' }).delete();
      await db().knex.schema.dropTable(db().t('api_history'));
      await db().knex.schema.renameTable(db().t('api_session_away'), db().t('api_session'));
    }
  });

  it('refuses a lease wait that is not a number of at least 0', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new OrderStatusService(db(), env.ctx.settings, { leaseWaitMs: bad })).toThrow(RangeError);
    }
    expect(() => new OrderStatusService(db(), env.ctx.settings, { leaseWaitMs: 0 })).not.toThrow();
  });

  it('a status push that dies holding its lease is closed as interrupted by the next status push, once the lease expires', async () => {
    // The promise of the lease's holder `run:<id>`: the push that takes an expired lease over reads
    // the dead run's id from it (onTakeOver). Push A stops for good inside its lease, before any
    // renewal, as a killed process would: it takes over a dead run X's expired lease and never
    // comes back from closing X. Its lease is then left to expire, as LEASE_TTL_MS after a death.
    const runs = () => db().knex(db().own('journal_run'));
    const leases = () => db().knex(db().own('lease')).where({ name: pushLease(STATUS_KIND) });
    const [xRow] = await runs().insert({ kind: STATUS_KIND, actor: 'erp', status: 'running', dry_run: false, started_at: now() }, ['id']);
    const x = Number(typeof xRow === 'object' ? xRow.id : xRow);
    await leases().delete();
    expect(await tryAcquire(db(), pushLease(STATUS_KIND), `run:${x}`, -1)).not.toBeNull();
    const a = await order();
    const body = Buffer.from(JSON.stringify([{ order_id: a, allapot: 'szallitas_alatt' }]));
    const dying = new OrderStatusService(db(), env.ctx.settings);
    let stopped!: () => void;
    const stoppedInside = new Promise<void>((resolve) => (stopped = resolve));
    dying.journal.markInterrupted = async () => {
      stopped();
      await new Promise(() => {}); // never returns: the process died here
    };
    void dying.push({ body, contentType: 'application/json', actor: 'erp' });
    await stoppedInside;
    const [dead] = await runs().where({ kind: STATUS_KIND, status: 'running' }).whereNot({ id: x }).pluck('id');
    expect(dead).toBeGreaterThan(x);
    try {
      await leases().update({ expires_at: Date.now() - 1 });
      const next = await svc.push({ body, contentType: 'application/json', actor: 'erp' });
      expect(next.status).toBe('ok');
      expect(await runs().where({ id: dead }).first('status', 'message')).toEqual({ status: 'interrupted', message: expect.stringMatching(/process stopped before the run finished/) });
      expect(await leases().first('holder')).toEqual({ holder: null });
    } finally {
      // Neither dead run may be left running for the tests after this one, nor the lease held.
      await runs().whereIn('id', [x, dead]).where({ status: 'running' }).update({ status: 'interrupted' });
      await leases().update({ holder: null, expires_at: 0 });
    }
  });

  it('the apply budget lasts through its last millisecond: with a budget of 0, the change started in that millisecond is applied, the next one, a millisecond later, waits', async () => {
    const a = await order();
    const b = await order();
    await queueRow(a);
    await queueRow(b);
    // The clock stands still except while the shop takes the first change: one millisecond.
    let t = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => t);
    shop.answerHistory(() => {
      t += 1;
      return json({ success: 'ok' });
    });
    try {
      expect(await svc.drain({ budgetMs: 0 })).toEqual({ applied: 1, direct: 0, retrying: 0, failed: 0, error: null });
    } finally {
      clock.mockRestore();
    }
    expect(shop.posts.map((p) => Number(p.query.order_id ?? p.form.order_id))).toEqual([a]);
    expect(await queue().where({ order_id: b }).first('state', 'attempts', 'last_error')).toMatchObject({ state: 'waiting', attempts: 0, last_error: null });
  });

  it('a status push that finds another still running after its wait answers 503 "another order status push is still running", journaled as failed', async () => {
    const a = await order();
    const name = pushLease(STATUS_KIND);
    await db().knex(db().own('lease')).where({ name }).delete();
    expect(await tryAcquire(db(), name, 'run:999999997', LEASE_TTL_MS)).not.toBeNull();
    try {
      // A 50 ms wait instead of the minute (STATUS_LEASE_WAIT_MS) a push waits in production.
      const impatient = new OrderStatusService(db(), env.ctx.settings, { leaseWaitMs: 50 });
      const started = performance.now();
      const err = await impatient.push({ body: Buffer.from(JSON.stringify([{ order_id: a, allapot: 'szallitas_alatt' }])), contentType: 'application/json', actor: 'erp' }).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(10_000); // its own short wait, not the minute
      const message = 'another order status push is still running; try again shortly';
      expect(err).toMatchObject({ name: 'PushError', status: 503, message, retryAfter: 30 });
      const run = (err as { run: number }).run;
      expect(await db().knex(db().own('journal_run')).where({ id: run }).first('status', 'http_status', 'message')).toEqual({ status: 'failed', http_status: 503, message });
      expect(await queue().where({ order_id: a }).first()).toBeUndefined();
    } finally {
      await release(db(), name, 'run:999999997');
    }
  });
});
