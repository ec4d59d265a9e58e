// The embedded SQLite demo shop under a big push: N products (default 250,000), a stock-and-price
// push of all of them over HTTP, and while it runs the admin's journal page and the run's
// progress fragment requested every 100 ms, logged in as a browser is. Prints the push time and
// how long those pages took while it ran (better-sqlite3 is synchronous: the push must leave
// gaps, and the pages read through their own connection, `db.reads`).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext, install } from '../app/context.js';
import { loadConfig } from '../app/config.js';
import { createLogger } from '../app/log.js';
import { shopSchema } from '../app/shop/schema.js';
import { nextRound, stockPriceXml } from './documents.js';
import { APP_SECRET, KEY, push, startServer } from './server.js';

const ms = (t: number) => `${t.toFixed(0)} ms`;

export async function benchSqlite(n: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-bench-sqlite-'));
  const file = path.join(dir, 'erp-bridge.sqlite');
  try {
    const t0 = performance.now();
    const ctx = createContext(loadConfig({ DATA_DIR: dir, APP_SECRET, LOG_LEVEL: 'silent' }), createLogger('silent'));
    await install(ctx);
    const schema = await shopSchema(ctx.db);
    const product = schema.insertColumns('product', {
      model: "'BENCH-' || printf('%07d', n)", sku: "''", upc: "''", ean: "''", jan: "''", isbn: "''", mpn: "''", location: "''",
      quantity: '10', stock_status_id: '7', image: "''", manufacturer_id: '0', shipping: '1', price: '1000', points: '0', tax_class_id: '9',
      date_available: "'2026-01-01'", weight: '0', weight_class_id: '1', length: '0', width: '0', height: '0', length_class_id: '1',
      subtract: '1', minimum: '1', sort_order: '0', status: '1', date_added: "'2026-01-01 10:00:00'", date_modified: "'2026-01-01 10:00:00'",
    });
    await ctx.db.knex.raw(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})
      INSERT INTO ${ctx.db.t('product')} (${product.columns.join(', ')}) SELECT ${product.exprs.join(', ')} FROM seq`);
    await ctx.settings.update({ import_password: KEY, max_body_mb: String(Math.max(64, Math.ceil((n * 160) / 1024 / 1024) + 16)) });
    await ctx.close();
    console.log(`\nSQLite demo shop: ${n.toLocaleString('en')} products seeded in ${ms(performance.now() - t0)}`);

    const server = await startServer(file, 'oc_', { DATA_DIR: dir, ADMIN_PASSWORD: 'bench-admin-password' });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const form = await fetch(`${base}/admin/login`);
      const formCookie = form.headers.getSetCookie().find((c) => c.startsWith('erpb_form='))!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const login = await fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: formCookie }, body: new URLSearchParams({ _csrf: csrf, username: 'admin', password: 'bench-admin-password' }) });
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('erpb_session='))!.split(';')[0]!;
      const page = async (p: string) => {
        const t = performance.now();
        const res = await fetch(`${base}${p}`, { headers: { Cookie: cookie } });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
        return { ms: performance.now() - t, text };
      };
      await push(server, 'stock', stockPriceXml(1000, nextRound()));
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) idle.push((await page('/admin/journal')).ms);

      const body = stockPriceXml(n, nextRound());
      let done = false;
      const pushing = push(server, 'prices', body).finally(() => (done = true));
      const journal: number[] = [];
      const progress: number[] = [];
      const phases = new Set<string>();
      while (!done) {
        const j = await page('/admin/journal');
        if (!done) journal.push(j.ms);
        const run = /href="[^"]*\/journal\/(\d+)"/.exec(j.text)?.[1];
        if (run && !done) {
          const p = await page(`/admin/journal/${run}/progress`);
          if (!done) progress.push(p.ms);
          const phase = /class="phase">([^<]*)</.exec(p.text)?.[1];
          if (phase) phases.add(phase.replace(/\d+/g, 'N').replace(/N%/, '').trim());
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const pushed = await pushing;
      const stat = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length ? `median ${ms(s[Math.floor(s.length / 2)]!)}, max ${ms(s.at(-1)!)} (${s.length} requests)` : 'no request finished during the push';
      };
      console.log(`  POST /integration/prices, ${n.toLocaleString('en')} records: ${(pushed.ms / 1000).toFixed(2)} s (${Object.entries(pushed.counts).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      console.log(`  GET /admin/journal while idle: ${stat(idle)}`);
      console.log(`  GET /admin/journal during the push: ${stat(journal)}`);
      console.log(`  GET the run's progress fragment during the push: ${stat(progress)}`);
      console.log(`  phases shown: ${[...phases].join(' | ') || '(none caught)'}`);
    } finally {
      server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
