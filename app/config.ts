// Configuration comes from the environment (and an optional .env file), validated once at
// start. Every error names the variable, so a bad deployment fails with one clear line.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export type DatabaseConfig =
  | { dialect: 'mysql'; url: string }
  | { dialect: 'sqlite'; filename: string };

export interface AppConfig {
  database: DatabaseConfig;
  /** true when no DATABASE_URL was given: the embedded SQLite demo shop is used. */
  embeddedDemo: boolean;
  tablePrefix: string;
  port: number;
  publicUrl: string;
  /** false when PUBLIC_URL was not set and publicUrl is the default http://localhost:$PORT. */
  publicUrlFromEnv?: boolean;
  appSecret: string;
  dataDir: string;
  shopImageDir: string | null;
  logLevel: string;
  adminPassword: string | null;
  /** Express's `trust proxy`: false (default: X-Forwarded-* ignored), 'loopback', a hop count or addresses. */
  trustProxy: boolean | number | string;
  /** JOURNAL_KEEP_DAYS: journal runs, their records and product history older than this are pruned daily; 0 keeps all. */
  journalKeepDays: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Loads `.env` from the working directory, without overriding variables already set. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export function parseDatabaseUrl(raw: string | undefined, dataDir: string): DatabaseConfig {
  const value = raw?.trim();
  if (!value) return { dialect: 'sqlite', filename: path.join(dataDir, 'erp-bridge.sqlite') };
  if (/^(mysql|mariadb):\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError('DATABASE_URL', `not a valid URL: ${redactUrl(value)}`);
    }
    if (!url.hostname) throw new ConfigError('DATABASE_URL', 'the MySQL URL has no host');
    if (url.pathname.replace(/^\//, '') === '')
      throw new ConfigError('DATABASE_URL', 'the MySQL URL names no database (mysql://user:pass@host:3306/shop)');
    return { dialect: 'mysql', url: value.replace(/^mariadb:/i, 'mysql:') };
  }
  if (/^sqlite:/i.test(value)) return { dialect: 'sqlite', filename: value.replace(/^sqlite:(\/\/)?/i, '') };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new ConfigError('DATABASE_URL', `unsupported scheme in ${redactUrl(value)} (use mysql://… or a SQLite file path)`);
  return { dialect: 'sqlite', filename: value };
}

/** Hides the password of a URL, for messages and logs. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError('PORT', `must be a whole number from 0 to 65535, got "${raw}"`);
  return port;
}

function readPrefix(raw: string | undefined): string {
  const prefix = raw ?? 'oc_';
  if (!/^[A-Za-z0-9_]{0,32}$/.test(prefix))
    throw new ConfigError('TABLE_PREFIX', `may hold only letters, digits and _ (at most 32), got "${prefix}"`);
  return prefix;
}

function readPublicUrl(raw: string | undefined, port: number): string {
  const value = raw?.trim() || `http://localhost:${port}`;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** APP_SECRET signs sessions and encrypts stored ERP secrets; generated once and kept. */
function readAppSecret(raw: string | undefined, dataDir: string): string {
  if (raw !== undefined && raw !== '') {
    if (raw.length < 16) throw new ConfigError('APP_SECRET', 'must be at least 16 characters long');
    return raw;
  }
  const file = path.join(dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/**
 * TRUST_PROXY: off by default, so X-Forwarded-For from any client is ignored (the failed-login
 * throttle and the journal see the real peer). Behind nginx on the same machine: `loopback`.
 */
export function readTrustProxy(raw: string | undefined): boolean | number | string {
  const v = raw?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false' || v === 'off' || v === '0' || v === 'no') return false;
  if (/^[1-9]$/.test(v)) return Number(v);
  const names = ['loopback', 'linklocal', 'uniquelocal'];
  const parts = v.split(',').map((p) => p.trim());
  const address = /^[0-9a-f.:]+(\/\d{1,3})?$/;
  if (parts.every((p) => names.includes(p) || address.test(p))) return parts.join(',');
  throw new ConfigError('TRUST_PROXY', `must be off, loopback, a hop count (1-9) or proxy addresses (10.0.0.1, 10.0.0.0/8), got "${raw}"`);
}

/** JOURNAL_KEEP_DAYS: default 365 (a year of history to look back on); 0 = keep everything. */
export function readKeepDays(raw: string | undefined): number {
  const v = raw?.trim() ?? '';
  if (v === '') return 365;
  if (!/^\d{1,5}$/.test(v)) throw new ConfigError('JOURNAL_KEEP_DAYS', `must be a whole number of days (0 keeps everything), got "${raw}"`);
  return Number(v);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): AppConfig {
  const dataDir = path.resolve(env.DATA_DIR?.trim() || 'data');
  const port = readPort(env.PORT);
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const database = parseDatabaseUrl(env.DATABASE_URL, dataDir);
  return {
    database,
    embeddedDemo: !env.DATABASE_URL?.trim(),
    tablePrefix: readPrefix(env.TABLE_PREFIX),
    port,
    publicUrl: readPublicUrl(env.PUBLIC_URL, port),
    publicUrlFromEnv: !!env.PUBLIC_URL?.trim(),
    appSecret: readAppSecret(env.APP_SECRET, dataDir),
    dataDir,
    shopImageDir: env.SHOP_IMAGE_DIR?.trim() || null,
    logLevel,
    adminPassword: env.ADMIN_PASSWORD || null,
    trustProxy: readTrustProxy(env.TRUST_PROXY),
    journalKeepDays: readKeepDays(env.JOURNAL_KEEP_DAYS),
  };
}
