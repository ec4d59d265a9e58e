import type { ColumnDescription, DialectHelper, JoinUpdate } from './types.js';

/** Rows per transaction of a bulk load (about 10 ms each). */
const LOAD_STEP = 5_000;

export const sqliteHelper: DialectHelper = {
  name: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER is 32,766 since 3.32.
  maxBindings: 30000,
  // SQLITE_MAX_COMPOUND_SELECT: knex writes a multi-row INSERT as SELECT … UNION ALL SELECT ….
  maxInsertRows: 500,
  joinUpdate(u: JoinUpdate) {
    // SQLite (3.33+) spells the joined update UPDATE … FROM; the target alias is allowed.
    const sets = Object.entries(u.set)
      .map(([col, expr]) => `"${col}" = ${expr}`)
      .join(', ');
    const conds = [u.on, u.where].filter(Boolean).join(' AND ');
    return `UPDATE ${u.table} AS ${u.alias} SET ${sets} FROM ${u.from} AS ${u.fromAlias} WHERE ${conds}`;
  },
  // SQLite never reorders the tables of a CROSS JOIN.
  straightJoin: () => 'CROSS JOIN',
  rows: <T>(result: unknown) => result as T[],
  affectedRows: (result) => Number((result as { changes: number }).changes),
  loadTextWriter: () => null,
  keepRows: (rows) => rows,
  async bulkInsert(knex, table, columns, kept, constants = {}) {
    // keepRows keeps the rows themselves here.
    const rows = kept as unknown[][];
    if (rows.length === 0) return;
    const fixed = Object.entries(constants);
    const names = [...columns, ...fixed.map(([c]) => c)];
    const values = fixed.map(([, v]) => v);
    type Db = { prepare(sql: string): { run(...v: unknown[]): unknown }; transaction(fn: () => void): () => void };
    // In transactions of LOAD_STEP rows with other requests' turns between them: each one holds
    // the process (better-sqlite3 is synchronous). Only staging tables are loaded this way.
    for (let i = 0; i < rows.length; i += LOAD_STEP) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const conn = (await knex.client.acquireConnection()) as Db;
      try {
        const stmt = conn.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
        conn.transaction(() => {
          for (let k = i; k < Math.min(rows.length, i + LOAD_STEP); k++) stmt.run(...rows[k]!, ...values);
        })();
      } finally {
        await knex.client.releaseConnection(conn);
      }
    }
  },
  changeTable: {
    create: (knex, name, columnsSql) => knex.raw(`CREATE TEMP TABLE ${name} (${columnsSql})`).then(() => {}),
    codeColumn: 'code',
    codeColumnsSql: 'code VARCHAR(64) NOT NULL',
    codeColumns: ['code'],
    codeMatches: (field) => `s.code = TRIM(p.${field})`,
  },
  async dropTempTable(knex, name) {
    await knex.raw(`DROP TABLE IF EXISTS temp.${name}`);
  },
  async refreshStatistics(knex, table) {
    await knex.raw(`ANALYZE ${table}`);
  },
  insertIgnore: () => 'INSERT OR IGNORE',
  binaryEquals: (a, b) => `${a} = ${b}`,
  async serverVersion(knex) {
    const rows = (await knex.raw('SELECT sqlite_version() AS v')) as Array<{ v: string }>;
    return `SQLite ${rows[0]!.v}`;
  },
  tableOptions() {},
  shopTableOptions() {},
  binaryCollation: undefined,
  // One connection, one writer at a time: no deadlocks.
  isDeadlock: () => false,
  async supportsSkipLocked() {
    return false;
  },
  async claimRows(knex, c) {
    // SQLite has one writer at a time: the conditional UPDATE is atomic.
    await knex.raw(
      `UPDATE ${c.table} SET claimed_by = ?, claimed_until = ? WHERE ${c.key} IN (SELECT ${c.key} FROM ${c.table} WHERE ${c.where} ORDER BY ${c.order} LIMIT ${Number(c.limit)}) AND ${c.where}`,
      [c.worker, c.until, ...c.bindings, ...c.bindings] as never,
    );
    return (await knex(c.table).where({ claimed_by: c.worker, claimed_until: c.until }).pluck(c.key)).map(Number);
  },
  async describeColumns(knex, tables) {
    const out: ColumnDescription[] = [];
    for (const table of tables) {
      const cols = (await knex.raw(`PRAGMA table_info(${JSON.stringify(table)})`)) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
      for (const c of cols) {
        const t = c.type.toLowerCase();
        out.push({
          table,
          name: c.name,
          kind: /int|decimal|real|float|double|numeric/.test(t) ? 'number' : t === 'date' ? 'date' : /datetime|timestamp/.test(t) ? 'datetime' : /char|text|clob/.test(t) || t === '' ? 'text' : 'other',
          nullable: c.notnull === 0,
          hasDefault: c.dflt_value !== null || c.notnull === 0,
          // An INTEGER PRIMARY KEY is SQLite's rowid: it fills itself.
          autoIncrement: c.pk === 1 && t === 'integer',
          collation: null,
        });
      }
    }
    return out;
  },
  async alignTextCollation() {
    return [];
  },
  async listTables(knex) {
    const rows = (await knex.raw("SELECT name FROM sqlite_master WHERE type = 'table'")) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  },
  async hasIndex(knex, table, name) {
    return ((await knex.raw("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?", [table, name])) as unknown[]).length > 0;
  },
  // One engine: SQLite has nothing lighter.
  useScratchEngine: async () => false,
  onOneConnection: (knex, fn) => fn(knex),
  pinConnection: async (knex) => ({ knex, release: async () => {} }),
  updateStepRows: 10_000,
  // 10,000 rows: about 40 ms of reading and indexing at 250,000 products, then other requests' turn.
  readPageRows: 10_000,
  async readArrays(knex, sql) {
    return ((await knex.raw(sql)) as Array<Record<string, unknown>>).map((r) => Object.values(r));
  },
};
