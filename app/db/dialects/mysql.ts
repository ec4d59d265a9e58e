import type { Knex } from 'knex';
import { format } from 'mysql2';
import { Readable } from 'node:stream';
import type { ColumnDescription, DialectHelper, JoinUpdate } from './types.js';
import { LoadTextWriter, loadDataField } from './mysql-load-text.js';

type StreamConnection = NodeJS.EventEmitter & { destroy(): void; query(o: { sql: string; rowsAsArray: boolean }): { stream(o: { highWaterMark: number }): Readable } };
type LoadConnection = { query(o: { sql: string; infileStreamFactory: () => Readable }, cb: (err: Error | null) => void): void };

/** null until tried; false once a server refused LOAD DATA LOCAL. */
let loadDataWorks: boolean | null = null;

/** Tests switch the staging load to multi-row INSERTs (as on a server without local_infile). */
export function setLoadDataForTests(value: boolean | null): void {
  loadDataWorks = value;
}

/**
 * The LOAD DATA text of a set of rows, made once: the same rows are often loaded into two tables
 * (a push's changes and the products' history), and making the text is most of a load's cost here.
 */
const loadTexts = new WeakMap<unknown[][], Buffer>();
function loadText(rows: unknown[][]): Buffer {
  let text = loadTexts.get(rows);
  if (!text) {
    // One string built by concatenation (V8 ropes, flattened once by Buffer.from), not an array
    // of fields and one of lines joined: a 100,000-row push made 500,000 short-lived strings less.
    let out = '';
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      for (let c = 0; c < row.length; c++) out += (c === 0 ? '' : '\t') + loadDataField(row[c]);
      out += '\n';
    }
    text = Buffer.from(out, 'utf8');
    loadTexts.set(rows, text);
  }
  return text;
}

/** The most a push's MEMORY change table may hold (about 56 bytes a change: some 38 million changes). */
const MAX_CHANGE_TABLE_BYTES = 2 * 1024 ** 3;

/** OpenCart's own connection mode: strict mode would reject its '0000-00-00' defaults. */
export const OPENCART_SQL_MODE = 'NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

function assignments(set: Record<string, string>, alias: string): string {
  return Object.entries(set)
    .map(([col, expr]) => `${alias}.\`${col}\` = ${expr}`)
    .join(', ');
}

function columnKind(type: string): ColumnDescription['kind'] {
  const t = type.toLowerCase();
  if (/int|decimal|float|double|numeric|bit/.test(t)) return 'number';
  if (t === 'date') return 'date';
  if (t === 'datetime' || t === 'timestamp') return 'datetime';
  if (/char|text|enum|set/.test(t)) return 'text';
  return 'other';
}

/**
 * One product row's checksum term: the signature XORs them, the index reads each with its row.
 * CRC32 of the row's text, times an odd number made of the product's id (mod 2^32): CRC32 alone is
 * linear, so the same edit on two rows (two orders taking stock from 5 to 4, the rest of each row
 * ending alike) changed both terms by the same bits and their XOR hid both; multiplying by each
 * row's own odd factor (a one-to-one map, not linear in the bits) makes the two changes differ.
 */
// The factor is taken mod 2^32 first (a hand-written negative id would otherwise overflow the
// unsigned product, and the whole signature query fail): both operands then stay below 2^32.
const productRowCrc = (field: string) =>
  `((CRC32(CONCAT_WS('|', product_id, TRIM(COALESCE(\`${field}\`, '')), COALESCE(price, 0), COALESCE(quantity, 0), COALESCE(tax_class_id, 0))) * ((2 * product_id + 1) & 4294967295)) & 4294967295)`;

