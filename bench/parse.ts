// npx tsx bench/parse.ts [N]: how long the server's own reading of a push takes, without HTTP or
// a database: an N-record stock-and-price XML document (the bench's own) streamed in 64 KB pieces
// through openDocumentStream (charset, the fast XML reader) and every record checked by
// ProductValidator, 12 times after one warm-up run; prints the median and the fastest. For comparing two versions of the
// reading code on the same machine, alternated (the bench's push cases hide such changes in the
// database's noise).
import { nextRound, stockPriceXml } from './documents.js';
import { openDocumentStream } from '../app/erp/document.js';
import { ProductValidator } from '../app/sync/validate-products.js';
import { DEFAULTS } from '../app/settings/schema.js';

const n = Number(process.argv[2] ?? 100_000);
const body = stockPriceXml(n, nextRound());

async function readOnce(): Promise<number> {
  const t0 = performance.now();
  async function* pieces() {
    for (let i = 0; i < body.length; i += 65_536) yield body.subarray(i, i + 65_536);
  }
  const doc = await openDocumentStream(pieces(), 'application/xml; charset=utf-8');
  const validator = new ProductValidator('prices', { ...DEFAULTS });
  let rows = 0;
  for await (const batch of doc.batches) for (const r of batch) if (validator.check(r).row) rows++;
  if (rows !== n) throw new Error(`read ${rows} rows of ${n}`);
  return performance.now() - t0;
}

await readOnce(); // a first run to warm the JIT, not counted
const times: number[] = [];
for (let i = 0; i < 12; i++) times.push(await readOnce());
times.sort((a, b) => a - b);
const median = (times[5]! + times[6]!) / 2;
console.log(`read and checked ${n.toLocaleString('en')} records: median ${median.toFixed(0)} ms, fastest ${times[0]!.toFixed(0)} ms (12 runs after a warm-up)`);
