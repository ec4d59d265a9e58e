// npm run bench [-- --records N] [-- --repeat R] [-- --only all|push|releases|orders|admin]
//   push      OpenCart 3.0.4.1 (MyISAM), installed by its own installer: stock, stock-and-price,
//             the same prices again (unchanged), promo prices and full sync, each against its floor
//   releases  the stock and stock-and-price pushes on 3.0.4.1, 4.0.2.3 and 4.1.0.3, and 4.x vs 3.0
//   orders, admin  on the 3.0.3.8 install SQL fixture
//   million   a 1,000,000-record stock-and-price push on 3.0.4.1 (cold and warm index), against its floor
//   sqlite    the embedded SQLite demo shop: a 250k push, and the admin's journal page requested while it runs
// Each push goes over HTTP to a real erp-bridge server (a child process, so its peak memory is its
// own); each floor is the same change done the fastest way by hand (floor.ts), in the same run.
// Prints figures, then issue 14's targets with how many runs were within each; asserts nothing.
import mysql from 'mysql2/promise';
import { RELEASES } from '../test/support/opencart/index.js';
import { createOpenCartDatabase } from '../test/support/opencart-fixture.js';
import { CASES, type CaseName } from './cases.js';
import { benchAdmin, benchOrders, stopFixtureServer } from './orders-admin.js';
import { benchShop, printReleaseComparison, type ShopRun } from './pushes.js';
import { benchSqlite } from './sqlite.js';
import { printTargets } from './targets.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const N = Number(arg('records', '100000'));
const REPEAT = Number(arg('repeat', '2'));
const MILLION = Number(arg('million-records', '1000000'));
const ONLY = arg('only', 'all');
// --only orders,admin: several sections (never `all` among others).
const ONLY_SECTIONS = ONLY.split(',');
// --cases stock,prices: only these push cases (and --releases 3.0.4.1,4.0.2.3: only these releases).
const ONLY_CASES = arg('cases', '').split(',').filter(Boolean);
const ONLY_RELEASES = arg('releases', '').split(',').filter(Boolean);
const pick = <T extends string>(xs: readonly T[], only: string[]) => (only.length ? xs.filter((x) => only.includes(x)) : [...xs]);
const SECTIONS = ['all', 'push', 'releases', 'million', 'orders', 'admin', 'sqlite'];
if (!ONLY_SECTIONS.every((x) => SECTIONS.includes(x)) || (ONLY_SECTIONS.length > 1 && ONLY_SECTIONS.includes('all')) || !(N > 0) || !(REPEAT > 0) || !(MILLION > 0)) {
  console.error(`usage: npm run bench -- [--records N] [--repeat R] [--only ${SECTIONS.join('|')}[,…]] [--cases a,b] [--releases x,y] [--journal N] [--orders N] [--sqlite-records N] [--million-records N]`);
  process.exit(2);
}
const serverUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/';
const on = (section: string) => ONLY === 'all' || ONLY_SECTIONS.includes(section);

async function main() {
  console.log(`erp-bridge bench: ${N.toLocaleString('en')} products, MariaDB at ${serverUrl.replace(/:[^:@/]*@/, ':***@')}, ${REPEAT} runs per case`);
  const releaseCases: CaseName[] = pick(['stock', 'prices', 'warm', 'orders'] as CaseName[], ONLY_CASES);
  const runs: ShopRun[] = [];
  if (on('push') || on('releases')) {
    // 3.0.4.1 first: with `all` its run gives every case, and its stock and prices the baseline.
    if (!ONLY_RELEASES.length || ONLY_RELEASES.includes('3.0.4.1')) runs.push(await benchShop('3.0.4.1', on('push') ? pick(CASES, ONLY_CASES) : releaseCases, N, REPEAT));
  }
  if (on('releases')) {
    for (const release of pick(RELEASES, ONLY_RELEASES).filter((r) => r !== '3.0.4.1')) runs.push(await benchShop(release, releaseCases, N, REPEAT));
    printReleaseComparison(runs, releaseCases);
  }
  // A million records, once each: the flat-memory target (the document alone is ~96 MB).
  const millionCases = pick(['prices', 'warm'] as CaseName[], ONLY_CASES);
  if (on('million') && millionCases.length) runs.push(await benchShop('3.0.4.1', millionCases, MILLION, 1));
  printTargets(runs);
  // The SQLite demo shop under a big push: is the admin still answering? (--sqlite-records N)
  if (on('sqlite')) await benchSqlite(Number(arg('sqlite-records', '250000')));
  if (on('orders') || on('admin')) {
    const db = await createOpenCartDatabase('oc_', serverUrl);
    const conn = await mysql.createConnection({ uri: db.url });
    await conn.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
    const o = { records: N, journal: Number(arg('journal', '1000000')), orders: Number(arg('orders', '10000')) };
    try {
      console.log('');
      if (on('orders')) await benchOrders(db, conn, o);
      if (on('admin')) await benchAdmin(db, conn, o);
    } finally {
      stopFixtureServer();
      await conn.end();
      await db.drop();
    }
  }
}

// An uncaught error still runs the exit hooks (servers stopped); the harness sweeps the shop's
// database and tree on its next install.
process.on('unhandledRejection', (e) => {
  console.error(e);
  process.exit(1);
});
await main();
