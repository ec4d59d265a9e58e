// The erp-bridge package in the real admins of OpenCart 3.0.4.1, 4.0.2.3 and 4.1.0.3, driven in
// Debian's Chromium as a shop owner would: upload it in Extensions → Installer, install the
// module in Extensions → Modules, open erp-bridge from the admin menu (a signed launch, no
// second password), change a setting, browse the modules list again and find nothing lost; a
// user group with `access` only gets read-only pages without secrets; uninstalling switches
// erp-bridge off (pushes get 503) and reinstalling brings it back with the same secrets.
// One shop per release, shared by the tests of that release (they run in order). On 3.0
// erp-bridge runs on its own port; on 4.x behind a reverse proxy under /erp-bridge/ (the
// README's nginx example), so every page, form, htmx save and redirect goes through the prefix.
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages } from '../../scripts/package-opencart.js';
import { hasChromium, launch } from '../support/browser.js';
import { mysqlServerUrl } from '../support/opencart-fixture.js';
import { adminLogin } from '../support/opencart/admin.js';
import { installOpenCart, RELEASES, type OpenCartShop, type Release } from '../support/opencart/install.js';
import { startBridge, type RunningBridge } from '../support/erp-bridge-server.js';
import { shot } from '../support/readme-shots.js';
import { startReverseProxy, type ReverseProxy } from '../support/reverse-proxy.js';
import { freePort } from '../support/opencart/install.js';

// erp-bridge runs in this process in Budapest's time zone while PHP runs in UTC: the launch
// must not depend on either (OpenCart 4 writes times in UTC).
process.env.TZ = 'Europe/Budapest';

const wanted = (process.env.OC_RELEASES ?? '').split(',').filter(Boolean);
const releases = RELEASES.filter((r) => !wanted.length || wanted.includes(r));
const run = (hasChromium() && mysqlServerUrl()) || process.env.CI ? describe : describe.skip;

const IMPORT_PASSWORD = 'Import-kulcs-2026';
const READONLY = { username: 'megfigyelo', password: 'Csak-nezem-1' };

