// The honest floor: the fastest way the database itself can apply the same change, done by hand
// in the same run. A TEMPORARY staging table whose code column has product.model's own charset
// and collation as PRIMARY KEY (so the join compares like with like and looks codes up by key),
// loaded with multi-row INSERTs of 1,000 or with LOAD DATA LOCAL INFILE, and also as a MEMORY
// table loaded with LOAD DATA (erp-bridge's own change table is one on MySQL: the floor gets the
// same help; a case whose stage MEMORY refuses skips it). Each way is measured on its own data so
// that each really changes every row, and the fastest counts. Then the case's set-based
// statements (for a stock or price push: one UPDATE product JOIN stage ON stage.code = product.model).
// Where the case's statements fall into lanes that write different tables and only read the
// stage (as erp-bridge runs promo prices and full sync), the floor runs them that way too: a
// `side-by-side` way, on a MEMORY stage every lane's connection sees, each lane on a connection of
// its own (the other ways run the lanes one after another, as a script would).
import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import { cpuMs, databasePid } from './cpu.js';

export type Cell = string | number | null;

export interface FloorCase {
  /** Staging columns after `code`: name and SQL type. */
  columns: Array<[string, string]>;
  count: number;
  /** The row i: code first, then one value per column. */
  row(i: number): Cell[];
  /**
   * The statements that apply the staged change (timed), in order. `stage` is the staging table.
   * A `lanes` step: statements that may run at once, lane beside lane (each in its own order).
   */
  apply: Array<string | { lanes: string[][] }>;
  /** Untimed statements run after the measurement (e.g. remove the floor's specials again). */
  reset?: string[];
}

export interface FloorMethod {
  method: 'insert' | 'load-data' | 'memory-load-data' | 'side-by-side';
  ms: number;
  loadMs: number;
  applyMs: number;
  /** Rows each apply statement changed (affectedRows): proof that the floor did the whole change. */
  affected: number[];
  /** CPU the database server used for it (ms; null: no local server to read). */
  dbCpuMs: number | null;
}

export interface Floor {
  /** The faster of the two. */
  best: FloorMethod;
  methods: FloorMethod[];
  /** How the stage was made (charset, collation, engine), for the printout. */
  stage: string;
}

export interface CodeColumn {
  charset: string;
  collation: string;
  type: string;
}

/** product.model's own column type, charset and collation. */
export async function modelColumn(conn: mysql.Connection, productTable: string): Promise<CodeColumn> {
  const [rows] = (await conn.query(
    `SELECT COLUMN_TYPE AS type, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'model'`,
    [productTable],
  )) as unknown as [CodeColumn[]];
  if (!rows[0]) throw new Error(`no ${productTable}.model column`);
  return rows[0];
}

const BATCH = 1000;

function sqlCell(conn: mysql.Connection, v: Cell): string {
  return v === null ? 'NULL' : typeof v === 'number' ? String(v) : conn.escape(v);
}

// mysql2 sends the stream's chunks as they come: they must be Buffers.
// LOAD DATA's default format: tab-separated, backslash escapes, \N for NULL.
function tsvCell(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\\\'));
}

/**
 * The stage's engine: the server's default for temporary tables, or MEMORY (as big as it needs).
 * `shared`: a MEMORY table, not temporary, so the side-by-side lanes' connections see it.
 */
async function createStage(conn: mysql.Connection, code: CodeColumn, c: FloorCase, memory: boolean, shared = false): Promise<void> {
  await dropStage(conn);
  const cols = c.columns.map(([n, t]) => `, ${n} ${t}`).join('');
  if (memory) await conn.query('SET SESSION max_heap_table_size = 4294967296');
  await conn.query(`CREATE ${shared ? '' : 'TEMPORARY '}TABLE stage (code ${code.type} CHARACTER SET ${code.charset} COLLATE ${code.collation} NOT NULL${cols}, PRIMARY KEY (code))${memory ? ' ENGINE=MEMORY' : ''}`);
}

async function dropStage(conn: mysql.Connection): Promise<void> {
  await conn.query('DROP TEMPORARY TABLE IF EXISTS stage');
  await conn.query('DROP TABLE IF EXISTS stage');
}

const affectedBy = async (conn: mysql.Connection, sql: string) => ((await conn.query(sql)) as unknown as [{ affectedRows: number }])[0].affectedRows;

/**
 * The case's statements, rows changed by each in the case's order. Lanes run at once on `conns`
 * (lane k on conns[k]) when there are enough of them, else one after another on the first.
 */
async function applyCase(conns: mysql.Connection[], c: FloorCase): Promise<number[]> {
  const affected: number[] = [];
  for (const step of c.apply) {
    if (typeof step === 'string') affected.push(await affectedBy(conns[0]!, step));
    else if (conns.length >= step.lanes.length) {
      const byLane = await Promise.all(step.lanes.map(async (lane, k) => {
        const out: number[] = [];
        for (const sql of lane) out.push(await affectedBy(conns[k]!, sql));
        return out;
      }));
      affected.push(...byLane.flat());
    } else for (const lane of step.lanes) for (const sql of lane) affected.push(await affectedBy(conns[0]!, sql));
  }
  return affected;
}

