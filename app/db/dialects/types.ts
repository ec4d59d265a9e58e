// Everything that differs between MySQL/MariaDB and SQLite lives behind this interface, one
// implementation per dialect (as Directus keeps its per-dialect helpers), so services never
// branch on the dialect themselves.
import type { Knex } from 'knex';
import type { LoadTextWriter } from './mysql-load-text.js';

export type DialectName = 'mysql' | 'sqlite';

/**
 * Rows kept for a later bulkInsert in the least memory the dialect loads them from: the rows
 * themselves, or (MySQL, once LOAD DATA works) only their LOAD DATA text.
 */
export type KeptRows = unknown[][] | { readonly loadText: Buffer; readonly length: number };

/** A column of a table as the database describes it (the shop's schema profile is built from these). */
export interface ColumnDescription {
  /** The table's name as given (prefixed). */
  table: string;
  name: string;
  kind: 'number' | 'text' | 'date' | 'datetime' | 'other';
  nullable: boolean;
  hasDefault: boolean;
  autoIncrement: boolean;
  /** Collation of a text column (MySQL); null elsewhere. */
  collation: string | null;
}

export interface JoinUpdate {
  /** Target table (already prefixed) and its alias. */
  table: string;
  alias: string;
  /** Source table or sub-select (already prefixed) and its alias. */
  from: string;
  fromAlias: string;
  /** Join condition between alias and fromAlias. */
  on: string;
  /** `column = expression` assignments; columns are the target's, unqualified. */
  set: Record<string, string>;
  /** Extra condition (may mention both aliases). */
  where?: string;
  /** Keep the written order: the target is scanned, the source looked up by its index. */
  straight?: boolean;
}

/** What `claimRows` claims, for whom and until when. */
export interface ClaimRequest {
  table: string;
  key: string;
  where: string;
  bindings: unknown[];
  order: string;
  limit: number;
  worker: string;
  until: string;
  skipLocked: boolean;
  /** Test seam: runs between the locking read and the write (the race tests pause a claim there). */
  afterRead?: (keys: number[]) => Promise<void>;
}

