// The orders feed (app/sync/order-feed.ts) on each database, through its own methods: pages of
// waiting documents oldest first after a cursor, a limit kept between 1 and 1000, `next` set
// exactly when more waiting orders follow, stored documents that cannot be served held aside
// with their reason while the page fills on, only served orders marked fed, and the
// acknowledgement journaled as a run with its counts and every order not acknowledged. The
// feed's HTTP side (credentials, the limit's refusals, formats on the wire) is in
// hostile-orders.test.ts and order-export.test.ts. Each test empties the outbox first.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DocumentError } from '../../app/erp/errors.js';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { sampleOrderDocument } from '../support/order-document.js';
import { Journal } from '../../app/plugin/journal.js';
import { Outbox } from '../../app/plugin/outbox.js';
import { OrderFeed } from '../../app/sync/order-feed.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const doc = sampleOrderDocument;

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('the orders feed on $name', (target) => {
  let env: TargetEnv;
  let feed: OrderFeed;
  let outbox: Outbox;
  let journal: Journal;
  const db = () => env.ctx.db;
  const table = () => db().knex(db().own('outbox'));
  const add = (ids: number[]) => outbox.add(ids.map((id) => ({ orderId: id, document: doc(id), problem: null })));
  const set = (id: number, values: Record<string, unknown>) => table().where({ order_id: id }).update(values);
  const ids = (body: string) => (JSON.parse(body) as { rendelesek: OrderDocument[] }).rendelesek.map((d) => d.orderId);
  const nextOf = (body: string) => (JSON.parse(body) as { next: number | null }).next;
  const fed = async () => (await table().whereNotNull('fed_at').orderBy('order_id').select('order_id')).map((r) => Number(r.order_id));
  const ackBody = (records: unknown[]) => Buffer.from(JSON.stringify(records));

  beforeAll(async () => {
    env = await openTarget(target);
    feed = new OrderFeed(db());
    outbox = new Outbox(db());
    journal = new Journal(db());
  });
  beforeEach(async () => {
    await table().delete();
  });
  afterAll(async () => env?.cleanup());

  it('serves the waiting documents oldest first after the cursor, in the format asked, and marks only those served as fed', async () => {
    await add([5, 1, 3, 2]);
    await set(2, { state: 'exported' });
    const page = await feed.page('json', 10, 0);
    expect(page).toMatchObject({ count: 3, held: [], type: 'application/json; charset=utf-8' });
    expect(ids(page.body)).toEqual([1, 3, 5]);
    expect(JSON.parse(page.body).rendelesek[0]).toEqual(doc(1));
    expect(nextOf(page.body)).toBeNull();
    expect(await fed()).toEqual([1, 3, 5]);
    expect(ids((await feed.page('json', 10, 1)).body)).toEqual([3, 5]);
    const xml = await feed.page('xml', 10, 3);
    expect(xml.type).toBe('application/xml; charset=utf-8');
    expect(xml.body).toContain('<rendeles azonosito="5">');
    expect(xml.body).not.toContain('<rendeles azonosito="3">');
    expect((await feed.page('csv', 10, 0)).type).toBe('text/csv; charset=utf-8');
  });

  it('a page of fewer orders than wait says where the next starts; the orders after it are not marked fed', async () => {
    await add([1, 2, 3]);
    const first = await feed.page('json', 2, 0);
    expect([ids(first.body), nextOf(first.body), first.count]).toEqual([[1, 2], 2, 2]);
    expect(await fed()).toEqual([1, 2]);
    const last = await feed.page('json', 2, 2);
    expect([ids(last.body), nextOf(last.body)]).toEqual([[3], null]);
    // Exactly as many as the limit: nothing follows, so no next.
    expect(nextOf((await feed.page('json', 3, 0)).body)).toBeNull();
    expect((await feed.page('xml', 2, 0)).body).toMatch(/^<\?xml[^>]*\?>\s*<rendelesek next="2">/);
  });

  it('nothing waiting: an empty page without next', async () => {
    await add([1]);
    await set(1, { state: 'exported' });
    const page = await feed.page('json', 10, 0);
    expect([ids(page.body), nextOf(page.body), page.count, page.held]).toEqual([[], null, 0, []]);
  });

  it('the limit is a whole number from 1 to 1000: below 1 serves one, a fraction is cut, above 1000 serves 1000', async () => {
    await add([1, 2, 3, 4]);
    expect(ids((await feed.page('json', 0, 0)).body)).toEqual([1]);
    expect(ids((await feed.page('json', -5, 0)).body)).toEqual([1]);
    expect(ids((await feed.page('json', 2.9, 0)).body)).toEqual([1, 2]);
    expect(ids((await feed.page('json', 1.5, 0)).body)).toEqual([1]);
    await add(Array.from({ length: 1000 }, (_, i) => 10 + i));
    const capped = await feed.page('json', 5000, 0);
    expect(capped.count).toBe(1000);
    expect(nextOf(capped.body)).toBe(1005);
  });

  it('a stored document that cannot be read or written as XML is held aside with its reason, and the page fills with the orders behind it', async () => {
    await add([1, 2, 3, 4, 5, 6]);
    // Not JSON; the parser's message runs over two lines (it quotes the document): the first is kept.
    await set(1, { document: '{\n"orderId": broken}' });
    // JSON, but not an order document: its XML cannot be written (no customer).
    await set(3, { document: JSON.stringify({ ...doc(3), customer: null }) });
    const page = await feed.page('json', 2, 0);
    expect(ids(page.body)).toEqual([2, 4]);
    expect(page.held).toEqual([1, 3]);
    expect(nextOf(page.body)).toBe(4);
    const r1 = await outbox.get(1);
    expect(r1).toMatchObject({ state: 'attention', fed_at: null });
    expect(r1!.last_error).toMatch(/^the stored document cannot be served \(Unexpected token 'b', "\{\); retry the order to rebuild it from the shop$/);
    expect((await outbox.get(3))!.last_error).toBe("the stored document cannot be served (Cannot read properties of null (reading 'key')); retry the order to rebuild it from the shop");
    expect(await fed()).toEqual([2, 4]);
    // Held rows are out of the feed: the next page goes on after the cursor.
    expect(ids((await feed.page('json', 10, 0)).body)).toEqual([2, 4, 5, 6]);
  });

  it('held documents at the end of what waits: the page is short, and no next', async () => {
    await add([1, 2, 3]);
    await set(2, { document: 'null' });
    await set(3, { document: '"x"' });
    const page = await feed.page('json', 2, 0);
    expect([ids(page.body), page.held, nextOf(page.body)]).toEqual([[1], [2, 3], null]);
    expect((await outbox.get(2))!.state).toBe('attention');
  });

  it('every document held: an empty page, reading on until nothing waits', async () => {
    await add([1, 2, 3]);
    for (const id of [1, 2, 3]) await set(id, { document: '{' });
    const page = await feed.page('json', 1, 0);
    expect([ids(page.body), page.held, nextOf(page.body), page.count]).toEqual([[], [1, 2, 3], null, 0]);
  });

  it('an acknowledgement marks exported the orders the feed served, refuses the unserved, names the unknown, and is journaled as partial', async () => {
    await add([1, 2, 3]);
    await feed.page('json', 2, 0);
    const t0 = performance.now();
    const out = await feed.acknowledge(ackBody([{ orderId: 1, bizonylatszam: 'SZ-1' }, { orderId: 3 }, { orderId: 99 }, { rendelesszam: 'INV-2' }]), 'application/json', 'erp@10.0.0.1');
    const took = performance.now() - t0;
    expect(out).toEqual({
      run: expect.any(Number), acknowledged: [1, 2], unknown: [99],
      refused: [{ record: 2, order: '3', reason: 'the orders feed has not served this order yet: nothing to acknowledge' }],
    });
    expect(await outbox.get(1)).toMatchObject({ state: 'exported', erp_document_id: 'SZ-1' });
    expect((await outbox.get(2))!.state).toBe('exported');
    expect((await outbox.get(3))!.state).toBe('waiting');
    const run = (await journal.get(out.run))!;
    expect(run).toMatchObject({ kind: 'order-ack', actor: 'erp@10.0.0.1', status: 'partial', http_status: 200, message: null });
    expect([run.received, run.updated, run.unknown, run.invalid, run.unchanged, run.created, run.ambiguous, run.ignored].map(Number)).toEqual([4, 2, 1, 1, 0, 0, 0, 0]);
    // The run's duration is the call's own: never more than the time the call took from outside.
    expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
    expect((await journal.items(out.run)).map((i) => [i.seq, i.code, i.outcome, i.reason])).toEqual([
      [1, '99', 'unknown', 'not an order waiting in the outbox'],
      [2, '3', 'invalid', 'the orders feed has not served this order yet: nothing to acknowledge'],
    ]);
  });

  it('an acknowledgement of served orders only is journaled ok, with no record listed', async () => {
    await add([1, 2]);
    await feed.page('json', 10, 0);
    const out = await feed.acknowledge(ackBody([{ orderId: 2 }, { orderId: 1 }]), 'application/json', 'erp');
    expect(out).toMatchObject({ acknowledged: [2, 1], unknown: [], refused: [] });
    expect(await journal.get(out.run)).toMatchObject({ status: 'ok', http_status: 200, received: 2, updated: 2 });
    expect(await journal.items(out.run)).toEqual([]);
  });

  it('an unreadable acknowledgement is refused with its status, journaled as rejected with the reason, and changes nothing', async () => {
    await add([1]);
    await feed.page('json', 10, 0);
    const t0 = performance.now();
    const err = await feed.acknowledge(Buffer.from('[{"orderId": 1'), 'application/json', 'erp').then(() => null, (e: unknown) => e);
    const took = performance.now() - t0;
    expect(err).toBeInstanceOf(DocumentError);
    const e = err as DocumentError & { run: number };
    expect(e.status).toBe(400);
    const run = (await journal.get(e.run))!;
    expect(run).toMatchObject({ kind: 'order-ack', status: 'rejected', http_status: 400, message: e.message });
    expect(Number(run.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(run.duration_ms)).toBeLessThanOrEqual(Math.ceil(took));
    const bad = await feed.acknowledge(ackBody([{ orderId: 'x1' }]), 'application/json', 'erp').then(() => null, (x: unknown) => x as DocumentError & { run: number });
    expect(bad!.status).toBe(400);
    expect(await journal.get(bad!.run)).toMatchObject({ status: 'rejected', http_status: 400, message: bad!.message });
    expect((await outbox.get(1))!.state).toBe('waiting');
  });

  it('a failure that is not the document (the outbox unreadable) is journaled as failed with 500 and a reference, never its SQL, and thrown with its run and that reference', async () => {
    const name = db().own('outbox');
    await db().knex.schema.renameTable(name, `${name}_away`);
    try {
      const err = await feed.acknowledge(ackBody([{ orderId: 1 }]), 'application/json', 'erp').then(() => null, (e: unknown) => e as Error & { run: number; ref: string });
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(DocumentError);
      // The error's own text names the table; the journal (shown in the admin) does not.
      expect(err!.message).toContain('outbox');
      expect(err!.ref).toMatch(/^[0-9a-f]{10}$/);
      const entry = await journal.get(err!.run);
      expect(entry).toMatchObject({ kind: 'order-ack', status: 'failed', http_status: 500, message: `internal error (reference ${err!.ref}; the details are in the log)` });
      expect(entry!.message).not.toContain('outbox');
    } finally {
      await db().knex.schema.renameTable(`${name}_away`, name);
    }
  });
});
