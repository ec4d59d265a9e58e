import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl, redactUrl } from '../../app/config.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'erpb-cfg-'));

describe('configuration', () => {
  it('defaults to the embedded SQLite demo shop in the data folder', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.database).toEqual({ dialect: 'sqlite', filename: path.join(dir, 'erp-bridge.sqlite') });
    expect(c.embeddedDemo).toBe(true);
    expect(c.tablePrefix).toBe('oc_');
    expect(c.port).toBe(3000);
  });

  it('generates APP_SECRET once and keeps it in the data folder', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir }).appSecret;
    expect(a).toHaveLength(64);
    expect(loadConfig({ DATA_DIR: dir }).appSecret).toBe(a);
    expect(readFileSync(path.join(dir, 'app-secret'), 'utf8').trim()).toBe(a);
  });

  it('reads a MySQL URL and rejects one without a database', () => {
    expect(parseDatabaseUrl('mysql://u:p@db:3307/shop', '/d')).toEqual({ dialect: 'mysql', url: 'mysql://u:p@db:3307/shop' });
    expect(() => parseDatabaseUrl('mysql://u:p@db:3307/', '/d')).toThrow(/DATABASE_URL: .*names no database/);
    expect(() => parseDatabaseUrl('postgres://u:p@db/shop', '/d')).toThrow(/DATABASE_URL: unsupported scheme in postgres:\/\/u:\*\*\*@db\/shop/);
  });

  it('names the bad variable', () => {
    const dir = tmp();
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ DATA_DIR: dir, ...env });
      } catch (err) {
        return (err as ConfigError).variable;
      }
      return 'none';
    };
    expect(bad({ PORT: 'abc' })).toBe('PORT');
    expect(bad({ TABLE_PREFIX: 'oc-; drop' })).toBe('TABLE_PREFIX');
    expect(bad({ PUBLIC_URL: 'ftp://x' })).toBe('PUBLIC_URL');
    expect(bad({ APP_SECRET: 'short' })).toBe('APP_SECRET');
    expect(bad({ LOG_LEVEL: 'loud' })).toBe('LOG_LEVEL');
  });

  it('redacts passwords in URLs', () => {
    expect(redactUrl('mysql://root:hunter2@h/db')).toBe('mysql://root:***@h/db');
  });
});
