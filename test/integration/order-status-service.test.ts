// The order status service (app/sync/order-status.ts) through its own methods, on the SQLite
// demo shop and the 3.0.3.8 fixture: push reads the ERP's document, answers each record
// (updated / unchanged / unknown / invalid, with reasons), queues the changes with what the ERP
// said, journals the run, and hands the queue to the shop's API (a fake 3.0 API on 127.0.0.1);
// drain applies the queue oldest first and in order per order, retries with a delay, fails a
// refused change, writes directly only with the owner's fallback; refusals carry no SQL or stack.
// Each test starts with an empty outbox, queue and ERP state.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { Journal } from '../../app/plugin/journal.js';
import { Outbox } from '../../app/plugin/outbox.js';
import { withLease } from '../../app/plugin/lease.js';
import { pushLease } from '../../app/plugin/run-leases.js';
import { ensureApiUser, listAdminOrderStatuses } from '../../app/shop/order-history.js';
import { OrderStatusService, STATUS_KIND } from '../../app/sync/order-status.js';
import { PushError } from '../../app/sync/push-service.js';
import { DEFAULT_STATUS_NAMES } from '../../app/sync/order-status-map.js';
import { formatDateTime } from '../../app/util/time.js';
import { ensureApiTables, startFakeShopApi, type FakeShopApi, type HistoryPost } from '../support/fake-shop-api.js';
import { placeOrder, setOrderStatus } from '../support/orders.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const USER = 'erp-bridge';
const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
const notFound = { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error: 'Warning: Order could not be found!' }) };
const okBody = { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ success: 'Success: You have modified orders!' }) };
const down = { status: 503, body: 'maintenance' };

