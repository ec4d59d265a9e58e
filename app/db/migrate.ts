// Runs the plugin's migrations through knex's migrator, with a migration source that binds
// each migration to the shop's prefix and dialect helper. The migration tables themselves are
// prefixed too (<prefix>erp_bridge_migrations), so two shops can share one database.
import type { Knex } from 'knex';
import type { Database } from './database.js';
import { demoMigrations, pluginMigrations, type Migration } from '../../migrations/index.js';

function sourceFor(db: Database, list: Migration[]): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => list,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: () => m.up(db), down: () => m.down(db) }),
  };
}

function config(db: Database, list: Migration[], table: string): Knex.MigratorConfig {
  // MySQL DDL commits implicitly and the shop's tables are MyISAM: transactions buy nothing.
  return { migrationSource: sourceFor(db, list), tableName: db.own(table), disableTransactions: true };
}

export interface MigrationResult {
  applied: string[];
  version: string;
}

export async function migratePlugin(db: Database): Promise<MigrationResult> {
  const [, applied] = (await db.knex.migrate.latest(config(db, pluginMigrations, 'migrations'))) as [number, string[]];
  return { applied, version: await schemaVersion(db) };
}

export async function migrateDemoShop(db: Database): Promise<string[]> {
  const [, applied] = (await db.knex.migrate.latest(config(db, demoMigrations, 'demo_migrations'))) as [number, string[]];
  return applied;
}

/** The name of the newest applied plugin migration, or 'none'. */
export async function schemaVersion(db: Database): Promise<string> {
  const table = db.own('migrations');
  if (!(await db.knex.schema.hasTable(table))) return 'none';
  const row = await db.knex(table).orderBy('id', 'desc').first('name');
  return (row?.name as string | undefined) ?? 'none';
}
