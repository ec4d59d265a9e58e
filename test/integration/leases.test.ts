// The named leases (app/plugin/lease.ts) on each database: one holder per name, a dead holder's
// lease taken over once it expired, a waiting run that backs off and gives up at its limit, and
// a holder that renews every third of the TTL and frees the lease when its work ends. The race
// between the read and the conditional write is in races.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LeaseBusyError, release, renew, tryAcquire, withLease } from '../../app/plugin/lease.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { uniqueCode } from '../support/shop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('leases on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const lease = async (name: string) => {
    const row = await db().knex(db().own('lease')).where({ name }).first('holder', 'expires_at');
    return row && { holder: row.holder as string | null, expiresAt: Number(row.expires_at) };
  };
  const setLease = async (name: string, holder: string | null, expiresAt: number) => {
    await db().knex(db().own('lease')).where({ name }).delete();
    await db().knex(db().own('lease')).insert({ name, holder, expires_at: expiresAt });
  };
  /** How many times a run read the lease `name` (each attempt to take it reads it once). */
  const countReads = (name: string) => {
    const seen = { n: 0 };
    const listener = (q: { sql: string; bindings?: unknown[] }) => {
      if (/^select/i.test(q.sql) && q.sql.includes(db().own('lease')) && q.bindings?.includes(name)) seen.n++;
    };
    db().knex.on('query', listener);
    return { seen, stop: () => db().knex.off('query', listener) };
  };

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('taking a lease changes no other lease, free or expired', async () => {
    const [mine, free, expired] = [`l-${uniqueCode()}`, `l-${uniqueCode()}`, `l-${uniqueCode()}`];
    await setLease(free, null, 0);
    await setLease(expired, 'dead-run', Date.now() - 5_000);
    const expiredBefore = await lease(expired);
    expect(await tryAcquire(db(), mine, 'run-a', 60_000)).toEqual({ tookOverFrom: null });
    expect((await lease(mine))!.holder).toBe('run-a');
    expect(await lease(free)).toEqual({ holder: null, expiresAt: 0 });
    expect(await lease(expired)).toEqual(expiredBefore);
  });

  it('releasing frees only the holder\'s own lease: another holder, or another name, keeps its lease', async () => {
    const [a, b] = [`l-${uniqueCode()}`, `l-${uniqueCode()}`];
    expect(await tryAcquire(db(), a, 'run-a', 60_000)).not.toBeNull();
    expect(await tryAcquire(db(), b, 'run-b', 60_000)).not.toBeNull();
    await release(db(), a, 'run-b'); // not its holder: nothing happens
    expect((await lease(a))!.holder).toBe('run-a');
    await release(db(), a, 'run-a');
    expect(await lease(a)).toEqual({ holder: null, expiresAt: 0 });
    expect((await lease(b))!.holder).toBe('run-b');
  });

  it('renewing moves the holder\'s expiry to now + TTL; a run that lost its lease cannot renew it', async () => {
    const name = `l-${uniqueCode()}`;
    expect(await tryAcquire(db(), name, 'run-a', 1_000)).not.toBeNull();
    const before = Date.now();
    expect(await renew(db(), name, 'run-a', 60_000)).toBe(true);
    const { expiresAt } = (await lease(name))!;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await renew(db(), name, 'run-b', 600_000)).toBe(false);
    expect((await lease(name))!).toEqual({ holder: 'run-a', expiresAt });
  });

  it('a lease held until this very millisecond is not yet expired; a lease freed while a run read it is taken, not taken over', async () => {
    const name = `l-${uniqueCode()}`;
    const t = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: t });
    try {
      await setLease(name, 'run-x', t);
      expect(await tryAcquire(db(), name, 'run-a', 60_000)).toBeNull();
      // run-x finishes and releases between run-a's read and its write: run-a did not take over
      // from a dead holder, so nobody may mark run-x interrupted.
      let seen: unknown;
      const got = await tryAcquire(db(), name, 'run-a', 60_000, async (s) => {
        seen = s;
        await release(db(), name, 'run-x');
      });
      expect(seen).toEqual({ holder: 'run-x', expiresAt: t });
      expect(got).toEqual({ tookOverFrom: null });
      // One millisecond after its expiry the lease is taken over, and the dead holder named.
      await setLease(name, 'run-y', t - 1);
      expect(await tryAcquire(db(), name, 'run-b', 60_000)).toEqual({ tookOverFrom: 'run-y' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('withLease runs the work under the lease and frees it afterwards, also when the work fails', async () => {
    const name = `l-${uniqueCode()}`;
    let during: unknown;
    expect(await withLease(db(), name, 'run-a', async () => {
      during = (await lease(name))!.holder;
      return 42;
    })).toBe(42);
    expect(during).toBe('run-a');
    expect((await lease(name))!.holder).toBeNull();
    await expect(withLease(db(), name, 'run-b', async () => {
      throw new Error('work failed');
    })).rejects.toThrow('work failed');
    expect((await lease(name))!.holder).toBeNull();
  });

  it('withLease waits for a busy lease, backing off from 25 ms, and runs once the holder frees it', async () => {
    const name = `l-${uniqueCode()}`;
    expect(await tryAcquire(db(), name, 'run-x', 60_000)).not.toBeNull();
    const reads = countReads(name);
    let ran = false;
    const waiting = withLease(db(), name, 'run-a', async () => {
      ran = true;
    }, { waitMs: 10_000 });
    await sleep(400);
    // Attempts at about 0, 25, 75, 175 and 375 ms; a fixed 500 ms step would make two.
    expect(reads.seen.n).toBeGreaterThanOrEqual(3);
    expect(ran).toBe(false);
    await release(db(), name, 'run-x');
    await waiting;
    reads.stop();
    expect(ran).toBe(true);
    expect((await lease(name))!.holder).toBeNull();
  });

  it('withLease gives up on a lease that stays busy with LeaseBusyError, within its wait and without hammering the database', async () => {
    const name = `l-${uniqueCode()}`;
    expect(await tryAcquire(db(), name, 'run-x', 60_000)).not.toBeNull();
    const reads = countReads(name);
    const started = Date.now();
    let ran = false;
    const err = await withLease(db(), name, 'run-a', async () => {
      ran = true;
    }, { waitMs: 1_000 }).catch((e: unknown) => e);
    const took = Date.now() - started;
    reads.stop();
    expect(err).toBeInstanceOf(LeaseBusyError);
    expect(err).toMatchObject({ name: 'LeaseBusyError', lease: name, message: `another run holds "${name}"; try again shortly` });
    expect(ran).toBe(false);
    // It never sleeps past its deadline (the next step, up to 500 ms, would end after it)…
    expect(took).toBeLessThan(1_400);
    expect(took).toBeGreaterThanOrEqual(500);
    // …and the steps double up to 500 ms: about six attempts in a second, not hundreds.
    expect(reads.seen.n).toBeGreaterThanOrEqual(4);
    expect(reads.seen.n).toBeLessThanOrEqual(12);
    expect((await lease(name))!.holder).toBe('run-x');
  });

  it('withLease taking over a dead holder\'s expired lease names it to onTakeOver before the work; a free lease names nobody', async () => {
    const name = `l-${uniqueCode()}`;
    await setLease(name, 'run:dead', Date.now() - 1_000);
    const calls: string[] = [];
    await withLease(db(), name, 'run-a', async () => {
      calls.push('work');
    }, { onTakeOver: async (prev) => void calls.push(`took over from ${prev}`) });
    expect(calls).toEqual(['took over from run:dead', 'work']);
    calls.length = 0;
    await withLease(db(), name, 'run-b', async () => {
      calls.push('work');
    }, { onTakeOver: async (prev) => void calls.push(`took over from ${prev}`) });
    expect(calls).toEqual(['work']);
  });

  it('a long run renews its lease every third of the TTL, not sooner and not later, so nobody takes it over', async () => {
    const name = `l-${uniqueCode()}`;
    const ttlMs = 9_000; // renewed every 3 s
    const seen: Array<{ at: number; expiresAt: number }> = [];
    await withLease(db(), name, 'run-a', async () => {
      const start = Date.now();
      const first = (await lease(name))!.expiresAt;
      await sleep(2_000);
      seen.push({ at: Date.now() - start, expiresAt: (await lease(name))!.expiresAt - first });
      await sleep(1_800);
      seen.push({ at: Date.now() - start, expiresAt: (await lease(name))!.expiresAt - first });
      expect(await tryAcquire(db(), name, 'run-b', ttlMs)).toBeNull();
    }, { ttlMs });
    // Not renewed in its first two seconds; renewed (expiry moved on by about 3 s) after three.
    expect(seen[0]!.expiresAt).toBe(0);
    expect(seen[1]!.expiresAt).toBeGreaterThanOrEqual(2_500);
    expect(seen[1]!.expiresAt).toBeLessThan(4_500);
  });
});
