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

  it('saves every settings group with one Save, showing a validation error beside its field and keeping every edit', async () => {
    await page.goto(`${base}/admin/settings`);
    // Labels, not codes: the shop's own method names, Hungarian choice labels, a VAT table, a tax-number picker by name.
    await expect(page.locator('#settings-methods').textContent()).resolves.toContain('Utánvét');
    await expect(page.locator('select[name=product_code_field] option[value=model]').textContent()).resolves.toBe('Modell');
    await expect(page.locator('#field-customer_recognition').textContent()).resolves.not.toContain('okos');
    expect(await page.locator('#field-vat_map table.vat-map select[name=vat_class]').count()).toBeGreaterThan(0);
    expect(await page.locator('#field-webshop_id small').textContent()).toContain('Web-azonosító');
    // Fields that do not apply stay hidden until they do.
    expect(await page.locator('#field-export_daily_at').isHidden()).toBe(true);
    expect(await page.locator('#field-export_dir').isHidden()).toBe(true);
    expect(await page.locator('#field-new_product_status').isHidden()).toBe(true);

    await page.locator('input[name=webshop_id]').fill('bolt-42');
    await page.locator('input[name=password]').fill('ERP-titok');
    await page.locator('select[name=sync_type]').selectOption('full');
    expect(await page.locator('#field-new_product_status').isVisible()).toBe(true);
    await page.locator('input[name=import_password]').fill(KEY);
    await page.locator('input[name=shipping_fee_code]').fill('SZALL');
    await page.locator('input[name=payment_fee_code]').fill('KEZ');
    await page.locator('input[name=coupon_code]').fill('KUPON');
    expect(await page.locator('#unsaved-note').isVisible()).toBe(true);
    // An edit in another group and a bad date: nothing is saved, every typed value stays.
    await page.locator('input[name=export_start_date]').fill('2026.13.45.');
    await page.locator('input[name=revenue_group]').fill('BEV-1');
    await page.locator('#save-settings').click();
    await page.locator('#err-export_start_date').waitFor();
    await expect(page.locator('#err-export_start_date').textContent()).resolves.toBe('dátum, például 2026. 01. 01., vagy üres');
    await page.locator('#field-export_start_date.has-error').waitFor({ timeout: 5000 });
    expect((await env.ctx.settings.get()).webshop_id).toBe('');
    expect(await page.locator('input[name=webshop_id]').inputValue()).toBe('bolt-42');
    expect(await page.locator('input[name=revenue_group]').inputValue()).toBe('BEV-1');
    expect(await page.locator('#unsaved-note').isVisible()).toBe(true);
    await screenshot(page, '02-settings-error');
    // Secrets are not echoed back: type them again, then a Hungarian date is accepted.
    await page.locator('input[name=password]').fill('ERP-titok');
    await page.locator('input[name=import_password]').fill(KEY);
    await page.locator('input[name=export_start_date]').fill('2026. 01. 01.');
    // The VAT table: 27 % → class 9, 5 % → class 10.
    const rates = page.locator('#field-vat_map input[name=vat_rate]');
    const classes = page.locator('#field-vat_map select[name=vat_class]');
    const rateValues = await rates.evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    await classes.nth(rateValues.indexOf('27')).selectOption('9');
    await classes.nth(rateValues.indexOf('5')).selectOption('10');
    await page.locator('select[name=price_basis]').selectOption('gross');
    await page.locator('input[name=promo_customer_groups][value="2"]').check();
    await page.locator('select[name=export_interval]').selectOption('15');
    await page.locator('input[name=export_transport][value=file]').check();
    expect(await page.locator('#field-export_dir').isVisible()).toBe(true);
    await page.locator('input[name=export_dir]').fill('/tmp/erpb-browser-drop');
    await page.locator('select[name=order_lines]').selectOption('code_quantity_price');
    await page.locator('#settings-methods input[name="payment:cod"]').fill('UTANVET');
    await page.locator('#settings-methods input[name="shipping:flat"]').fill('FUTAR');
    await page.locator('#save-settings').click();
    await page.locator('#settings-saved').waitFor();
    expect(await page.locator('#unsaved-note').isHidden()).toBe(true);
    await expect(page.locator('#state-password').textContent()).resolves.toBe('beállítva');
    expect(await page.locator('#in-password').inputValue()).toBe('');
    expect(await page.locator('input[name=export_start_date]').inputValue()).toBe('2026. 01. 01.');
    await screenshot(page, '03-settings-saved');
    const mapped = await env.ctx.db.knex(env.ctx.db.own('method_map')).orderBy('type').select('type', 'shop_code', 'erp_code');
    expect(mapped).toEqual([{ type: 'payment', shop_code: 'cod', erp_code: 'UTANVET' }, { type: 'shipping', shop_code: 'flat', erp_code: 'FUTAR' }]);

    const s = await env.ctx.settings.get();
    expect(s).toMatchObject({
      webshop_id: 'bolt-42', password: 'ERP-titok', sync_type: 'full', import_password: KEY, shipping_fee_code: 'SZALL', payment_fee_code: 'KEZ', coupon_code: 'KUPON',
      vat_map: { '27': 9, '5': 10 }, price_basis: 'gross', promo_customer_groups: [2], export_interval: '15', export_transport: ['feed', 'file'], order_lines: 'code_quantity_price',
      export_start_date: '2026-01-01', revenue_group: 'BEV-1',
    });
    // Secrets are never echoed into the page.
    expect(await page.content()).not.toContain('ERP-titok');
  });

  it('warns before leaving the settings with unsaved edits', async () => {
    await page.goto(`${base}/admin/settings`);
    await page.locator('input[name=coupon_code]').fill('MAS-KUPON');
    const before = dialogs.length;
    // Chromium asks (beforeunload) only after a user gesture on the page: the fill was one.
    await page.goto(`${base}/admin/journal`);
    expect(dialogs.length).toBe(before + 1);
    dialogs.length = before;
    expect((await env.ctx.settings.get()).coupon_code).toBe('KUPON');
  });

  it('copies an integration URL and runs a test push through the real endpoint', async () => {
    await page.goto(`${base}/admin/integration`);
    await page.click('#url-prices button.copy');
    const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied).toBe(`http://shop.test/integration/prices?key=${KEY}`);
    await page.click('#url-stock button.test');
    // The answer as a sentence in Hungarian (the first product is sent with its own stock: nothing to change).
    await page.locator('#result-stock .test-sentence').waitFor();
    await expect(page.locator('#result-stock .test-sentence').textContent()).resolves.toBe('Próba: 1 terméken nem változtatna (már ez az értéke). A boltba semmi nem íródott.');
    // The raw answer stays one click away.
    await page.click('#result-stock details.answer summary');
    const answer = JSON.parse((await page.locator('#result-stock pre.answer').textContent())!);
    expect(answer).toMatchObject({ kind: 'stock', dryRun: true, counts: { received: 1, unchanged: 1 } });
    // A price push at gross with the first product: a sentence about its price.
    await page.click('#url-prices button.test');
    await page.locator('#result-prices .test-sentence').waitFor();
    await expect(page.locator('#result-prices .test-sentence').textContent()).resolves.toMatch(/^Próba: 1 termék (árát frissítené|.*nem változtatna).*A boltba semmi nem íródott\.$/);
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
