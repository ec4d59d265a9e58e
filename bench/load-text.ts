// npx tsx bench/load-text.ts [N] [rounds]: the server's CPU for making a stock-and-price push's
// LOAD DATA texts (the change table's rows and the history's blocks) for N changes in the push's
// 20,000-change steps, two ways, alternated over `rounds` rounds:
// - rows: an array per change (and one per change table row: id, code CRC32, slot, new, old, as
//   ChangeTable makes them where LOAD DATA is not known to work yet), then the text (keepRows) and
//   the blocks (packBlocks, JSON.stringify), as every step did before round 17;
// - direct: straight into a byte buffer from the product index's code table (app/shop/change-text.ts).
// Both make the same bytes (checked here before timing). No database: only the server's own work.
// Each figure is the wall time of one round, garbage collection included.
import { mysqlHelper, setLoadDataForTests } from '../app/db/dialects/mysql.js';
import { LoadTextWriter } from '../app/db/dialects/mysql-load-text.js';
import { packBlocks, slotOf } from '../app/plugin/change-blocks.js';
import { crc32 } from 'node:zlib';
import { blocksLoadText, changeLoadText } from '../app/shop/change-text.js';
import { ProductIndex } from '../app/shop/product-index.js';
import type { ChangeList } from '../app/shop/product-changes.js';
import { code, price } from './documents.js';

const n = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 15);
const STEP = 20_000;
setLoadDataForTests(true);

const index = new ProductIndex(n);
// With each code's CRC32, as the database gives it to the index (the change table keeps it, not the code).
for (let i = 0; i < n; i++) index.add(i + 1, code(i), price(i, 0), i % 50, 9, 0, crc32(Buffer.from(code(i))) >>> 0);
const values = Float64Array.from({ length: n }, (_, i) => Math.round((price(i, 1) / 1.27) * 10_000) / 10_000);
const list: ChangeList = {
  length: n,
  productId: (k) => index.productIdOf(k),
  code: (k) => index.storedCodeOf(k),
  value: (k) => values[k]!,
  old: (k) => index.price[k]!,
  codeCrc: (k) => index.codeCrcOf(k),
  codeEntry: (k) => index.storedCodeEntryOf(k),
  codes: index.codeTable,
};

/** The old way: what ChangeTable.load made per step before. */
function byRows(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i += STEP) {
    const rows: unknown[][] = [];
    for (let k = i; k < Math.min(n, i + STEP); k++) rows.push([list.productId(k), list.code(k), list.value(k), list.old(k)]);
    const table = rows.map((r, j) => [r[0], list.codeCrc!(i + j), slotOf(r[1] as string), r[2], r[3]]);
    out.push((mysqlHelper.keepRows(table) as { loadText: Buffer }).loadText);
    out.push((mysqlHelper.keepRows(packBlocks(rows)) as { loadText: Buffer }).loadText);
  }
  return out;
}

function direct(): Buffer[] {
  const out: Buffer[] = [];
  const w = new LoadTextWriter();
  for (let i = 0; i < n; i += STEP) {
    const end = Math.min(n, i + STEP);
    const rows = changeLoadText(w, list, i, end);
    out.push(rows.loadText);
    out.push(blocksLoadText(w, list, i, rows).loadText);
  }
  return out;
}

const [a, b] = [byRows(), direct()];
if (a.length !== b.length || a.some((x, i) => !x.equals(b[i]!))) throw new Error('the two ways made different texts');
const times: Record<'rows' | 'direct', number[]> = { rows: [], direct: [] };
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of [['rows', byRows], ['direct', direct]] as const) {
    const t0 = performance.now();
    fn();
    times[name].push(performance.now() - t0);
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`load texts of ${n.toLocaleString('en')} changes (change rows and history blocks, steps of ${STEP.toLocaleString('en')}), ${rounds} rounds each, alternated; the same bytes both ways (${(a.reduce((s, x) => s + x.length, 0) / 1048576).toFixed(1)} MB)`);
for (const name of ['rows', 'direct'] as const) {
  const xs = times[name];
  console.log(`  ${name.padEnd(7)} median ${median(xs).toFixed(1)} ms   min ${Math.min(...xs).toFixed(1)} ms   max ${Math.max(...xs).toFixed(1)} ms`);
}
