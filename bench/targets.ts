// Issue 14's "done when", read off the runs this invocation made: each target case, its limit,
// and how many of its runs were within it (push / floor, and the server's peak memory). A case the
// invocation did not run says so; nothing here is measured again.
import type { CaseName } from './cases.js';
import type { ShopRun } from './pushes.js';

interface Target {
  label: string;
  release: ShopRun['release'];
  records: number;
  cases: CaseName[];
  ratio: number;
}

const MEMORY_MB = 300;

const TARGETS: Target[] = [
  { label: '100,000 stock-and-price, warm server, every price changed', release: '3.0.4.1', records: 100_000, cases: ['warm'], ratio: 1.5 },
  { label: '1,000,000 stock-and-price (cold and warm index)', release: '3.0.4.1', records: 1_000_000, cases: ['prices', 'warm'], ratio: 1.5 },
  { label: '100,000 promo prices', release: '3.0.4.1', records: 100_000, cases: ['promo'], ratio: 2 },
  { label: '100,000 full sync (50,000 created)', release: '3.0.4.1', records: 100_000, cases: ['full'], ratio: 2 },
  { label: '100,000 stock-and-price, warm server, every price changed', release: '4.0.2.3', records: 100_000, cases: ['warm'], ratio: 1.5 },
];

/** Beyond the text: the same change after orders, and with every product changed behind erp-bridge's back. */
const STRICTER: Target[] = (['3.0.4.1', '4.0.2.3', '4.1.0.3'] as const).flatMap((release) => [
  { label: '100,000 stock-and-price after 20 orders', release, records: 100_000, cases: ['orders'] as CaseName[], ratio: 1.5 },
  { label: '100,000 stock and stock-and-price, cold index', release, records: 100_000, cases: ['stock', 'prices'] as CaseName[], ratio: 1.5 },
]);

function line(t: Target, runs: ShopRun[]): string {
  const head = `  ${t.release} ${t.label} (≤ ${t.ratio}×, < ${MEMORY_MB} MB):`;
  const ms = runs.filter((r) => r.release === t.release && r.records === t.records).flatMap((r) => t.cases.flatMap((c) => r.results.get(c) ?? []));
  if (!ms.length) return `${head} not run in this invocation`;
  const ratios = ms.map((m) => m.push.ms / m.floor.best.ms);
  const within = ms.filter((m, i) => ratios[i]! <= t.ratio && m.peakMb < MEMORY_MB).length;
  const peak = Math.max(...ms.map((m) => m.peakMb));
  return `${head} ${within} of ${ms.length} runs within (ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; peak ${peak.toFixed(0)} MB)`;
}

export function printTargets(runs: ShopRun[]): void {
  if (!runs.length) return;
  console.log('\nissue 14 targets, from the runs above (push / floor of the same run)');
  for (const t of TARGETS) console.log(line(t, runs));
  console.log('beyond the issue (the same limits, harder cases)');
  for (const t of STRICTER) console.log(line(t, runs));
}
