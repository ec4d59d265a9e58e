// Migration 015: the promo prices' staging table holds one push's rows and is emptied after it,
// so on MySQL/MariaDB it lives on MyISAM (no transactions: the stage's load was the longest step
// before the shop is written); full sync's stays InnoDB (slower on MyISAM). A server that refuses
// the engine keeps InnoDB, and a push works on either; SQLite has one engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchStage } from '../../migrations/plugin/015_scratch_stage.js';
import { STAGE_KINDS } from '../../migrations/plugin/001_plugin_tables.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, uniqueCode, xmlDoc } from '../support/shop.js';
import { PushService } from '../../app/sync/push-service.js';

describe.each(DIALECT_TARGETS)('the staging tables on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  /** Each stage table's engine (MySQL), or null (SQLite has none to name), in STAGE_KINDS' order (prices, promo_prices). */
  const engines = async (): Promise<Array<string | null>> => {
    if (db().dialect.name !== 'mysql') return STAGE_KINDS.map(() => null);
    const out: Array<string | null> = [];
    for (const kind of STAGE_KINDS) {
      const rows = db().dialect.rows<{ e: string }>(
        await db().knex.raw('SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [db().own(`stage_${kind}`)]),
      );
      out.push(rows[0]!.e);
    }
    return out;
  };

  const promoPush = async (code: string, promo: number) =>
    new PushService(db(), env.ctx.settings).push({
      kind: 'promo-prices', body: Buffer.from(xmlDoc([{ termekkod: code, arakcios: promo }])), contentType: 'application/xml', actor: 'test',
    });

  it("promo prices' is MyISAM after the migrations (MySQL), full sync's InnoDB; the migration runs again harmlessly, and a promo push stages and clears its rows", async () => {
    const expected = db().dialect.name === 'mysql' ? ['InnoDB', 'MyISAM'] : [null, null];
    expect(STAGE_KINDS).toEqual(['prices', 'promo_prices']);
    expect(await engines()).toEqual(expected);
    await scratchStage.up(db());
    expect(await engines()).toEqual(expected);
    await env.ctx.settings.update({ import_password: 'k' });
    const code = uniqueCode('SCR');
    await addProduct(db(), { model: code });
    const res = await promoPush(code, 12.5);
    expect(res.counts).toMatchObject({ received: 1, updated: 1 });
    expect(await db().knex(db().own('stage_promo_prices')).count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it.runIf(target.dialect === 'mysql')('promo prices\' stays InnoDB where the server refuses MyISAM, and a push still works there', async () => {
    const version = db().dialect.rows<{ v: string }>(await db().knex.raw('SELECT VERSION() AS v'))[0]!.v;
    // MariaDB's enforce_storage_engine refuses any other engine for this session's tables.
    if (!/mariadb/i.test(version)) return;
    const table = db().own('stage_promo_prices');
    const moved = await db().dialect.onOneConnection(db().knex, async (k) => {
      await k.raw(`ALTER TABLE ${table} ENGINE=InnoDB`);
      await k.raw("SET SESSION enforce_storage_engine = 'InnoDB'");
      try {
        return await db().dialect.useScratchEngine(k, table);
      } finally {
        await k.raw('SET SESSION enforce_storage_engine = NULL');
      }
    });
    expect(moved).toBe(false);
    expect((await engines())[STAGE_KINDS.indexOf('promo_prices')]).toBe('InnoDB');
    const code = uniqueCode('SCI');
    await addProduct(db(), { model: code });
    expect((await promoPush(code, 7)).counts).toMatchObject({ received: 1, updated: 1 });
    // Back as the migrations leave it, for the suites after this one.
    expect(await db().dialect.useScratchEngine(db().knex, table)).toBe(true);
  });
});
