// Loads OpenCart's own install SQL into a scratch MariaDB database the way OpenCart's
// installer does: sql_mode NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION, utf8, prefix replaced in
// DROP TABLE / CREATE TABLE / INSERT INTO statements.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const here = path.dirname(fileURLToPath(import.meta.url));
// SHARED_DIR: where ../shared is when the tests run from a copy (StrykerJS's sandbox).
export const FIXTURE = path.resolve(process.env.SHARED_DIR ?? path.resolve(here, '../../../shared'), 'fixtures/opencart/opencart-3.0.3.8.sql');

let cached: string[] | undefined;

export function fixtureStatements(prefix: string): string[] {
  cached ??= splitStatements(readFileSync(FIXTURE, 'utf8'));
  return cached.map((s) =>
    s.replace(/^(DROP TABLE IF EXISTS|CREATE TABLE|INSERT INTO) `oc_/, (_m, verb: string) => `${verb} \`${prefix}`),
  );
}

function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (current === '' && (trimmed === '' || trimmed.startsWith('--') || trimmed.startsWith('#'))) continue;
    current += line + '\n';
    if (trimmed.endsWith(';')) {
      out.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  return out;
}

/** Server URL for the MariaDB half of the tests (no database part), or undefined. */
export function mysqlServerUrl(): string | undefined {
  return process.env.MYSQL_URL?.trim() || undefined;
}

export async function mysqlReachable(url = mysqlServerUrl()): Promise<boolean> {
  if (!url) return false;
  try {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
    await conn.end();
    return true;
  } catch {
    return false;
  }
}

export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = '/' + database;
  return u.toString();
}

/** Creates a fresh database loaded from the fixture; returns its URL and a drop function. */
export async function createOpenCartDatabase(prefix: string, serverUrl = mysqlServerUrl()!): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `erpb_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4', multipleStatements: false });
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8 COLLATE utf8_general_ci`);
    await conn.query(`USE \`${name}\``);
    await conn.query("SET SESSION sql_mode = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION'");
    await conn.query('SET NAMES utf8');
    for (const statement of fixtureStatements(prefix)) await conn.query(statement);
  } finally {
    await conn.end();
  }
  return {
    url: databaseUrl(serverUrl, name),
    name,
    async drop() {
      const c = await mysql.createConnection({ uri: serverUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
