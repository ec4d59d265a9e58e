// Pushes on real OpenCart installs: each release installed by its own installer (test harness),
// N products seeded with the release's own columns, an erp-bridge server (child process) warmed
// by a small push, then each case measured `repeat` times against its floor.
import type { Release } from '../test/support/opencart/index.js';
import { CASE_LABELS, ownFloor, runCase, shopCases, type CaseName, type Measurement } from './cases.js';
import { cores } from './cpu.js';
import { describeFloor } from './floor.js';
import { nextRound, stockPriceXml } from './documents.js';
import { openBenchShop, productTableFacts, seedProducts } from './shop.js';
import { KEY, push, startServer } from './server.js';

export interface ShopRun {
  release: Release;
  records: number;
  results: Map<CaseName, Measurement[]>;
}

const s = (t: number) => `${(t / 1000).toFixed(2)} s`;
const range = (xs: number[], f: (x: number) => string) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return f(lo) === f(hi) ? f(lo) : `${f(lo)}–${f(hi)}`;
};
const ratioOf = (m: Measurement) => m.push.ms / m.floor.best.ms;

/** One line per case: push, floor, ratio, peak memory, each as the range over the repeats. */
export function printCase(name: CaseName, ms: Measurement[]): void {
  const counts = Object.entries(ms.at(-1)!.push.counts).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `  ${CASE_LABELS[name].padEnd(32)} push ${range(ms.map((m) => m.push.ms), s).padStart(13)}   floor ${range(ms.map((m) => m.floor.best.ms), s).padStart(13)}` +
      `   ratio ${range(ms.map(ratioOf), (r) => r.toFixed(2)).padStart(9)}x   peak ${range(ms.map((m) => m.peakMb), (x) => x.toFixed(0)).padStart(7)} MB   (${counts})`,
  );
  const db = (xs: Array<number | null>) => (xs.every((x) => x !== null) ? range(xs as number[], s) : 'not read');
  console.log(
    `  ${''.padEnd(32)} CPU: push server ${range(ms.map((m) => m.push.cpu.serverMs), s)} + database ${db(ms.map((m) => m.push.cpu.dbMs))}; floor database ${db(ms.map((m) => m.floor.best.dbCpuMs))} (${cores} cores)`,
  );
  // Each run on its own, in order: a range alone cannot say how many runs passed a limit.
  if (ms.length > 1) console.log(`  ${''.padEnd(32)} each run: ${ms.map((m) => `${s(m.push.ms)} / ${s(m.floor.best.ms)} = ${ratioOf(m).toFixed(2)}x`).join(', ')}`);
}

export async function benchShop(release: Release, cases: CaseName[], n: number, repeat: number): Promise<ShopRun> {
  const t0 = performance.now();
  const b = await openBenchShop(release);
  const results = new Map<CaseName, Measurement[]>();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const installed = performance.now() - t0;
    const seeded = await seedProducts(b, n);
    console.log(`\nOpenCart ${release} (installed by its own installer in ${s(installed)}; product table ${await productTableFacts(b)}); seeded ${n.toLocaleString('en')} products in ${s(seeded)}`);
    server = await startServer(b.shop.databaseUrl, b.prefix);
    const ctx = b.context();
    // A 1M-record document is ~96 MB (full sync ~150 MB): raise the body limit to fit it.
    await ctx.settings.update({ import_password: KEY, max_body_mb: String(Math.max(64, Math.ceil((n * 160) / 1024 / 1024) + 16)), vat_map: `27=${b.ids.taxClass}` });
    const idle = server.rssMb();
    // A running server is warm: one small push first, so the figures are not the JIT's.
    await push(server, 'stock', stockPriceXml(Math.min(n, 1000), nextRound()));
    const built = await shopCases(b, n);
    for (let r = 0; r < repeat; r++) for (const c of cases) await runCase(b, server, built, c, results);
    console.log(`  server idle ${idle.toFixed(0)} MB; ${repeat} runs of each case (ranges over the runs); every push changes every row it names unless it says unchanged`);
    for (const c of cases) printCase(c, results.get(c)!);
    for (const c of cases) if (ownFloor(c)) console.log(`  floor of ${c}: ${describeFloor(results.get(c)!.at(-1)!.floor)}`);
  } finally {
    server?.stop();
    await b.stop();
  }
  return { release, records: n, results };
}

/** The issue's comparison: each 4.x release's push time against 3.0.4.1's (best of the runs). */
export function printReleaseComparison(runs: ShopRun[], cases: CaseName[]): void {
  const base = runs.find((r) => r.release === '3.0.4.1');
  console.log('\nrelease against release (best of the runs; limit: no slower than 3.0.4.1 by more than 20%)');
  console.log(`  ${'release'.padEnd(9)} ${cases.map((c) => `${c} push / floor / ratio`.padEnd(34)).join('')}`);
  for (const run of runs) {
    const cells = cases.map((c) => {
      const ms = run.results.get(c)!;
      const best = Math.min(...ms.map((m) => m.push.ms));
      const floor = Math.min(...ms.map((m) => m.floor.best.ms));
      return `${s(best)} / ${s(floor)} / ${(best / floor).toFixed(2)}x`.padEnd(34);
    });
    console.log(`  ${run.release.padEnd(9)} ${cells.join('')}`);
  }
  if (!base) return;
  for (const run of runs) {
    if (run === base) continue;
    const parts = cases.map((c) => {
      const best = (x: ShopRun) => Math.min(...x.results.get(c)!.map((m) => m.push.ms));
      const ratio = best(run) / best(base);
      return `${c} ${ratio.toFixed(2)}x ${ratio <= 1.2 ? '(within 1.20x)' : '(OVER 1.20x)'}`;
    });
    console.log(`  ${run.release} vs 3.0.4.1: ${parts.join(', ')}`);
  }
}
