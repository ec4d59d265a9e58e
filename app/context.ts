// The application's parts, built once per process and handed to every entry point (web, CLI,
// scheduler), so they all drive the same services.
import type { AppConfig } from './config.js';
import { createDatabase, ping, type Database } from './db/database.js';
import { migrateDemoShop, migratePlugin } from './db/migrate.js';
import { createLogger, type Logger } from './log.js';
import { SettingsService } from './settings/settings-service.js';
import { shopSchema } from './shop/schema.js';
import { migrateLegacySettings, moduleState, type ModuleState } from './shop/extension.js';
import { publishLaunchSettings } from './admin/launch.js';
import { AdminAccounts } from './admin/accounts.js';

export interface AppContext {
  config: AppConfig;
  db: Database;
  log: Logger;
  settings: SettingsService;
  close(): Promise<void>;
}

export function createContext(config: AppConfig, log: Logger = createLogger(config.logLevel)): AppContext {
  const db = createDatabase(config.database, config.tablePrefix);
  return {
    config,
    db,
    log,
    settings: new SettingsService(db, config.appSecret),
    close: () => db.close(),
  };
}

export interface InstallReport {
  demoShop: string[];
  migrations: string[];
  schemaVersion: string;
  /** Settings moved from the old `module_erp_bridge` code, which OpenCart deletes. */
  legacySettingsMoved: string[];
  moduleState: ModuleState;
  settingsWritten: string[];
}

/**
 * Makes the database ready: the demo shop (embedded default only), the plugin's tables, default
 * settings, and the launch secret and public URL the shop's module reads. The `extension` row is
 * left to the shop's own installer. Every step is idempotent, so starting twice is harmless.
 */
export async function install(ctx: AppContext, opts: { demo?: boolean } = {}): Promise<InstallReport> {
  await ping(ctx.db);
  const demo = opts.demo ?? ctx.config.embeddedDemo;
  const demoShop = demo ? await migrateDemoShop(ctx.db) : [];
  // Reads what the shop's tables have; an unknown schema stops here with one line naming what is missing.
  await shopSchema(ctx.db);
  const { applied, version } = await migratePlugin(ctx.db);
  const legacySettingsMoved = await migrateLegacySettings(ctx.db);
  const settingsWritten = await ctx.settings.install();
  // Without PUBLIC_URL the default address is published by `serve` once it knows its real port.
  await publishLaunchSettings(ctx.db, ctx.config.publicUrlFromEnv === false ? null : ctx.config.publicUrl);
  // ADMIN_PASSWORD creates the standalone admin account on first start (else the setup page asks).
  if (ctx.config.adminPassword) await new AdminAccounts(ctx.db).createFirst('admin', ctx.config.adminPassword);
  return { demoShop, migrations: applied, schemaVersion: version, legacySettingsMoved, moduleState: await moduleState(ctx.db), settingsWritten };
}
