// An erp-bridge server for the bench: a child process (`erp-bridge serve`), so its memory is its
// own; peak memory is read from /proc (VmHWM) and reset between cases through clear_refs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cpuMs, databasePid } from './cpu.js';

export const APP_SECRET = 'bench-secret-0123456789';

/** Node's own flags of `npm start` (package.json): the bench serves the way a shop does. */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('bin/erp-bridge.js'));
}
export const KEY = 'bench';

let built = false;
/** `npm start` builds first (prestart): so does the bench, once, unless BENCH_SOURCES=1 (the TypeScript through tsx). */
function buildOnce(): void {
  if (built || process.env.BENCH_SOURCES === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  built = true;
}

/** A free port in 8600-8699 (the range this machine's hand-started servers use). */
export async function benchPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 8600 + Math.floor(Math.random() * 100);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 8600-8699');
}

export interface BenchServer {
  port: number;
  child: ChildProcess;
  dataDir: string;
  rssMb(): number;
  peakMb(): number;
  /** Resets the peak (VmHWM) to the current RSS, so the next peak is the next case's. */
  resetPeak(): void;
  stop(): void;
}

// A bench that dies must not leave servers behind (they would also hold its stdout open).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

const statusMb = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

export async function startServer(databaseUrl: string, prefix: string, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  buildOnce();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-bench-'));
  const port = await benchPort();
  const child = spawn(process.execPath, [...startFlags(), ...nodeArgs, 'bin/erp-bridge.js', 'serve'], {
    env: { ...process.env, ...(process.env.BENCH_SOURCES === '1' ? { ERP_BRIDGE_SOURCES: '1' } : {}), DATABASE_URL: databaseUrl, TABLE_PREFIX: prefix, PORT: String(port), DATA_DIR: dataDir, APP_SECRET, LOG_LEVEL: 'warn', ERP_BRIDGE_SCHEDULER: 'off', ...extra },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const server: BenchServer = {
    port,
    child,
    dataDir,
    rssMb: () => statusMb(child.pid!, 'VmRSS'),
    peakMb: () => statusMb(child.pid!, 'VmHWM'),
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    stop() {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return server;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  server.stop();
  throw new Error('the erp-bridge server did not start');
}

export interface PushResult {
  ms: number;
  counts: Record<string, number>;
  /** CPU used from request to answer: the erp-bridge server's and the database's (null: not local). */
  cpu: { serverMs: number; dbMs: number | null };
}

export async function push(server: BenchServer, kind: string, body: Buffer): Promise<PushResult> {
  const dbPid = databasePid();
  const server0 = cpuMs(server.child.pid!);
  const db0 = dbPid ? cpuMs(dbPid) : 0;
  const t0 = performance.now();
  const res = await post(server.port, `/integration/${kind}?key=${KEY}`, body);
  const ms = performance.now() - t0;
  const cpu = { serverMs: cpuMs(server.child.pid!) - server0, dbMs: dbPid ? cpuMs(dbPid) - db0 : null };
  // The status first: an error page need not be JSON.
  if (res.status !== 200) throw new Error(`push ${kind}: ${res.status} ${res.text.slice(0, 500)}`);
  const answer = JSON.parse(res.text) as { counts: Record<string, number> };
  return { ms, counts: answer.counts, cpu };
}

/**
 * One POST of a whole document, as an ERP's HTTP client sends it: Content-Length, then the bytes.
 * Through node:http, not fetch: undici's fetch spent 25–120 ms of its own before its request
 * reached the server (a 10 MB body, against a bare http server: node:http's arrived after 2–11 ms;
 * round 19), time the bench then counted as the push's.
 */
function post(port: number, urlPath: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', headers: { 'Content-Type': 'application/xml; charset=utf-8', Accept: 'application/json', 'Content-Length': body.length } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
