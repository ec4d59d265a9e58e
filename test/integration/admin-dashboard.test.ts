// The dashboard's data, the e-mail alerts and the admin's test push, called directly (no admin
// pages): app/admin/dashboard.ts (each URL's newest success and failure, the outbox, the export's
// eligibility, the chart, the next export, refused settings, a database that cannot be read),
// app/admin/alerts.ts (the shop's mail settings as OpenCart stores them, the words of an alert,
// one mail per state change with a cool-down, a failure recorded without the password, the test
// e-mail) and app/admin/test-push.ts (what the test push sends, to a recording server on
// 127.0.0.1 and to the real integration endpoint). owner-health.test.ts covers the same through the
// admin's pages. Mail goes to real SMTP servers on 127.0.0.1.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertMessage, alertState, checkAlerts, mailSettingsView, reasonText, sendTestAlert, ALERT_COOLDOWN_MS } from '../../app/admin/alerts.js';
import { loadDashboard, loadHealth, logTicks, RUN_KINDS, schedulerOn } from '../../app/admin/dashboard.js';
import { judge, type UrlState } from '../../app/admin/health.js';
import { testPush } from '../../app/admin/test-push.js';
import type { Settings } from '../../app/settings/schema.js';
import { writeSettingRows } from '../../app/shop/setting-rows.js';
import { addDays, formatDateTime, today } from '../../app/util/time.js';
import { formatter } from '../../app/web/i18n/format.js';
import { translator } from '../../app/web/i18n/messages.js';
import { createApp } from '../../app/web/server.js';
import { placeOrder, setOrderStatus } from '../support/orders.js';
import { KEY } from '../support/shop.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

const SMTP_USER = 'bolt@example.hu';
const SMTP_PASSWORD = 'smtp-Titok&42';
const HOUR = 3_600_000;
const stamp = (msFromNow = 0) => formatDateTime(new Date(Date.now() + msFromNow));

// What needs no database (the words, the scheduler's switch) stands apart: no shop is opened for it.
describe('the words of an alert', () => {
  const url = (kind: UrlState['kind'], lastSuccess: string | null): UrlState => ({
    kind, active: true, lastSuccess: lastSuccess ? ({ id: 1, status: 'ok', started_at: lastSuccess, finished_at: lastSuccess } as never) : null, lastFailure: null,
  });

  it('words a reason by its code, in a kind\'s own words where it has them', () => {
    const hu = translator('hu');
    expect(reasonText(hu, { level: 'attention', code: 'partial', kind: 'order-status' })).toBe(hu('health.reason.partial.order-status', { kind: 'Rendelésállapot' }));
    expect(reasonText(hu, { level: 'attention', code: 'partial', kind: 'order-status' })).toContain('Rendelésállapot: a legutóbbi küldésből csak az állapotváltozások');
    expect(reasonText(hu, { level: 'attention', code: 'partial', kind: 'prices' })).toBe('Árak: a legutóbbi küldésből csak a termékek egy része került be (ismeretlen vagy hibás tételek).');
    const en = translator('en');
    expect(reasonText(en, { level: 'attention', code: 'orders_held', vars: { count: 3 } })).toBe('3 order(s) held aside: they need a fix before they can go to the ERP.');
    expect(reasonText(en, { level: 'stopped', code: 'settings_missing' })).toBe('The webshop id or the password is not set, so the ERP cannot log in.');
    expect(reasonText(en, { level: 'attention', code: 'stale', kind: 'stock', vars: { hours: 24 } })).toBe('Stock: no successful push for more than 24 hours.');
  });

  it('says the verdict, each reason, each URL\'s last success, where to look and when, in the owner\'s language', () => {
    const at = new Date(2026, 11, 2, 12, 0, 0);
    const health = judge({
      now: at, databaseOk: true, moduleUninstalled: false, missingSettings: [], missingExport: [], staleAfterHours: 24, schedulerOn: true,
      urls: [url('prices', formatDateTime(new Date(at.getTime() - 3 * HOUR))), url('stock', null)], ordersWaiting: 0, ordersHeld: 2, ordersFailed: 0, lastExport: null,
    });
    const en = alertMessage(health, 'en', 'https://bolt.example.hu/erp/admin', 'Teszt Bolt', at);
    expect(en.subject).toBe('Teszt Bolt: sync Needs attention');
    expect(en.text.split('\n')).toEqual([
      'The sync between Teszt Bolt and the ERP needs attention.',
      '',
      '- Stock: the ERP has not sent anything yet.',
      '- 2 order(s) held aside: they need a fix before they can go to the ERP.',
      '',
      `Prices: Last successful push ${formatter('en').relative(new Date(at.getTime() - 3 * HOUR), at)}`,
      'Stock: Last successful push never yet',
      '',
      'Details: https://bolt.example.hu/erp/admin',
      `Checked at ${formatter('en').dateTime(at)}.`,
      '',
      'You get this e-mail because your address is set for erp-bridge alerts. One e-mail per change; clear the address on the dashboard to stop them.',
    ]);
    expect(en.text).toContain('Prices: Last successful push 3 hours ago');
    const hu = alertMessage(health, 'hu', 'https://x/admin', '', at);
    expect(hu.subject).toBe('erp-bridge: szinkron – Figyelmet igényel');
    expect(hu.text.split('\n')[0]).toBe(translator('hu')('alert.intro.attention', { shop: translator('hu')('alert.the_shop') }));
    expect(hu.text).toContain('Készlet: Utolsó sikeres küldés még egyszer sem');
  });
});