export const mysqlHelper: DialectHelper = {
  name: 'mysql',
  // The protocol allows 65,535 placeholders per prepared statement; stay well below it and
  // below max_allowed_packet for multi-row inserts.
  maxBindings: 30000,
  maxInsertRows: 100_000,
  joinUpdate(u: JoinUpdate) {
    const where = u.where ? ` WHERE ${u.where}` : '';
    return `UPDATE ${u.table} ${u.alias} ${u.straight ? 'STRAIGHT_JOIN' : 'JOIN'} ${u.from} ${u.fromAlias} ON ${u.on} SET ${assignments(u.set, u.alias)}${where}`;
  },
  straightJoin: () => 'STRAIGHT_JOIN',
  rows: <T>(result: unknown) => (result as [T[]])[0],
  affectedRows: (result) => Number((result as [{ affectedRows: number }])[0].affectedRows),
  // Only once LOAD DATA is known to work: the first load tries it with rows, which a server
  // without it takes as INSERTs instead.
  loadTextWriter: () => (loadDataWorks === true ? new LoadTextWriter() : null),
  keepRows(rows) {
    // Before LOAD DATA was tried (or where the server refuses it) only the rows can be loaded.
    return loadDataWorks === true ? { loadText: loadText(rows), length: rows.length } : rows;
  },
  async bulkInsert(knex, table, columns, kept, constants = {}) {
    if (kept.length === 0) return;
    const text = Array.isArray(kept) ? null : kept.loadText;
    const rows = Array.isArray(kept) ? kept : null;
    const fixed = Object.entries(constants);
    // LOAD DATA LOCAL INFILE from a stream we build is about twice as fast as multi-row INSERT
    // on the server side. mysql2 hands the server only that stream, never a file of ours. A
    // server with local_infile off refuses: then multi-row INSERTs, for good.
    if (loadDataWorks !== false) {
      const conn = (await knex.client.acquireConnection()) as LoadConnection;
      try {
        await new Promise<void>((resolve, reject) =>
          conn.query(
            {
              sql: `LOAD DATA LOCAL INFILE 'erp-bridge-stage' INTO TABLE ${table} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.join(', ')})${fixed.length ? ` SET ${fixed.map(([c, v]) => format('?? = ?', [c, v])).join(', ')}` : ''}`,
              infileStreamFactory: () => Readable.from([text ?? loadText(rows!)]),
            },
            (err) => (err ? reject(err) : resolve()),
          ),
        );
        loadDataWorks = true;
        return;
      } catch (err) {
        const e = err as { errno?: number; code?: string };
        // 1148/4166: local infile disabled on the server or the client.
        // Rows kept as text have no other way in.
        if (loadDataWorks === true || text || !(e.errno === 1148 || e.errno === 4166 || /INFILE|LOAD_DATA|NOT_ALLOWED/i.test(e.code ?? ''))) throw err;
        loadDataWorks = false;
      } finally {
        await knex.client.releaseConnection(conn);
      }
    }
    // Formatted by mysql2 into one statement per chunk (no placeholder limit, bounded packets).
    const names = [...columns, ...fixed.map(([c]) => c)].join(', ');
    const values = fixed.map(([, v]) => v);
    // Rows kept as text exist only once LOAD DATA worked, which then fails loudly above instead.
    if (!rows) throw new Error('rows kept as LOAD DATA text cannot be inserted without LOAD DATA');
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      const sql = format(`INSERT INTO ${table} (${names}) VALUES ?`, [values.length ? chunk.map((r) => [...r, ...values]) : chunk] as never);
      await knex.raw(sql);
    }
  },
  changeTable: {
    // A MEMORY table: loading it cost the database about half of loading an InnoDB one (100,000
    // rows: 0.10 s against 0.19–0.25 s by hand). Its rows have a fixed size, so the code is kept
    // as its CRC32 (what the product index read with each row), not as a 64-character column that
    // would take 256 bytes a row (280 MB at a million changes; about 56 MB this way). A product
    // renamed since it was read is then left alone unless its new code's CRC32 equals the old
    // one's (one in 4 billion). The table may grow to MAX_CHANGE_TABLE_BYTES (set for its
    // creation only: the session's own value comes back after it); a server without the MEMORY
    // engine gets an InnoDB table of the same columns. Its rows (about 56 bytes each with the hash
    // key) are the database's memory until the push drops the table; a push past the cap fails with
    // "table is full" while it reads, before the shop is written.
    async create(knex, name, columnsSql) {
      const rows = (await knex.raw('SELECT @@SESSION.max_heap_table_size AS h')) as [Array<{ h: number | string }>];
      const before = Number(rows[0][0]!.h);
      try {
        await knex.raw(`SET SESSION max_heap_table_size = ${MAX_CHANGE_TABLE_BYTES}`);
        await knex.raw(`CREATE TEMPORARY TABLE ${name} (${columnsSql}) ENGINE=MEMORY`);
      } catch {
        await knex.raw(`DROP TEMPORARY TABLE IF EXISTS ${name}`);
        await knex.raw(`CREATE TEMPORARY TABLE ${name} (${columnsSql}) ENGINE=InnoDB`);
      } finally {
        await knex.raw(`SET SESSION max_heap_table_size = ${before}`);
      }
    },
    codeColumn: 'code_crc',
    codeColumnsSql: 'code_crc INT UNSIGNED NOT NULL, code_slot SMALLINT UNSIGNED NOT NULL',
    codeColumns: ['code_crc', 'code_slot'],
    // A NULL code is '' here (CRC32 0), where the code's own test never matched NULL: no change has
    // an empty code (a record without one is refused before it is matched).
    codeMatches: (field) => `s.code_crc = CRC32(TRIM(COALESCE(p.\`${field}\`, '')))`,
  },
  async dropTempTable(knex, name) {
    await knex.raw(`DROP TEMPORARY TABLE IF EXISTS ${name}`);
  },
  async refreshStatistics(knex, table) {
    await knex.raw(`ANALYZE TABLE ${table}`);
  },
  insertIgnore: () => 'INSERT IGNORE',
  binaryEquals: (a, b) => `${a} = BINARY ${b}`,
  async serverVersion(knex) {
    return this.rows<{ v: string }>(await knex.raw('SELECT VERSION() AS v'))[0]!.v;
  },
  tableOptions(table, collation = 'utf8mb4_unicode_ci') {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate(collation);
  },
  shopTableOptions(table) {
    table.engine('MyISAM');
    table.charset('utf8');
  },
  binaryCollation: 'utf8mb4_bin',
  isDeadlock: (err) => (err as { errno?: number } | null)?.errno === 1213,
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
        await c.afterRead?.(ids);
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
  async describeColumns(knex, tables) {
    if (tables.length === 0) return [];
    const rows = this.rows<Record<string, string | null>>(
      await knex.raw(
        `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, EXTRA AS extra, COLLATION_NAME AS coll
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})
         ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        tables,
      ),
    );
    return rows.map((r) => ({
      table: String(r.t),
      name: String(r.c),
      kind: columnKind(String(r.type)),
      nullable: r.nullable === 'YES',
      // MariaDB reports "no default" as NULL on a NOT NULL column, MySQL too; a nullable
      // column's NULL default is a default.
      hasDefault: r.def !== null || r.nullable === 'YES',
      autoIncrement: /auto_increment/i.test(String(r.extra ?? '')),
      collation: r.coll ?? null,
    }));
  },
  async alignTextCollation(knex, tables, collation) {
    if (tables.length === 0) return [];
    const rows = this.rows<Record<string, string | null>>(
      await knex.raw(
        `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})
           AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME NOT LIKE '%\\_bin' AND COLLATION_NAME <> ?
         ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        [...tables, collation],
      ),
    );
    const changed: string[] = [];
    const byTable = new Map<string, typeof rows>();
    for (const r of rows) byTable.set(String(r.t), [...(byTable.get(String(r.t)) ?? []), r]);
    for (const [table, cols] of byTable) {
      const mods = cols.map((r) => {
        // The plugin's text defaults are '' or none: MariaDB reports '' quoted and NULL as the
        // word, MySQL both bare.
        let def: string;
        if (r.def === null || r.def === 'NULL') def = r.nullable === 'YES' ? ' DEFAULT NULL' : '';
        else if (r.def === "''" || r.def === '') def = " DEFAULT ''";
        else throw new Error(`${table}.${r.c} has a default this step does not know (${r.def})`);
        return `MODIFY \`${r.c}\` ${r.type} CHARACTER SET utf8mb4 COLLATE ${collation}${r.nullable === 'YES' ? ' NULL' : ' NOT NULL'}${def}`;
      });
      await knex.raw(`ALTER TABLE \`${table}\` ${mods.join(', ')}, DEFAULT CHARACTER SET utf8mb4 COLLATE ${collation}`);
      changed.push(table);
    }
    return changed;
  },
  async listTables(knex) {
    return this.rows<Record<string, string>>(await knex.raw('SHOW TABLES')).map((r) => Object.values(r)[0]!);
  },
  async hasIndex(knex, table, name) {
    return this.rows(await knex.raw('SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1', [table, name])).length > 0;
  },
  // MyISAM: loading 100,000 promo rows into the stage took MariaDB 0.28–0.37 s against
  // 0.51–0.55 s on InnoDB (by hand, LOAD DATA, round 24). A stage needs no transaction: its rows
  // are one push's, emptied before and after it (TRUNCATE also makes a table marked as crashed
  // anew). A server that refuses the engine (NO_ENGINE_SUBSTITUTION makes that an error) keeps
  // InnoDB.
  async useScratchEngine(knex, table) {
    try {
      await knex.raw(`ALTER TABLE ${table} ENGINE=MyISAM`);
      return true;
    } catch {
      return false;
    }
  },
  onOneConnection: (knex, fn) => knex.transaction((trx) => fn(trx)),
  async pinConnection(knex) {
    const trx = await knex.transaction();
    // A rollback also rejects the transaction's own promise: nobody else waits on it.
    (trx as unknown as { executionPromise?: Promise<unknown> }).executionPromise?.catch(() => {});
    return { knex: trx, release: async (ok) => void (ok ? await trx.commit() : await trx.rollback().catch(() => {})) };
  },
  updateStepRows: Number.MAX_SAFE_INTEGER,
  readPageRows: 50_000,
  productSignatureSql(table, field, blockSize) {
    // The block is floor(product_id / n) in integers: a (hand-written) negative id falls in the
    // block below 0, as in JS's Math.floor (DIV alone truncates toward 0). FLOOR(product_id / n)
    // divided as DECIMAL and grouped DECIMAL keys: at 100,000 products (4.0.2.3, by hand, 8 runs
    // each) the query took 75–81 ms that way against 63–71 ms this way.
    const n = Math.trunc(blockSize);
    return `SELECT (product_id - MOD(MOD(product_id, ${n}) + ${n}, ${n})) DIV ${n} AS b, COUNT(*) AS n, MAX(product_id) AS maxId, MAX(date_modified) AS modified, BIT_XOR(${productRowCrc(field)}) AS crc FROM ${table} GROUP BY b ORDER BY b`;
  },
  productRowCrcSql: productRowCrc,
  productCodeCrcSql: (field) => `CRC32(TRIM(COALESCE(\`${field}\`, '')))`,
  async readArrays(knex, sql) {
    // Arrays, not one object per row: a 100,000-product read spent most of its time making objects.
    return ((await knex.raw(sql).options({ rowsAsArray: true })) as unknown as [unknown[][]])[0];
  },
  async scanArrays(knex, sql, each) {
    // One statement streamed: on 3.0's MyISAM, pages of `WHERE product_id > ? ORDER BY product_id
    // LIMIT n` fetch each row through the primary key, and a million products took 3.4–3.6 s that
    // way against 1.1–1.2 s for one scan sorted by the server (bench, side by side).
    const conn = (await knex.client.acquireConnection()) as StreamConnection;
    let whole = true;
    try {
      // Rows taken in 'data' events, not with `for await`: a promise per row was 20–40 ms of a
      // 100,000-row refresh's 60–100 ms of server CPU (round 19). A failure of `each` stops the
      // calls, and the rest is read to its end, so the connection goes back with nothing pending.
      let failure: { err: unknown } | null = null;
      const rows = conn.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 1000 });
      // A connection that dies mid-read (killed, its socket reset) tells the connection, not the
      // query's stream: without these the read would never end and its pool slot never come back.
      let rejectRead: (err: unknown) => void = () => {};
      // Set when the query or its connection failed (not the reader): the connection is then
      // closed here, before the pool gets it back (see below).
      let broken = false;
      const onDead = (err?: unknown) => {
        broken = true;
        rejectRead(failure ? failure.err : err ?? new Error('the connection to the database closed while the product table was read'));
      };
      conn.once('error', onDead);
      conn.once('end', onDead);
      try {
        await new Promise<void>((resolve, reject) => {
          rejectRead = reject;
          rows.on('data', (row: unknown[]) => {
            if (!whole || failure) return;
            try {
              if (each(row) === false) whole = false;
            } catch (err) {
              failure = { err };
            }
          });
          // The reader's own failure is the one to tell, even when the query failed after it.
          rows.once('end', () => (failure ? reject(failure.err) : resolve()));
          rows.once('error', (err: unknown) => {
            broken = true;
            reject(failure ? failure.err : err);
          });
        });
      } finally {
        conn.removeListener('error', onDead);
        conn.removeListener('end', onDead);
        // A connection killed mid-read reports its end a moment after the query's error; by then
        // the pool has dropped it and its listeners, and that late error would be thrown as one
        // nobody listens to. Closed here first, mysql2 reports nothing more for it (and the pool
        // will not hand it out again).
        if (broken) conn.destroy();
      }
    } finally {
      await knex.client.releaseConnection(conn);
    }
    return whole;
  },
};
