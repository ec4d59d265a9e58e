// A process killed mid-run leaves its journal run "running". At start and on every scheduler tick
// erp-bridge closes the runs nobody can still be working on as interrupted, and never one that
// may be waiting its turn for a lease. First the rules on each database, with real leases; then
// the promise end to end: `serve` killed with SIGKILL mid-push, started again, the run interrupted.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDeadRuns } from '../../app/plugin/dead-runs.js';
import { LEASE_TTL_MS, release, tryAcquire } from '../../app/plugin/lease.js';
import { pushLease, EXPORT_LEASE, PUSH_LEASE_WAIT_MS, STATUS_LEASE_WAIT_MS } from '../../app/plugin/run-leases.js';
import { formatDateTime } from '../../app/util/time.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const ago = (ms: number) => formatDateTime(new Date(Date.now() - ms));
/** The time dead-runs.ts allows beyond a run's wait and the TTL (GRACE_MS). */
const GRACE = 5 * 60_000;

describe.each(DIALECT_TARGETS.filter((t) => !t.release))('dead runs closed on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const runs = () => db().knex(db().own('journal_run'));
  async function running(kind: string, startedAt: string): Promise<number> {
    const [row] = await runs().insert({ kind, actor: 'erp', status: 'running', dry_run: false, started_at: startedAt }, ['id']);
    return Number(typeof row === 'object' ? row.id : row);
  }
  const statusOf = async (id: number) => (await runs().where({ id }).first('status', 'message', 'finished_at'))!;
  /** A lease as a holder that stopped renewing leaves it: taken with a TTL already run out. */
  const expiredLease = async (name: string, holder: string) => {
    await db().knex(db().own('lease')).where({ name }).delete();
    expect(await tryAcquire(db(), name, holder, -1)).not.toBeNull();
  };
  const clearLeases = () => db().knex(db().own('lease')).delete();

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('closes a push whose own lease expired, at once, with the time it was found', async () => {
    await clearLeases();
    const id = await running('prices', ago(5_000));
    await expiredLease(pushLease('prices'), `run:${id}`);
    expect(await closeDeadRuns(db())).toBe(1);
    const row = await statusOf(id);
    expect(row.status).toBe('interrupted');
    expect(row.message).toMatch(/process stopped before the run finished/);
    expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('leaves a run alone while a live holder has its URL: it may be waiting its turn, however long ago it started', async () => {
    await clearLeases();
    const waiting = await running('stock', ago(PUSH_LEASE_WAIT_MS * 3));
    expect(await tryAcquire(db(), pushLease('stock'), 'run:999999999', LEASE_TTL_MS)).not.toBeNull();
    expect(await closeDeadRuns(db())).toBe(0);
    expect((await statusOf(waiting)).status).toBe('running');
    // The holder finishes; the waiting run's own wait ran out long ago, so nobody is working on it.
    await release(db(), pushLease('stock'), 'run:999999999');
    expect(await closeDeadRuns(db())).toBe(1);
    expect((await statusOf(waiting)).status).toBe('interrupted');
  });

  it('leaves a run that started recently and holds no lease yet, and closes one older than its longest wait', async () => {
    await clearLeases();
    const fresh = await running('promo-prices', ago(1_000));
    const old = await running('categories', ago(PUSH_LEASE_WAIT_MS + LEASE_TTL_MS + 6 * 60_000));
    expect(await closeDeadRuns(db())).toBe(1);
    expect((await statusOf(fresh)).status).toBe('running');
    expect((await statusOf(old)).status).toBe('interrupted');
    await runs().where({ id: fresh }).update({ status: 'ok' });
  });

  it('closes an order export whose worker died, and an acknowledgement left running, once their time is up', async () => {
    await clearLeases();
    const exportRecent = await running('order-export', ago(10_000));
    const exportOld = await running('order-export', ago(LEASE_TTL_MS + 6 * 60_000));
    const ackOld = await running('order-ack', ago(LEASE_TTL_MS + 6 * 60_000));
    await expiredLease(EXPORT_LEASE, 'export:dead-worker');
    expect(await closeDeadRuns(db())).toBe(2);
    expect((await statusOf(exportRecent)).status).toBe('running');
    expect((await statusOf(exportOld)).status).toBe('interrupted');
    expect((await statusOf(ackOld)).status).toBe('interrupted');
    await runs().where({ id: exportRecent }).update({ status: 'ok' });
  });

  it('an order-status run waits for its URL\'s lease like a push, but only a minute: left while the lease is live, closed once its shorter limit is past', async () => {
    await clearLeases();
    const waiting = await running('order-status', ago(STATUS_LEASE_WAIT_MS + LEASE_TTL_MS + GRACE + 60_000));
    expect(await tryAcquire(db(), pushLease('order-status'), 'run:999999998', LEASE_TTL_MS)).not.toBeNull();
    expect(await closeDeadRuns(db())).toBe(0);
    expect((await statusOf(waiting)).status).toBe('running');
    await release(db(), pushLease('order-status'), 'run:999999998');
    // Well short of a push's ten-minute wait, past the status run's one minute.
    expect(await closeDeadRuns(db())).toBe(1);
    expect((await statusOf(waiting)).status).toBe('interrupted');
  });

  it('an order export is left while a worker holds the export lease, however old; an acknowledgement takes no lease and is closed anyway', async () => {
    await clearLeases();
    const exporting = await running('order-export', ago(LEASE_TTL_MS + GRACE + 60_000));
    const ack = await running('order-ack', ago(LEASE_TTL_MS + GRACE + 60_000));
    expect(await tryAcquire(db(), EXPORT_LEASE, 'export:w-live', LEASE_TTL_MS)).not.toBeNull();
    expect(await closeDeadRuns(db())).toBe(1);
    expect((await statusOf(exporting)).status).toBe('running');
    expect((await statusOf(ack)).status).toBe('interrupted');
    await runs().where({ id: exporting }).update({ status: 'ok' });
  });

  it('a run without a live lease is closed only once older than its wait + TTL + five minutes: at that very second it stays, a second later it goes', async () => {
    await clearLeases();
    const nowMs = Date.now();
    const limit = formatDateTime(new Date(nowMs - PUSH_LEASE_WAIT_MS - LEASE_TTL_MS - GRACE));
    const atLimit = await running('prices', limit);
    const inside = await running('prices', formatDateTime(new Date(nowMs - PUSH_LEASE_WAIT_MS - GRACE)));
    expect(await closeDeadRuns(db(), nowMs)).toBe(0);
    expect(await closeDeadRuns(db(), nowMs + 1_000)).toBe(1);
    expect((await statusOf(atLimit)).status).toBe('interrupted');
    expect((await statusOf(inside)).status).toBe('running');
    await runs().where({ id: inside }).update({ status: 'ok' });
  });

  it('a run\'s lease is live through its last millisecond: the run is closed only once the expiry has passed', async () => {
    await clearLeases();
    const id = await running('stock', ago(1_000));
    const name = pushLease('stock');
    expect(await tryAcquire(db(), name, `run:${id}`, LEASE_TTL_MS)).not.toBeNull();
    const expiresAt = Number((await db().knex(db().own('lease')).where({ name }).first('expires_at'))!.expires_at);
    expect(await closeDeadRuns(db(), expiresAt)).toBe(0);
    expect((await statusOf(id)).status).toBe('running');
    expect(await closeDeadRuns(db(), expiresAt + 1)).toBe(1);
    expect((await statusOf(id)).status).toBe('interrupted');
  });

  it('never touches a finished run', async () => {
    await clearLeases();
    const id = await running('prices', ago(PUSH_LEASE_WAIT_MS * 5));
    await runs().where({ id }).update({ status: 'ok', message: 'done' });
    await expiredLease(pushLease('prices'), `run:${id}`);
    expect(await closeDeadRuns(db())).toBe(0);
    expect(await statusOf(id)).toMatchObject({ status: 'ok', message: 'done' });
  });
});

describe('serve killed mid-push and started again', () => {
  const BIN = path.resolve('bin/erp-bridge.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-deadrun-'));
  const KEY = 'dead-run-key-123';
  // A short lease so the test waits seconds, not the default 45 s, for the dead holder's lease to run out.
  const env = { PATH: process.env.PATH!, DATA_DIR: dir, APP_SECRET: 'dead-run-secret-0123456789', PORT: '0', ERP_BRIDGE_SCHEDULER: 'off', LOG_LEVEL: 'silent', ERP_BRIDGE_LEASE_TTL_MS: '1500' };
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function startServe(): Promise<{ child: ChildProcess; port: number }> {
    const child = spawn(process.execPath, [BIN, 'serve'], { env });
    children.push(child);
    let out = '';
    let err = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 120_000);
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /open http:\/\/localhost:(\d+)\/admin/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ child, port: Number(m[1]) });
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
  }
  const runsInDb = () => {
    const sqlite = new Database(path.join(dir, 'erp-bridge.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return sqlite.prepare("SELECT id, status, message FROM oc_erp_bridge_journal_run WHERE kind = 'prices' ORDER BY id").all() as Array<{ id: number; status: string; message: string | null }>;
    } finally {
      sqlite.close();
    }
  };

  it('the run a SIGKILL cut short reads "interrupted" after the restart, without waiting for another push', async () => {
    await promisify(execFile)(process.execPath, [BIN, 'settings', 'set', `import_password=${KEY}`], { env });
    const first = await startServe();
    // A prices push whose body never ends: the run is journaled and holds its URL's lease while it reads.
    const req = http.request({ host: '127.0.0.1', port: first.port, method: 'POST', path: `/integration/prices?key=${KEY}`, headers: { 'content-type': 'application/xml' } });
    req.on('error', () => {});
    req.write('<?xml version="1.0" encoding="UTF-8"?><termekek><termek><termekkod>A-1</termekkod><ar>100</ar></termek>');
    let seen: Array<{ status: string }> = [];
    for (let i = 0; i < 200 && !seen.some((r) => r.status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = runsInDb();
    }
    expect(seen.map((r) => r.status)).toEqual(['running']);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    req.destroy();
    expect(runsInDb().map((r) => r.status)).toEqual(['running']);
    await new Promise((r) => setTimeout(r, 1_600)); // the dead holder's lease runs out
    const second = await startServe();
    expect(runsInDb()).toEqual([expect.objectContaining({ status: 'interrupted', message: expect.stringMatching(/process stopped before the run finished/) })]);
    second.child.kill('SIGTERM');
  }, 240_000);
});
