// The dashboard's verdict and the handover sheet in real Chromium, at a laptop's 1366 px and a
// phone's 360 px: a healthy, a stale and a failing sync (runs made by real pushes), nothing in the
// page body wider than the screen, screenshots to test/artifacts/.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app/web/server.js';
import { hasChromium, launch, screenshot } from '../support/browser.js';
import { openTarget, TARGETS, type TargetEnv } from '../support/targets.js';
import { addProduct, KEY, uniqueCode, xmlDoc } from '../support/shop.js';

const run = hasChromium() || process.env.CI ? describe : describe.skip;
const PASSWORD = 'Admin-jelszo-2026';
const WIDTHS = [1366, 360] as const;

run('sync health pages in Chromium', () => {
  let env: TargetEnv;
  let server: Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let code: string;

  const push = (kind: string, body: string, key = KEY) =>
    fetch(`${base}/integration/${kind}?key=${key}`, { method: 'POST', headers: { 'Content-Type': 'application/xml', Accept: 'application/json' }, body });

  /** Elements inside the page body that reach past the right edge of the screen. */
  type El = { id: string; tagName: string; classList: Iterable<string>; closest(s: string): unknown; getBoundingClientRect(): { right: number } };
  const overflowing = (p: Page) => p.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { clientWidth: number }; querySelectorAll(s: string): Iterable<El> } }).document;
    const width = doc.documentElement.clientWidth;
    return [...doc.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('svg'))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`)
      .slice(0, 5);
  });

  const at = async (width: number) => page.setViewportSize({ width, height: width > 800 ? 900 : 780 });

  beforeAll(async () => {
    env = await openTarget(TARGETS[0]!, { ADMIN_PASSWORD: PASSWORD, PUBLIC_URL: 'http://localhost:3000' });
    await env.ctx.settings.update({ webshop_id: 'bolt-42', password: 'ERP-titok', import_password: KEY, shipping_fee_code: 'SZALL', export_start_date: '2099-01-01' });
    code = uniqueCode('BROWSER');
    await addProduct(env.ctx.db, { model: code, price: 100, quantity: 1 });
    server = await new Promise<Server>((r) => {
      const s = createApp(env.ctx).listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
    context = await browser.newContext({ locale: 'hu-HU' });
    page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/admin`);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await env?.cleanup();
  });

  it('shows "Működik" for a healthy sync, with the time since the last push, at 1366 and 360 px', async () => {
    expect((await push('prices', xmlDoc([{ termekkod: code, ar: 150 }]))).status).toBe(200);
    expect((await push('stock', xmlDoc([{ termekkod: code, szabadraktar: 4 }]))).status).toBe(200);
    for (const w of WIDTHS) {
      await at(w);
      await page.goto(`${base}/admin`);
      await expect(page.locator('#verdict').getAttribute('data-verdict')).resolves.toBe('working');
      await expect(page.locator('#verdict-text').textContent()).resolves.toBe('Működik');
      await expect(page.locator('#health-prices .last-success').textContent()).resolves.toMatch(/Utolsó sikeres küldés:\s+épp most/);
      await expect(page.locator('#health-stock .run-counts').textContent()).resolves.toMatch(/1 beérkezett · 1 frissítve/);
      expect(await page.locator('#chart text.tick').count()).toBeGreaterThanOrEqual(2);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `health-dashboard-working-${w}`);
    }
  });

  it('shows "Figyelmet igényel" for a sync that went quiet, with the staleness warning', async () => {
    const t = env.ctx.db.own('journal_run');
    // The stock runs become 30 hours old (as if the ERP stopped sending yesterday).
    const runs = await env.ctx.db.knex(t).where({ kind: 'stock' }).select('id', 'finished_at');
    const old = new Date(Date.now() - 30 * 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    const stamp = `${old.getFullYear()}-${p(old.getMonth() + 1)}-${p(old.getDate())} ${p(old.getHours())}:${p(old.getMinutes())}:${p(old.getSeconds())}`;
    for (const r of runs) await env.ctx.db.knex(t).where({ id: r.id }).update({ started_at: stamp, finished_at: stamp });
    for (const w of WIDTHS) {
      await at(w);
      await page.goto(`${base}/admin`);
      await expect(page.locator('#verdict').getAttribute('data-verdict')).resolves.toBe('attention');
      await expect(page.locator('#verdict-text').textContent()).resolves.toBe('Figyelmet igényel');
      await expect(page.locator('#reasons li').first().textContent()).resolves.toContain('Készlet: több mint 24 órája nem volt sikeres küldés.');
      await expect(page.locator('#health-stock .stale-warning').isVisible()).resolves.toBe(true);
      await expect(page.locator('#health-stock .last-success strong').textContent()).resolves.toBe('1 napja');
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `health-dashboard-stale-${w}`);
    }
  });

  it('shows "Leállt" for a failing sync, the failure in words, and the settings not green', async () => {
    // The ERP's last price push is 30 hours old too: a wrong key now means the ERP itself is locked out.
    const t = env.ctx.db.own('journal_run');
    const old = new Date(Date.now() - 30 * 3_600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    const stamp = `${old.getFullYear()}-${p(old.getMonth() + 1)}-${p(old.getDate())} ${p(old.getHours())}:${p(old.getMinutes())}:${p(old.getSeconds())}`;
    await env.ctx.db.knex(t).where({ kind: 'prices' }).update({ started_at: stamp, finished_at: stamp });
    expect((await push('prices', xmlDoc([{ termekkod: code, ar: 1 }]), 'rossz-kulcs')).status).toBe(401);
    for (const w of WIDTHS) {
      await at(w);
      await page.goto(`${base}/admin`);
      await expect(page.locator('#verdict').getAttribute('data-verdict')).resolves.toBe('stopped');
      await expect(page.locator('#verdict-text').textContent()).resolves.toBe('Leállt');
      await expect(page.locator('#health-prices .last-failure').textContent()).resolves.toContain('az ERP-ben megadott webshop azonosító vagy jelszó hibás');
      await expect(page.locator('#settings-state').getAttribute('class')).resolves.toContain('error');
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `health-dashboard-stopped-${w}`);
    }
  });

  it('prints a handover sheet that warns about localhost and plain http, at 1366 and 360 px', async () => {
    for (const w of WIDTHS) {
      await at(w);
      await page.goto(`${base}/admin/integration`);
      await page.click('#handover-link');
      await page.waitForURL(`${base}/admin/integration/handover`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Átadólap az ERP-hez');
      await expect(page.locator('#warn-localhost').isVisible()).resolves.toBe(true);
      await expect(page.locator('#warn-plain_http').isVisible()).resolves.toBe(true);
      await expect(page.locator('#sheet-webshop-id').textContent()).resolves.toBe('bolt-42');
      // The whole address, copyable as one, wrapping on a phone instead of widening the page.
      await expect(page.locator('#sheet-url-prices code').textContent()).resolves.toBe(`http://localhost:3000/integration/prices?key=${KEY}`);
      expect(await overflowing(page)).toEqual([]);
      await screenshot(page, `health-handover-${w}`);
    }
    // Printing keeps the sheet readable (what a printer gets).
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('#sheet-urls').isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'screen' });
  });
});
