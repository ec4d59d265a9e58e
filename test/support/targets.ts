// The databases every integration suite runs on, each with two languages (see second-language.ts): the embedded SQLite demo shop, and (when a
// server is reachable) real MariaDB loaded from OpenCart's install SQL with two prefixes; with
// REAL_OPENCART=1 also real OpenCart 3.0.4.1, 4.0.2.3 and 4.1.0.3 shops, each installed by its
// own installer (test/support/opencart/), with two prefixes each.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createOpenCartDatabase, mysqlServerUrl } from './opencart-fixture.js';
import { realOpenCartAvailable } from './opencart/available.js';
import { installOpenCart, type OpenCartShop, type Release } from './opencart/install.js';
import { addSecondLanguage } from './second-language.js';

export interface Target {
  name: string;
  dialect: 'sqlite' | 'mysql';
  prefix: string;
  /** A real OpenCart release installed by its own installer (else the 3.0.3.8 SQL fixture / SQLite demo). */
  release?: Release;
}

const mysqlEnabled = !!mysqlServerUrl();

/** Real shops: 3.0 as most Hungarian shops run it (MyISAM, from its own SQL), 4.0 and 4.1 InnoDB. */
export const REAL_OPENCART_TARGETS: Target[] = [
  { name: 'OpenCart 3.0.4.1 (MyISAM, oc_)', dialect: 'mysql', prefix: 'oc_', release: '3.0.4.1' },
  { name: 'OpenCart 3.0.4.1 (shop_)', dialect: 'mysql', prefix: 'shop_', release: '3.0.4.1' },
  { name: 'OpenCart 4.0.2.3 (oc_)', dialect: 'mysql', prefix: 'oc_', release: '4.0.2.3' },
  { name: 'OpenCart 4.0.2.3 (oc4_)', dialect: 'mysql', prefix: 'oc4_', release: '4.0.2.3' },
  { name: 'OpenCart 4.1.0.3 (oc_)', dialect: 'mysql', prefix: 'oc_', release: '4.1.0.3' },
  { name: 'OpenCart 4.1.0.3 (shop_)', dialect: 'mysql', prefix: 'shop_', release: '4.1.0.3' },
];

// On wherever MariaDB and PHP are (CI has both); REAL_OPENCART=0 leaves them out for a quick local run.
const realOpenCartEnabled = process.env.REAL_OPENCART !== '0' && mysqlEnabled && realOpenCartAvailable();

export const TARGETS: Target[] = [
  { name: 'sqlite (demo shop, oc_)', dialect: 'sqlite', prefix: 'oc_' },
  ...(mysqlEnabled
    ? ([
        { name: 'mariadb (OpenCart 3.0.3.8, oc_)', dialect: 'mysql', prefix: 'oc_' },
        { name: 'mariadb (OpenCart 3.0.3.8, shop_)', dialect: 'mysql', prefix: 'shop_' },
      ] as Target[])
    : []),
  ...(realOpenCartEnabled ? REAL_OPENCART_TARGETS : []),
];

/**
 * The SQLite demo shop and the 3.0.3.8 SQL fixture only: for suites whose data is still written
 * by hand in 3.0's shape (orders, admin sessions) until they move to rows OpenCart itself makes.
 */
export const FIXTURE_TARGETS: Target[] = TARGETS.filter((t) => !t.release);

/** Only the first prefix of each database (SQLite, the fixture, each real release): for suites where the prefix adds nothing. */
export const DIALECT_TARGETS: Target[] = TARGETS.filter(
  (t, i, all) => all.findIndex((o) => o.dialect === t.dialect && o.release === t.release) === i,
);

export interface TargetEnv {
  config: AppConfig;
  ctx: AppContext;
  /** Fresh context on the same database (a second app instance). */
  newContext(): AppContext;
  cleanup(): Promise<void>;
  /** The real OpenCart behind a target with a `release` (its storefront served only with `serve: true`). */
  shop?: OpenCartShop;
}

export interface OpenTargetOptions {
  /** Real OpenCart targets: start its `php -S` too (storefront/admin checks); default false. */
  serve?: boolean;
}

export async function openTarget(target: Target, env: Record<string, string> = {}, options: OpenTargetOptions = {}): Promise<TargetEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-test-'));
  let drop = async () => {};
  let databaseUrl: string;
  let shop: OpenCartShop | undefined;
  if (target.release) {
    shop = await installOpenCart(target.release, { prefix: target.prefix, serve: options.serve ?? false });
    databaseUrl = shop.databaseUrl;
    drop = () => shop!.stop();
    await addSecondLanguage(databaseUrl, target.prefix, { enabled: false }).catch(async (e) => {
      await drop();
      throw e;
    });
  } else if (target.dialect === 'mysql') {
    const created = await createOpenCartDatabase(target.prefix);
    databaseUrl = created.url;
    drop = created.drop;
    await addSecondLanguage(databaseUrl, target.prefix).catch(async (e) => {
      await drop();
      throw e;
    });
  } else {
    databaseUrl = path.join(dir, 'shop.sqlite');
  }
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    TABLE_PREFIX: target.prefix,
    DATA_DIR: dir,
    APP_SECRET: 'test-secret-0123456789abcdef',
    PUBLIC_URL: 'http://shop.test',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const contexts: AppContext[] = [];
  const newContext = () => {
    const c = createContext(config, createLogger('silent'));
    contexts.push(c);
    return c;
  };
  const ctx = newContext();
  try {
    await install(ctx, { demo: target.dialect === 'sqlite' });
  } catch (e) {
    for (const c of contexts) await c.close().catch(() => {});
    await drop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    config,
    ctx,
    shop,
    newContext,
    async cleanup() {
      for (const c of contexts) await c.close().catch(() => {});
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** FIXTURE_TARGETS, first prefix of each dialect. */
export const FIXTURE_DIALECT_TARGETS: Target[] = DIALECT_TARGETS.filter((t) => !t.release);

/**
 * The fixture targets plus the newest real release: for suites whose subject does not differ by
 * release (the command line spawns a process per command, and six installs of it cost minutes).
 */
export const CLI_TARGETS: Target[] = [...FIXTURE_DIALECT_TARGETS, ...DIALECT_TARGETS.filter((t) => t.release === '4.1.0.3')];
