// The databases every integration suite runs on: the embedded SQLite demo shop, and (when a
// server is reachable) real MariaDB loaded from OpenCart's install SQL with two prefixes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createOpenCartDatabase, mysqlServerUrl } from './opencart-fixture.js';

export interface Target {
  name: string;
  dialect: 'sqlite' | 'mysql';
  prefix: string;
}

const mysqlEnabled = !!mysqlServerUrl();

export const TARGETS: Target[] = [
  { name: 'sqlite (demo shop, oc_)', dialect: 'sqlite', prefix: 'oc_' },
  ...(mysqlEnabled
    ? ([
        { name: 'mariadb (OpenCart 3.0.3.8, oc_)', dialect: 'mysql', prefix: 'oc_' },
        { name: 'mariadb (OpenCart 3.0.3.8, shop_)', dialect: 'mysql', prefix: 'shop_' },
      ] as Target[])
    : []),
];

/** Only the first MariaDB prefix and SQLite: for suites where the prefix adds nothing. */
export const DIALECT_TARGETS: Target[] = TARGETS.filter((t, i, all) => all.findIndex((o) => o.dialect === t.dialect) === i);

export interface TargetEnv {
  config: AppConfig;
  ctx: AppContext;
  /** Fresh context on the same database (a second app instance). */
  newContext(): AppContext;
  cleanup(): Promise<void>;
}

export async function openTarget(target: Target, env: Record<string, string> = {}): Promise<TargetEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-test-'));
  let drop = async () => {};
  let databaseUrl: string;
  if (target.dialect === 'mysql') {
    const created = await createOpenCartDatabase(target.prefix);
    databaseUrl = created.url;
    drop = created.drop;
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
  await install(ctx, { demo: target.dialect === 'sqlite' });
  return {
    config,
    ctx,
    newContext,
    async cleanup() {
      for (const c of contexts) await c.close().catch(() => {});
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
