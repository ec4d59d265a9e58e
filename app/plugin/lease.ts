// Named leases in <prefix>erp_bridge_lease: one holder per name; a holder that died is taken
// over once its lease expires. Works the same on MySQL and SQLite (one conditional UPDATE).
// A live holder renews every third of the TTL, so the TTL is short: a process killed with
// kill -9 blocks the next run for at most LEASE_TTL_MS.
import type { Database } from '../db/database.js';

/**
 * How long a lease outlives its last renewal: the longest a dead holder can block the next run.
 * ERP_BRIDGE_LEASE_TTL_MS (1,000–600,000) changes it, e.g. for tests that kill a process mid-run.
 */
export const LEASE_TTL_MS = leaseTtl(process.env.ERP_BRIDGE_LEASE_TTL_MS);

function leaseTtl(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 45_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1000 || n > 600_000) throw new Error(`ERP_BRIDGE_LEASE_TTL_MS: "${raw}" is not a whole number of milliseconds from 1000 to 600000`);
  return n;
}

export class LeaseBusyError extends Error {
  constructor(readonly lease: string) {
    super(`another run holds "${lease}"; try again shortly`);
    this.name = 'LeaseBusyError';
  }
}

export interface Acquired {
  /** The holder whose expired lease was taken over, if any. */
  tookOverFrom: string | null;
}

/** Test seam, injected by the race tests only: runs between the read of the lease and the conditional write. */
export type AfterLeaseRead = (seen: { holder: string | null; expiresAt: number }) => Promise<void>;

export async function tryAcquire(db: Database, name: string, holder: string, ttlMs: number, afterRead?: AfterLeaseRead): Promise<Acquired | null> {
  const table = db.own('lease');
  await db.knex.raw(`${db.dialect.insertIgnore()} INTO ${table} (name, holder, expires_at) VALUES (?, NULL, 0)`, [name]);
  const nowMs = Date.now();
  const before = await db.knex(table).where({ name }).first('holder', 'expires_at');
  await afterRead?.({ holder: before?.holder ?? null, expiresAt: Number(before?.expires_at ?? 0) });
  const n = await db.knex(table)
    .where({ name })
    .andWhere((q) => q.whereNull('holder').orWhere('expires_at', '<', nowMs))
    .update({ holder, expires_at: nowMs + ttlMs });
  if (Number(n) !== 1) return null;
  return { tookOverFrom: before?.holder && Number(before.expires_at) < nowMs ? String(before.holder) : null };
}

export async function renew(db: Database, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const n = await db.knex(db.own('lease')).where({ name, holder }).update({ expires_at: Date.now() + ttlMs });
  return Number(n) === 1;
}

export async function release(db: Database, name: string, holder: string): Promise<void> {
  await db.knex(db.own('lease')).where({ name, holder }).update({ holder: null, expires_at: 0 });
}

export interface LeaseOptions {
  ttlMs?: number;
  /** How long to wait for a busy lease before giving up. */
  waitMs?: number;
  onTakeOver?: (previousHolder: string) => Promise<void>;
}

/** Runs fn while holding the lease, renewing it in the background; waits for a busy one. */
export async function withLease<T>(db: Database, name: string, holder: string, fn: () => Promise<T>, opts: LeaseOptions = {}): Promise<T> {
  const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  let acquired: Acquired | null;
  for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
    acquired = await tryAcquire(db, name, holder, ttlMs);
    if (acquired) break;
    if (Date.now() + delay > deadline) throw new LeaseBusyError(name);
    await new Promise((r) => setTimeout(r, delay));
  }
  if (acquired.tookOverFrom && opts.onTakeOver) await opts.onTakeOver(acquired.tookOverFrom);
  const timer = setInterval(() => void renew(db, name, holder, ttlMs).catch(() => {}), Math.max(1000, ttlMs / 3));
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    await release(db, name, holder).catch(() => {});
  }
}
