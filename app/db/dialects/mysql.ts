import type { Knex } from 'knex';
import { format } from 'mysql2';
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
    return `UPDATE ${u.table} ${u.alias} ${u.straight ? 'STRAIGHT_JOIN' : 'JOIN'} ${u.from} ${u.fromAlias} ON ${u.on} SET ${assignments(u.set, u.alias)}${where}`;
  },
  straightJoin: () => 'STRAIGHT_JOIN',
  rows: <T>(result: unknown) => (result as [T[]])[0],
  affectedRows: (result) => Number((result as [{ affectedRows: number }])[0].affectedRows),
  async bulkInsert(knex, table, columns, rows) {
    // Formatted by mysql2 into one statement per chunk (no placeholder limit, bounded packets).
    for (let i = 0; i < rows.length; i += 5000) {
      const sql = format(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows.slice(i, i + 5000)] as never);
      await knex.raw(sql);
    }
  },
  async refreshStatistics(knex, table) {
    await knex.raw(`ANALYZE TABLE ${table}`);
  },
  insertIgnore: () => 'INSERT IGNORE',
  binaryEquals: (a, b) => `${a} = BINARY ${b}`,
  async serverVersion(knex) {
    return this.rows<{ v: string }>(await knex.raw('SELECT VERSION() AS v'))[0]!.v;
  },
  tableOptions(table) {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
  },
  shopTableOptions(table) {
    table.engine('MyISAM');
    table.charset('utf8');
  },
  binaryCollation: 'utf8mb4_bin',
  async supportsSkipLocked(knex) {
    const version = await this.serverVersion(knex);
    const [major, minor] = version.split('.').map((n) => parseInt(n, 10)) as [number, number];
    if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
    return major >= 8;
  },
  async claimRows(knex, c) {
    if (c.skipLocked) {
      return knex.transaction(async (trx) => {
        const rows = this.rows<Record<string, number>>(
          await trx.raw(`SELECT ${c.key} FROM ${c.table} WHERE ${c.where} ORDER BY ${c.order} LIMIT ${Number(c.limit)} FOR UPDATE SKIP LOCKED`, c.bindings as never),
        );
        const ids = rows.map((r) => Number(r[c.key]));
        if (ids.length) await trx(c.table).whereIn(c.key, ids).update({ claimed_by: c.worker, claimed_until: c.until });
        return ids;
      });
    }
    // Older servers: the conditional UPDATE re-checks the claim, so two workers never share a row.
    await knex.raw(
      `UPDATE ${c.table} SET claimed_by = ?, claimed_until = ? WHERE ${c.key} IN (SELECT ${c.key} FROM (SELECT ${c.key} FROM ${c.table} WHERE ${c.where} ORDER BY ${c.order} LIMIT ${Number(c.limit)}) pick) AND ${c.where}`,
      [c.worker, c.until, ...c.bindings, ...c.bindings] as never,
    );
    return (await knex(c.table).where({ claimed_by: c.worker, claimed_until: c.until }).pluck(c.key)).map(Number);
  },
  async listTables(knex) {
    return this.rows<Record<string, string>>(await knex.raw('SHOW TABLES')).map((r) => Object.values(r)[0]!);
  },
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  concat: (...parts) => `CONCAT(${parts.join(', ')})`,
};
