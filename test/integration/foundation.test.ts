import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createContext, install } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { defaultLanguage, listCustomerGroups, listTaxClasses } from '../../app/shop/catalog.js';
import { findProductsByCode } from '../../app/shop/products.js';
import { createApp } from '../../app/web/server.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { pluginMigrations } from '../../migrations/index.js';

describe.each(TARGETS)('foundation on $name', (target) => {
  let env: TargetEnv;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('creates the plugin tables with the shop prefix', async () => {
    const tables = await env.ctx.db.dialect.listTables(env.ctx.db.knex);
    for (const t of ['journal_run', 'journal_item', 'product_map', 'category_map', 'stage_prices', 'stage_promo_prices', 'outbox', 'lease', 'method_map', 'admin_user'])
      expect(tables).toContain(`${target.prefix}erp_bridge_${t}`);
  });

  it('stores settings under code erp_bridge (which OpenCart never deletes) and writes no extension row', async () => {
    const { knex, t } = env.ctx.db;
    const ext = await knex(t('extension')).where({ type: 'module', code: 'erp_bridge' });
    expect(ext).toHaveLength(0); // only the shop's installer writes it, with the module's files
    expect(await knex(t('setting')).where({ code: 'module_erp_bridge' })).toHaveLength(0);
    const rows = await knex(t('setting')).where({ store_id: 0, code: 'erp_bridge' });
    expect(rows.map((r) => r.key)).toContain('erp_bridge_webshop_id');
    expect(rows.map((r) => r.key)).toContain('erp_bridge_launch_secret');
    expect(rows.find((r) => r.key === 'erp_bridge_public_url')?.value).toBe('http://shop.test');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => String(r.key).startsWith('erp_bridge_'))).toBe(true);
    const groups = rows.find((r) => r.key === 'erp_bridge_promo_customer_groups');
    expect(Number(groups.serialized)).toBe(1);
    expect(JSON.parse(groups.value)).toEqual([]);
  });

  it('is idempotent: installing again adds no rows', async () => {
    const { knex, t } = env.ctx.db;
    const count = async (table: string) => Number((await knex(t(table)).count({ n: '*' }).first())!.n);
    const before = [await count('setting'), await count('extension')];
    const report = await install(env.ctx, { demo: target.dialect === 'sqlite' });
    expect(report.migrations).toEqual([]);
    expect(report.legacySettingsMoved).toEqual([]);
    expect(report.moduleState).toBe('standalone');
    expect(report.settingsWritten).toEqual([]);
    expect([await count('setting'), await count('extension')]).toEqual(before);
  });

  it('reads the default language, customer groups and tax classes from the shop', async () => {
    const lang = await defaultLanguage(env.ctx.db);
    expect(lang.code).toBe(target.dialect === 'mysql' ? 'en-gb' : 'hu-hu');
    const groups = await listCustomerGroups(env.ctx.db);
    expect(groups.length).toBeGreaterThan(0);
    const classes = await listTaxClasses(env.ctx.db);
    const taxable = classes.find((c) => c.taxClassId === 9)!;
    expect(taxable.percent).toBe(target.dialect === 'mysql' ? 20 : 27);
  });

  it('finds products by code, trimmed and case-sensitive', async () => {
    const code = target.dialect === 'mysql' ? 'Product 15' : 'KV-002';
    const found = await findProductsByCode(env.ctx.db, 'model', `  ${code} `);
    expect(found).toHaveLength(1);
    expect(await findProductsByCode(env.ctx.db, 'model', code.toLowerCase())).toHaveLength(0);
  });

  it('round-trips settings, encrypting secrets in the shop table', async () => {
    const saved = await env.ctx.settings.update({ webshop_id: 'shop-1', password: 'Titok-123', sync_type: 'full', vat_map: '27=9' });
    expect(saved.password).toBe('Titok-123');
    expect(saved.vat_map).toEqual({ '27': 9 });
    const row = await env.ctx.db.knex(env.ctx.db.t('setting')).where({ key: 'erp_bridge_password' }).first();
    expect(row.value).not.toContain('Titok-123');
    expect(row.value).toMatch(/^enc:v1:/);
    const view = await env.ctx.settings.publicView();
    expect(view.password).toEqual({ set: true });
    expect(JSON.stringify(view)).not.toContain('Titok-123');
  });

  it('rejects a bad settings update whole, naming each bad key', async () => {
    const before = await env.ctx.settings.get();
    await expect(env.ctx.settings.update({ webshop_id: 'changed', sync_type: 'everything', promo_customer_groups: '1,999' })).rejects.toMatchObject({
      errors: { sync_type: expect.stringContaining('stock_price, full'), promo_customer_groups: expect.stringContaining('999') },
    });
    expect((await env.ctx.settings.get()).webshop_id).toBe(before.webshop_id);
  });

  it('answers /healthz with dialect, schema version and shop language', async () => {
    const res = await request(createApp(env.ctx)).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', dialect: target.dialect, schemaVersion: pluginMigrations.at(-1)!.name });
    expect(res.body.shopLanguage).toBe(target.dialect === 'mysql' ? 'en-gb' : 'hu-hu');
  });

  it('serves htmx from the package and a placeholder admin page', async () => {
    const app = createApp(env.ctx);
    const js = await request(app).get('/assets/htmx.min.js');
    expect(js.status).toBe(200);
    expect(js.text).toContain('htmx');
    expect((await request(app).get('/admin')).status).toBeLessThan(400);
  });
});

describe('healthz when the database is down', () => {
  it('answers 503 with a readable error', async () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:1/nowhere', DATA_DIR: '/tmp/erpb-down', APP_SECRET: 'x'.repeat(20), LOG_LEVEL: 'silent' });
    const ctx = createContext(config, createLogger('silent'));
    try {
      const res = await request(createApp(ctx)).get('/healthz');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body.error).toMatch(/refused/);
    } finally {
      await ctx.close();
    }
  });
});
