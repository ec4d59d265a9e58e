// erp-bridge itself, started beside a real OpenCart shop: its own HTTP server on 127.0.0.1,
// on the shop's database, as a shop owner runs it (npm start with DATABASE_URL and PUBLIC_URL).
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createApp } from '../../app/web/server.js';
import { freePort, type OpenCartShop } from './opencart/install.js';

export interface RunningBridge {
  ctx: AppContext;
  /** http://127.0.0.1:<port> (no trailing slash), or PUBLIC_URL when given. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBridge(shop: OpenCartShop, env: Record<string, string> = {}, port?: number): Promise<RunningBridge> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'erpb-bridge-'));
  const p = port ?? (await freePort());
  const config = loadConfig({
    DATABASE_URL: shop.databaseUrl,
    TABLE_PREFIX: shop.prefix,
    DATA_DIR: dir,
    APP_SECRET: 'bridge-test-secret-0123456789',
    PUBLIC_URL: `http://127.0.0.1:${p}`,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const ctx = createContext(config, createLogger('silent'));
  await install(ctx);
  const server = await new Promise<Server>((resolve) => {
    const s = createApp(ctx).listen(p, '127.0.0.1', () => resolve(s));
  });
  return {
    ctx,
    url: config.publicUrl,
    port: p,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
