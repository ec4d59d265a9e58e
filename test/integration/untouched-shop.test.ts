// Installing on a real shop touches no shop table but its own setting rows.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createContext, install } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createOpenCartDatabase, mysqlServerUrl } from '../support/opencart-fixture.js';

const run = mysqlServerUrl() ? describe : describe.skip;

async function checksums(url: string, prefix: string): Promise<Map<string, string>> {
  const conn = await mysql.createConnection({ uri: url });
  const [tables] = (await conn.query('SHOW TABLES')) as unknown as [Array<Record<string, string>>];
  const names = tables.map((r) => Object.values(r)[0]!).filter((n) => n.startsWith(prefix) && !n.startsWith(`${prefix}erp_bridge_`));
  const out = new Map<string, string>();
  for (const n of names) {
    const [rows] = (await conn.query(`CHECKSUM TABLE \`${n}\``)) as unknown as [Array<{ Checksum: string }>];
    out.set(n, String(rows[0]!.Checksum));
  }
  const [settings] = (await conn.query(`SELECT COUNT(*) n FROM \`${prefix}setting\` WHERE code <> 'erp_bridge'`)) as unknown as [Array<{ n: number }>];
  out.set('setting (others)', String(settings[0]!.n));
  await conn.end();
  return out;
}

run('install on a real OpenCart database (prefix shop_)', () => {
  let db: Awaited<ReturnType<typeof createOpenCartDatabase>>;
  beforeAll(async () => {
    db = await createOpenCartDatabase('shop_');
  });
  afterAll(async () => db?.drop());

  it('writes only erp_bridge settings (no extension row: the shop\'s installer owns it)', async () => {
    const before = await checksums(db.url, 'shop_');
    const ctx = createContext(loadConfig({ DATABASE_URL: db.url, TABLE_PREFIX: 'shop_', DATA_DIR: '/tmp/erpb-untouched', APP_SECRET: 'y'.repeat(20) }), createLogger('silent'));
    try {
      await install(ctx);
      await install(ctx);
    } finally {
      await ctx.close();
    }
    const after = await checksums(db.url, 'shop_');
    const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
    expect(changed.sort()).toEqual(['shop_setting']);
    expect(after.get('setting (others)')).toBe(before.get('setting (others)'));
  });

  it('refuses a wrong prefix with a clear message and creates nothing', async () => {
    const ctx = createContext(loadConfig({ DATABASE_URL: db.url, TABLE_PREFIX: 'wrong_', DATA_DIR: '/tmp/erpb-untouched', APP_SECRET: 'y'.repeat(20) }), createLogger('silent'));
    try {
      await expect(install(ctx)).rejects.toThrow(/no OpenCart tables with prefix "wrong_"/);
      expect(await ctx.db.knex.schema.hasTable('wrong_erp_bridge_journal_run')).toBe(false);
    } finally {
      await ctx.close();
    }
  });
});
