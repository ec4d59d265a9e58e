// A cheap shop for the direct tests of app/shop's small modules (test/integration/shop-tables):
// only some of OpenCart's tables, no erp-bridge install. StrykerJS runs a file's `beforeAll` again
// for every mutant, and loading the whole 3.0.3.8 fixture costs seconds per database.
//
// - SQLite: the demo shop's own migrations, in memory.
// - MariaDB fixture: the statements of OpenCart 3.0.3.8's install SQL for the tables asked for
//   (prefix replaced, as createOpenCartDatabase does for all), then Hungarian added the way
//   OpenCart's admin adds a language (second-language.ts).
// - A real OpenCart release: the whole install (openTarget), as every other suite gets it.
import mysql from 'mysql2/promise';
import { createDatabase, type Database } from '../../app/db/database.js';
import { migrateDemoShop } from '../../app/db/migrate.js';
import { databaseUrl, fixtureStatements, mysqlServerUrl } from './opencart-fixture.js';
import { addSecondLanguage } from './second-language.js';
import { openTarget, type Target } from './targets.js';

export interface ShopTables {
  db: Database;
  cleanup(): Promise<void>;
}

export async function openShopTables(target: Target, tables: string[]): Promise<ShopTables> {
  if (target.release) {
    const env = await openTarget(target);
    return { db: env.ctx.db, cleanup: () => env.cleanup() };
  }
  if (target.dialect === 'sqlite') {
    const db = createDatabase({ dialect: 'sqlite', filename: ':memory:' }, target.prefix);
    await migrateDemoShop(db);
    return { db, cleanup: () => db.close() };
  }
  const server = mysqlServerUrl()!;
  const name = `erpb_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const wanted = new Set(tables.map((t) => `\`${target.prefix}${t}\``));
  const conn = await mysql.createConnection({ uri: server, charset: 'utf8mb4' });
  const drop = async () => {
    const c = await mysql.createConnection({ uri: server });
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.end();
  };
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8 COLLATE utf8_general_ci`);
    await conn.query(`USE \`${name}\``);
    await conn.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
    await conn.query('SET NAMES utf8');
    for (const statement of fixtureStatements(target.prefix)) {
      const table = /^(?:DROP TABLE IF EXISTS|CREATE TABLE|INSERT INTO) (`[^`]+`)/.exec(statement)?.[1];
      if (table && wanted.has(table)) await conn.query(statement);
    }
  } catch (e) {
    await conn.end();
    await drop();
    throw e;
  }
  await conn.end();
  const url = databaseUrl(server, name);
  try {
    await addSecondLanguage(url, target.prefix);
  } catch (e) {
    await drop();
    throw e;
  }
  const db = createDatabase({ dialect: 'mysql', url }, target.prefix);
  return {
    db,
    async cleanup() {
      await db.close();
      await drop();
    },
  };
}