describe.each(FIXTURE_DIALECT_TARGETS)('the order status service on $name', (target) => {
  let env: TargetEnv;
  let shop: FakeShopApi;
  let svc: OrderStatusService;
  /** The shop statuses each ERP state maps to (chosen in the settings): processing 2 and four others. */
  let S: { invoiced: number; shipped: number; complete: number; cancelled: number; processing: number };
  let names: Map<number, string>;
  const db = () => env.ctx.db;
  const queue = () => db().knex(db().own('status_queue'));
  const queueOf = (orderId: number) => queue().where({ order_id: orderId }).orderBy('id').select();
  const shopStatus = async (orderId: number) => Number((await db().knex(db().t('order')).where({ order_id: orderId }).first('order_status_id')).order_status_id);
  const journal = () => new Journal(db());
  const set = (s: Record<string, string>) => env.ctx.settings.update(s);
  const party = { name: 'Éva', company: '', address1: 'Fő u. 1', address2: '', city: 'Szeged', postcode: '6720', country: 'HU', zone: '' };
  const docOf = (orderId: number, orderNumber: string) => ({
    orderNumber, orderId, date: '2026-11-20 10:00:00', currency: 'HUF', currencyValue: 1, orderCurrency: { code: 'HUF', value: 1 }, shopStatus: { id: 2, name: 'x' }, description: '', headerComment: '', internalNote: '',
    customer: { key: 'C1', recognition: 'smart', processing: 'add', code: 'C1', name: 'Éva', company: '', taxNumber: '', email: 'e@x.hu', phone: '', billing: party, shipping: party },
    articleProcessing: 'manual', revenueGroup: '', payment: { shopCode: 'cod', name: 'U', erpCode: 'U' }, shipping: { shopCode: 'flat.flat', name: 'F', erpCode: 'F' },
    lines: [], totals: { net: 0, vat: [], fixedTaxes: [], gross: 0, shopTotal: 0 },
  }) as unknown as OrderDocument;
  /** A paid order (status 2) whose exported document carries its number. */
  const exported = async (status = 2) => {
    const { orderId } = await placeOrder(db(), { products: [{ productId: 1, name: 'Kés', model: 'K', quantity: 1, price: 100, tax: 27 }] });
    await setOrderStatus(db(), orderId, status);
    const number = `INV-2026-${orderId}`;
    await new Outbox(db()).add([{ orderId, document: docOf(orderId, number), problem: null }]);
    return { orderId, number };
  };
  const push = (records: unknown, o: { dryRun?: boolean; actor?: string } = {}) =>
    svc.push({ body: Buffer.from(JSON.stringify(records)), contentType: 'application/json', actor: o.actor ?? 'erp', dryRun: o.dryRun });
  const pushError = (p: Promise<unknown>) => p.then(() => { throw new Error('no error'); }, (e: unknown) => e as PushError);
  const when = (ms: number) => formatDateTime(new Date(Date.now() + ms));
  /** The shop's API taking a change as OpenCart does: the order's status and a history row. */
  const ok = async (p: HistoryPost) => {
    await setOrderStatus(db(), Number(p.query.order_id), Number(p.form.order_status_id));
    return okBody;
  };
  const queueRow = (orderId: number, orderStatusId: number, over: Record<string, unknown> = {}) =>
    queue().insert({ order_id: orderId, erp_state: 'szamlazva', order_status_id: orderStatusId, notify: 1, override: 0, comment: 'c', state: 'waiting', attempts: 0, run_id: 1, created_at: '2026-11-20 10:00:00', ...over });

  beforeAll(async () => {
    env = await openTarget(target);
    await ensureApiTables(db());
    const key = 'k'.repeat(64);
    await ensureApiUser(db(), USER, ['127.0.0.1']);
    await db().knex(db().t('api')).where({ username: USER }).update({ key });
    shop = await startFakeShopApi({ username: USER, key });
    // No status of the returned state by name: it must be chosen (the refusal test).
    const returnedNames = DEFAULT_STATUS_NAMES.visszakuldve.map(norm);
    for (const s of await db().knex(db().t('order_status')).select('order_status_id', 'language_id', 'name'))
      if (returnedNames.includes(norm(String(s.name)))) await db().knex(db().t('order_status')).where({ order_status_id: s.order_status_id, language_id: s.language_id }).update({ name: `Régi ${s.order_status_id}` });
    const statuses = await listAdminOrderStatuses(db());
    names = new Map(statuses.map((s) => [s.orderStatusId, s.name]));
    const others = statuses.map((s) => s.orderStatusId).filter((id) => id !== 2);
    S = { processing: 2, invoiced: others[0]!, shipped: others[1]!, complete: others[2]!, cancelled: others[3]! };
    await set({ status_map_szamlazva: String(S.invoiced), status_map_szallitas_alatt: String(S.shipped), status_map_teljesitve: String(S.complete), status_map_sztornozva: String(S.cancelled), status_map_visszakuldve: '' });
    svc = new OrderStatusService(db(), env.ctx.settings, { apiTimeoutMs: 2000 });
  });
  beforeEach(async () => {
    for (const t of ['outbox', 'status_queue', 'order_erp_state', 'lease']) await db().knex(db().own(t)).delete();
    shop.posts.length = 0;
    shop.answerHistory(ok);
    await set({ shop_url: shop.shopUrl, shop_api_user: USER, status_notify: 'yes', status_direct_fallback: 'no', max_body_mb: '64' });
  });
  afterAll(async () => {
    await shop?.close();
    await env?.cleanup();
  });

  it('answers each record, queues the change with what the ERP said, applies it through the shop\'s API, and journals the run', async () => {
    const a = await exported();
    const t0 = performance.now();
    const r = await push([
      { rendelesszam: a.number, allapot: 'szamlazva', szamlaszam: 'SZ-1', extra_mezo: 'x' },
      { rendelesszam: a.number, allapot: 'szamlazva' },
      { order_id: 99999999, allapot: 'szamlazva' },
      { rendelesszam: 'NINCS-77', allapot: 'szamlazva' },
      { order_id: a.orderId, allapot: 'elveszett' },
    ], { actor: 'erp@10.0.0.1' });
    const took = performance.now() - t0;
    expect(r).toEqual({
      run: expect.any(Number), kind: 'order-status', dryRun: false, status: 'partial', format: 'json', charset: 'utf-8',
      counts: { received: 5, updated: 1, unchanged: 1, created: 0, unknown: 2, ambiguous: 0, invalid: 1, ignored: 0 },
      ignoredFields: [], unknownFields: ['extra_mezo'],
      notApplied: [
        { record: 3, code: '99999999', outcome: 'unknown', reason: 'the shop has no order 99999999' },
        { record: 4, code: 'NINCS-77', outcome: 'unknown', reason: 'no order exported by erp-bridge carries this order number' },
        { record: 5, code: String(a.orderId), outcome: 'invalid', reason: expect.stringMatching(/^allapot "elveszett" is not one of/) },
      ],
      shop: { applied: 1, waiting: 0, failed: 0, error: null },
      durationMs: expect.any(Number),
    });
    expect(r.durationMs).toBeLessThanOrEqual(Math.ceil(took));
    expect(shop.posts).toEqual([{ flavor: 'session3', query: { route: 'api/order/history', api_token: expect.any(String), order_id: String(a.orderId) }, form: { order_status_id: String(S.invoiced), notify: '1', override: '0', comment: 'Számlaszám: SZ-1' } }]);
    const [q] = await queueOf(a.orderId);
    expect(q).toMatchObject({ erp_state: 'szamlazva', order_status_id: S.invoiced, notify: 1, override: 0, comment: 'Számlaszám: SZ-1', state: 'applied', applied_via: 'api', attempts: 1, last_error: null, run_id: r.run });
    expect(await db().knex(db().own('order_erp_state')).where({ order_id: a.orderId }).first()).toMatchObject({ erp_state: 'szamlazva', invoice_number: 'SZ-1', tracking_number: '', carrier: '', shop_status_id: S.invoiced, run_id: r.run });
    const run = (await journal().get(r.run))!;
    expect(run).toMatchObject({ kind: 'order-status', actor: 'erp@10.0.0.1', status: 'partial', http_status: 200, message: "in the shop: 1 applied, 0 waiting for the shop's API" });
    expect([run.received, run.updated, run.unchanged, run.unknown, run.invalid].map(Number)).toEqual([5, 1, 1, 2, 1]);
    expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
    expect((await journal().items(r.run)).map((i) => [i.seq, i.code, i.outcome])).toEqual([[3, '99999999', 'unknown'], [4, 'NINCS-77', 'unknown'], [5, String(a.orderId), 'invalid']]);
  });

  it('an all-good document is ok; nothing to change writes nothing and has no shop message', async () => {
    const a = await exported();
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva' }]);
    expect(r).toMatchObject({ status: 'ok', counts: { received: 1, updated: 1 }, notApplied: [], shop: { applied: 1, waiting: 0, failed: 0, error: null } });
    expect(await journal().get(r.run)).toMatchObject({ status: 'ok' });
    const again = await push([{ order_id: a.orderId, allapot: 'szamlazva' }]);
    expect(again).toMatchObject({ status: 'ok', counts: { received: 1, updated: 0, unchanged: 1 }, shop: { applied: 0, waiting: 0, failed: 0, error: null } });
    expect(await journal().get(again.run)).toMatchObject({ status: 'ok', message: null });
    expect(await queueOf(a.orderId)).toHaveLength(1);
    expect(shop.posts).toHaveLength(1);
  });

  it('an order number carried by two exported documents is refused: the ERP must name the order by id', async () => {
    await new Outbox(db()).add([{ orderId: 9100009, document: docOf(9100009, 'DUP-9100009'), problem: null }, { orderId: 9, document: docOf(9, 'DUP-9100009'), problem: null }]);
    // An unreadable stored document carries no number.
    await new Outbox(db()).add([{ orderId: 7200007, document: docOf(7200007, 'BAD-7200007'), problem: null }]);
    await db().knex(db().own('outbox')).where({ order_id: 7200007 }).update({ document: '{' });
    const r = await push([{ rendelesszam: 'DUP-9100009', allapot: 'szamlazva' }, { rendelesszam: 'BAD-7200007', allapot: 'szamlazva' }]);
    expect(r.notApplied).toEqual([
      { record: 1, code: 'DUP-9100009', outcome: 'invalid', reason: 'order number "DUP-9100009" is carried by orders 9100009, 9: name the order by order_id' },
      { record: 2, code: 'BAD-7200007', outcome: 'unknown', reason: 'no order exported by erp-bridge carries this order number' },
    ]);
    expect(r.counts).toMatchObject({ invalid: 1, unknown: 1, updated: 0 });
  });

  it('an abandoned checkout (status 0) is no order of the shop', async () => {
    const { orderId } = await placeOrder(db(), { products: [{ productId: 1, name: 'Kés', model: 'K', quantity: 1, price: 100, tax: 27 }] });
    const r = await push([{ order_id: orderId, allapot: 'szamlazva' }]);
    expect(r.notApplied).toEqual([{ record: 1, code: String(orderId), outcome: 'unknown', reason: `the shop has no order ${orderId}` }]);
  });

  it('refuses a state with no shop status chosen or found by name, naming the setting', async () => {
    const a = await exported();
    const r = await push([{ order_id: a.orderId, allapot: 'visszakuldve' }]);
    expect(r.notApplied).toEqual([{ record: 1, code: String(a.orderId), outcome: 'invalid', reason: 'no shop order status is chosen for "visszakuldve" and none has a matching name (setting status_map_visszakuldve)' }]);
    expect(await queueOf(a.orderId)).toEqual([]);
  });

  it('moves an order out of a final status only with force, naming both statuses', async () => {
    const done = await exported(S.complete);
    const cancelled = await exported(S.cancelled);
    const r = await push([{ order_id: done.orderId, allapot: 'szallitas_alatt' }, { order_id: cancelled.orderId, allapot: 'teljesitve' }, { order_id: done.orderId, allapot: 'teljesitve', szamlaszam: 'SZ-9' }]);
    expect(r.notApplied).toEqual([
      { record: 1, code: String(done.orderId), outcome: 'invalid', reason: `order ${done.orderId} is "${names.get(S.complete)}", a final status: send force=1 to change it to "${names.get(S.shipped)}"` },
      { record: 2, code: String(cancelled.orderId), outcome: 'invalid', reason: `order ${cancelled.orderId} is "${names.get(S.cancelled)}", a final status: send force=1 to change it to "${names.get(S.complete)}"` },
    ]);
    // The same final status with new information is no move: it is queued.
    expect(r.counts).toMatchObject({ updated: 1, invalid: 2 });
    const forced = await push([{ order_id: done.orderId, allapot: 'szallitas_alatt', force: 1 }]);
    expect(forced.counts).toMatchObject({ updated: 1, invalid: 0 });
    expect((await queueOf(done.orderId)).map((q) => q.order_status_id)).toEqual([S.complete, S.shipped]);
    // A status the shop no longer lists is named by its id.
    await db().knex(db().t('order')).where({ order_id: cancelled.orderId }).update({ order_status_id: 4242 });
    await set({ status_map_sztornozva: '' });
    try {
      const stat = await push([{ order_id: cancelled.orderId, allapot: 'szamlazva' }]);
      expect(stat.counts.updated).toBe(1);
    } finally {
      await set({ status_map_sztornozva: String(S.cancelled) });
    }
  });

  it('the same status with new information is a change; the comment keeps what the ERP said before', async () => {
    const a = await exported();
    await push([{ order_id: a.orderId, allapot: 'szallitas_alatt', szamlaszam: 'SZ-1', szallito: 'GLS' }]);
    const cases: Array<[Record<string, string>, boolean]> = [
      [{}, false], [{ szamlaszam: 'SZ-1' }, false], [{ szallito: 'GLS' }, false],
      [{ fuvarlevelszam: 'T-1' }, true], [{ fuvarlevelszam: 'T-1' }, false],
      [{ szamlaszam: 'SZ-2' }, true], [{ szallito: 'DPD' }, true],
    ];
    for (const [extra, changes] of cases) {
      const r = await push([{ order_id: a.orderId, allapot: 'szallitas_alatt', ...extra }]);
      expect([r.counts.updated, r.counts.unchanged], JSON.stringify(extra)).toEqual(changes ? [1, 0] : [0, 1]);
    }
    const comments = (await queueOf(a.orderId)).map((q) => String(q.comment));
    expect(comments).toEqual([
      'Számlaszám: SZ-1\nSzállító: GLS',
      'Számlaszám: SZ-1\nSzállító: GLS\nCsomagszám: T-1\nNyomkövetés: https://gls-group.com/HU/hu/csomagkovetes?match=T-1',
      'Számlaszám: SZ-2\nSzállító: GLS\nCsomagszám: T-1\nNyomkövetés: https://gls-group.com/HU/hu/csomagkovetes?match=T-1',
      'Számlaszám: SZ-2\nSzállító: DPD\nCsomagszám: T-1\nNyomkövetés: https://tracking.dpd.de/status/hu_HU/parcel/T-1',
    ]);
    expect(await db().knex(db().own('order_erp_state')).where({ order_id: a.orderId }).first()).toMatchObject({ erp_state: 'szallitas_alatt', invoice_number: 'SZ-2', tracking_number: 'T-1', carrier: 'DPD', shop_status_id: S.shipped });
  });

  it('two records of one order in one document: the second sees the first\'s change', async () => {
    const a = await exported();
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva' }, { order_id: a.orderId, allapot: 'szamlazva' }, { order_id: a.orderId, allapot: 'teljesitve' }, { order_id: a.orderId, allapot: 'szallitas_alatt' }]);
    expect(r.counts).toMatchObject({ updated: 2, unchanged: 1, invalid: 1 });
    expect(r.notApplied).toEqual([{ record: 4, code: String(a.orderId), outcome: 'invalid', reason: expect.stringMatching(/a final status: send force=1/) }]);
    expect(shop.posts.map((p) => p.form.order_status_id)).toEqual([String(S.invoiced), String(S.complete)]);
    expect(await db().knex(db().own('order_erp_state')).where({ order_id: a.orderId }).select('erp_state')).toEqual([{ erp_state: 'teljesitve' }]);
  });

  it('notifies the customer as the record says, else as the setting says', async () => {
    const a = await exported();
    await set({ status_notify: 'no' });
    await push([{ order_id: a.orderId, allapot: 'szamlazva' }, { order_id: a.orderId, allapot: 'szallitas_alatt', ertesites: 1 }]);
    await set({ status_notify: 'yes' });
    await push([{ order_id: a.orderId, allapot: 'teljesitve', ertesites: 0 }, { order_id: a.orderId, allapot: 'teljesitve', szamlaszam: 'X' }]);
    expect((await queueOf(a.orderId)).map((q) => Number(q.notify))).toEqual([0, 1, 0, 1]);
    expect(shop.posts.map((p) => p.form.notify)).toEqual(['0', '1', '0', '1']);
  });

  it('a dry run answers the same and writes nothing', async () => {
    const a = await exported();
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva', szamlaszam: 'SZ-1' }, { order_id: 99999998, allapot: 'szamlazva' }], { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, status: 'partial', counts: { received: 2, updated: 1, unknown: 1 }, shop: { applied: 0, waiting: 0, failed: 0, error: null } });
    expect(await queueOf(a.orderId)).toEqual([]);
    expect(await db().knex(db().own('order_erp_state')).where({ order_id: a.orderId }).first()).toBeUndefined();
    expect(shop.posts).toEqual([]);
    expect(await journal().get(r.run)).toMatchObject({ dry_run: expect.anything(), status: 'partial', message: 'dry run: nothing was written' });
    expect(Boolean(Number((await journal().get(r.run))!.dry_run))).toBe(true);
  });

  it('says in its answer and journal what waits for the shop and what the shop refused', async () => {
    const a = await exported();
    const b = await exported();
    shop.answerHistory((p) => (p.query.order_id === String(a.orderId) ? notFound : ok(p)));
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva' }, { order_id: b.orderId, allapot: 'szamlazva' }]);
    expect(r.shop).toEqual({ applied: 1, waiting: 0, failed: 1, error: "the shop's API answered: Warning: Order could not be found!" });
    expect((await journal().get(r.run))!.message).toBe("in the shop: 1 applied, 0 waiting for the shop's API, 1 refused by the shop (the shop's API answered: Warning: Order could not be found!)");
    shop.answerHistory(() => down);
    const c = await exported();
    const w = await push([{ order_id: c.orderId, allapot: 'szamlazva' }]);
    expect(w.shop).toEqual({ applied: 0, waiting: 1, failed: 0, error: "the shop's API answered HTTP 503 without a result (maintenance)" });
    expect((await journal().get(w.run))!.message).toBe("in the shop: 0 applied, 1 waiting for the shop's API (the shop's API answered HTTP 503 without a result (maintenance))");
  });

  it('applying in the shop failing outright leaves the changes queued; the answer holds a plain sentence, stderr the detail', async () => {
    const a = await exported();
    const other = new OrderStatusService(db(), env.ctx.settings);
    other.drain = () => Promise.reject(new Error('SELECT secret FROM boom'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const r = await other.push({ body: Buffer.from(JSON.stringify([{ order_id: a.orderId, allapot: 'szamlazva' }])), contentType: 'application/json', actor: 'erp' });
      expect(r.shop).toEqual({ applied: 0, waiting: 1, failed: 0, error: 'applying the changes in the shop failed; they wait and are retried' });
      expect(JSON.stringify(r)).not.toContain('SELECT');
      await new Promise((res) => setImmediate(res));
      expect(warnings).toContain('order-status: applying in the shop failed: SELECT secret FROM boom');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('applies within its budget: none left for it, the change waits for the scheduler', async () => {
    const a = await exported();
    const r = await new OrderStatusService(db(), env.ctx.settings, { applyBudgetMs: -1000 }).push({ body: Buffer.from(JSON.stringify([{ order_id: a.orderId, allapot: 'szamlazva' }])), contentType: 'application/json', actor: 'erp' });
    expect(r.shop).toEqual({ applied: 0, waiting: 1, failed: 0, error: null });
    expect(shop.posts).toEqual([]);
  });

  it('refuses a document over the size limit with 413, journalled as rejected', async () => {
    await set({ max_body_mb: '1' });
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const e = await pushError(svc.push({ body, contentType: 'application/json', actor: 'erp' }));
    expect(e).toBeInstanceOf(PushError);
    expect([e.status, e.message]).toEqual([413, 'the document is 1048577 bytes, over the limit of 1 MB (setting max_body_mb)']);
    expect(await journal().get(e.run!)).toMatchObject({ kind: 'order-status', status: 'rejected', http_status: 413, message: e.message });
    // Exactly the limit is read (and refused as JSON, not as too big).
    const at = await pushError(svc.push({ body: Buffer.alloc(1024 * 1024, 0x20), contentType: 'application/json', actor: 'erp' }));
    expect(at.status).toBe(400);
  });

  it('refuses a malformed document whole with 400, journalled as rejected, without SQL or a stack', async () => {
    const a = await exported();
    const e = await pushError(svc.push({ body: Buffer.from(`[{"order_id": ${a.orderId}, "allapot": "szamlazva"}, {`), contentType: 'application/json', actor: 'erp' }));
    expect(e.status).toBe(400);
    expect(e.message).not.toMatch(/SELECT|INSERT|\n\s+at /);
    expect(await journal().get(e.run!)).toMatchObject({ status: 'rejected', http_status: 400, message: e.message });
    expect(await queueOf(a.orderId)).toEqual([]);
  });

  it('an internal failure answers 500 with a reference, journalled as failed, without SQL', async () => {
    const a = await exported();
    const name = db().own('order_erp_state');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      const e = await pushError(push([{ order_id: a.orderId, allapot: 'szamlazva' }]));
      expect(e.status).toBe(500);
      expect(e.message).toMatch(/^internal error \(reference [^;]+; the details are in the log\)$/);
      expect(await journal().get(e.run!)).toMatchObject({ status: 'failed', http_status: 500, message: e.message });
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
    }
  });

  it('a journal that cannot be written for lost connection answers 503 without a run; another failure is thrown as it is', async () => {
    const broken = new OrderStatusService(db(), env.ctx.settings);
    const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    broken.journal.start = () => Promise.reject(lost);
    const e = await pushError(broken.push({ body: Buffer.from('[]'), contentType: 'application/json', actor: 'erp' }));
    expect(e).toBeInstanceOf(PushError);
    expect([e.status, e.run, e.retryAfter]).toEqual([503, null, 30]);
    expect(e.message).toMatch(/^the shop database is unavailable: /);
    const other = new Error('disk full');
    broken.journal.start = () => Promise.reject(other);
    expect(await pushError(broken.push({ body: Buffer.from('[]'), contentType: 'application/json', actor: 'erp' }))).toBe(other);
  });

  it('takes over the status lease of a push that died, marking its run interrupted', async () => {
    const a = await exported();
    const dead = await journal().start(STATUS_KIND, 'erp');
    await db().knex(db().own('lease')).insert({ name: pushLease(STATUS_KIND), holder: `run:${dead}`, expires_at: 1 });
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva' }]);
    expect(r.counts.updated).toBe(1);
    expect(await journal().get(dead)).toMatchObject({ status: 'interrupted' });
  });

  it('echoes long unknown field names and codes cut, with their length', async () => {
    const field = 'm'.repeat(70);
    const code = `X-${'9'.repeat(62)}`;
    const r = await push([{ rendelesszam: code, allapot: 'szamlazva', [field]: '1' }]);
    expect(r.unknownFields).toEqual([`${'m'.repeat(64)}… (70 characters)`]);
    expect(r.notApplied[0]!.code).toBe(code);
  });

  it('hands the queue to the shop only after a push that queued something, never on a dry run', async () => {
    const a = await exported();
    const other = await exported();
    await queueRow(other.orderId, S.invoiced);
    const dry = await push([{ order_id: a.orderId, allapot: 'szamlazva' }], { dryRun: true });
    expect(dry.shop).toEqual({ applied: 0, waiting: 0, failed: 0, error: null });
    await push([{ order_id: a.orderId, allapot: 'visszakuldve' }]);
    expect(shop.posts).toEqual([]);
    expect((await queueOf(other.orderId))[0].state).toBe('waiting');
    const r = await push([{ order_id: a.orderId, allapot: 'szamlazva' }]);
    expect(r.shop).toEqual({ applied: 1, waiting: 0, failed: 0, error: null });
    expect(shop.posts.map((p) => p.query.order_id)).toEqual([String(other.orderId), String(a.orderId)]);
  });

  it('the current status is the last change still waiting for the shop, else the shop\'s own', async () => {
    const a = await exported();
    await queueRow(a.orderId, S.invoiced, { state: 'waiting', next_attempt_at: '2999-01-01 00:00:00' });
    await queueRow(a.orderId, S.shipped, { state: 'waiting', next_attempt_at: '2999-01-01 00:00:00' });
    const r = await push([{ order_id: a.orderId, allapot: 'szallitas_alatt' }, { order_id: a.orderId, allapot: 'szamlazva' }], { dryRun: true });
    expect([r.counts.unchanged, r.counts.updated]).toEqual([1, 1]);
    // A change applied (or failed) long ago is not the current status: the shop's is.
    await queue().where({ order_id: a.orderId }).update({ state: 'applied' });
    const b = await exported();
    await queueRow(b.orderId, S.shipped, { state: 'failed' });
    const d = await push([{ order_id: a.orderId, allapot: 'szallitas_alatt' }, { order_id: b.orderId, allapot: 'szallitas_alatt' }], { dryRun: true });
    expect([d.counts.unchanged, d.counts.updated]).toEqual([0, 2]);
  });

  it('what the ERP said of an order is rewritten only when the order changed', async () => {
    const a = await exported();
    const b = await exported();
    const first = await push([{ order_id: a.orderId, allapot: 'szamlazva', szamlaszam: 'SZ-A' }, { order_id: b.orderId, allapot: 'szamlazva' }]);
    const second = await push([{ order_id: a.orderId, allapot: 'szamlazva', szamlaszam: 'SZ-A' }, { order_id: b.orderId, allapot: 'szallitas_alatt' }]);
    const states = await db().knex(db().own('order_erp_state')).whereIn('order_id', [a.orderId, b.orderId]).orderBy('order_id').select('order_id', 'run_id', 'erp_state');
    expect(states.map((s) => [Number(s.order_id), Number(s.run_id), s.erp_state])).toEqual([[a.orderId, first.run, 'szamlazva'], [b.orderId, second.run, 'szallitas_alatt']]);
  });

  it('the warning to stderr about applying in the shop is cut to 2000 characters', async () => {
    const a = await exported();
    const other = new OrderStatusService(db(), env.ctx.settings);
    other.drain = () => Promise.reject(new Error('x'.repeat(3000)));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await other.push({ body: Buffer.from(JSON.stringify([{ order_id: a.orderId, allapot: 'szamlazva' }])), contentType: 'application/json', actor: 'erp' });
      await new Promise((res) => setImmediate(res));
      expect(warnings.map((w) => w.length)).toEqual([2000]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reject journals a call refused before its document was read', async () => {
    const run = await svc.reject('erp@1.2.3.4', 401, 'wrong key');
    expect(await journal().get(run!)).toMatchObject({ kind: 'order-status', actor: 'erp@1.2.3.4', status: 'rejected', http_status: 401, message: 'wrong key' });
  });

  describe('the queue', () => {
    it('nothing waiting: nothing asked of the shop, and no lease taken', async () => {
      await queueRow(1, 2, { state: 'applied' });
      expect(await svc.drain()).toEqual({ applied: 0, direct: 0, retrying: 0, failed: 0, error: null });
      expect(shop.seen.length).toBe(shop.seen.length);
      expect(shop.posts).toEqual([]);
      expect(await db().knex(db().own('lease')).where({ name: 'task:status-queue' }).first()).toBeUndefined();
    });

    it('applies the waiting changes oldest first, each once, with what was queued', async () => {
      const a = await exported();
      const b = await exported();
      await queueRow(b.orderId, S.invoiced, { comment: 'első', notify: 0 });
      await queueRow(a.orderId, S.shipped, { comment: 'második', override: 1, attempts: 2 });
      await queueRow(b.orderId, S.complete, { comment: 'harmadik' });
      expect(await svc.drain()).toEqual({ applied: 3, direct: 0, retrying: 0, failed: 0, error: null });
      expect(shop.posts.map((p) => [p.query.order_id, p.form])).toEqual([
        [String(b.orderId), { order_status_id: String(S.invoiced), notify: '0', override: '0', comment: 'első' }],
        [String(a.orderId), { order_status_id: String(S.shipped), notify: '1', override: '1', comment: 'második' }],
        [String(b.orderId), { order_status_id: String(S.complete), notify: '1', override: '0', comment: 'harmadik' }],
      ]);
      const rows = await queue().orderBy('id').select();
      expect(rows.map((q) => [q.state, q.applied_via, Number(q.attempts), q.last_error])).toEqual([['applied', 'api', 1, null], ['applied', 'api', 3, null], ['applied', 'api', 1, null]]);
      for (const q of rows) expect(String(q.applied_at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(await svc.drain()).toEqual({ applied: 0, direct: 0, retrying: 0, failed: 0, error: null });
      expect(shop.posts).toHaveLength(3);
    });

    it('a change not due yet holds back the later changes of its order, not the others; "all" ignores the delay', async () => {
      const a = await exported();
      const b = await exported();
      await queueRow(a.orderId, S.invoiced, { next_attempt_at: '2999-01-01 00:00:00' });
      await queueRow(a.orderId, S.shipped);
      await queueRow(b.orderId, S.invoiced, { next_attempt_at: '2000-01-01 00:00:00' });
      expect(await svc.drain()).toEqual({ applied: 1, direct: 0, retrying: 0, failed: 0, error: null });
      expect(shop.posts.map((p) => p.query.order_id)).toEqual([String(b.orderId)]);
      expect(await svc.drain({ all: true })).toMatchObject({ applied: 2 });
      expect(shop.posts.map((p) => [p.query.order_id, p.form.order_status_id])).toEqual([[String(b.orderId), String(S.invoiced)], [String(a.orderId), String(S.invoiced)], [String(a.orderId), String(S.shipped)]]);
    });

    it('a change the shop refuses fails, its order\'s later changes wait, the other orders go on', async () => {
      const a = await exported();
      const b = await exported();
      shop.answerHistory((p) => (p.query.order_id === String(a.orderId) ? notFound : ok(p)));
      await queueRow(a.orderId, S.invoiced, { attempts: 1 });
      await queueRow(a.orderId, S.shipped);
      await queueRow(b.orderId, S.invoiced);
      expect(await svc.drain()).toEqual({ applied: 1, direct: 0, retrying: 0, failed: 1, error: "the shop's API answered: Warning: Order could not be found!" });
      const rows = await queue().orderBy('id').select();
      expect(rows.map((q) => [q.state, Number(q.attempts), q.last_error])).toEqual([
        ['failed', 2, "the shop's API answered: Warning: Order could not be found!"], ['waiting', 0, null], ['applied', 1, null],
      ]);
      expect(await svc.waiting()).toEqual({ waiting: 1, failed: 1, lastError: null });
    });

    it('the shop unable to take changes: this one retried later (30 s, doubling), every waiting change says why, none after it is tried', async () => {
      const a = await exported();
      const b = await exported();
      shop.answerHistory(() => down);
      await queueRow(a.orderId, S.invoiced, { state: 'applied' });
      const [first] = await queueRow(a.orderId, S.shipped, { attempts: 0 });
      await queueRow(b.orderId, S.invoiced);
      await queueRow(a.orderId, S.complete);
      const lo = when(30_000 - 2000);
      const r = await svc.drain();
      const hi = when(30_000 + 2000);
      const error = "the shop's API answered HTTP 503 without a result (maintenance)";
      expect(r).toEqual({ applied: 0, direct: 0, retrying: 3, failed: 0, error });
      expect(shop.posts).toHaveLength(1);
      const rows = await queue().orderBy('id').select();
      expect(rows.map((q) => [q.state, Number(q.attempts), q.last_error])).toEqual([['applied', 0, null], ['waiting', 1, error], ['waiting', 0, error], ['waiting', 0, error]]);
      const next = String(rows[1].next_attempt_at);
      expect(next >= lo && next <= hi, `${lo} <= ${next} <= ${hi}`).toBe(true);
      expect(rows[2].next_attempt_at).toBeNull();
      expect(await svc.waiting()).toEqual({ waiting: 3, failed: 0, lastError: error });
      // The third attempt waits two minutes.
      await queue().where({ id: first }).update({ attempts: 2, next_attempt_at: null });
      const lo2 = when(120_000 - 2000);
      await svc.drain();
      const hi2 = when(120_000 + 2000);
      const again = await queue().where({ id: first }).first();
      expect(Number(again.attempts)).toBe(3);
      expect(String(again.next_attempt_at) >= lo2 && String(again.next_attempt_at) <= hi2).toBe(true);
    });

    it('the owner\'s fallback writes a change the API cannot take straight into the shop, saying so; a refused one is not', async () => {
      const a = await exported();
      const b = await exported();
      await set({ status_direct_fallback: 'yes' });
      shop.answerHistory((p) => (p.query.order_id === String(a.orderId) ? down : notFound));
      await queueRow(a.orderId, S.shipped, { comment: 'Csomag <úton> & "kész"', attempts: 1 });
      await queueRow(b.orderId, S.invoiced);
      expect(await svc.drain()).toEqual({ applied: 0, direct: 1, retrying: 0, failed: 1, error: "the shop's API answered: Warning: Order could not be found!" });
      const [qa] = await queueOf(a.orderId);
      expect(qa).toMatchObject({ state: 'applied', applied_via: 'direct', attempts: 2, last_error: "the shop's API answered HTTP 503 without a result (maintenance); written directly (no e-mail)" });
      expect(await shopStatus(a.orderId)).toBe(S.shipped);
      const h = await db().knex(db().t('order_history')).where({ order_id: a.orderId }).orderBy('order_history_id', 'desc').first();
      expect(h).toMatchObject({ order_status_id: S.shipped, notify: 0, comment: 'Csomag &lt;úton&gt; &amp; &quot;kész&quot;' });
      expect(await shopStatus(b.orderId)).toBe(2);
      expect((await queueOf(b.orderId))[0]).toMatchObject({ state: 'failed' });
    });

    it('names a missing API user in the stored reason; the shop\'s long refusal is stored cut to its first 300 characters', async () => {
      const a = await exported();
      shop.answerHistory(() => ({ status: 500, body: 'x' }));
      await queueRow(a.orderId, S.invoiced);
      await db().knex(db().t('api')).where({ username: USER }).update({ status: 0 });
      await set({ shop_api_user: 'u'.repeat(64) });
      try {
        const r = await svc.drain();
        expect(r.error).toBe(`the shop has no enabled API user "${'u'.repeat(64)}" (System → Users → API)`);
      } finally {
        await db().knex(db().t('api')).where({ username: USER }).update({ status: 1 });
      }
      shop.answerHistory(() => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error: 'e'.repeat(3000) }) }));
      await set({ shop_api_user: USER });
      await queue().update({ next_attempt_at: null });
      await svc.drain();
      expect(String((await queueOf(a.orderId))[0].last_error)).toHaveLength("the shop's API answered: ".length + 300);
    });

    it('an applied change forgets the reason it waited; a retry after applied changes counts only the changes left', async () => {
      const a = await exported();
      const b = await exported();
      await queueRow(a.orderId, S.invoiced, { last_error: 'the shop was down' });
      shop.answerHistory((p) => (p.query.order_id === String(a.orderId) ? ok(p) : down));
      await queueRow(b.orderId, S.invoiced);
      await queueRow(a.orderId, S.shipped);
      expect(await svc.drain()).toEqual({ applied: 1, direct: 0, retrying: 2, failed: 0, error: "the shop's API answered HTTP 503 without a result (maintenance)" });
      expect((await queueOf(a.orderId)).map((q) => [q.state, q.last_error])).toEqual([['applied', null], ['waiting', "the shop's API answered HTTP 503 without a result (maintenance)"]]);
    });

    it('one runner at a time: a drain while another holds the queue is skipped, or waits when asked', async () => {
      const a = await exported();
      await queueRow(a.orderId, S.invoiced);
      const busy = await withLease(db(), 'task:status-queue', 'other', () => svc.drain(), { waitMs: 0 });
      expect(busy).toEqual({ applied: 0, direct: 0, retrying: 0, failed: 0, error: null, skipped: 'another run is applying status changes' });
      expect(shop.posts).toEqual([]);
      let release!: () => void;
      const held = withLease(db(), 'task:status-queue', 'other', () => new Promise<void>((r) => { release = r; }), { waitMs: 0 });
      await new Promise((r) => setTimeout(r, 50));
      const waiting = svc.drain({ waitMs: 5000 });
      await new Promise((r) => setTimeout(r, 200));
      release();
      await held;
      expect(await waiting).toMatchObject({ applied: 1 });
    });

    it('what the admin sees: how many wait or failed and the first reason; the ERP\'s word on each order', async () => {
      const a = await exported();
      const b = await exported();
      expect(await svc.waiting()).toEqual({ waiting: 0, failed: 0, lastError: null });
      expect(await svc.erpStatesOf([])).toEqual(new Map());
      await queueRow(a.orderId, S.invoiced, { state: 'failed', last_error: 'refused' });
      await queueRow(a.orderId, S.invoiced, { last_error: null });
      await queueRow(b.orderId, S.invoiced, { last_error: 'first reason' });
      await queueRow(b.orderId, S.invoiced, { last_error: 'second reason' });
      expect(await svc.waiting()).toEqual({ waiting: 3, failed: 1, lastError: 'first reason' });
      await db().knex(db().own('order_erp_state')).insert([
        { order_id: a.orderId, erp_state: 'szamlazva', invoice_number: 'SZ-1', tracking_number: '', carrier: '', shop_status_id: S.invoiced, run_id: 1, updated_at: '2026-11-20 10:00:00' },
        { order_id: 99999997, erp_state: 'teljesitve', invoice_number: '', tracking_number: 'T', carrier: 'GLS', shop_status_id: S.complete, run_id: 1, updated_at: '2026-11-20 10:00:00' },
      ]);
      await queue().where({ order_id: a.orderId }).update({ state: 'applied' });
      expect(await svc.erpStatesOf([a.orderId, b.orderId, 99999997])).toEqual(new Map([
        [a.orderId, { state: 'szamlazva', invoice: 'SZ-1', tracking: '', carrier: '', waiting: false }],
        [99999997, { state: 'teljesitve', invoice: '', tracking: 'T', carrier: 'GLS', waiting: false }],
      ]));
      await queueRow(99999997, S.invoiced);
      expect((await svc.erpStatesOf([99999997])).get(99999997)!.waiting).toBe(true);
    });
  });
});