const stockPush = (bridge: RunningBridge, key: string) =>
  fetch(`${bridge.url}/integration/stock?key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([{ termekkod: 'no-such-product', szabadraktar: 1 }]),
  });

async function adminPageLogin(page: Page, shop: OpenCartShop, who = shop.admin): Promise<string> {
  await page.goto(`${shop.url}admin/`);
  await page.fill('input[name="username"]', who.username);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([page.waitForURL(/user_token=/, { timeout: 30_000 }), page.click('button[type="submit"]')]);
  return /user_token=([A-Za-z0-9]+)/.exec(page.url())![1]!;
}

const adminUrl = (shop: OpenCartShop, token: string, route: string, extra = '') => `${shop.url}admin/index.php?route=${route}&user_token=${token}${extra}`;

/** The erp-bridge row of Extensions → Extensions → Modules. */
async function openModules(page: Page, shop: OpenCartShop, token: string) {
  await page.goto(adminUrl(shop, token, 'marketplace/extension', '&type=module'));
  const row = page.locator('#extension tr', { hasText: 'erp-bridge' });
  await row.first().waitFor({ timeout: 20_000 });
  return row.first();
}

run.each(releases.map((r) => [r] as [Release]))('erp-bridge package in OpenCart %s', (release) => {
  let shop: OpenCartShop;
  let bridge: RunningBridge;
  let proxy: ReverseProxy | undefined;
  let browser: Browser;
  let page: Page;
  let token: string;
  let distDir: string;
  const major = release.startsWith('3.') ? 3 : 4;
  const step = (name: string) => shot(page, `oc${major}-${name}`, release);

  beforeAll(async () => {
    distDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-dist-'));
    buildPackages(distDir);
    [shop, browser] = await Promise.all([installOpenCart(release), launch()]);
    if (major === 3) bridge = await startBridge(shop);
    else {
      const proxyPort = await freePort();
      bridge = await startBridge(shop, { PUBLIC_URL: `http://127.0.0.1:${proxyPort}/erp-bridge` });
      proxy = await startReverseProxy('/erp-bridge', bridge.port, { port: proxyPort });
    }
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } })).newPage();
    page.on('dialog', (d) => void d.accept()); // the modules list asks before uninstalling
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await bridge?.stop();
    await shop?.stop();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  it('uploads the package in Extensions → Installer and installs the module in Extensions → Modules', async () => {
    token = await adminPageLogin(page, shop);
    await page.goto(adminUrl(shop, token, 'marketplace/installer'));
    const zip = path.join(distDir, `opencart-${major}`, 'erp_bridge.ocmod.zip');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#button-upload')]);
    await chooser.setFiles(zip);
    if (major === 3) {
      await page.locator('#progress-text .text-success').waitFor({ timeout: 30_000 });
    } else {
      const install = page.locator('#extension tr', { hasText: 'erp-bridge' }).locator('a.btn-success');
      await install.waitFor({ timeout: 30_000 });
      await install.click();
      await page.locator('#extension tr', { hasText: 'erp-bridge' }).locator('a.btn-warning').waitFor({ timeout: 30_000 });
    }
    await step('1-installer');
    const row = await openModules(page, shop, token);
    await row.locator('a.btn-success').click();
    await page.locator('#extension tr', { hasText: 'erp-bridge' }).locator('a.btn-danger').waitFor({ timeout: 20_000 });
    await step('2-modules');
    const [ext] = await shop.query(`SELECT * FROM ${shop.prefix}extension WHERE type = 'module' AND code = 'erp_bridge'`);
    expect(ext).toBeTruthy();
    if (major === 4) expect(ext.extension).toBe('erp_bridge');
    const [marker] = await shop.query(`SELECT value FROM ${shop.prefix}setting WHERE code = 'erp_bridge' AND \`key\` = 'erp_bridge_package'`);
    expect(marker?.value).toBe('1.0.0');
  });

  it('shows the module page with erp-bridge answering, and opens erp-bridge from the admin menu logged in as the shop user', async () => {
    const route = major === 3 ? 'extension/module/erp_bridge' : 'extension/erp_bridge/module/erp_bridge';
    await page.goto(adminUrl(shop, token, route));
    expect(await page.locator('#erp-bridge-health').textContent()).toMatch(/answers/);
    expect(await page.locator('#erp-bridge-runs tbody tr').count()).toBe(5);
    await step('3-module-page');
    await page.click('#menu-erp-bridge a');
    await page.waitForURL(`${bridge.url}/admin`);
    expect(await page.locator('#user-name').textContent()).toBe('admin');
    expect(page.url()).not.toContain('sig=');
    await step('4-erp-bridge');
    // Page by page through the menu (on 4.x through the proxy's /erp-bridge/): each lands under
    // the same address, styled (the stylesheet loaded) and logged in.
    const nav = page.locator('header nav a');
    const links: string[] = [];
    for (let i = 0; i < (await nav.count()); i++) links.push((await nav.nth(i).getAttribute('href'))!);
    expect(links.length).toBe(5);
    for (const href of links) {
      await page.click(`header nav a[href="${href}"]`);
      await page.waitForURL(`${new URL(bridge.url).origin}${href}`);
      expect(href.startsWith(`${new URL(bridge.url).pathname.replace(/\/$/, '')}/admin`)).toBe(true);
      expect(await page.locator('#user-name').textContent()).toBe('admin');
      // Runs in the page (this project has no DOM types): the stylesheet came through.
      expect(await page.locator('header.top').evaluate((el) => (globalThis as any).getComputedStyle(el).display)).toBe('flex');
    }
  });

  it('changes a setting in erp-bridge; browsing Extensions → Modules loses nothing', async () => {
    await page.goto(`${bridge.url}/admin/settings`);
    await page.fill('#settings-connection input[name="webshop_id"]', 'bolt-1');
    await page.fill('#settings-connection input[name="password"]', 'Erp-jelszo-1');
    await page.fill('#settings-connection input[name="import_password"]', IMPORT_PASSWORD);
    await page.click('#save-settings');
    await page.locator('#settings-saved').waitFor();
    const before = await shop.query(`SELECT \`key\`, value FROM ${shop.prefix}setting WHERE code = 'erp_bridge' ORDER BY \`key\``);
    await openModules(page, shop, token);
    await page.goto(adminUrl(shop, token, 'marketplace/extension', '&type=module'));
    await page.locator('#extension tr', { hasText: 'erp-bridge' }).first().waitFor();
    const after = await shop.query(`SELECT \`key\`, value FROM ${shop.prefix}setting WHERE code = 'erp_bridge' ORDER BY \`key\``);
    expect(after).toEqual(before);
    expect((await bridge.ctx.settings.get()).webshop_id).toBe('bolt-1');
    const push = await stockPush(bridge, IMPORT_PASSWORD);
    expect(push.status).toBe(200);
  });

  it('gives a user group with access only read-only pages without secrets', async () => {
    const admin = await adminLogin(shop);
    const route = major === 3 ? 'extension/module/erp_bridge' : 'extension/erp_bridge/module/erp_bridge';
    const group = { name: 'Read only', 'permission[access][]': route };
    if (major === 3) await admin.post('user/user_permission/add', group);
    else await admin.post('user/user_permission.save', { ...group, user_group_id: 0 });
    const [g] = await shop.query(`SELECT user_group_id FROM ${shop.prefix}user_group WHERE name = 'Read only'`);
    const user = { username: READONLY.username, user_group_id: g.user_group_id, firstname: 'Nora', lastname: 'Nezo', email: 'nora@example.com', image: '', password: READONLY.password, confirm: READONLY.password, status: 1 };
    if (major === 3) await admin.post('user/user/add', user);
    else await admin.post('user/user.save', { ...user, user_id: 0 });
    const ro = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    const roToken = await adminPageLogin(ro, shop, READONLY);
    await ro.goto(adminUrl(shop, roToken, major === 3 ? `${route}/launch` : `${route}.launch`));
    await ro.waitForURL(`${bridge.url}/admin`);
    expect(await ro.locator('#read-only').isVisible()).toBe(true);
    for (const p of ['/admin', '/admin/settings', '/admin/integration', '/admin/journal', '/admin/orders']) {
      await ro.goto(`${bridge.url}${p}`);
      const html = await ro.content();
      expect(html, p).not.toContain(IMPORT_PASSWORD);
      expect(html, p).not.toContain('Erp-jelszo-1');
      expect(html, p).not.toMatch(/key=[\w%-]/); // a URL carrying the import password
    }
    await ro.goto(`${bridge.url}/admin/settings`);
    expect(await ro.locator('#save-settings').isDisabled()).toBe(true);
    await ro.context().close();
  });

  it('uninstalling the module disables erp-bridge (503) and keeps its data; reinstalling restores it with the same secrets', async () => {
    let row = await openModules(page, shop, token);
    await row.locator('a.btn-danger').click();
    await page.locator('#extension tr', { hasText: 'erp-bridge' }).locator('a.btn-success').waitFor({ timeout: 20_000 });
    const off = await stockPush(bridge, IMPORT_PASSWORD);
    expect(off.status).toBe(503);
    expect(((await off.json()) as { error: string }).error).toMatch(/disabled in the shop/);
    await page.goto(`${bridge.url}/admin`);
    expect(await page.locator('#shop-disabled').isVisible()).toBe(true);
    await step('5-disabled');
    row = await openModules(page, shop, token);
    await row.locator('a.btn-success').click();
    await page.locator('#extension tr', { hasText: 'erp-bridge' }).locator('a.btn-danger').waitFor({ timeout: 20_000 });
    const on = await stockPush(bridge, IMPORT_PASSWORD);
    expect(on.status).toBe(200);
    expect((await bridge.ctx.settings.get()).webshop_id).toBe('bolt-1');
    expect(shop.phpProblems()).toEqual([]);
  });
});
