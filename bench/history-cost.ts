// npx tsx bench/history-cost.ts [release] [N]: what the products' history costs a stock-and-price
// push's write, in the database. On a shop installed by the release's own installer and seeded with
// N products (the bench's), erp-bridge's own ChangeTable (the push's change table and its write)
// applies new prices to every product, alternately with the history (a journal run's blocks in
// product_change_block, loaded beside the UPDATE as a push does) and without it, 4 times each after a
// warm-up round. Prints the wall time of the load, the write and the close (the drop and the
// commit), and the database's CPU over all three. The push's own reading is not in it.
import { install } from '../app/context.js';
import { ChangeTable, type ChangeList } from '../app/shop/product-changes.js';
import { cpuMs, databasePid } from './cpu.js';
import { openBenchShop, seedProducts } from './shop.js';
import type { Release } from '../test/support/opencart/index.js';

const release = (process.argv[2] ?? '4.0.2.3') as Release;
const n = Number(process.argv[3] ?? 100_000);
const b = await openBenchShop(release);
try {
  await seedProducts(b, n);
  const ctx = b.context();
  await install(ctx);
  const [rows] = (await b.conn.query(`SELECT product_id, model, price FROM ${b.t('product')} ORDER BY product_id`)) as unknown as [Array<{ product_id: number; model: string; price: string }>];
  // The old value a push records: the price the product had before this write (each round writes new ones).
  const old = rows.map((r) => Number(r.price));
  const dbPid = databasePid();
  let round = 0;
  // Round 0 warms the tables up and is not printed; then with and without the history, alternated.
  for (let k = 0; k < 9; k++) {
    const withHistory = k % 2 === 1;
    round++;
    const changes: ChangeList = {
      length: rows.length,
      productId: (i) => rows[i]!.product_id,
      code: (i) => rows[i]!.model,
      value: (i) => 2000 + round * 10 + (i % 7),
      old: (i) => old[i]!,
    };
    const cpu0 = dbPid ? cpuMs(dbPid) : 0;
    const t0 = performance.now();
    const table = await ChangeTable.open(ctx.db, 'model', 'price', withHistory ? 1_000_000 + round : undefined);
    let written = 0;
    try {
      await table.load(changes);
      const t1 = performance.now();
      written = await table.write('2026-12-03 12:00:00', { rows: rows.length, tableRows: rows.length });
      const t2 = performance.now();
      await table.close(); // drops the change table and commits (InnoDB)
      const t3 = performance.now();
      for (let i = 0; i < rows.length; i++) old[i] = changes.value(i);
      const cpu = dbPid ? ((cpuMs(dbPid) - cpu0) / 1000).toFixed(2) : '?';
      if (k > 0) console.log(`${release} ${withHistory ? 'with history   ' : 'without history'}: load ${((t1 - t0) / 1000).toFixed(2)} s + write ${((t2 - t1) / 1000).toFixed(2)} s + close ${((t3 - t2) / 1000).toFixed(2)} s, database CPU (all three) ${cpu} s, ${written} rows`);
    } catch (err) {
      await table.close();
      throw err;
    }
  }
  await b.conn.query(`DELETE FROM ${ctx.db.own('product_change_block')} WHERE run_id > 1000000`);
} finally {
  await b.stop();
}
