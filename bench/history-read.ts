// npx tsx bench/history-read.ts [release] [runs] [N]: what the admin's product page costs to read a
// product's history once stock and price pushes write it in blocks. On a shop installed by the
// release's own installer, `runs` journal runs (default 60) each record N changed prices (default
// 100,000) through the push's own writer (historyStep: the blocks of 20,000-change load steps,
// loaded as a push loads them); then ProductHistory.changes, as the product page calls it, for a
// code changed in every run (a page of 50: the newest 50 runs) and for a code in none (every block
// of its slot is read, 1/256 of them), 7 times each, median and range. Prints the history's size too.
import { install } from '../app/context.js';
import { Journal } from '../app/plugin/journal.js';
import { ProductHistory, historyStep } from '../app/plugin/product-history.js';
import { encodeLikeOpenCart } from '../app/util/html.js';
import { openBenchShop } from './shop.js';
import type { Release } from '../test/support/opencart/index.js';

const release = (process.argv[2] ?? '4.0.2.3') as Release;
const runs = Number(process.argv[3] ?? 60);
const n = Number(process.argv[4] ?? 100_000);
const STEP = 20_000;
const b = await openBenchShop(release);
try {
  const ctx = b.context();
  await install(ctx);
  const journal = new Journal(ctx.db);
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) {
    const run = await journal.start('prices', 'bench');
    for (let from = 0; from < n; from += STEP) {
      const rows = Array.from({ length: Math.min(STEP, n - from) }, (_, i) => [from + i + 1, `BENCH-${String(from + i + 1).padStart(7, '0')}`, 1000 + r + ((from + i) % 97) / 4, 999 + r + ((from + i) % 97) / 4]);
      await historyStep(ctx.db, run, 'price', rows)();
    }
    await journal.finish(run, { status: 'ok', durationMs: 1 });
  }
  const written = (performance.now() - t0) / 1000;
  const [[size]] = (await b.conn.query(`SELECT COUNT(*) AS blocks, SUM(entries) AS entries, ROUND(SUM(LENGTH(data)) / 1048576) AS mb FROM ${ctx.db.own('product_change_block')}`)) as unknown as [[{ blocks: number; entries: number; mb: number }]];
  console.log(`${release}: ${runs} runs of ${n.toLocaleString('en')} changes written in ${written.toFixed(1)} s: ${Number(size.blocks).toLocaleString('en')} blocks, ${Number(size.entries).toLocaleString('en')} changes, ${size.mb} MB of block data`);
  const history = new ProductHistory(ctx.db);
  for (const [label, code] of [['a code changed in every run (newest 50)', 'BENCH-0050000'], ['a code in no run (its slot\'s blocks read)', 'NOT-THERE-1']] as const) {
    const codes = [...new Set([code, encodeLikeOpenCart(code)])];
    const times: number[] = [];
    let found = 0;
    for (let k = 0; k < 8; k++) {
      const s = performance.now();
      found = (await history.changes({ codes, limit: 50 })).length;
      if (k > 0) times.push(performance.now() - s); // the first warms the caches
    }
    times.sort((x, y) => x - y);
    console.log(`  ${label}: ${found} changes, median ${times[3]!.toFixed(1)} ms (${times[0]!.toFixed(1)}–${times.at(-1)!.toFixed(1)} ms)`);
  }
} finally {
  await b.stop();
}
