// The races the docs promise to win, made visible: one side is paused between its read and its
// write (a hook injected by the test, see Outbox's hooks, tryAcquire's afterRead and the push's
// checkpoints) while the other side runs to the end. Removing the row lock (FOR UPDATE SKIP
// LOCKED), the lease's conditional write or the joined UPDATE's code re-check fails these tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { Outbox } from '../../app/plugin/outbox.js';
import { tryAcquire } from '../../app/plugin/lease.js';
import { PushService } from '../../app/sync/push-service.js';
import { runChanges } from '../../app/plugin/product-history.js';
import { DIALECT_TARGETS, FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, product, uniqueCode, xmlDoc } from '../support/shop.js';

/** A gate the paused side waits at: `reached` resolves when it arrives, `open()` lets it go on. */
function gate<T = void>() {
  let arrive!: (v: T) => void;
  let open!: () => void;
  const reached = new Promise<T>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return { reached, open, wait: async (v: T) => { arrive(v); await opened; } };
}

/** Rejects when `p` has not settled within `ms`: "the other side did not have to wait". */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const doc = (orderId: number) => ({ orderNumber: String(orderId), totals: { shopTotal: 1 } }) as unknown as OrderDocument;

describe.each(FIXTURE_DIALECT_TARGETS.filter((t) => t.dialect === 'mysql'))('outbox claims racing on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('two workers claiming at once never share an order: the second skips the rows the first has locked, without waiting for it', async () => {
    // MariaDB 10.6+ (10.11 here) claims with SELECT … FOR UPDATE SKIP LOCKED: that is the path under test.
    expect(await db().dialect.supportsSkipLocked(db().knex)).toBe(true);
    const ids = Array.from({ length: 6 }, (_, i) => 9001 + i);
    await new Outbox(db()).add(ids.map((id) => ({ orderId: id, document: doc(id), problem: null })));
    const until = Date.now() + 60_000;
    const a = gate<number[]>();
    const first = new Outbox(db(), { afterClaimRead: (read) => a.wait(read) }).claim('worker-a', 2, until);
    let second: number[];
    try {
      // Worker A has read (and locked) its rows and not yet written its claim…
      expect(await a.reached).toEqual([9001, 9002]);
      // …worker B, on another connection, claims now: it must not wait for A (SKIP LOCKED), nor
      // take A's rows. (How many rows A's read locks beyond its two is the optimizer's choice.)
      second = (await within(new Outbox(db()).claim('worker-b', 2, until), 10_000, 'the second claim')).map((r) => r.order_id);
    } finally {
      a.open();
    }
    expect((await first).map((r) => r.order_id)).toEqual([9001, 9002]);
    expect(second.filter((id) => id === 9001 || id === 9002)).toEqual([]);
    const owners = Object.fromEntries((await db().knex(db().own('outbox')).whereIn('order_id', ids).select('order_id', 'claimed_by')).map((r) => [r.order_id, r.claimed_by]));
    expect(owners).toMatchObject({ 9001: 'worker-a', 9002: 'worker-a' });
    for (const id of second) expect(owners[id]).toBe('worker-b');
    // Once A has written its claim, the next claim takes the rows nobody holds.
    const third = (await new Outbox(db()).claim('worker-c', 10, until)).map((r) => r.order_id);
    expect([...second, ...third].sort()).toEqual(ids.slice(2));
  });
});

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('leases and the code re-check racing on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ sync_type: 'stock_price', price_basis: 'net' });
  });
  afterAll(async () => env?.cleanup());

  it('two runs taking a free lease at once: only one holds it (the write re-checks that it is still free)', async () => {
    const name = `race-${uniqueCode()}`;
    const a = gate<{ holder: string | null }>();
    const first = tryAcquire(db(), name, 'run-a', 60_000, (seen) => a.wait(seen));
    let second;
    try {
      expect((await a.reached).holder).toBeNull(); // A saw it free…
      second = await within(tryAcquire(db(), name, 'run-b', 60_000), 10_000, 'the second acquire'); // …B takes it meanwhile
    } finally {
      a.open();
    }
    expect(second).toEqual({ tookOverFrom: null });
    expect(await first).toBeNull();
    expect(await db().knex(db().own('lease')).where({ name }).first('holder')).toEqual({ holder: 'run-b' });
  });

  it('two runs taking over a dead holder\'s expired lease at once: only one takes it over', async () => {
    const name = `race-${uniqueCode()}`;
    await db().knex(db().own('lease')).insert({ name, holder: 'dead-run', expires_at: Date.now() - 1000 });
    const a = gate<{ holder: string | null }>();
    const first = tryAcquire(db(), name, 'run-a', 60_000, (seen) => a.wait(seen));
    let second;
    try {
      expect((await a.reached).holder).toBe('dead-run');
      second = await within(tryAcquire(db(), name, 'run-b', 60_000), 10_000, 'the second take-over');
    } finally {
      a.open();
    }
    expect(second).toEqual({ tookOverFrom: 'dead-run' });
    expect(await first).toBeNull();
    expect(await db().knex(db().own('lease')).where({ name }).first('holder')).toEqual({ holder: 'run-b' });
  });

  it('a product whose code changes between the push\'s read and its write keeps its price and gets no history row (the joined UPDATE re-checks the code)', async () => {
    const code = uniqueCode('RC');
    const renamed = uniqueCode('RC');
    const id = await addProduct(db(), { model: code, price: 100 });
    const other = await addProduct(db(), { model: uniqueCode('RC'), price: 100 });
    const otherCode = (await product(db(), other)).model as string;
    const pushes = new PushService(db(), env.ctx.settings);
    const answer = await pushes.push({
      kind: 'prices', actor: 'test', contentType: 'application/xml',
      body: Buffer.from(xmlDoc([{ termekkod: code, ar: 555 }, { termekkod: otherCode, ar: 777 }])),
      // Both products were read and matched; the owner renames one in the shop's admin before the write.
      checkpoint: async (step) => {
        if (step === 'classified') await db().knex(db().t('product')).where({ product_id: id }).update({ model: renamed });
      },
    });
    expect(Number((await product(db(), id)).price)).toBe(100);
    expect(Number((await product(db(), other)).price)).toBe(777);
    expect(answer.counts.updated).toBe(1);
    // The history was copied from the push's rows before the UPDATE: the row it did not write leaves again.
    const history = await runChanges(db(), answer.run);
    expect(history.map((h) => [h.product_id, h.old_value, h.new_value])).toEqual([[other, 100, 777]]);
  });
});
