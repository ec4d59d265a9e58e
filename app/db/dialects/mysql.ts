import type { Knex } from 'knex';
import type { DialectHelper, JoinUpdate } from './types.js';

/** OpenCart's own connection mode: strict mode would reject its '0000-00-00' defaults. */
export const OPENCART_SQL_MODE = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

function assignments(set: Record<string, string>, alias: string): string {
  return Object.entries(set)
    .map(([col, expr]) => `${alias}.\`${col}\` = ${expr}`)
    .join(', ');
}

export const mysqlHelper: DialectHelper = {
  name: 'mysql',
  // The protocol allows 65,535 placeholders per prepared statement; stay well below it and
  // below max_allowed_packet for multi-row inserts.
  maxBindings: 30000,
  joinUpdate(u: JoinUpdate) {
    const where = u.where ? ` WHERE ${u.where}` : '';
    return `UPDATE ${u.table} ${u.alias} JOIN ${u.from} ${u.fromAlias} ON ${u.on} SET ${assignments(u.set, u.alias)}${where}`;
  },
  insertIgnore: () => 'INSERT IGNORE',
  binaryEquals: (a, b) => `${a} = BINARY ${b}`,
  async serverVersion(knex) {
    const [rows] = (await knex.raw('SELECT VERSION() AS v')) as [Array<{ v: string }>];
    return rows[0]!.v;
  },
  tableOptions(table) {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
  },
  binaryCollation: 'utf8mb4_bin',
  async supportsSkipLocked(knex) {
    const version = await this.serverVersion(knex);
    const [major, minor] = version.split('.').map((n) => parseInt(n, 10)) as [number, number];
    if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
    return major >= 8;
  },
  async listTables(knex) {
    const [rows] = (await knex.raw('SHOW TABLES')) as [Array<Record<string, string>>];
    return rows.map((r) => Object.values(r)[0]!);
  },
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  concat: (...parts) => `CONCAT(${parts.join(', ')})`,
};
