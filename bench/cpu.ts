// CPU time a process used (user + system), read from /proc/<pid>/stat: the bench prints what a
// push and its floor cost the machine's cores beside how long they took, because on a small
// machine the push's own work (HTTP, parsing, validation, matching, the history) competes with
// the database for the same cores, and the floor has none of that work.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

let tickMs: number | undefined;
function msPerTick(): number {
  if (tickMs === undefined) {
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    tickMs = 1000 / (hz > 0 ? hz : 100);
  }
  return tickMs;
}

/** User + system CPU milliseconds the process has used so far. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": field 3 (state) first, so utime (14) and stime (15) are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * msPerTick();
}

/** The local MariaDB/MySQL server's process, or null (a remote database: its CPU is not counted). */
export function databasePid(): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') return Number(d);
    } catch {
      // The process ended while the list was read.
    }
  }
  return null;
}

export const cores = os.availableParallelism?.() ?? os.cpus().length;

/** CPU used by each process while `f` runs (ms; null for a process that is not there). */
export async function cpuDuring<T>(pids: { server?: number | null; db: number | null }, f: () => Promise<T>): Promise<{ value: T; serverMs: number | null; dbMs: number | null }> {
  const at = (pid: number | null | undefined) => (pid ? cpuMs(pid) : 0);
  const s0 = at(pids.server);
  const d0 = at(pids.db);
  const value = await f();
  return { value, serverMs: pids.server ? at(pids.server) - s0 : null, dbMs: pids.db ? at(pids.db) - d0 : null };
}