export interface DialectHelper {
  readonly name: DialectName;
  /** Bound parameters one statement may carry. */
  readonly maxBindings: number;
  /** Rows one knex multi-row INSERT may carry (SQLite compiles it to a compound SELECT of at most 500 terms). */
  readonly maxInsertRows: number;
  /** UPDATE target joined to a source: MySQL `UPDATE … JOIN … SET`, SQLite `UPDATE … FROM`. */
  joinUpdate(u: JoinUpdate): string;
  /**
   * A join that keeps the written order (left table outer). Freshly loaded staging tables have
   * no statistics yet, and a planner that guesses wrong turns an indexed lookup into a
   * nested scan of 100k × 100k rows.
   */
  straightJoin(): string;
  /**
   * Inserts many rows fast (the staging load): LOAD DATA LOCAL (else mysql2's own multi-row
   * formatting) on MySQL, one prepared statement in a transaction on SQLite. `constants` are
   * columns with the same value on every row (given after `columns`).
   */
  bulkInsert(knex: Knex, table: string, columns: string[], rows: KeptRows, constants?: Record<string, string | number>): Promise<void>;
  /**
   * `rows` as a later bulkInsert takes them, in less memory where the dialect can: on MySQL,
   * once LOAD DATA works, their LOAD DATA text (made once: the same rows' text is reused when
   * they were loaded already), a fifth of the rows' own size.
   */
  keepRows(rows: unknown[][]): KeptRows;
  /**
   * A writer of LOAD DATA text for rows made without an array per row (MySQL once LOAD DATA
   * works), or null: then rows go through `bulkInsert` as arrays.
   */
  loadTextWriter(): LoadTextWriter | null;
  /** A column collation that compares byte for byte; undefined where that is the default. */
  binaryCollation: string | undefined;
  /** Whether the database gave up a statement as a deadlock victim (InnoDB; safe to run again). */
  isDeadlock(err: unknown): boolean;
  /** Rows written by a knex.raw() INSERT/UPDATE/DELETE. */
  affectedRows(result: unknown): number;
  /** The rows of a knex.raw() result (mysql2 answers [rows, fields], better-sqlite3 rows). */
  rows<T = Record<string, unknown>>(result: unknown): T[];
  /**
   * A push's change table (app/shop/product-changes.ts), a connection-private temporary table
   * created on the pinned connection: the columns that keep what each change was matched with,
   * and the test, in the joined UPDATE (product `p`, change `s`), that the product still has that code.
   */
  readonly changeTable: {
    create(knex: Knex, name: string, columnsSql: string): Promise<void>;
    /**
     * `code`: the code itself (SQLite); `code_crc`: its CRC32 as the product index read it with the
     * row, beside `code_slot`, its history slot (MySQL: the rare paths that take changes out of the
     * history read only those slots' blocks).
     */
    readonly codeColumn: 'code' | 'code_crc';
    /** The columns after product_id, in the order rows give them (SQL for CREATE). */
    readonly codeColumnsSql: string;
    readonly codeColumns: readonly string[];
    codeMatches(codeField: string): string;
  };
  dropTempTable(knex: Knex, name: string): Promise<void>;
  /** Refreshes the planner's statistics of a table just bulk-loaded (the staging table). */
  refreshStatistics(knex: Knex, table: string): Promise<void>;
  /** `INSERT IGNORE` / `INSERT OR IGNORE` keyword. */
  insertIgnore(): string;
  /** Expression that compares two strings byte for byte (case-sensitively). */
  binaryEquals(a: string, b: string): string;
  /** Reads the server's version string. */
  serverVersion(knex: Knex): Promise<string>;
  /** Applies plugin-table options (engine, charset) in a knex createTable callback. */
  tableOptions(table: Knex.CreateTableBuilder, collation?: string): void;
  /** Options of the demo shop's OpenCart-style tables (MyISAM, utf8 on MySQL, as 3.0 installs them). */
  shopTableOptions(table: Knex.CreateTableBuilder): void;
  /** Whether `SELECT … FOR UPDATE SKIP LOCKED` is available on this server. */
  supportsSkipLocked(knex: Knex): Promise<boolean>;
  /**
   * Claims up to `limit` rows of `table` matching `where` for `worker`: sets claimed_by and
   * claimed_until and returns their keys. MySQL 8 / MariaDB 10.6+: SELECT … FOR UPDATE SKIP
   * LOCKED in a transaction; elsewhere a conditional UPDATE (the lease column decides).
   */
  claimRows(knex: Knex, c: ClaimRequest): Promise<number[]>;
  /** The columns of the given tables (missing tables are simply absent from the answer). */
  describeColumns(knex: Knex, tables: string[]): Promise<ColumnDescription[]>;
  /**
   * Gives the text columns of `tables` that are neither binary nor `collation` that collation
   * (the same type, nullability and default). Binary (`_bin`) code columns stay as they are.
   * For plugin tables made before they followed the shop's collation; a no-op where there is none.
   */
  alignTextCollation(knex: Knex, tables: string[], collation: string): Promise<string[]>;
  /** Names of the tables in the current database. */
  listTables(knex: Knex): Promise<string[]>;
  /** Whether `table` has an index of this name (a migration that adds one to a table it did not make runs again safely). */
  hasIndex(knex: Knex, table: string, name: string): Promise<boolean>;
  /**
   * Moves `table` (rows that live for one push and are thrown away) to an engine without
   * transactions, where the dialect has one and the server allows it: whether it did.
   */
  useScratchEngine(knex: Knex, table: string): Promise<boolean>;
  /**
   * Runs fn on one connection for its whole length (temporary tables live on a connection):
   * MySQL in a transaction; SQLite's pool is that one connection, so fn runs as it is and other
   * requests' statements can run between its statements (the admin stays responsive).
   */
  onOneConnection<T>(knex: Knex, fn: (k: Knex) => Promise<T>): Promise<T>;
  /**
   * One connection held until `release` (temporary tables live on a connection): MySQL a
   * transaction (committed when ok, else rolled back); SQLite's pool is that one connection, so
   * nothing is held and other requests' statements run in between.
   */
  pinConnection(knex: Knex): Promise<{ knex: Knex; release(ok: boolean): Promise<void> }>;
  /** Rows one joined UPDATE of a push writes at most (SQLite: smaller steps, so readers get turns). */
  readonly updateStepRows: number;
  /**
   * Rows of one page when a push reads the whole product table (its index): SQLite reads a page
   * synchronously, holding every other request for its length, so its pages are small.
   */
  readonly readPageRows: number;
  /**
   * One row per block of `blockSize` product ids (b = FLOOR(product_id / blockSize)), in block
   * order: COUNT(*) n, MAX(product_id) maxId, MAX(date_modified) modified and crc, the BIT_XOR of
   * the rows' checksum terms (`productRowCrcSql`) over the block, for checking a warm product index
   * (and reading again only the blocks that changed); undefined where the database has no CRC32
   * (the index is then read every time).
   */
  productSignatureSql?(productTable: string, codeField: string, blockSize: number): string;
  /**
   * The checksum term of one product row (the signature's BIT_XOR is over these), where the
   * signature is: CRC32('id|TRIM(code)|price|quantity|tax_class_id') × (2 × id + 1), mod 2^32
   * (CRC32 alone is linear: the same edit on two rows cancelled out in the XOR).
   */
  productRowCrcSql?(codeField: string): string;
  /** The checksum of one product row's code alone (an index refresh compares it instead of the code). */
  productCodeCrcSql?(codeField: string): string;
  /** A SELECT's rows as arrays of column values, in the SELECT's column order. */
  readArrays(knex: Knex, sql: string): Promise<unknown[][]>;
  /**
   * A SELECT's rows as arrays, each handed to `each` as it arrives (none held whole), on a
   * connection of its own; resolves false once `each` answered false (the rest is read and
   * dropped). Where it exists a push reads the product table in one statement, not in pages of
   * `readPageRows`; SQLite has none (its one connection would be held for the whole read).
   */
  scanArrays?(knex: Knex, sql: string, each: (row: unknown[]) => boolean | void): Promise<boolean>;
}