/** Lanes the case runs at once, at most (1: none). */
const laneCount = (c: FloorCase) => Math.max(1, ...c.apply.map((s) => (typeof s === 'string' ? 1 : s.lanes.length)));

async function loadByInsert(conn: mysql.Connection, c: FloorCase): Promise<void> {
  const names = ['code', ...c.columns.map(([n]) => n)].join(', ');
  for (let i = 0; i < c.count; i += BATCH) {
    const values: string[] = [];
    for (let j = i; j < Math.min(c.count, i + BATCH); j++) values.push(`(${c.row(j).map((v) => sqlCell(conn, v)).join(',')})`);
    await conn.query(`INSERT INTO stage (${names}) VALUES ${values.join(',')}`);
  }
}

async function loadByLoadData(conn: mysql.Connection, c: FloorCase): Promise<void> {
  const names = ['code', ...c.columns.map(([n]) => n)].join(', ');
  function* lines() {
    let chunk: string[] = [];
    for (let i = 0; i < c.count; i++) {
      chunk.push(c.row(i).map(tsvCell).join('\t'));
      if (chunk.length === BATCH * 10) {
        yield Buffer.from(chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) yield Buffer.from(chunk.join('\n') + '\n');
  }
  // The file is written in utf8mb4; the server converts the code to the column's own charset.
  await conn.query({
    sql: `LOAD DATA LOCAL INFILE 'stage.tsv' INTO TABLE stage CHARACTER SET utf8mb4 (${names})`,
    infileStreamFactory: () => Readable.from(lines()),
  } as never);
}

async function run(conns: mysql.Connection[], code: CodeColumn, c: FloorCase, method: FloorMethod['method']): Promise<FloorMethod> {
  const conn = conns[0]!;
  const sideBySide = method === 'side-by-side';
  let result: FloorMethod;
  try {
    await createStage(conn, code, c, method === 'memory-load-data' || sideBySide, sideBySide);
    const dbPid = databasePid();
    const cpu0 = dbPid ? cpuMs(dbPid) : 0;
    const t0 = performance.now();
    if (method === 'insert') await loadByInsert(conn, c);
    else await loadByLoadData(conn, c);
    const t1 = performance.now();
    const affected = await applyCase(sideBySide ? conns : [conn], c);
    const t2 = performance.now();
    const dbCpuMs = dbPid ? cpuMs(dbPid) - cpu0 : null;
    result = { method, ms: t2 - t0, loadMs: t1 - t0, applyMs: t2 - t1, affected, dbCpuMs };
  } finally {
    // Whether it was measured or refused (MEMORY cannot hold every stage).
    await dropStage(conn);
    await conn.query('SET SESSION max_heap_table_size = DEFAULT');
  }
  for (const sql of c.reset ?? []) await conn.query(sql);
  return result;
}

/**
 * Measures the case each way. `makeCase(k)` gives the k-th variant (k = 0 … 3): different values
 * (or codes), so each method changes every row again instead of finding nothing to do.
 */
export async function measureFloor(conn: mysql.Connection, code: CodeColumn, makeCase: (variant: number) => FloorCase, connect?: () => Promise<mysql.Connection>): Promise<Floor> {
  const methods = [await run([conn], code, makeCase(0), 'insert'), await run([conn], code, makeCase(1), 'load-data')];
  // A stage MEMORY cannot hold (a TEXT column, say) leaves this way out.
  const memory = await run([conn], code, makeCase(2), 'memory-load-data').catch(() => null);
  if (memory) methods.push(memory);
  // Lanes side by side, each on a connection of its own (opened before the clock starts).
  const fourth = makeCase(3);
  const lanes = laneCount(fourth);
  if (lanes > 1 && connect) {
    const more = await Promise.all(Array.from({ length: lanes - 1 }, () => connect()));
    try {
      const side = await run([conn, ...more], code, fourth, 'side-by-side').catch((err: Error) => {
        console.warn(`  the floor's side-by-side way failed (left out): ${err.message}`);
        return null;
      });
      if (side) methods.push(side);
    } finally {
      await Promise.all(more.map((m) => m.end().catch(() => {})));
    }
  }
  const best = methods.reduce((a, b) => (b.ms < a.ms ? b : a));
  const [eng] = (await conn.query('SELECT COALESCE(@@default_tmp_storage_engine, @@default_storage_engine) AS e')) as unknown as [Array<{ e: string }>];
  return { best, methods, stage: `TEMPORARY stage (${eng[0]!.e}, or MEMORY for memory-load-data; side-by-side: a MEMORY table its lanes' connections share), code ${code.type} ${code.collation} PRIMARY KEY` };
}

export function describeFloor(f: Floor): string {
  const m = (x: FloorMethod) =>
    `${x.method} ${(x.ms / 1000).toFixed(2)} s (load ${(x.loadMs / 1000).toFixed(2)} + apply ${(x.applyMs / 1000).toFixed(2)}; rows ${x.affected.join('/')}${x.dbCpuMs === null ? '' : `; database CPU ${(x.dbCpuMs / 1000).toFixed(2)} s`})`;
  return `${f.stage}; ${f.methods.map(m).join(', ')}; took ${f.best.method}`;
}
