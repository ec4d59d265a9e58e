// A process killed mid-run (kill -9, a power cut, the container stopped) leaves its journal run
// "running", and the dashboard would say so until the next run of that kind took over its lease,
// which for a URL the ERP calls once a day is a day. This sweep, at start and on every scheduler
// tick, closes as interrupted the runs nobody can still be working on:
// - the run held its lease and the lease expired (a live holder renews it every third of the TTL);
// - or the run is older than its longest wait for the lease plus the TTL plus a grace, and its
//   lease is not held by anyone (it died while waiting, or before it took the lease).
// A run whose lease is held by a live holder is never touched: it may be waiting its turn.
import type { Database } from '../db/database.js';
import { formatDateTime } from '../util/time.js';
import { INTERRUPTED_MESSAGE } from './journal.js';
import { LEASE_TTL_MS } from './lease.js';
import { RUN_KINDS, runLease } from './run-leases.js';

/** Beyond the wait and the TTL: time for the statements between journaling the run and taking the lease. */
const GRACE_MS = 5 * 60_000;

/** Closes the dead runs; returns how many. */
export async function closeDeadRuns(db: Database, nowMs = Date.now()): Promise<number> {
  const runs = db.own('journal_run');
  // kind and dry_run listed so the (kind, dry_run, status, id) index answers without a scan of the journal.
  const running: Array<{ id: number; kind: string; started_at: string }> = await db.knex(runs)
    .whereIn('kind', [...RUN_KINDS]).whereIn('dry_run', [0, 1]).where('status', 'running')
    .select('id', 'kind', 'started_at');
  if (!running.length) return 0;
  const names = [...new Set(running.map((r) => runLease(r.kind).name).filter((n): n is string => n !== null))];
  const leases = new Map<string, { holder: string | null; expires_at: number }>();
  if (names.length) for (const l of await db.knex(db.own('lease')).whereIn('name', names).select('name', 'holder', 'expires_at')) leases.set(String(l.name), { holder: l.holder, expires_at: Number(l.expires_at) });
  const dead: number[] = [];
  for (const r of running) {
    const lease = runLease(r.kind);
    const l = lease.name ? leases.get(lease.name) : undefined;
    const live = l !== undefined && l.holder !== null && l.expires_at >= nowMs;
    if (live) continue;
    const heldIt = l?.holder === `run:${r.id}`;
    const tooOld = String(r.started_at) < formatDateTime(new Date(nowMs - lease.waitMs - LEASE_TTL_MS - GRACE_MS));
    if (heldIt || tooOld) dead.push(Number(r.id));
  }
  if (!dead.length) return 0;
  // status = 'running' again in the UPDATE: a run that finished meanwhile keeps its own outcome.
  return Number(await db.knex(runs).whereIn('id', dead).where('status', 'running').update({ status: 'interrupted', message: INTERRUPTED_MESSAGE, finished_at: formatDateTime(new Date(nowMs)) }));
}