describe('the scheduler\'s switch', () => {
  it('says the scheduler exports only when it is not switched off and the interval is not manual', () => {
    const saved = process.env.ERP_BRIDGE_SCHEDULER;
    try {
      delete process.env.ERP_BRIDGE_SCHEDULER;
      expect(schedulerOn({ export_interval: '5' } as Settings)).toBe(true);
      expect(schedulerOn({ export_interval: 'manual' } as Settings)).toBe(false);
      process.env.ERP_BRIDGE_SCHEDULER = 'off';
      expect(schedulerOn({ export_interval: '5' } as Settings)).toBe(false);
      process.env.ERP_BRIDGE_SCHEDULER = 'on';
      expect(schedulerOn({ export_interval: 'daily' } as Settings)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.ERP_BRIDGE_SCHEDULER;
      else process.env.ERP_BRIDGE_SCHEDULER = saved;
    }
    expect(RUN_KINDS).toEqual(['prices', 'stock', 'promo-prices', 'categories', 'order-status', 'order-export']);
    expect(logTicks(0)).toEqual({ top: 1, ticks: [1] });
  });
});

describe.each(FIXTURE_DIALECT_TARGETS)('the admin\'s dashboard, alerts and test push on $name', (target) => {
  let env: TargetEnv;
  let smtp: TestSmtpServer;
  const db = () => env.ctx.db;
  const own = (t: string) => db().knex(db().own(t));
  const baseline: Record<string, string> = {
    webshop_id: 'bolt-1', password: 'ERP-jelszo', import_password: KEY, shipping_fee_code: 'SZALL', export_start_date: '2099-01-01',
    export_interval: '5', export_statuses: '', sync_type: 'stock_price', stale_after_hours: '24', alert_email: '', product_code_field: 'model',
  };
  /** A journal run written as the journal writes one; returns its id. */
  const run = async (kind: string, status: string, o: { http?: number; message?: string; dry?: boolean; at?: string; finished?: string | null } = {}) => {
    const at = o.at ?? stamp(-60_000);
    const [id] = await own('journal_run').insert({ kind, actor: 'test', status, http_status: o.http ?? (status === 'ok' || status === 'partial' ? 200 : null), dry_run: o.dry ?? false, started_at: at, finished_at: o.finished === undefined ? at : o.finished, message: o.message ?? null });
    return Number(id);
  };
  const working = async () => {
    await run('prices', 'ok');
    await run('stock', 'ok');
  };
  const mailRows = (rows: Record<string, string>) => writeSettingRows(db(), 'config', Object.entries(rows).map(([key, value]) => ({ key, value, serialized: 0 })));
  const dropConfig = (...keys: string[]) => db().knex(db().t('setting')).where({ store_id: 0, code: 'config' }).whereIn('key', keys).delete();
  const smtpRows = () => mailRows({
    config_mail_engine: 'smtp', config_mail_smtp_hostname: '127.0.0.1', config_mail_smtp_port: String(smtp.port), config_mail_smtp_username: SMTP_USER,
    config_mail_smtp_password: SMTP_PASSWORD.replace('&', '&amp;'), config_mail_smtp_timeout: '5', config_email: 'bolt@example.hu', config_name: 'Teszt &amp; Társa Bolt',
    config_admin_language: 'hu-hu', config_language: 'hu-hu',
  });
  const MAIL_KEYS = ['config_mail_engine', 'config_mail_smtp_hostname', 'config_mail_smtp_port', 'config_mail_smtp_username', 'config_mail_smtp_password', 'config_mail_smtp_timeout', 'config_email', 'config_name', 'config_admin_language', 'config_language'];

  beforeAll(async () => {
    env = await openTarget(target);
    smtp = await startSmtpServer({ auth: { user: SMTP_USER, password: SMTP_PASSWORD } });
  });
  beforeEach(async () => {
    for (const t of ['journal_item', 'journal_run', 'journal_day', 'outbox', 'alert_state']) await own(t).delete();
    await env.ctx.settings.update(baseline);
    smtp.messages.length = 0;
    smtp.commands.length = 0;
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.cleanup();
  });

  describe('the health data', () => {
    it('finds each URL\'s newest real success (ok or partial) and failure (rejected, failed, interrupted), kind by kind', async () => {
      const okPrices = await run('prices', 'ok');
      const partialPrices = await run('prices', 'partial');
      await run('prices', 'rejected', { http: 401 });
      const failedPrices = await run('prices', 'failed', { http: 500 });
      await run('prices', 'ok', { dry: true });
      await run('prices', 'failed', { dry: true, http: 500 });
      await run('prices', 'running', { finished: null });
      await run('stock', 'partial');
      const okStock = await run('stock', 'ok');
      await run('stock', 'failed', { http: 500 });
      const interruptedStock = await run('stock', 'interrupted');
      await run('promo-prices', 'interrupted');
      const rejectedPromo = await run('promo-prices', 'rejected', { http: 400 });
      const okPromo = await run('promo-prices', 'ok');
      await run('order-export', 'ok');
      const h = await loadHealth(env.ctx);
      const ids = Object.fromEntries(h.health.urls.map((u) => [u.kind, [u.lastSuccess && Number(u.lastSuccess.id), u.lastFailure && Number(u.lastFailure.id)]]));
      expect(ids).toEqual({
        prices: [partialPrices, failedPrices],
        stock: [okStock, interruptedStock],
        'promo-prices': [okPromo, rejectedPromo],
        categories: [null, null],
        'order-status': [null, null],
      });
      expect(okPrices).toBeLessThan(partialPrices);
      // The rows themselves, not only their ids.
      expect(h.health.urls[0]!.lastSuccess).toMatchObject({ kind: 'prices', status: 'partial', actor: 'test' });
      expect(h.health.urls[1]!.lastFailure).toMatchObject({ kind: 'stock', status: 'interrupted' });
    });

    it('judges the sync from the settings, the module\'s state, the outbox and the last export, at the time given', async () => {
      await working();
      let h = await loadHealth(env.ctx);
      expect(h.health.verdict).toBe('working');
      expect(h.idle).toBe(false);
      expect(h.missing).toEqual([]);
      expect(h.outbox).toEqual({ waiting: 0, held: 0, failed: 0, exported: 0 });
      expect(h.lastExport).toBeNull();
      expect(h.settings.webshop_id).toBe('bolt-1');
      expect(h.health.urls.find((u) => u.kind === 'categories')!.active).toBe(false);
      expect(h.health.urls.filter((u) => u.active).map((u) => u.kind)).toEqual(['prices', 'stock', 'promo-prices', 'order-status']);
      // 30 hours later the prices and stock are stale (24 h); 48 h is enough for this shop.
      const later = new Date(Date.now() + 30 * HOUR);
      expect((await loadHealth(env.ctx, later)).health.signature).toBe('attention:stale.prices,stale.stock');
      await env.ctx.settings.update({ stale_after_hours: '48', sync_type: 'full' });
      h = await loadHealth(env.ctx, later);
      expect(h.health.signature).toBe('working');
      expect(h.health.urls.find((u) => u.kind === 'categories')!.active).toBe(true);

      const at = stamp(-HOUR);
      for (const [order_id, state] of [[1, 'waiting'], [2, 'waiting'], [3, 'attention'], [4, 'failed'], [5, 'failed'], [6, 'failed'], [7, 'exported']] as const)
        await own('outbox').insert({ order_id, state, attempts: 0, last_error: null, total: 0, prepared_at: at, updated_at: at });
      const exportRun = await run('order-export', 'failed', { http: 500 });
      h = await loadHealth(env.ctx);
      expect(h.outbox).toEqual({ waiting: 2, held: 1, failed: 3, exported: 1 });
      expect(Number(h.lastExport!.id)).toBe(exportRun);
      expect(h.health.reasons.map((r) => [r.code, r.vars?.count])).toEqual([['orders_held', 1], ['orders_failed', 3], ['export_failing', undefined]]);
    });

    it('names each missing setting once, and stops while the module is uninstalled in the shop', async () => {
      await working();
      await env.ctx.settings.update({ webshop_id: '', password: '', import_password: '', shipping_fee_code: '', export_start_date: '' });
      let h = await loadHealth(env.ctx);
      expect(h.missing).toEqual(['webshop_id', 'password', 'shipping_fee_code', 'export_start_date']);
      expect(h.health.reasons.map((r) => [r.code, r.vars?.count])).toEqual([['settings_missing', 2], ['export_not_set_up', 4]]);
      await env.ctx.settings.update(baseline);
      await db().knex(db().t('setting')).insert({ store_id: 0, code: 'erp_bridge', key: 'erp_bridge_package', value: '1.0.0', serialized: 0 });
      try {
        h = await loadHealth(env.ctx);
        expect(h.idle).toBe(true);
        expect(h.health.signature).toBe('stopped:module_off');
      } finally {
        await db().knex(db().t('setting')).where({ code: 'erp_bridge', key: 'erp_bridge_package' }).delete();
      }
    });

    it('counts an order the export would take (in the chosen or the shop\'s default statuses, from the start date) as waiting, unless the module is uninstalled', async () => {
      await working();
      const statusesRow = await db().knex(db().t('setting')).where({ store_id: 0, code: 'config', key: 'config_processing_status' }).first('value');
      const processing = Number((JSON.parse(statusesRow.value) as string[])[0]);
      const { orderId } = await placeOrder(db(), { products: [{ productId: 1, name: 'Teszt', model: 'T-1', quantity: 1, price: 100, tax: 27 }], dateAdded: '2031-05-05 10:00:00' });
      try {
        await setOrderStatus(db(), orderId, processing);
        // The scheduler exports it: nothing stopped.
        await env.ctx.settings.update({ export_start_date: '2031-05-05' });
        expect((await loadHealth(env.ctx)).health.signature).toBe('working');
        // Manual export and no export lately: the waiting order (and the outbox's) stops the sync.
        await env.ctx.settings.update({ export_interval: 'manual' });
        let h = await loadHealth(env.ctx);
        expect(h.health.reasons.map((r) => [r.code, r.vars?.count])).toEqual([['export_stopped', 1]]);
        const at = stamp(-HOUR);
        await own('outbox').insert({ order_id: 999_001, state: 'waiting', attempts: 0, last_error: null, total: 0, prepared_at: at, updated_at: at });
        h = await loadHealth(env.ctx);
        expect(h.health.reasons.map((r) => [r.code, r.vars?.count])).toEqual([['export_stopped', 2]]);
        await own('outbox').delete();
        // Outside the statuses chosen, or before the start date: not waiting.
        const other = await db().knex(db().t('order_status')).whereNot('order_status_id', processing).first('order_status_id');
        await env.ctx.settings.update({ export_statuses: String(other.order_status_id) });
        expect((await loadHealth(env.ctx)).health.signature).toBe('working');
        await env.ctx.settings.update({ export_statuses: String(processing) });
        expect((await loadHealth(env.ctx)).health.signature).toBe('stopped:export_stopped');
        await env.ctx.settings.update({ export_start_date: '2031-05-06' });
        expect((await loadHealth(env.ctx)).health.signature).toBe('working');
        // The module uninstalled: the export is idle, so the order is not counted.
        await env.ctx.settings.update({ export_start_date: '2031-05-05' });
        await db().knex(db().t('setting')).insert({ store_id: 0, code: 'erp_bridge', key: 'erp_bridge_package', value: '1.0.0', serialized: 0 });
        try {
          expect((await loadHealth(env.ctx)).health.signature).toBe('stopped:module_off');
        } finally {
          await db().knex(db().t('setting')).where({ code: 'erp_bridge', key: 'erp_bridge_package' }).delete();
        }
      } finally {
        await db().knex(db().t('order')).where({ order_id: orderId }).delete();
      }
    });
  });

  describe('the dashboard', () => {
    it('shows the database, the last migration, the settings, the outbox and the health as loaded', async () => {
      await working();
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu', stale_after_hours: '36' });
      const migrations = (await own('migrations').select('id', 'name')) as Array<{ id: number; name: string }>;
      const newest = migrations.reduce((a, m) => (Number(m.id) > Number(a.id) ? m : a));
      const d = await loadDashboard(env.ctx);
      expect(d.database).toEqual({ ok: true, dialect: db().dialect.name, version: newest.name });
      expect(d.database.dialect).toBe(target.dialect === 'sqlite' ? 'sqlite' : 'mysql');
      expect(d.missing).toEqual([]);
      expect(d.health.verdict).toBe('working');
      expect(d.health.urls.map((u) => u.kind)).toEqual(['prices', 'stock', 'promo-prices', 'categories', 'order-status']);
      expect(d.lastExport).toBeNull();
      expect(d.outbox).toEqual({ waiting: 0, held: 0, failed: 0, exported: 0 });
      expect(d.idle).toBe(false);
      expect(d.staleAfterHours).toBe(36);
      expect(d.alertEmail).toBe('tulaj@example.hu');
      expect(d.settingsRefused).toEqual([]);
    });

    it('says "none" when no migration is recorded', async () => {
      const rows = await own('migrations').select();
      await own('migrations').delete();
      try {
        expect((await loadDashboard(env.ctx)).database).toEqual({ ok: true, dialect: db().dialect.name, version: 'none' });
      } finally {
        await own('migrations').insert(rows);
      }
    });

    it('charts 30 days up to today from the daily totals: applied records, problems, and exported orders apart', async () => {
      const from = addDays(today(), -29);
      await own('journal_day').insert([
        { day: addDays(from, -1), kind: 'prices', runs: 1, applied: 500, problems: 500 },
        { day: from, kind: 'prices', runs: 1, applied: 7, problems: 0 },
        { day: addDays(from, 10), kind: 'order-export', runs: 2, applied: 4, problems: 1 },
        { day: today(), kind: 'prices', runs: 3, applied: 5, problems: 1 },
        { day: today(), kind: 'stock', runs: 1, applied: 2, problems: 12 },
        { day: today(), kind: 'order-export', runs: 1, applied: 3, problems: 2 },
      ]);
      const { chart } = await loadDashboard(env.ctx);
      expect(chart.days).toHaveLength(30);
      expect(chart.days.map((d) => d.day)).toEqual(Array.from({ length: 30 }, (_, i) => addDays(from, i)));
      expect(chart.days[0]).toEqual({ day: from, applied: 7, problems: 0, exported: 0 });
      expect(chart.days[10]).toEqual({ day: addDays(from, 10), applied: 0, problems: 1, exported: 4 });
      expect(chart.days[29]).toEqual({ day: today(), applied: 7, problems: 15, exported: 3 });
      expect(chart.days[5]).toEqual({ day: addDays(from, 5), applied: 0, problems: 0, exported: 0 });
      expect(chart).toMatchObject({ max: 15, top: 100, ticks: [1, 10, 100] });
      await own('journal_day').delete();
      expect((await loadDashboard(env.ctx)).chart).toMatchObject({ max: 0, top: 1, ticks: [1] });
    });

    it('shows the next export after the last one while the scheduler runs, and none while it is off or the module is uninstalled', async () => {
      const saved = process.env.ERP_BRIDGE_SCHEDULER;
      delete process.env.ERP_BRIDGE_SCHEDULER;
      try {
        await working();
        const started = new Date(Date.now() - 60_000);
        started.setMilliseconds(0);
        const exportRun = await run('order-export', 'ok', { at: formatDateTime(started) });
        await env.ctx.settings.update({ export_interval: '15' });
        let d = await loadDashboard(env.ctx);
        expect(d.schedulerOn).toBe(true);
        expect(Number(d.lastExport!.id)).toBe(exportRun);
        expect(d.nextExport).toBe(formatDateTime(new Date(started.getTime() + 15 * 60_000)));
        await env.ctx.settings.update({ export_interval: 'manual' });
        d = await loadDashboard(env.ctx);
        expect([d.schedulerOn, d.nextExport]).toEqual([false, null]);
        await env.ctx.settings.update({ export_interval: '15' });
        await db().knex(db().t('setting')).insert({ store_id: 0, code: 'erp_bridge', key: 'erp_bridge_package', value: '1.0.0', serialized: 0 });
        try {
          d = await loadDashboard(env.ctx);
          expect([d.schedulerOn, d.nextExport, d.idle]).toEqual([false, null, true]);
        } finally {
          await db().knex(db().t('setting')).where({ code: 'erp_bridge', key: 'erp_bridge_package' }).delete();
        }
      } finally {
        if (saved === undefined) delete process.env.ERP_BRIDGE_SCHEDULER;
        else process.env.ERP_BRIDGE_SCHEDULER = saved;
      }
    });

    it('names the URLs whose failing push was refused for its credentials or configuration, not for a busy or unavailable shop', async () => {
      await run('prices', 'rejected', { http: 401, message: 'wrong key' });
      await run('stock', 'rejected', { http: 403, message: 'forbidden' });
      await run('promo-prices', 'rejected', { http: 503, message: 'the module is disabled in the shop' });
      await env.ctx.settings.update({ sync_type: 'full' });
      await run('categories', 'rejected', { http: 503, message: 'another push is still running' });
      await run('order-status', 'rejected', { http: 503, message: 'the shop database is unavailable' });
      let d = await loadDashboard(env.ctx);
      expect(d.settingsRefused).toEqual(['prices', 'stock', 'promo-prices']);
      // A refusal after a recent success is no failing URL (a stranger's wrong key); a bad document is no settings problem.
      await run('prices', 'ok');
      await run('prices', 'rejected', { http: 401, message: 'wrong key' });
      await run('stock', 'rejected', { http: 400, message: 'bad document' });
      await run('promo-prices', 'failed', { http: 500, message: 'crash' });
      await run('categories', 'rejected', { http: 409, message: 'not full sync' });
      await run('order-status', 'rejected', { http: 401, message: 'wrong key' });
      d = await loadDashboard(env.ctx);
      expect(d.health.urls.find((u) => u.kind === 'prices')!.refused).toBe(true);
      expect(d.settingsRefused).toEqual([]);
    });

    it('says the database cannot be read, and shows nothing else', async () => {
      const closed = env.newContext();
      await closed.close();
      const d = await loadDashboard(closed);
      expect(d).toEqual({
        database: { ok: false, dialect: db().dialect.name, version: 'none', error: expect.any(String) },
        missing: [], health: expect.objectContaining({ verdict: 'stopped', signature: 'stopped:db_down' }), lastExport: null,
        outbox: { waiting: 0, held: 0, failed: 0, exported: 0 }, schedulerOn: false, nextExport: null, idle: false, staleAfterHours: 0, alertEmail: '', settingsRefused: [],
        chart: { days: [], max: 0, top: 1, ticks: [1] },
      });
      expect(d.database.error!.length).toBeGreaterThan(0);
    });
  });

  describe('the shop\'s mail settings', () => {
    afterEach(async () => dropConfig(...MAIL_KEYS));

    it('reads OpenCart\'s SMTP settings: ssl:// and tls:// in any case, the default ports, decoded and trimmed text, and only whether a password is set', async () => {
      await mailRows({
        config_mail_engine: ' smtp ', config_mail_smtp_hostname: 'SSL://mail.example.hu', config_mail_smtp_port: '', config_mail_smtp_username: ' user@example.hu ',
        config_mail_smtp_password: 'x&amp;y', config_email: ' bolt@example.hu ', config_name: 'Teszt &amp; Társa', config_admin_language: 'en-gb', config_language: 'hu-hu',
      });
      expect(await mailSettingsView(db())).toEqual({
        engine: 'smtp', host: 'mail.example.hu', port: 465, security: 'ssl', username: 'user@example.hu', passwordSet: true, from: 'bolt@example.hu', shopName: 'Teszt & Társa', lang: 'en',
      });
      await mailRows({ config_mail_smtp_hostname: 'Tls://mail.example.hu', config_mail_smtp_password: '', config_admin_language: 'hu-hu', config_language: 'en-gb' });
      expect(await mailSettingsView(db())).toMatchObject({ host: 'mail.example.hu', port: 25, security: 'starttls', passwordSet: false, lang: 'hu' });
      await mailRows({ config_mail_smtp_hostname: 'mail.example.hu', config_mail_smtp_port: '587' });
      expect(await mailSettingsView(db())).toMatchObject({ host: 'mail.example.hu', port: 587, security: 'none' });
      await mailRows({ config_mail_smtp_hostname: 'ssl://smtp.example.hu', config_mail_smtp_port: 'sok' });
      expect(await mailSettingsView(db())).toMatchObject({ host: 'smtp.example.hu', port: 465, security: 'ssl' });
      await mailRows({ config_mail_smtp_hostname: 'xssl://smtp.example.hu', config_mail_smtp_port: '' });
      expect(await mailSettingsView(db())).toMatchObject({ host: 'xssl://smtp.example.hu', port: 25, security: 'none' });
      // No admin language: the shop's language; neither: Hungarian.
      await dropConfig('config_admin_language');
      expect((await mailSettingsView(db())).lang).toBe('en');
      await dropConfig('config_language');
      expect((await mailSettingsView(db())).lang).toBe('hu');
      await mailRows({ config_admin_language: 'EN-US' });
      expect((await mailSettingsView(db())).lang).toBe('en');
      await mailRows({ config_admin_language: 'de-en' });
      expect((await mailSettingsView(db())).lang).toBe('hu');
    });

    it('sends PHP mail()\'s way to the machine\'s own mail server at 127.0.0.1:25, ignoring the SMTP rows, also when no engine is set', async () => {
      await mailRows({ config_mail_engine: 'mail', config_mail_smtp_hostname: 'ssl://mail.example.hu', config_mail_smtp_port: '465', config_mail_smtp_username: 'u', config_mail_smtp_password: 'p', config_email: 'bolt@example.hu' });
      const view = await mailSettingsView(db());
      expect(view).toEqual({ engine: 'mail', host: '127.0.0.1', port: 25, security: 'none', username: '', passwordSet: false, from: 'bolt@example.hu', shopName: '', lang: 'hu' });
      expect(view).not.toHaveProperty('password');
      expect(view).not.toHaveProperty('timeoutMs');
      await dropConfig('config_mail_engine');
      expect(await mailSettingsView(db())).toMatchObject({ engine: 'mail', host: '127.0.0.1', port: 25, username: '', passwordSet: false });
    });
  });

  describe('the alert e-mails', () => {
    let logged: Array<Record<string, unknown>>;
    const savedLog = () => env.ctx.log;
    let original: TargetEnv['ctx']['log'];
    beforeEach(async () => {
      logged = [];
      original = savedLog();
      env.ctx.log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) {
        logged.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        cb();
      } }));
      await smtpRows();
    });
    afterEach(async () => {
      env.ctx.log = original;
      await dropConfig(...MAIL_KEYS);
    });

    it('does nothing while no address is set, but remembers the state it saw, once per change', async () => {
      const t1 = new Date(Date.now() - 10 * 60_000);
      expect(await checkAlerts(env.ctx, { now: t1 })).toBe('off');
      expect(await alertState(db())).toEqual({ channel: 'email', seen_state: 'attention:never.prices,never.stock', seen_at: formatDateTime(t1), sent_state: '', sent_at: null, sent_count: 0, last_error: null, last_error_at: null });
      // The same state later: its first sighting stays.
      expect(await checkAlerts(env.ctx, { now: new Date(t1.getTime() + 60_000) })).toBe('off');
      expect((await alertState(db()))!.seen_at).toBe(formatDateTime(t1));
      await working();
      const t2 = new Date(t1.getTime() + 120_000);
      expect(await checkAlerts(env.ctx, { now: t2 })).toBe('off');
      expect(await alertState(db())).toMatchObject({ seen_state: 'working', seen_at: formatDateTime(t2), sent_state: '' });
      expect(smtp.messages).toHaveLength(0);
    });

    it('records a sync working from the start without mailing, and mails a change to every address once, with the shop\'s name, language and login', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu, masik@example.hu' });
      expect(await alertState(db())).toBeNull();
      await working();
      expect(await checkAlerts(env.ctx)).toBe('recorded');
      expect(await alertState(db())).toMatchObject({ sent_state: 'working', sent_at: null, sent_count: 0 });
      expect(await checkAlerts(env.ctx)).toBe('unchanged');
      expect(smtp.messages).toHaveLength(0);

      await run('prices', 'rejected', { http: 401, message: 'wrong key', at: stamp(-72 * HOUR) });
      await own('journal_run').where({ kind: 'prices', status: 'ok' }).update({ started_at: stamp(-73 * HOUR), finished_at: stamp(-73 * HOUR) });
      await run('prices', 'rejected', { http: 401, message: 'wrong key' });
      const at = new Date();
      expect(await checkAlerts(env.ctx, { now: at })).toBe('sent');
      const [mail] = await smtp.waitFor(1);
      expect(mail!.from).toBe('bolt@example.hu');
      expect(mail!.to).toEqual(['tulaj@example.hu', 'masik@example.hu']);
      expect(mail!.user).toBe(SMTP_USER);
      expect(mail!.headers.from).toBe(`=?UTF-8?B?${Buffer.from('Teszt & Társa Bolt').toString('base64')}?= <bolt@example.hu>`);
      expect(mail!.subject).toBe('Teszt & Társa Bolt: szinkron – Leállt');
      expect(mail!.text).toContain('Leállt a szinkron a bolt (Teszt & Társa Bolt) és az ERP között.');
      expect(mail!.text).toContain('- Árak: az ERP legutóbbi küldését elutasítottuk');
      expect(mail!.text).toContain('http://shop.test/admin');
      expect(mail!.raw).not.toContain(SMTP_PASSWORD);
      expect(await alertState(db())).toMatchObject({ sent_state: 'stopped:url_failing.prices', sent_at: formatDateTime(at), sent_count: 1, last_error: null, last_error_at: null });
      expect(logged.filter((l) => l.msg === 'alert e-mail sent')).toEqual([expect.objectContaining({ level: 30, verdict: 'stopped', to: 2 })]);
      expect(await checkAlerts(env.ctx, { now: new Date(at.getTime() + HOUR) })).toBe('unchanged');
      expect(smtp.messages).toHaveLength(1);
    });

    it('waits out the cool-down after a mail (to the millisecond), then mails the state that holds; the recovery too', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu' });
      const t0 = new Date();
      t0.setMilliseconds(0);
      expect(await checkAlerts(env.ctx, { now: t0 })).toBe('sent');
      expect(smtp.messages[0]!.subject).toBe('Teszt & Társa Bolt: szinkron – Figyelmet igényel');
      await working();
      const cooldownMs = 10 * 60_000;
      expect(await checkAlerts(env.ctx, { now: new Date(t0.getTime() + cooldownMs - 1), cooldownMs })).toBe('cooldown');
      expect(smtp.messages).toHaveLength(1);
      expect(await checkAlerts(env.ctx, { now: new Date(t0.getTime() + cooldownMs), cooldownMs })).toBe('sent');
      expect(smtp.messages[1]!.subject).toBe('Teszt & Társa Bolt: szinkron – Működik');
      expect(await alertState(db())).toMatchObject({ sent_state: 'working', sent_count: 2 });
      // The default cool-down is half an hour.
      expect(ALERT_COOLDOWN_MS).toBe(30 * 60_000);
      await own('journal_run').delete();
      const t1 = new Date(t0.getTime() + cooldownMs + 29 * 60_000);
      expect(await checkAlerts(env.ctx, { now: t1 })).toBe('cooldown');
      expect(await checkAlerts(env.ctx, { now: new Date(t1.getTime() + 60_000) })).toBe('sent');
    });

    it('records a mail that could not be sent, without the password, and tries again only after the cool-down', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu' });
      await mailRows({ config_mail_smtp_password: 'rossz-jelszo' });
      const t0 = new Date();
      t0.setMilliseconds(0);
      expect(await checkAlerts(env.ctx, { now: t0 })).toBe('error');
      let state = (await alertState(db()))!;
      expect(state).toMatchObject({ sent_state: '', sent_at: null, sent_count: 0, last_error_at: formatDateTime(t0) });
      expect(state.last_error).toMatch(/^the mail server refused the login \(AUTH PLAIN\): 535/);
      expect(state.last_error).not.toContain('rossz-jelszo');
      expect(logged.filter((l) => l.msg === 'alert e-mail not sent')).toEqual([expect.objectContaining({ level: 40, error: state.last_error, host: '127.0.0.1', port: smtp.port })]);
      await mailRows({ config_mail_smtp_password: SMTP_PASSWORD });
      expect(await checkAlerts(env.ctx, { now: new Date(t0.getTime() + ALERT_COOLDOWN_MS - 1) })).toBe('cooldown');
      expect(await checkAlerts(env.ctx, { now: new Date(t0.getTime() + ALERT_COOLDOWN_MS) })).toBe('sent');
      state = (await alertState(db()))!;
      expect(state).toMatchObject({ sent_count: 1, last_error: null, last_error_at: null });
    });

    it('refuses to mail without the shop\'s address or SMTP host, and keeps a long error to 500 characters', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu' });
      const later = (h: number) => new Date(Date.now() + h * HOUR);
      await mailRows({ config_email: '' });
      expect(await checkAlerts(env.ctx, { now: later(1) })).toBe('error');
      expect((await alertState(db()))!.last_error).toBe('the shop has no e-mail address (System → Settings → Store: E-Mail)');
      await mailRows({ config_email: 'bolt@example.hu', config_mail_smtp_hostname: 'ssl://' });
      expect(await checkAlerts(env.ctx, { now: later(2) })).toBe('error');
      expect((await alertState(db()))!.last_error).toBe('the shop\'s SMTP host is empty (System → Settings → Mail)');
      const host = Array.from({ length: 10 }, () => 'a'.repeat(60)).join('.');
      await mailRows({ config_mail_smtp_hostname: host });
      expect(await checkAlerts(env.ctx, { now: later(3) })).toBe('error');
      const error = (await alertState(db()))!.last_error!;
      expect(error).toBe(`cannot reach the mail server ${host}:${smtp.port}: EINVAL`.slice(0, 500));
      expect(error).toHaveLength(500);
      expect(smtp.messages).toHaveLength(0);
    });

    it('logs in only with a user name, names the sender "erp-bridge" when the shop has no name, and keeps to the shop\'s time limit', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu' });
      const open = await startSmtpServer({ offerAuth: true });
      try {
        await mailRows({ config_mail_smtp_port: String(open.port), config_mail_smtp_username: '', config_name: '' });
        expect(await checkAlerts(env.ctx, { now: new Date(Date.now() + HOUR) })).toBe('sent');
        const [mail] = await open.waitFor(1);
        expect(mail!.user).toBeNull();
        expect(open.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
        expect(mail!.headers.from).toBe('erp-bridge <bolt@example.hu>');
        expect(mail!.subject).toBe('erp-bridge: szinkron – Figyelmet igényel');
      } finally {
        await open.close();
      }
      // A server that never greets: the shop's timeout (at least a second) is the limit.
      await working();
      const silent = net.createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const held = new Set<net.Socket>();
      silent.on('connection', (c) => held.add(c));
      try {
        await mailRows({ config_mail_smtp_port: String((silent.address() as AddressInfo).port), config_mail_smtp_timeout: '0.3' });
        expect(await checkAlerts(env.ctx, { now: new Date(Date.now() + 3 * HOUR) })).toBe('error');
        expect((await alertState(db()))!.last_error).toBe('no answer from the mail server within 1 s (the greeting)');
        await mailRows({ config_mail_smtp_timeout: '2' });
        expect(await checkAlerts(env.ctx, { now: new Date(Date.now() + 5 * HOUR) })).toBe('error');
        expect((await alertState(db()))!.last_error).toBe('no answer from the mail server within 2 s (the greeting)');
      } finally {
        for (const c of held) c.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    it('waits five seconds for the server when the shop sets no time limit', async () => {
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu' });
      // The greeting comes after 1.5 s: within the default 5 s.
      const slow = net.createServer((c) => {
        c.on('error', () => {});
        const t = setTimeout(() => c.destroy(), 2500);
        c.on('close', () => clearTimeout(t));
        setTimeout(() => !c.destroyed && c.write('220 slow\r\n'), 1500);
      });
      await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
      try {
        await mailRows({ config_mail_smtp_port: String((slow.address() as AddressInfo).port), config_mail_smtp_timeout: '' });
        expect(await checkAlerts(env.ctx, { now: new Date(Date.now() + HOUR) })).toBe('error');
        // It got past the greeting (the server then hung up): it waited more than a second.
        expect((await alertState(db()))!.last_error).toBe('the server closed the connection');
      } finally {
        await new Promise((r) => slow.close(r));
      }
    });

    it('sends a test e-mail whatever the state, and says why it cannot', async () => {
      expect(await sendTestAlert(env.ctx, 'en')).toEqual({ ok: false, error: 'Set an address first.' });
      expect(await sendTestAlert(env.ctx, 'hu')).toEqual({ ok: false, error: 'Előbb adjon meg címet.' });
      await env.ctx.settings.update({ alert_email: 'tulaj@example.hu, masik@example.hu' });
      await mailRows({ config_email: '' });
      expect(await sendTestAlert(env.ctx, 'en')).toEqual({ ok: false, error: 'The shop has no e-mail address (System → Settings → Store): alerts cannot be sent.' });
      await mailRows({ config_email: 'bolt@example.hu' });
      expect(await sendTestAlert(env.ctx, 'en')).toEqual({ ok: true });
      const [mail] = await smtp.waitFor(1);
      expect(mail!.to).toEqual(['tulaj@example.hu', 'masik@example.hu']);
      expect(mail!.user).toBe(SMTP_USER);
      expect(mail!.subject).toBe('erp-bridge: test e-mail');
      expect(mail!.headers.from).toContain('<bolt@example.hu>');
      expect(mail!.text).toMatch(/^This is a test of the erp-bridge alert e-mails \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\. Alerts will come from this sender\.\n\nAdmin: http:\/\/shop\.test\/admin\n?$/);
      // Nothing about the sync's state is recorded.
      expect(await alertState(db())).toBeNull();
      await mailRows({ config_name: '', config_mail_smtp_username: '' });
      const wrong = await sendTestAlert(env.ctx, 'en');
      expect(wrong).toEqual({ ok: false, error: 'the mail server refused the sender: 530 5.7.0 Authentication required' });
      const open = await startSmtpServer({ offerAuth: true });
      try {
        await mailRows({ config_mail_smtp_port: String(open.port) });
        expect(await sendTestAlert(env.ctx, 'hu')).toEqual({ ok: true });
        const [m] = await open.waitFor(1);
        expect(m!.headers.from).toBe('erp-bridge <bolt@example.hu>');
        expect(m!.subject).toBe('erp-bridge: próba e-mail');
      } finally {
        await open.close();
      }
    });
  });

  describe('the test push', () => {
    let recorder: http.Server;
    let port: number;
    let seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
    let answer: { status: number; body: string };
    beforeAll(async () => {
      recorder = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
          res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
        });
      });
      await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
      port = (recorder.address() as AddressInfo).port;
    });
    afterAll(async () => new Promise((r) => recorder.close(r)));
    beforeEach(() => {
      seen = [];
      answer = { status: 200, body: '{}' };
    });

    it('sends one record as a dry run with the import password, or else the webshop id and password, and nothing without either', async () => {
      expect(await testPush(env.ctx, 'categories', port)).toMatchObject({ status: 200, kind: 'categories' });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.method).toBe('POST');
      expect(seen[0]!.url).toBe('/integration/categories?dry_run=1');
      expect(seen[0]!.headers['content-type']).toBe('application/json');
      expect(seen[0]!.headers.accept).toBe('application/json');
      expect(seen[0]!.headers['x-import-password']).toBe(KEY);
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(JSON.parse(seen[0]!.body)).toEqual([{ kod: 'ERP-BRIDGE-TEST', szulo: '', nev: 'erp-bridge test' }]);
      await env.ctx.settings.update({ import_password: '' });
      await testPush(env.ctx, 'categories', port);
      expect(seen[1]!.headers.authorization).toBe(`Basic ${Buffer.from('bolt-1:ERP-jelszo').toString('base64')}`);
      expect(seen[1]!.headers['x-import-password']).toBeUndefined();
      await env.ctx.settings.update({ password: '' });
      expect(await testPush(env.ctx, 'categories', port)).toBeNull();
      await env.ctx.settings.update({ password: 'ERP-jelszo', webshop_id: '' });
      expect(await testPush(env.ctx, 'categories', port)).toBeNull();
      expect(seen).toHaveLength(2);
    });

    it('sends the first product\'s code (in the field the shop matches on), price or stock, and the newest order that has a status', async () => {
      const first = await db().knex(db().t('product')).orderBy('product_id').first('product_id', 'model', 'sku', 'price', 'quantity');
      await db().knex(db().t('product')).where({ product_id: first.product_id }).update({ sku: 'SKU-ELSO' });
      await env.ctx.settings.update({ product_code_field: 'sku' });
      for (const kind of ['prices', 'stock', 'promo-prices'] as const) await testPush(env.ctx, kind, port);
      expect(seen.map((s) => [s.url, JSON.parse(s.body)])).toEqual([
        ['/integration/prices?dry_run=1', [{ termekkod: 'SKU-ELSO', ar: String(first.price) }]],
        ['/integration/stock?dry_run=1', [{ termekkod: 'SKU-ELSO', szabadraktar: String(first.quantity) }]],
        ['/integration/promo-prices?dry_run=1', [{ termekkod: 'SKU-ELSO', arakcios: '0' }]],
      ]);
      const a = await placeOrder(db(), { products: [{ productId: 1, name: 'T', model: 'T-1', quantity: 1, price: 10, tax: 0 }] });
      const b = await placeOrder(db(), { products: [{ productId: 1, name: 'T', model: 'T-1', quantity: 1, price: 10, tax: 0 }] });
      try {
        await setOrderStatus(db(), a.orderId, 1);
        // The newer order b has no status yet (a checkout left unfinished): not that one.
        await testPush(env.ctx, 'order-status', port);
        expect(seen.at(-1)!.url).toBe('/integration/order-status?dry_run=1');
        expect(JSON.parse(seen.at(-1)!.body)).toEqual([{ order_id: String(a.orderId), allapot: 'szamlazva' }]);
        expect(b.orderId).toBeGreaterThan(a.orderId);
      } finally {
        await db().knex(db().t('order')).whereIn('order_id', [a.orderId, b.orderId]).delete();
      }
    });

    it('sends placeholders when the shop has no product or order', async () => {
      // Inside a copy of the tables' rows, put back afterwards.
      const products = await db().knex(db().t('product')).select();
      const orders = await db().knex(db().t('order')).select();
      await db().knex(db().t('product')).delete();
      await db().knex(db().t('order')).delete();
      try {
        for (const kind of ['prices', 'stock', 'promo-prices', 'order-status'] as const) await testPush(env.ctx, kind, port);
        expect(seen.map((s) => JSON.parse(s.body)[0])).toEqual([
          { termekkod: 'ERP-BRIDGE-TEST', ar: '1' },
          { termekkod: 'ERP-BRIDGE-TEST', szabadraktar: '0' },
          { termekkod: 'ERP-BRIDGE-TEST', arakcios: '0' },
          { order_id: '1', allapot: 'szamlazva' },
        ]);
      } finally {
        for (let i = 0; i < products.length; i += 50) await db().knex(db().t('product')).insert(products.slice(i, i + 50));
        for (let i = 0; i < orders.length; i += 20) await db().knex(db().t('order')).insert(orders.slice(i, i + 20));
      }
    });

    it('shows the answer pretty-printed, its counts, and the run it names with its first five records', async () => {
      const runId = await run('prices', 'partial', { dry: true });
      await own('journal_item').insert(Array.from({ length: 7 }, (_, i) => ({ run_id: runId, seq: 7 - i, code: `K-${7 - i}`, outcome: 'unknown', reason: 'no such product' })));
      answer = { status: 200, body: JSON.stringify({ status: 'partial', run: runId, counts: { received: 7, unknown: 7 } }) };
      const r = (await testPush(env.ctx, 'prices', port))!;
      expect(r.status).toBe(200);
      expect(r.kind).toBe('prices');
      expect(r.body).toBe(JSON.stringify({ status: 'partial', run: runId, counts: { received: 7, unknown: 7 } }, null, 2));
      expect(r.counts).toEqual({ received: 7, unknown: 7 });
      expect(Number(r.run!.id)).toBe(runId);
      expect(r.run!.status).toBe('partial');
      expect(r.items.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(r.items[0]).toMatchObject({ code: 'K-1', outcome: 'unknown', reason: 'no such product' });
    });

    it('shows an answer that is not JSON as it is, and no run or counts for an answer that names none', async () => {
      answer = { status: 503, body: 'Service Unavailable <html>' };
      expect(await testPush(env.ctx, 'stock', port)).toEqual({ status: 503, body: 'Service Unavailable <html>', kind: 'stock', counts: null, run: null, items: [] });
      const runId = await run('stock', 'ok', { dry: true });
      for (const named of [0, -1, 1.5, '1x', null, runId + 1000]) {
        answer = { status: 409, body: JSON.stringify({ run: named, counts: 'none' }) };
        expect(await testPush(env.ctx, 'stock', port), String(named)).toMatchObject({ status: 409, counts: null, run: null, items: [] });
      }
      answer = { status: 200, body: JSON.stringify({ run: String(runId) }) };
      const r = (await testPush(env.ctx, 'stock', port))!;
      expect(Number(r.run!.id)).toBe(runId);
      expect(r.counts).toBeNull();
      expect(r.items).toEqual([]);
    });

    it('goes through the real integration endpoint as a dry run that writes nothing', async () => {
      const app = createApp(env.ctx);
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const before = await db().knex(db().t('product')).orderBy('product_id').first('product_id', 'price');
        const r = (await testPush(env.ctx, 'prices', (server.address() as AddressInfo).port))!;
        expect(r.status).toBe(200);
        expect(r.counts).toMatchObject({ received: 1 });
        expect(r.run).toMatchObject({ kind: 'prices', status: 'ok' });
        expect(Boolean(Number(r.run!.dry_run))).toBe(true);
        expect(JSON.parse(r.body)).toMatchObject({ run: Number(r.run!.id) });
        expect(await db().knex(db().t('product')).where({ product_id: before.product_id }).first('price')).toEqual({ price: before.price });
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  });
});
