// The admin answers during a big push on SQLite (issue 13). better-sqlite3 runs each statement
// synchronously, and the push's statements used to share the one connection with the admin, so
// knex queued every query of a page behind the push's statements: a page of five queries waited
// for five of them (4.9 s at 250,000 products). Pages now read through a connection of their own
// (`db.reads`), and the push gives other requests their turn between its steps.
//
// Speed belongs to the bench (`npm run bench -- --only sqlite`); this checks the order of things:
// journal pages asked for while the push runs are answered while it still runs, each without
// waiting for the push's statements (the shop connection finishes at most one statement while a
// page is being answered; the page's own queries would be several), and the push still writes
// every change.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app/web/server.js';
import { shopSchema } from '../../app/shop/schema.js';
import { loginWithForm } from '../support/admin-forms.js';
import { KEY } from '../support/shop.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const PASSWORD = 'Admin-jelszo-2026';
const N = 40_000;

describe.each(TARGETS.filter((t) => t.dialect === 'sqlite'))('the admin during a big push on $name', (target) => {
  let env: TargetEnv;
  let server: Server;
  let base: string;
  let cookie: string;
  /** Statements the shop connection (the push's) has finished. */
  let statements = 0;
  /** Per admin page answered: statements the shop connection finished while it was being answered, and whether the push was still running. */
  const pages: Array<{ path: string; status: number; statements: number; duringPush: boolean }> = [];
  let pushing = false;

  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    const db = env.ctx.db;
    const product = (await shopSchema(db)).insertColumns('product', {
      model: "'BIG-' || printf('%06d', n)", sku: "''", upc: "''", ean: "''", jan: "''", isbn: "''", mpn: "''", location: "''",
      quantity: '10', stock_status_id: '7', image: "''", manufacturer_id: '0', shipping: '1', price: '1000', points: '0', tax_class_id: '9',
      date_available: "'2026-01-01'", weight: '0', weight_class_id: '1', length: '0', width: '0', height: '0', length_class_id: '1',
      subtract: '1', minimum: '1', sort_order: '0', status: '1', date_added: "'2026-01-01 10:00:00'", date_modified: "'2026-01-01 10:00:00'",
    });
    await db.knex.raw(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${N})
      INSERT INTO ${db.t('product')} (${product.columns.join(', ')}) SELECT ${product.exprs.join(', ')} FROM seq`);
    await env.ctx.settings.update({ import_password: KEY });
    db.knex.on('query-response', () => void statements++).on('query-error', () => void statements++);

    const app = createApp(env.ctx);
    // Around the app: what the shop connection did while each admin page was being answered.
    const outer = express();
    outer.use((req, res, next) => {
      if (!req.path.startsWith('/admin/journal')) return next();
      const before = statements;
      res.once('finish', () => pages.push({ path: req.path, status: res.statusCode, statements: statements - before, duringPush: pushing }));
      next();
    });
    outer.use(app);
    server = outer.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ({ cookie } = await loginWithForm(app, 'admin', PASSWORD));
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await env?.cleanup();
  });

  it('answers journal pages while a push of 40,000 prices runs, none of them waiting for the push\'s statements', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<termekek>\n${Array.from({ length: N }, (_, i) => `<termek><termekkod>BIG-${String(i + 1).padStart(6, '0')}</termekkod><ar>${1001 + (i % 500)}</ar><szabadraktar>${i % 90}</szabadraktar></termek>`).join('\n')}\n</termekek>\n`;
    pushing = true;
    const push = fetch(`${base}/integration/prices?key=${KEY}`, { method: 'POST', headers: { 'Content-Type': 'application/xml', Accept: 'application/json' }, body })
      .then(async (res) => ({ status: res.status, answer: (await res.json()) as { counts: Record<string, number> } }))
      .finally(() => (pushing = false));
    let running = false;
    // Pages, one after another, as an owner watching the journal does, until the push has answered.
    const watch = (async () => {
      while (pushing) {
        const page = await fetch(`${base}/admin/journal`, { headers: { Cookie: cookie } });
        const html = await page.text();
        // The running push is listed while it runs.
        if (pushing && /class="badge running"/.test(html)) running = true;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const pushed = await push;
    await watch;
    expect(pushed.status).toBe(200);
    expect(pushed.answer.counts).toMatchObject({ received: N, updated: N });

    const during = pages.filter((p) => p.duringPush);
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(running).toBe(true);
    for (const p of during) expect(p.status).toBe(200);
    expect(during.map((p) => p.statements).filter((n) => n > 1)).toEqual([]);
    // Every change was written (the pages did not cut the push short).
    const written = await env.ctx.db.knex(env.ctx.db.t('product')).where('model', 'like', 'BIG-%').andWhere('price', '>', 1000).count({ n: '*' });
    expect(Number(written[0]!.n)).toBe(N);
  });
});
