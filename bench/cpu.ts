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
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** User + system CPU milliseconds in a /proc `stat` line (a process's or one thread's). */
function statCpuMs(stat: string): number {
  // After "pid (comm) ": field 3 (state) first, so utime (14) and stime (15) are the 12th and 13th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * msPerTick();
}

/**
 * The MariaDB/MySQL server's process when the bench's database is on this machine (`MYSQL_URL`'s
 * host is local), else null: a remote server's CPU is not counted. The first such process found
 * counts (a machine with several local servers is not told apart).
 */
export function databasePid(url = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/'): number | null {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return null;
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

/**
 * CPU milliseconds of a process's main thread (`main`) and of all its other threads together
 * (`helpers`: V8's garbage collector and optimizing compiler, libuv's pool): where its CPU went.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? 'main' : 'helpers';
      out.set(name, (out.get(name) ?? 0) + statCpuMs(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // The thread ended while the list was read.
    }
  }
  return out;
}
