// erp-bridge mounted under /erp-bridge/ behind a reverse proxy, as the README's nginx example
// does (`location /erp-bridge/ { proxy_pass http://127.0.0.1:3000/; }`): a real Node HTTP proxy
// on 127.0.0.1 strips the prefix, and every page is walked through it: each link, form action,
// asset, htmx URL, redirect and cookie must stay under /erp-bridge/. Once with PUBLIC_URL's path,
// once with PUBLIC_URL at the root and the proxy's X-Forwarded-Prefix.
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app/web/server.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { startReverseProxy, type ReverseProxy } from '../support/reverse-proxy.js';
import { freePort } from '../support/opencart/install.js';

const PREFIX = '/erp-bridge';
const PASSWORD = 'Mounted-admin-2026';

const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

/** Every URL a page points at: links, assets, forms, htmx requests. */
function urlsIn(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\s(?:href|src|action|hx-get|hx-post)="([^"]*)"/g)) out.push(m[1]!.replace(/&amp;/g, '&'));
  return out;
}

describe.each([
  { name: 'PUBLIC_URL with a path', forwardPrefix: false },
  { name: 'X-Forwarded-Prefix from the proxy', forwardPrefix: true },
])('erp-bridge under /erp-bridge/ ($name)', ({ forwardPrefix }) => {
  let env: TargetEnv;
  let app: Server;
  let proxy: ReverseProxy;
  let base: string;
  let cookie = '';

  beforeAll(async () => {
    const proxyPort = await freePort();
    base = `http://127.0.0.1:${proxyPort}`;
    env = await openTarget(DIALECT_TARGETS[0]!, { ADMIN_PASSWORD: PASSWORD, PUBLIC_URL: forwardPrefix ? base : `${base}${PREFIX}` });
    app = http.createServer(createApp(env.ctx));
    const appPort = await listen(app);
    proxy = await startReverseProxy(PREFIX, appPort, { forwardPrefix, port: proxyPort });
    await env.ctx.settings.update({ import_password: 'Mount-key-1', sync_type: 'full' });
  });
  afterAll(async () => {
    await proxy?.close();
    app?.closeAllConnections();
    await new Promise((r) => app?.close(r));
    await env?.cleanup();
  });

  const get = (path: string, extra: Record<string, string> = {}) => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie, ...extra } });

  it('redirects to its login page under the prefix, logs in there and keeps the cookie there', async () => {
    const first = await get(`${PREFIX}/`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${PREFIX}/admin`);
    const second = await get(`${PREFIX}/admin`);
    expect(second.headers.get('location')).toBe(`${PREFIX}/admin/login`);
    const hx = await get(`${PREFIX}/admin/settings`, { 'HX-Request': 'true' });
    expect(hx.headers.get('hx-redirect')).toBe(`${PREFIX}/admin/login`);
    const page = await (await get(`${PREFIX}/admin/login`)).text();
    expect(page).toContain(`action="${PREFIX}/admin/login"`);
    const login = await fetch(`${base}${PREFIX}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(`${PREFIX}/admin`);
    const set = login.headers.getSetCookie()[0]!;
    expect(set).toContain(`Path=${PREFIX}/`);
    cookie = set.split(';')[0]!;
  });

  it('walks every admin page: each link, asset, form and htmx URL stays under the prefix and answers', async () => {
    const seen = new Set<string>();
    const queue = [`${PREFIX}/admin`];
    const forms: string[] = [];
    while (queue.length && seen.size < 60) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await get(path);
      expect(res.status, path).toBeLessThan(400);
      if (!/html/.test(res.headers.get('content-type') ?? '')) continue;
      const html = await res.text();
      for (const url of urlsIn(html)) {
        if (url.startsWith('#') || url.startsWith(`${base}/integration/`) || url.startsWith(`${base}${PREFIX}/integration/`)) continue;
        expect(url, `on ${path}`).toMatch(new RegExp(`^${PREFIX}/`));
        if (/\/(logout|lang\/)/.test(url) || /\/(test|export-now|retry|again|settings\/)/.test(url)) forms.push(url);
        else if (!seen.has(url)) queue.push(url);
      }
    }
    for (const p of ['/admin', '/admin/settings', '/admin/integration', '/admin/journal', '/admin/orders', '/assets/app.css', '/assets/htmx.min.js', '/assets/app.js'])
      expect(seen, p).toContain(`${PREFIX}${p}`);
    expect(forms.length).toBeGreaterThan(0);
    // The language switch comes back to the same page under the prefix.
    const lang = await get(`${PREFIX}/admin/lang/en?back=/settings`);
    expect(lang.headers.get('location')).toBe(`${PREFIX}/admin/settings`);
  });

  it('prints the integration URLs with the public address, and they work through the proxy', async () => {
    const html = await (await get(`${PREFIX}/admin/integration`)).text();
    expect(html).toContain(`value="${base}${PREFIX}/integration/stock?key=Mount-key-1"`);
    const push = await fetch(`${base}${PREFIX}/integration/stock?key=Mount-key-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ termekkod: 'x', szabadraktar: 1 }]) });
    expect(push.status).toBe(200);
  });
});
