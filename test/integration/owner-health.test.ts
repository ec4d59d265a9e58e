// Sync health for the shop owner (issue 13): the dashboard's verdict on a healthy, a stale and a
// failing sync (runs made by real pushes), e-mail alerts through the shop's own config_mail_*
// rows to a real SMTP server on 127.0.0.1, the page a browser gets from an integration URL, and
// the handover sheet's warnings about the address.
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app/web/server.js';
import { checkAlerts } from '../../app/admin/alerts.js';
import { schedulerTick } from '../../app/jobs/scheduler.js';
import { OrderExporter } from '../../app/sync/order-export.js';
import { writeSettingRows } from '../../app/shop/setting-rows.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { loginWithForm } from '../support/admin-forms.js';
import { addProduct, KEY, pushXml, uniqueCode, xmlDoc } from '../support/shop.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const PASSWORD = 'Admin-jelszo-2026';
const SMTP_PASSWORD = 'smtp-Titok&42';

describe.each(DIALECT_TARGETS)('sync health on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let cookie: string;
  let csrf: string;
  let code: string;
  let smtp: TestSmtpServer;
  const db = () => env.ctx.db;

  const dashboard = async (lang: 'hu' | 'en' = 'hu') => (await request(app).get('/admin').set('Cookie', `${cookie}; erpb_lang=${lang}`)).text;
  const verdictOf = (html: string) => /data-verdict="(\w+)"/.exec(html)?.[1];
  const reasonsOf = (html: string) => [...html.matchAll(/data-code="([^"]+)"/g)].map((m) => m[1]);
  /** Moves every journal run of a kind back in time (a sync that went quiet). */
  const age = async (kind: string, hours: number) => {
    const runs = await db().knex(db().own('journal_run')).where({ kind }).select('id', 'started_at', 'finished_at');
    for (const r of runs) {
      const shift = (s: string | null) => {
        if (!s) return s;
        const d = new Date(new Date(s.replace(' ', 'T')).getTime() - hours * 3_600_000);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      };
      await db().knex(db().own('journal_run')).where({ id: r.id }).update({ started_at: shift(r.started_at), finished_at: shift(r.finished_at) });
    }
  };

  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    app = createApp(env.ctx);
    await env.ctx.settings.update({
      webshop_id: 'bolt-1', password: 'ERP-jelszo', import_password: KEY, shipping_fee_code: 'SZALL',
      // No order of the shop's own history is eligible: the export has nothing waiting.
      export_start_date: '2099-01-01',
    });
    code = uniqueCode('HEALTH');
    await addProduct(db(), { model: code, price: 100, quantity: 3 });
    ({ cookie, csrf } = await loginWithForm(app, 'admin', PASSWORD));
    smtp = await startSmtpServer({ auth: { user: 'bolt@example.hu', password: SMTP_PASSWORD } });
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.cleanup();
  });

  it('says "working" after real pushes to prices and stock, with the time since and labelled counts', async () => {
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 120 }])).status).toBe(200);
    expect((await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 7 }, { termekkod: 'NINCS-ILYEN', szabadraktar: 1 }])).status).toBe(200);
    // The stock push had an unknown code: partial, needs attention.
    let html = await dashboard();
    expect(verdictOf(html)).toBe('attention');
    expect(reasonsOf(html)).toEqual(['partial.stock']);
    expect((await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 8 }])).status).toBe(200);
    html = await dashboard();
    expect(verdictOf(html)).toBe('working');
    expect(html).toContain('Működik');
    expect(reasonsOf(html)).toEqual([]);
    const prices = /id="health-prices"[\s\S]*?<\/div>/.exec(html)![0];
    expect(prices).toContain('épp most');
    expect(prices).toMatch(/1 beérkezett · 1 frissítve · 0 változatlan · 0 nem került be/);
    expect(html).toMatch(/id="settings-state"[^>]*>A beállítások teljesek\./);
    // The chart is on a log scale with an axis: tick labels 0, 1, 10.
    expect(html).toMatch(/<text class="tick"[^>]*>0<\/text>/);
    expect(html).toMatch(/<text class="tick"[^>]*>1<\/text>/);
    expect(html).toContain('id="chart-scale"');
    const en = await dashboard('en');
    expect(en).toContain('Working');
    expect(en).toContain('just now');
  });

  it('says "needs attention" when a URL has had no successful push for longer than the threshold, and the threshold is a setting', async () => {
    await age('prices', 30);
    let html = await dashboard();
    expect(verdictOf(html)).toBe('attention');
    expect(reasonsOf(html)).toEqual(['stale.prices']);
    expect(/id="health-prices"[\s\S]*?<\/div>/.exec(html)![0]).toMatch(/1 napja[\s\S]*Több mint 24 órája nem volt sikeres küldés/);
    // 48 hours is enough for this shop: working again.
    const saved = await request(app).post('/admin/alerts').set('Cookie', cookie).type('form').send({ _csrf: csrf, stale_after_hours: '48', alert_email: '' });
    expect(saved.status).toBe(200);
    expect((await env.ctx.settings.get()).stale_after_hours).toBe(48);
    expect(verdictOf(await dashboard())).toBe('working');
    // A bad value is refused beside its field, nothing stored.
    const bad = await request(app).post('/admin/alerts').set('Cookie', `${cookie}; erpb_lang=hu`).type('form').send({ _csrf: csrf, stale_after_hours: 'sok', alert_email: 'nem-cim' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('0 és 8760 közötti egész szám (óra)');
    expect(bad.text).toContain('„nem-cim” nem e-mail-cím');
    expect((await env.ctx.settings.get()).stale_after_hours).toBe(48);
  });

  it('says "needs attention", not "stopped", when a wrong key is sent to a URL whose last push succeeded recently', async () => {
    expect((await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 2 }])).status).toBe(200);
    const refused = await request(app).post('/integration/stock?key=wrong').set('Content-Type', 'application/xml').send(xmlDoc([{ termekkod: code, szabadraktar: 1 }]));
    expect(refused.status).toBe(401);
    const html = await dashboard();
    expect(verdictOf(html)).toBe('attention');
    expect(reasonsOf(html)).toEqual(['url_refused.stock']);
    expect(/id="health-stock"[\s\S]*?<\/div>/.exec(html)![0]).toContain('az ERP-ben megadott webshop azonosító vagy jelszó hibás');
    expect(html).toContain('az ERP legutóbbi küldése nemrég sikeres volt');
  });

  it('says "stopped" when the last push of a URL was refused, names the failure in words, and does not call the settings complete', async () => {
    // The ERP's last success is older than the threshold: a refusal now means the ERP itself is locked out.
    await age('stock', 72);
    const refused = await request(app).post('/integration/stock?key=wrong').set('Content-Type', 'application/xml').send(xmlDoc([{ termekkod: code, szabadraktar: 1 }]));
    expect(refused.status).toBe(401);
    const html = await dashboard();
    expect(verdictOf(html)).toBe('stopped');
    expect(reasonsOf(html)).toEqual(['url_failing.stock']);
    expect(html).toContain('Leállt');
    expect(/id="health-stock"[\s\S]*?<\/div>/.exec(html)![0]).toContain('az ERP-ben megadott webshop azonosító vagy jelszó hibás');
    expect(html).not.toMatch(/id="settings-state"[^>]*>A beállítások teljesek/);
    expect(html).toMatch(/id="settings-state"[^>]*>A beállítások ki vannak töltve, de az ERP legutóbbi küldését elutasítottuk \(Készlet\)/);
    // A successful push on that URL clears it.
    expect((await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 9 }])).status).toBe(200);
    expect(verdictOf(await dashboard())).toBe('working');
  });

  it('counts the optional order-status URL like the others once the ERP uses it, and never warns while it does not', async () => {
    const statusPush = (body: string, key = KEY) => request(app).post(`/integration/order-status?key=${key}`).set('Content-Type', 'application/json').send(body);
    const section = (html: string) => /id="health-order-status"[\s\S]*?<\/div>/.exec(html)![0];
    // Prices and stock fresh (the test stands alone), order status never used: many ERPs send no
    // statuses, so that is no warning.
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 130 }])).status).toBe(200);
    expect((await pushXml(app, 'stock', [{ termekkod: code, szabadraktar: 4 }])).status).toBe(200);
    let html = await dashboard();
    expect(verdictOf(html)).toBe('working');
    expect(section(html)).toContain('még nem használt (nem kötelező');
    // A wrong key on the unused URL: a warning (anyone who finds the URL can send one), not a stop.
    expect((await statusPush('[]', 'wrong')).status).toBe(401);
    html = await dashboard();
    expect(verdictOf(html)).toBe('attention');
    expect(reasonsOf(html)).toEqual(['optional_refused.order-status']);
    expect(section(html)).toContain('az ERP-ben megadott webshop azonosító vagy jelszó hibás');
    // An unknown order: partial, in words about status changes rather than products.
    const partial = await statusPush(JSON.stringify([{ rendelesszam: uniqueCode('NINCS'), allapot: 'szamlazva' }]));
    expect(partial.status).toBe(200);
    expect(partial.body.status).toBe('partial');
    html = await dashboard();
    expect(reasonsOf(html)).toEqual(['partial.order-status']);
    expect(html).toContain('Rendelésállapot: a legutóbbi küldésből csak az állapotváltozások egy része került be');
    // A clean push, then days of silence: still working (statuses come only when orders change).
    expect((await statusPush('[]')).status).toBe(200);
    await age('order-status', 24 * 5);
    html = await dashboard();
    expect(verdictOf(html)).toBe('working');
    expect(section(html)).toContain('5 napja');
    // A document the ERP sends that cannot be read stops the sync, as on any other URL.
    const bad = await statusPush('[{"rendelesszam":');
    expect(bad.status).toBe(400);
    html = await dashboard();
    expect(verdictOf(html)).toBe('stopped');
    expect(reasonsOf(html)).toEqual(['url_failing.order-status']);
    expect(section(html)).toContain('az ERP olyan dokumentumot küldött, amely nem olvasható');
    expect((await statusPush('[]')).status).toBe(200);
    expect(verdictOf(await dashboard())).toBe('working');
  });

  it('shows the next export only while the scheduler runs it', async () => {
    await env.ctx.settings.update({ export_interval: '15' });
    expect(await dashboard()).toMatch(/id="next-export">\s*Következő ütemezett rendelésexport: <strong>/);
    await env.ctx.settings.update({ export_interval: 'manual' });
    const html = await dashboard();
    expect(html).not.toContain('Következő ütemezett rendelésexport');
    expect(html).toContain('Az ütemező ki van kapcsolva');
    await env.ctx.settings.update({ export_interval: '5' });
  });

  it('mails one alert per state change through the shop\'s SMTP settings, with a cool-down, never showing the password', async () => {
    await writeSettingRows(db(), 'config', [
      { key: 'config_mail_engine', value: 'smtp', serialized: 0 },
      { key: 'config_mail_smtp_hostname', value: '127.0.0.1', serialized: 0 },
      { key: 'config_mail_smtp_port', value: String(smtp.port), serialized: 0 },
      { key: 'config_mail_smtp_username', value: 'bolt@example.hu', serialized: 0 },
      // OpenCart stores admin-typed text HTML-encoded.
      { key: 'config_mail_smtp_password', value: SMTP_PASSWORD.replace('&', '&amp;'), serialized: 0 },
      { key: 'config_mail_smtp_timeout', value: '5', serialized: 0 },
      { key: 'config_email', value: 'bolt@example.hu', serialized: 0 },
      { key: 'config_name', value: 'Teszt &amp; Társa Bolt', serialized: 0 },
      { key: 'config_admin_language', value: 'hu-hu', serialized: 0 },
    ]);
    await env.ctx.settings.update({ alert_email: 'tulaj@example.hu, bolt@example.hu' });
    // Working, nothing mailed before: no news, no mail.
    expect(await checkAlerts(env.ctx)).toBe('recorded');
    expect(smtp.messages).toHaveLength(0);

    // The ERP's password is wrong (no success on that URL for three days): stopped. The scheduler's tick mails it.
    await age('prices', 72);
    expect((await request(app).post('/integration/prices?key=wrong').set('Content-Type', 'application/xml').send(xmlDoc([{ termekkod: code, ar: 1 }]))).status).toBe(401);
    await schedulerTick(env.ctx, new OrderExporter(env.ctx.db, env.ctx.settings));
    const [mail] = await smtp.waitFor(1);
    expect(mail!.from).toBe('bolt@example.hu');
    expect(mail!.to).toEqual(['tulaj@example.hu', 'bolt@example.hu']);
    expect(mail!.user).toBe('bolt@example.hu');
    expect(mail!.subject).toBe('Teszt & Társa Bolt: szinkron – Leállt');
    expect(mail!.text).toContain('Leállt a szinkron a bolt (Teszt & Társa Bolt) és az ERP között.');
    expect(mail!.text).toContain('- Árak: az ERP legutóbbi küldését elutasítottuk');
    expect(mail!.text).toContain('http://shop.test/admin');
    expect(mail!.raw).not.toContain(SMTP_PASSWORD);
    expect(mail!.text).not.toContain(SMTP_PASSWORD);

    // The same state again: no second mail (one per change).
    expect(await checkAlerts(env.ctx)).toBe('unchanged');
    expect(await checkAlerts(env.ctx)).toBe('unchanged');
    expect(smtp.messages).toHaveLength(1);

    // Fixed: working again, but within the cool-down it waits; after it, the recovery is mailed once.
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 130 }])).status).toBe(200);
    expect(await checkAlerts(env.ctx)).toBe('cooldown');
    expect(smtp.messages).toHaveLength(1);
    const later = new Date(Date.now() + 31 * 60_000);
    expect(await checkAlerts(env.ctx, { now: later })).toBe('sent');
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages[1]!.subject).toBe('Teszt & Társa Bolt: szinkron – Működik');
    expect(await checkAlerts(env.ctx, { now: later })).toBe('unchanged');

    // The dashboard says when the last alert went, and shows no password.
    const html = await dashboard();
    expect(html).toMatch(/id="alert-last">Utolsó értesítés: .* \(Működik\)/);
    expect(html).toContain(`127.0.0.1:${smtp.port}`);
    expect(html).not.toContain(SMTP_PASSWORD);
    expect(html).not.toContain('smtp-Titok');
  });

  it('records a mail that could not be sent (wrong SMTP password) without the password, and sends a test e-mail from the dashboard', async () => {
    await writeSettingRows(db(), 'config', [{ key: 'config_mail_smtp_password', value: 'rossz-smtp-jelszo', serialized: 0 }]);
    await age('prices', 72);
    const refused = await request(app).post('/integration/prices?key=wrong').set('Content-Type', 'application/xml').send(xmlDoc([{ termekkod: code, ar: 1 }]));
    expect(refused.status).toBe(401);
    expect(await checkAlerts(env.ctx, { now: new Date(Date.now() + 2 * 3_600_000) })).toBe('error');
    const state = await db().knex(db().own('alert_state')).where({ channel: 'email' }).first();
    expect(state.last_error).toMatch(/the mail server refused the login \(AUTH PLAIN\): 535/);
    expect(state.last_error).not.toContain('rossz-smtp-jelszo');
    const html = await dashboard();
    expect(html).toContain('id="alert-error"');
    expect(html).not.toContain('rossz-smtp-jelszo');

    await writeSettingRows(db(), 'config', [{ key: 'config_mail_smtp_password', value: SMTP_PASSWORD, serialized: 0 }]);
    const before = smtp.messages.length;
    const test = await request(app).post('/admin/alerts/test').set('Cookie', `${cookie}; erpb_lang=hu`).type('form').send({ _csrf: csrf });
    expect(test.status).toBe(200);
    expect(test.text).toContain('A próba e-mail elment.');
    await smtp.waitFor(before + 1);
    expect(smtp.messages[before]!.subject).toBe('erp-bridge: próba e-mail');
    // Back to a working sync for the next tests.
    expect((await pushXml(app, 'prices', [{ termekkod: code, ar: 131 }])).status).toBe(200);
  });

  it('mails when an order is held aside, once, and the dashboard links the orders', async () => {
    const start = smtp.messages.length;
    const far = new Date(Date.now() + 5 * 3_600_000);
    expect(await checkAlerts(env.ctx, { now: far })).toMatch(/sent|unchanged|recorded/);
    const settled = smtp.messages.length;
    // An order whose document cannot be built (a missing ERP code) is held: needs attention.
    const at = '2026-01-01 10:00:00';
    await db().knex(db().own('outbox')).insert({ order_id: 987654, state: 'attention', attempts: 0, last_error: 'no ERP code for payment method "cod"', total: 0, prepared_at: at, updated_at: at });
    const html = await dashboard();
    expect(verdictOf(html)).toBe('attention');
    expect(reasonsOf(html)).toEqual(['orders_held']);
    expect(html).toMatch(/1 rendelés félretéve: javítani kell, mielőtt az ERP-be mehet\. \(<a href="\/admin\/orders">/);
    const later = new Date(far.getTime() + 31 * 60_000);
    expect(await checkAlerts(env.ctx, { now: later })).toBe('sent');
    expect(smtp.messages.length).toBe(settled + 1);
    expect(smtp.messages[settled]!.subject).toBe('Teszt & Társa Bolt: szinkron – Figyelmet igényel');
    expect(smtp.messages[settled]!.text).toContain('- 1 rendelés félretéve');
    // A second held order is the same state: no new mail.
    await db().knex(db().own('outbox')).insert({ order_id: 987655, state: 'attention', attempts: 0, last_error: 'x', total: 0, prepared_at: at, updated_at: at });
    expect(await checkAlerts(env.ctx, { now: new Date(later.getTime() + 3_600_000) })).toBe('unchanged');
    expect(smtp.messages.length).toBe(settled + 1);
    expect(start).toBeLessThanOrEqual(settled);
    await db().knex(db().own('outbox')).whereIn('order_id', [987654, 987655]).delete();
  });

  it('answers a browser opening an integration URL with a short page saying what it is for, naming nothing of the shop', async () => {
    for (const kind of ['prices', 'stock', 'promo-prices', 'categories']) {
      const page = await request(app).get(`/integration/${kind}`).set('Accept', 'text/html,application/xhtml+xml').set('Accept-Language', 'hu-HU,hu;q=0.9');
      expect(page.status, kind).toBe(405);
      expect(page.headers.allow).toBe('POST');
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('erp-bridge integrációs cím');
      expect(page.text).not.toContain('Cannot GET');
      for (const secret of [KEY, 'bolt-1', 'ERP-jelszo', 'Teszt']) expect(page.text).not.toContain(secret);
    }
    const en = await request(app).get('/integration/prices').set('Accept', 'text/html');
    expect(en.text).toContain('This is the address where the ERP sends the prices of the webshop.');
    const feed = await request(app).get('/integration/orders').set('Accept', 'text/html');
    expect(feed.status).toBe(200);
    expect(feed.text).toContain('downloads the new orders');
    // With credentials the feed itself answers, as before.
    const real = await request(app).get(`/integration/orders?key=${KEY}`).set('Accept', 'text/html');
    expect(real.text).not.toContain('integration address');
    expect((await request(app).get('/integration/nonsense').set('Accept', 'text/html')).status).toBe(404);
  });

  it('prints a handover sheet with the webshop id, the URLs and the ERP fields, warning about localhost and plain http', async () => {
    const original = env.ctx.config.publicUrl;
    try {
      env.ctx.config.publicUrl = 'http://localhost:3000';
      let sheet = await request(app).get('/admin/integration/handover').set('Cookie', `${cookie}; erpb_lang=hu`);
      expect(sheet.status).toBe(200);
      expect(sheet.text).toContain('Átadólap az ERP-hez');
      expect(sheet.text).toMatch(/id="warn-localhost"[\s\S]*„localhost”, ez maga a szerver[\s\S]*PUBLIC_URL/);
      expect(sheet.text).toMatch(/id="warn-plain_http"[\s\S]*titkosítatlan http[\s\S]*https/);
      expect(sheet.text).toMatch(/id="sheet-webshop-id"><code>bolt-1<\/code>/);
      expect(sheet.text).not.toContain('ERP-jelszo');
      expect(sheet.text.replace(/<wbr>/g, '')).toContain(`http://localhost:3000/integration/prices?key=${KEY}`);
      env.ctx.config.publicUrl = 'https://bolt.example.hu/erp';
      sheet = await request(app).get('/admin/integration/handover').set('Cookie', `${cookie}; erpb_lang=en`);
      expect(sheet.text).not.toContain('id="warn-');
      expect(sheet.text.replace(/<wbr>/g, '')).toContain(`https://bolt.example.hu/integration/stock?key=${KEY}`);
      expect(sheet.text).toContain('Webshop id (in the ERP: &#34;Webshop azonosító&#34;)');
      // Linked from the integration page, which no longer points to a file the owner cannot open.
      const integration = await request(app).get('/admin/integration').set('Cookie', cookie);
      expect(integration.text).toContain('href="/admin/integration/handover"');
      expect(integration.text).not.toContain('docs/integration.md');
      // A test push the shop refuses (categories outside full sync) points to the sheet, not to a file.
      const tested = await request(app).post('/admin/integration/test/categories').set('Cookie', cookie).set('X-CSRF-Token', csrf);
      expect(tested.text).toContain('HTTP 409');
      expect(tested.text).toContain('href="/admin/integration/handover"');
      expect(tested.text).not.toContain('docs/integration.md');
    } finally {
      env.ctx.config.publicUrl = original;
    }
  });
});
