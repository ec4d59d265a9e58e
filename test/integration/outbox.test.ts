// The order-export outbox (app/plugin/outbox.ts) on each database, through its own methods: an
// order is added once, claimed by one worker only while due and unclaimed, exported, retried or
// held with a bounded reason, acknowledged only as the feed served it, and sent again by the admin.
// Two workers claiming at once (the row lock) is in races.test.ts. Each test empties the outbox
// first, so it stands alone.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import type { AckRecord } from '../../app/erp/order-ack.js';
import { Outbox, type OutboxState } from '../../app/plugin/outbox.js';
import { formatDateTime } from '../../app/util/time.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const doc = (orderId: number, orderNumber: string | number = orderId, total = 10) =>
  ({ orderNumber: String(orderNumber), totals: { shopTotal: total } }) as unknown as OrderDocument;
const byId = (seq: number, id: number, erpDocumentId: string | null = null): AckRecord => ({ seq, ref: { kind: 'id', id, text: String(id) }, erpDocumentId }) as AckRecord;
const byNumber = (seq: number, number: string, erpDocumentId: string | null = null): AckRecord => ({ seq, ref: { kind: 'number', number, text: number }, erpDocumentId }) as AckRecord;
const at = (msFromNow: number) => formatDateTime(new Date(Date.now() + msFromNow));

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('the outbox on $name', (target) => {
  let env: TargetEnv;
  let outbox: Outbox;
  const db = () => env.ctx.db;
  const table = () => db().knex(db().own('outbox'));
  const add = (ids: number[], problem: string | null = null) => outbox.add(ids.map((id) => ({ orderId: id, document: doc(id), problem })));
  const set = (id: number, values: Record<string, unknown>) => table().where({ order_id: id }).update(values);
  const state = async (id: number) => (await outbox.get(id))!.state;

  beforeAll(async () => {
    env = await openTarget(target);
    outbox = new Outbox(db());
  });
  beforeEach(async () => {
    await table().delete();
  });
  afterAll(async () => env?.cleanup());

  it('adds each order once: the same order again is left as it was; a problem holds it for attention with the problem', async () => {
    expect(await outbox.add([{ orderId: 11, document: doc(11, 'INV-11', 12.5), problem: null }, { orderId: 12, document: doc(12), problem: 'no ERP code for shipping' }])).toBe(2);
    expect(await outbox.get(11)).toMatchObject({ state: 'waiting', attempts: 0, last_error: null, total: 12.5, claimed_by: null, exported_at: null });
    expect(JSON.parse((await outbox.get(11))!.document)).toEqual({ orderNumber: 'INV-11', totals: { shopTotal: 12.5 } });
    expect(await outbox.get(12)).toMatchObject({ state: 'attention', last_error: 'no ERP code for shipping' });
    expect(await outbox.add([{ orderId: 11, document: doc(11, 'OTHER', 99), problem: 'x' }, { orderId: 13, document: doc(13), problem: null }])).toBe(1);
    expect(await outbox.get(11)).toMatchObject({ state: 'waiting', total: 12.5 });
  });

  it('adds a large batch in chunks, every order once', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => 1000 + i);
    expect(await add(ids)).toBe(250);
    expect(await add([...ids.slice(0, 10), 2000])).toBe(1);
    expect(await outbox.counts()).toEqual({ waiting: 251 });
  });

  it('the feed pages the waiting documents oldest first after an order id; the admin\'s list pages newest first, by state', async () => {
    await add([5, 1, 3, 4, 2]);
    await set(2, { state: 'exported' });
    await set(4, { state: 'failed' });
    expect((await outbox.waiting(10)).map((r) => r.order_id)).toEqual([1, 3, 5]);
    expect((await outbox.waiting(1)).map((r) => r.order_id)).toEqual([1]);
    expect((await outbox.waiting(10, 1)).map((r) => r.order_id)).toEqual([3, 5]);
    expect((await outbox.list({ limit: 10 })).map((r) => r.order_id)).toEqual([5, 4, 3, 2, 1]);
    expect((await outbox.list({ limit: 2 })).map((r) => r.order_id)).toEqual([5, 4]);
    expect((await outbox.list({ state: 'waiting', limit: 10 })).map((r) => r.order_id)).toEqual([5, 3, 1]);
    expect((await outbox.list({ beforeOrderId: 4, limit: 10 })).map((r) => r.order_id)).toEqual([3, 2, 1]);
    expect(await outbox.counts()).toEqual({ waiting: 3, exported: 1, failed: 1 });
    expect(await outbox.get(99)).toBeUndefined();
  });

  it('claims only waiting orders that are due and unclaimed, oldest first up to the limit, for the worker until the time given', async () => {
    await add([1, 2, 3, 4, 5, 6, 7]);
    await set(1, { state: 'failed' });
    await set(2, { next_attempt_at: at(60_000) }); // retry not due yet
    await set(3, { next_attempt_at: at(-60_000) }); // due
    await set(4, { claimed_by: 'w0', claimed_until: at(60_000) }); // another worker holds it
    await set(5, { claimed_by: 'w0', claimed_until: at(-60_000) }); // that claim ran out
    const until = Date.now() + 120_000;
    const got = await outbox.claim('w1', 2, until);
    expect(got.map((r) => [r.order_id, r.claimed_by, r.claimed_until])).toEqual([[3, 'w1', formatDateTime(new Date(until))], [5, 'w1', formatDateTime(new Date(until))]]);
    expect((await outbox.claim('w2', 10, until)).map((r) => r.order_id)).toEqual([6, 7]);
    expect(await outbox.claim('w3', 10, until)).toEqual([]);
    expect((await outbox.get(4))!.claimed_by).toBe('w0');
  });

  it('an exported order is marked once with its ERP document id, its error and claim cleared; marking it again changes nothing, nor any other order', async () => {
    await add([1, 2]);
    await set(1, { last_error: 'timeout', claimed_by: 'w1', claimed_until: at(60_000), exported_at: null });
    await outbox.markExported(1, 'ERP-1');
    const first = (await outbox.get(1))!;
    expect(first).toMatchObject({ state: 'exported', erp_document_id: 'ERP-1', last_error: null, claimed_by: null, claimed_until: null });
    expect(first.exported_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await set(1, { exported_at: '2000-01-01 00:00:00' });
    await outbox.markExported(1, 'ERP-2');
    expect(await outbox.get(1)).toMatchObject({ erp_document_id: 'ERP-1', exported_at: '2000-01-01 00:00:00' });
    expect(await outbox.get(2)).toMatchObject({ state: 'waiting', erp_document_id: null, exported_at: null });
  });

  it('a failed delivery waits for its next attempt, or fails after the last, with the error cut to 2000 characters; an order no longer waiting is not touched', async () => {
    await add([1, 2, 3]);
    await set(1, { claimed_by: 'w1', claimed_until: at(60_000) });
    const next = at(300_000);
    await outbox.markRetry(1, 'e'.repeat(2500), 2, next);
    expect(await outbox.get(1)).toMatchObject({ state: 'waiting', attempts: 2, next_attempt_at: next, last_error: 'e'.repeat(2000), claimed_by: null, claimed_until: null });
    await outbox.markRetry(2, 'refused', 5, null);
    expect(await outbox.get(2)).toMatchObject({ state: 'failed', attempts: 5, next_attempt_at: null, last_error: 'refused' });
    await set(3, { state: 'exported' });
    await outbox.markRetry(3, 'late error', 1, null);
    expect(await outbox.get(3)).toMatchObject({ state: 'exported', attempts: 0, last_error: null });
  });

  it('releases the claims of a dead worker on waiting orders only, and says how many', async () => {
    await add([1, 2, 3]);
    await set(1, { claimed_by: 'dead', claimed_until: at(60_000) });
    await set(2, { claimed_by: 'dead', claimed_until: at(60_000), state: 'failed' });
    expect(await outbox.releaseClaims()).toBe(1);
    expect(await outbox.get(1)).toMatchObject({ claimed_by: null, claimed_until: null });
    expect((await outbox.get(2))!.claimed_by).toBe('dead');
  });

  it('marks orders served by the feed once: the first serving time is kept', async () => {
    await add([1, 2]);
    await outbox.markFed([]);
    expect((await outbox.get(1))!.fed_at).toBeNull();
    await outbox.markFed([1]);
    expect((await outbox.get(1))!.fed_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await outbox.get(2))!.fed_at).toBeNull();
    await set(1, { fed_at: '2000-01-01 00:00:00' });
    await outbox.markFed([1, 2]);
    expect((await outbox.get(1))!.fed_at).toBe('2000-01-01 00:00:00');
    expect((await outbox.get(2))!.fed_at).not.toBeNull();
  });

  it('holds an order aside with its reason cut to 2000 characters and its claim cleared; an exported order is never held', async () => {
    await add([1, 2]);
    await set(1, { claimed_by: 'w1', claimed_until: at(60_000) });
    await outbox.hold(1, 'r'.repeat(2100));
    expect(await outbox.get(1)).toMatchObject({ state: 'attention', last_error: 'r'.repeat(2000), claimed_by: null, claimed_until: null });
    await set(2, { state: 'exported' });
    await outbox.hold(2, 'too late');
    expect(await outbox.get(2)).toMatchObject({ state: 'exported', last_error: null });
  });

  it('a rebuilt document replaces an order\'s only from the states allowed: waiting again and to be served again, or held with its problem', async () => {
    await add([1, 2, 3]);
    await set(1, { state: 'failed', attempts: 5, next_attempt_at: at(60_000), last_error: 'old', fed_at: at(0), claimed_by: 'w1', claimed_until: at(60_000) });
    expect(await outbox.replace(1, doc(1, 'NEW-1', 42), null, ['failed', 'attention'])).toBe(true);
    expect(await outbox.get(1)).toMatchObject({ state: 'waiting', total: 42, attempts: 0, next_attempt_at: null, last_error: null, fed_at: null, claimed_by: null, claimed_until: null });
    expect(JSON.parse((await outbox.get(1))!.document).orderNumber).toBe('NEW-1');
    expect(await outbox.replace(2, doc(2, 'NEW-2'), 'still no code', ['waiting'])).toBe(true);
    expect(await outbox.get(2)).toMatchObject({ state: 'attention', last_error: 'still no code' });
    await set(3, { state: 'exported' });
    expect(await outbox.replace(3, doc(3, 'NEW-3'), null, ['failed', 'attention'])).toBe(false);
    expect(await outbox.get(3)).toMatchObject({ state: 'exported' });
    expect(JSON.parse((await outbox.get(3))!.document).orderNumber).toBe('3');
  });

  it('acknowledges by order id and by order number the orders the feed served, each with its ERP document id, claims and error cleared', async () => {
    await outbox.add([{ orderId: 1010, document: doc(1010, 'INV-2026-1010'), problem: null }, { orderId: 1011, document: doc(1011, 'INV-2026-1011'), problem: null }]);
    await set(1011, { claimed_by: 'w1', claimed_until: at(60_000), last_error: 'timeout' });
    await outbox.markFed([1010, 1011]);
    expect(await outbox.acknowledge([byId(1, 1010, 'D-1'), byNumber(2, 'INV-2026-1011', 'D-2')])).toEqual({ acknowledged: [1010, 1011], unknown: [], refused: [] });
    expect(await outbox.get(1010)).toMatchObject({ state: 'exported', erp_document_id: 'D-1' });
    expect(await outbox.get(1011)).toMatchObject({ state: 'exported', erp_document_id: 'D-2', last_error: null, claimed_by: null, claimed_until: null });
    expect((await outbox.get(1011))!.exported_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('an order acknowledged twice keeps the first ERP document id; an exported order is acknowledged again without change', async () => {
    await add([5]);
    await outbox.markFed([5]);
    expect((await outbox.acknowledge([byId(1, 5, 'A'), byId(2, 5, 'B')])).acknowledged).toEqual([5, 5]);
    expect((await outbox.get(5))!.erp_document_id).toBe('A');
    await set(5, { fed_at: null, exported_at: '2000-01-01 00:00:00' });
    expect(await outbox.acknowledge([byId(3, 5, 'C')])).toEqual({ acknowledged: [5], unknown: [], refused: [] });
    expect(await outbox.get(5)).toMatchObject({ erp_document_id: 'A', exported_at: '2000-01-01 00:00:00' });
  });

  it('an order the feed never served is refused with the reason; one held for attention, not in the outbox or of an unknown number is unknown', async () => {
    await add([20, 21]);
    await outbox.add([{ orderId: 22, document: doc(22, 'INV-X-22'), problem: 'held' }]);
    await set(21, { state: 'attention' });
    await outbox.markFed([21, 22]);
    expect(await outbox.acknowledge([byId(1, 20), byId(2, 21), byId(3, 99), byNumber(4, 'INV-X-77'), byNumber(5, 'INV-X-21'), byNumber(6, 'INV-X-22')])).toEqual({
      acknowledged: [],
      // An order number is answered as the ERP wrote it, an order id as the id.
      unknown: [21, 99, 'INV-X-77', 'INV-X-21', 'INV-X-22'],
      refused: [{ record: 1, order: '20', reason: 'the orders feed has not served this order yet: nothing to acknowledge' }],
    });
    expect(await state(20)).toBe('waiting');
    expect(await state(21)).toBe('attention');
  });

  it('an order number two stored documents carry is refused, naming both; an unreadable document carries no number', async () => {
    await outbox.add([{ orderId: 1010, document: doc(1010, 'A-1010'), problem: null }, { orderId: 10, document: doc(10, 'A-1010'), problem: null }]);
    await outbox.markFed([10, 1010]);
    expect(await outbox.acknowledge([byNumber(7, 'A-1010')])).toEqual({
      acknowledged: [],
      unknown: [],
      refused: [{ record: 7, order: 'A-1010', reason: 'order number "A-1010" is held by orders 1010, 10: acknowledge by orderId' }],
    });
    expect([await state(10), await state(1010)]).toEqual(['waiting', 'waiting']);
    await set(10, { document: '{not json' });
    expect((await outbox.acknowledge([byNumber(8, 'A-1010', 'D-9')])).acknowledged).toEqual([1010]);
    expect(await outbox.get(1010)).toMatchObject({ state: 'exported', erp_document_id: 'D-9' });
    expect(await state(10)).toBe('waiting');
  });

  it('acknowledges a large answer in chunks, every order with its own ERP document id', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => 5000 + i);
    await add(ids);
    await outbox.markFed(ids);
    const res = await outbox.acknowledge(ids.map((id, i) => byId(i + 1, id, `D-${id}`)));
    expect(res.acknowledged).toEqual(ids);
    const rows = await table().whereIn('order_id', [5000, 5999, 6000, 6199]).orderBy('order_id').select('order_id', 'state', 'erp_document_id');
    expect(rows.map((r) => [r.order_id, r.state, r.erp_document_id])).toEqual([[5000, 'exported', 'D-5000'], [5999, 'exported', 'D-5999'], [6000, 'exported', 'D-6000'], [6199, 'exported', 'D-6199']]);
    expect(await outbox.counts()).toEqual({ exported: 1200 });
  });

  it('the admin sends an order again only from the states allowed: waiting with its attempts and claim reset; no other order moves', async () => {
    await add([1, 2, 3]);
    await set(3, { state: 'failed' });
    await set(1, { state: 'failed', attempts: 5, next_attempt_at: at(60_000), claimed_by: 'w1', claimed_until: at(60_000) });
    expect(await outbox.requeue(1, ['failed', 'attention'])).toBe(true);
    expect(await outbox.get(1)).toMatchObject({ state: 'waiting', attempts: 0, next_attempt_at: null, claimed_by: null, claimed_until: null });
    await set(2, { state: 'exported' });
    expect(await outbox.requeue(2, ['failed' as OutboxState])).toBe(false);
    expect(await state(2)).toBe('exported');
    expect(await state(3)).toBe('failed');
  });
});
