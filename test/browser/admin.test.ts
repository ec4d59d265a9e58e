// The admin panel in real headless Chromium: log in, fill and save every settings group (with
// a validation error shown beside its field, and the payment/shipping mapping), copy an integration URL, run a test push, open a
// journal run, export orders, switch language. Screenshots go to test/artifacts/.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app/web/server.js';
import { hasChromium, launch, screenshot } from '../support/browser.js';
import { openTarget, TARGETS, type TargetEnv } from '../support/targets.js';
import { KEY, pushXml } from '../support/shop.js';

const run = hasChromium() || process.env.CI ? describe : describe.skip;

run('admin panel in Chromium', () => {
  let env: TargetEnv;
  let server: Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    env = await openTarget(TARGETS[0]!);
    const app = createApp(env.ctx);
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch();
    context = await browser.newContext({ locale: 'hu-HU' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.accept();
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await env?.cleanup();
  });

  it('asks for an admin password on first start, then logs in', async () => {
    await page.goto(`${base}/admin`);
    expect(page.url()).toBe(`${base}/admin/setup`);
    await page.fill('input[name=password]', 'Hosszu-jelszo-123');
    await page.fill('input[name=password2]', 'Hosszu-jelszo-123');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/admin`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Áttekintés');
    await screenshot(page, '01-dashboard');
    // Log out and in again through the login form.
    await page.click('text=Kilépés');
    await page.waitForURL(`${base}/admin/login`);
    await page.fill('input[name=password]', 'rossz-jelszo');
    await page.click('button[type=submit]');
    await expect(page.locator('.alert.error').textContent()).resolves.toContain('Hibás felhasználónév vagy jelszó');
    await page.fill('input[name=password]', 'Hosszu-jelszo-123');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/admin`);
    const cookie = (await context.cookies()).find((c) => c.name === 'erpb_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('saves every settings group, showing a validation error beside its field', async () => {
    await page.goto(`${base}/admin/settings`);
    const conn = page.locator('#settings-connection');
    await conn.locator('input[name=webshop_id]').fill('bolt-42');
    await conn.locator('input[name=password]').fill('ERP-titok');
    await conn.locator('select[name=sync_type]').selectOption('full');
    await conn.locator('input[name=import_password]').fill(KEY);
    await conn.locator('input[name=shipping_fee_code]').fill('SZALL');
    await conn.locator('input[name=payment_fee_code]').fill('KEZ');
    await conn.locator('input[name=coupon_code]').fill('KUPON');
    await conn.locator('#save-connection').click();
    await expect(page.locator('#settings-connection .alert.ok').textContent()).resolves.toBe('Mentve.');
    await expect(page.locator('#state-password').textContent()).resolves.toBe('beállítva');
    expect(await page.locator('#in-password').inputValue()).toBe('');

    const products = page.locator('#settings-products');
    await products.locator('input[name=vat_map]').fill('27:9');
    await products.locator('#save-products').click();
    await page.locator('#err-vat_map').waitFor();
    await expect(page.locator('#err-vat_map').textContent()).resolves.toBe('„27:9” nem KULCS=ADÓOSZTÁLY alakú (pl. 27=9,5=10)');
    // htmx settles attributes of same-id elements after the swap: wait for the marked field.
    await page.locator('#field-vat_map.has-error').waitFor({ timeout: 5000 });
    // Nothing of the group was saved.
    expect((await env.ctx.settings.get()).vat_map).toEqual({});
    await screenshot(page, '02-settings-error');
    await page.locator('#settings-products input[name=vat_map]').fill('27=9,5=10');
    await page.locator('#settings-products select[name=price_basis]').selectOption('gross');
    await page.locator('#settings-products input[name=promo_customer_groups][value="2"]').check();
    await page.locator('#save-products').click();
    await page.locator('#settings-products .alert.ok').waitFor();

    const orders = page.locator('#settings-orders');
    await orders.locator('select[name=export_interval]').selectOption('15');
    await orders.locator('input[name=export_transport][value=file]').check();
    await orders.locator('input[name=export_dir]').fill('/tmp/erpb-browser-drop');
    await orders.locator('select[name=order_lines]').selectOption('code_quantity_price');
    await orders.locator('#save-orders').click();
    await page.locator('#settings-orders .alert.ok').waitFor();
    const methods = page.locator('#settings-methods');
    await methods.locator('input[name="payment:cod"]').fill('UTANVET');
    await methods.locator('input[name="shipping:flat"]').fill('FUTAR');
    await methods.locator('#save-methods').click();
    await page.locator('#settings-methods .alert.ok').waitFor();
    await screenshot(page, '03-settings-saved');
    const mapped = await env.ctx.db.knex(env.ctx.db.own('method_map')).orderBy('type').select('type', 'shop_code', 'erp_code');
    expect(mapped).toEqual([{ type: 'payment', shop_code: 'cod', erp_code: 'UTANVET' }, { type: 'shipping', shop_code: 'flat', erp_code: 'FUTAR' }]);

    const s = await env.ctx.settings.get();
    expect(s).toMatchObject({
      webshop_id: 'bolt-42', password: 'ERP-titok', sync_type: 'full', import_password: KEY, shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ', coupon_code: 'KUPON',
      vat_map: { '27': 9, '5': 10 }, price_basis: 'gross', promo_customer_groups: [2], export_interval: '15', export_transport: ['feed', 'file'], order_lines: 'code_quantity_price',
    });
    // Secrets are never echoed into the page.
    expect(await page.content()).not.toContain('ERP-titok');
  });

  it('copies an integration URL and runs a test push through the real endpoint', async () => {
    await page.goto(`${base}/admin/integration`);
    await page.click('#url-prices button.copy');
    const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied).toBe(`http://shop.test/integration/prices?key=${KEY}`);
    await page.click('#url-stock button.test');
    await page.locator('#result-stock pre.answer').waitFor();
    const answer = JSON.parse((await page.locator('#result-stock pre.answer').textContent())!);
    expect(answer).toMatchObject({ kind: 'stock', dryRun: true, counts: { received: 1 } });
    await screenshot(page, '04-integration');
  });

  it('opens a journal run and shows problem records as text, never as markup', async () => {
    const evil = '<script>alert("xss")</script>';
    await pushXml(createApp(env.ctx), 'prices', [{ termekkod: evil, ar: 1 }, { termekkod: 'X-1', ar: 2, nev: `Kés ${evil}` }]);
    await page.goto(`${base}/admin/journal`);
    await screenshot(page, '05-journal');
    await page.click('table.runs tbody tr:first-child a');
    await page.waitForURL(/\/admin\/journal\/\d+$/);
    await expect(page.locator('table.items').textContent()).resolves.toContain(evil);
    await screenshot(page, '06-journal-run');
    await page.goto(`${base}/admin/orders`);
    expect(dialogs).toEqual([]);
    expect(await page.locator('script:not([src])').count()).toBe(0);
  });

  it('filters the journal and runs an order export from the orders page', async () => {
    await page.goto(`${base}/admin/journal`);
    await page.selectOption('#filter-kind', 'stock');
    await page.click('#journal-filters button[type=submit]');
    await page.waitForURL(/kind=stock/);
    const kinds = await page.locator('table.runs tbody tr td:nth-child(3)').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.every((k) => k.startsWith('Készlet'))).toBe(true);
    await page.goto(`${base}/admin/orders`);
    await page.click('#export-now');
    await expect(page.locator('#orders .alert.ok').textContent()).resolves.toMatch(/Export: \d+ előkészítve/);
    await screenshot(page, '07-orders');
  });

  it('switches language', async () => {
    await page.goto(`${base}/admin/settings`);
    await page.click('#lang-switch');
    await page.waitForURL(`${base}/admin/settings`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Settings');
    await expect(page.locator('header nav').textContent()).resolves.toContain('Integration URLs');
    await screenshot(page, '08-settings-english');
    await page.click('#lang-switch');
    await expect(page.locator('h1').textContent()).resolves.toBe('Beállítások');
  });
});
