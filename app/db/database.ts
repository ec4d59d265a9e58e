// One knex factory for MySQL/MariaDB and SQLite. The table prefix is applied here and only
// here (`db.t('product')` → `oc_product`), and dialect differences come from `db.dialect`.
import knexFactory, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseConfig } from '../config.js';
import { mysqlHelper, OPENCART_SQL_MODE } from './dialects/mysql.js';
import { sqliteHelper } from './dialects/sqlite.js';
import type { DialectHelper } from './dialects/types.js';

export interface Database {
  knex: Knex;
  dialect: DialectHelper;
  prefix: string;
  /** The shop's table name with the shop's prefix. */
  t(name: string): string;
  /** The plugin's own table name: `<prefix>erp_bridge_<name>`. */
  own(name: string): string;
  /**
   * The same database for the admin's page reads. On SQLite a second connection to the file (WAL
   * lets it read while a push writes): the push's statements run one after another on the first,
   * and knex queues every other query behind them, so a page of five queries waited five of the
   * push's statements. On MySQL the pool already reads side by side: the database itself.
   */
  readonly reads: Database;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

function mysqlKnex(url: string): Knex {
  const u = new URL(url);
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: u.hostname,
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      charset: 'utf8mb4',
      // OpenCart dates such as '0000-00-00' mean "no limit": read every date as its string.
      dateStrings: true,
      decimalNumbers: true,
      supportBigNumbers: true,
      connectTimeout: 5000,
    },
    pool: {
      min: 0,
      max: 8,
      afterCreate(conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query(`SET SESSION sql_mode = '${OPENCART_SQL_MODE}'`, (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 10000,
    log: quietKnexLog,
  });
}

function sqliteKnex(filename: string): Knex {
  if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    log: quietKnexLog,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma: (s: string) => unknown }, done: (err: Error | null, conn: unknown) => void) {
        try {
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('synchronous = NORMAL');
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
  });
}

export function createDatabase(config: DatabaseConfig, prefix: string): Database {
  const knex = config.dialect === 'mysql' ? mysqlKnex(config.url) : sqliteKnex(config.filename);
  const dialect = config.dialect === 'mysql' ? mysqlHelper : sqliteHelper;
  const of = (k: Knex, reads: () => Database, close: () => Promise<void>): Database => ({
    knex: k,
    dialect,
    prefix,
    t: (name) => prefix + name,
    own: (name) => `${prefix}erp_bridge_${name}`,
    get reads() {
      return reads();
    },
    close,
  });
  // A second connection only where it helps (a SQLite file; ':memory:' is private to its
  // connection), opened on first use: the CLI never needs it.
  const separate = config.dialect === 'sqlite' && config.filename !== ':memory:';
  let reader: Database | null = null;
  const db: Database = of(knex, () => {
    if (!separate) return db;
    reader ??= of(sqliteKnex((config as { filename: string }).filename), () => reader!, async () => {});
    return reader;
  }, async () => {
    await Promise.all([knex.destroy(), reader?.knex.destroy()]);
  });
  return db;
}

/** Runs a trivial query; throws DatabaseUnavailableError with one readable line when it fails. */
export async function ping(db: Database): Promise<void> {
  try {
    await db.knex.raw('SELECT 1');
  } catch (err) {
    throw new DatabaseUnavailableError(describeDbError(err), { cause: err });
  }
}

/**
 * The driver's own words without the statement: knex puts the SQL (with its values) before the
 * driver's message (`select … - no such table: oc_api`), and an answer, a page or a queue row
 * must never show SQL. mysql2 keeps the server's text apart (`sqlMessage`); knex's own errors
 * end in `query: <the SQL>`.
 */
function driverMessage(e: { code?: string; message?: string; sqlMessage?: string }): string {
  let text = e.sqlMessage ?? '';
  if (!text) {
    // The statement may span lines and hold " - " itself: the driver's part follows the last one.
    const message = e.message ?? '';
    const cut = message.lastIndexOf(' - ');
    text = cut >= 0 ? message.slice(cut + 3) : message;
    const query = text.indexOf(' query: ');
    if (query >= 0) text = text.slice(0, query);
  }
  // Syntax errors quote the statement near the fault (MySQL's `ER_PARSE_ERROR`, SQLite's
  // `near "FORM": syntax error`).
  if (e.code === 'ER_PARSE_ERROR' || /syntax error/i.test(text)) return 'the database could not parse a statement';
  return text.split('\n')[0]!.trim() || (e.code ? `database error ${e.code}` : 'a database error');
}

export function describeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string; sqlMessage?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'the database server refused the connection (is it running, and is the host/port right?)';
    case 'ENOTFOUND':
      return 'the database host name could not be resolved';
    case 'ETIMEDOUT':
      return 'the database server did not answer in time';
    case 'ER_ACCESS_DENIED_ERROR':
      return 'the database refused the user name or password';
    case 'ER_BAD_DB_ERROR':
      return `the database does not exist (${e.sqlMessage ?? ''})`;
    case 'SQLITE_CANTOPEN':
      return 'the SQLite file cannot be opened (check the path and its folder)';
    // These messages carry the server's address: said in words instead.
    case 'ECONNRESET':
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ER_SERVER_SHUTDOWN':
      return 'the database server closed the connection';
    case 'ER_CON_COUNT_ERROR':
      return 'the database server has too many connections';
    default:
      if (err instanceof knexFactory.KnexTimeoutError) return 'no database connection became free in time';
      return driverMessage(e);
  }
}

/** True for errors that mean "the database is not reachable now", as opposed to bad SQL. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  if (err instanceof DatabaseUnavailableError) return true;
  if (err instanceof knexFactory.KnexTimeoutError) return true;
  return ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'ER_ACCESS_DENIED_ERROR', 'ECONNRESET', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR'].includes(code);
}

// knex prints connection errors to the console by itself; callers report them instead.
const quietKnexLog = { warn() {}, error() {}, debug() {}, deprecate() {} };
