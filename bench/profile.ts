// npx tsx bench/profile.ts [N] [release] [kind...] [--cold]: a CPU profile of the erp-bridge server during
// N-record pushes (node --cpu-prof), for finding where a push spends its time. Prints figures only.
// Kinds: stock, prices, promo, full, and same (the last document again, to its URL: nothing changes).
// --no-prof: the same pushes without the profiler (its sampling thread adds to the server's CPU),
// for timelines with ERP_BRIDGE_PUSH_TIMINGS=1. --idle S: the server waits S seconds before each
// push (as between an ERP's scheduled pushes), so what an idle server keeps or drops shows.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nextRound, stockPriceXml, promoXml, fullSyncXml } from './documents.js';
import { openBenchShop, seedProducts } from './shop.js';
import { KEY, push, startServer } from './server.js';
import { cpuMs, threadCpuMs } from './cpu.js';
import type { Release } from '../test/support/opencart/index.js';

// The options first (wherever they stand), then the words left in order: N, release, kinds.
const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? (args.splice(args.indexOf(name), 1), true) : false);
const option = (name: string) => (args.includes(name) ? args.splice(args.indexOf(name), 2)[1] : undefined);
const cold = flag('--cold');
const profiled = !flag('--no-prof');
const idleS = Number(option('--idle') ?? 0);
const n = Number(args[0] ?? 100_000);
const release = (args[1] ?? '3.0.4.1') as Release;
const rest = args.slice(2);
const kinds = rest.length ? rest : ['prices'];
const b = await openBenchShop(release);
const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-prof-'));
try {
  await seedProducts(b, n);
  // PROFILE_NODE_ARGS: more flags for the server's node (e.g. --trace-gc, which NODE_OPTIONS refuses).
  const more = (process.env.PROFILE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const server = await startServer(b.shop.databaseUrl, b.prefix, {}, [...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), ...more]);
  await b.context().settings.update({ import_password: KEY, max_body_mb: String(Math.max(64, Math.ceil((n * 160) / 1024 / 1024) + 16)), vat_map: `27=${b.ids.taxClass}` });
  await push(server, 'stock', stockPriceXml(1000, nextRound()));
  let last: ReturnType<typeof stockPriceXml> | null = null;
  let lastKind = 'prices';
  for (const kind of kinds) {
    // `same`: the previous document again, to its own URL (nothing changes: the push's reading and matching alone).
    const k = kind === 'same' ? lastKind : kind;
    lastKind = k;
    if (k === 'full') await b.context().settings.update({ sync_type: 'full' });
    const body: ReturnType<typeof stockPriceXml> = kind === 'same' && last ? last : k === 'promo' ? promoXml(n, nextRound()) : k === 'full' ? fullSyncXml(n, nextRound()) : stockPriceXml(n, nextRound());
    last = body;
    // --cold: the product table changes before each push (as the bench's floor does), so the index is read again.
    if (cold) await b.conn.query(`UPDATE ${b.t('product')} SET price = price + 7`);
    if (idleS > 0) await new Promise((r) => setTimeout(r, idleS * 1000));
    server.resetPeak();
    const cpu0 = cpuMs(server.child.pid!);
    const threads0 = threadCpuMs(server.child.pid!);
    const r = await push(server, k === 'promo' ? 'promo-prices' : k === 'full' ? 'prices' : k, body);
    // The server's own CPU time: steadier than the wall clock when the machine is shared.
    console.log(`${k}: ${(r.ms / 1000).toFixed(2)} s, server CPU ${((cpuMs(server.child.pid!) - cpu0) / 1000).toFixed(2)} s, peak ${server.peakMb().toFixed(0)} MB`, JSON.stringify(r.counts));
    // By thread: the main thread's JavaScript against V8's helpers (GC, the optimizing compiler) and libuv's.
    const byThread = [...threadCpuMs(server.child.pid!)].map(([name, ms]) => [name, ms - (threads0.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
    console.log(`  by thread: ${byThread.sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ')}`);
    if (k === 'full') await b.context().settings.update({ sync_type: 'stock_price' });
  }
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  for (const f of readdirSync(dir)) summarize(path.join(dir, f));
} finally {
  await b.stop();
}

function summarize(file: string) {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }>; samples: number[]; timeDeltas: number[] };
  const self = new Map<string, number>();
  const byId = new Map(prof.nodes.map((nd) => [nd.id, nd]));
  const dt = new Map<number, number>();
  prof.samples.forEach((s, i) => dt.set(s, (dt.get(s) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  for (const [id, us] of dt) {
    const nd = byId.get(id)!;
    const key = `${nd.callFrame.functionName || '(anon)'} ${nd.callFrame.url.replace(/^.*\/(app|node_modules)\//, '$1/')}:${nd.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  console.log(`\n${file}`);
  const byFile = new Map<string, number>();
  for (const [k, us] of self) { const f = k.split(' ').slice(1).join(' ').replace(/:\d+$/, ''); byFile.set(f, (byFile.get(f) ?? 0) + us); }
  for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  FILE ${k}`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}
