// The schema profile: what erp-bridge reads of each release's tables at start, and the one line
// it stops with when the shop's schema is not one it knows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createContext, install } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { forgetShopSchema, shopSchema } from '../../app/shop/schema.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

describe.each(TARGETS)('shop schema profile on $name', (target) => {
  let env: TargetEnv;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('knows where the release keeps specials and which product columns it has', async () => {
    const s = await shopSchema(env.ctx.db);
    const is41 = target.release === '4.1.0.3';
    expect(s.specials.table).toBe(env.ctx.db.t(is41 ? 'product_discount' : 'product_special'));
    expect(s.has('product', 'viewed')).toBe(!target.release?.startsWith('4.'));
    expect(s.has('product', 'master_id')).toBe(!!target.release?.startsWith('4.'));
    expect(s.has('category', 'top')).toBe(!is41);
  });

  it.runIf(target.dialect === 'mysql')('gives the plugin\'s text columns the shop\'s collation family, and keeps code columns binary', async () => {
    const s = await shopSchema(env.ctx.db);
    const shop = s.textCollation!;
    expect(s.pluginCollation).toBe(shop.replace(/^utf8(mb3)?_/, 'utf8mb4_'));
    const rows = await env.ctx.db.knex.raw(
      `SELECT TABLE_NAME t, COLUMN_NAME c, COLLATION_NAME coll FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?) AND COLLATION_NAME IS NOT NULL`,
      [env.ctx.db.own('stage_prices'), env.ctx.db.own('category_map')],
    );
    const cols = (rows[0] as Array<{ c: string; coll: string }>).map((r) => [r.c, r.coll]);
    expect(cols).toContainEqual(['code', 'utf8mb4_bin']);
    expect(cols).toContainEqual(['erp_code', 'utf8mb4_bin']);
    expect(cols).toContainEqual(['name', s.pluginCollation]);
  });

  it.runIf(target.dialect === 'mysql')('stops with one line naming what is missing when the schema is not one it knows', async () => {
    const { knex, t } = env.ctx.db;
    const specials = (await shopSchema(env.ctx.db)).specials.table;
    await knex.raw(`RENAME TABLE ${specials} TO ${specials}_away`);
    const ctx = createContext(loadConfig({ DATABASE_URL: env.config.database.dialect === 'mysql' ? env.config.database.url : '', TABLE_PREFIX: target.prefix, DATA_DIR: env.config.dataDir, APP_SECRET: 'x'.repeat(20), LOG_LEVEL: 'silent' }), createLogger('silent'));
    try {
      await expect(install(ctx)).rejects.toThrow(new RegExp(`not an OpenCart shop erp-bridge knows \\(missing ${t('product_special')} \\(or ${t('product_discount')}\\.special\\)\\)`));
    } finally {
      await ctx.close();
      await knex.raw(`RENAME TABLE ${specials}_away TO ${specials}`);
      forgetShopSchema(env.ctx.db);
    }
  });
});
