import type { Knex } from 'knex';
import type { LineBatch } from './copy-line.js';
import type { DialectName } from './dialect-name.js';

/**
 * An engine-neutral column type: what a value *is*, independent of how one engine spells it.
 * A source column is read into one of these and the target declares the closest exact type
 * for it; a type that has none is refused before any row moves.
 */
export type CopyType =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly bytes: 1 | 2 | 3 | 4 | 8; readonly unsigned?: boolean }
  /** precision undefined: unbounded (PostgreSQL numeric without a typmod). */
  | { readonly kind: 'decimal'; readonly precision?: number; readonly scale?: number }
  | { readonly kind: 'float'; readonly bytes: 4 | 8 }
  /** length undefined: unbounded text; fixed: CHAR(n). */
  | { readonly kind: 'string'; readonly length?: number; readonly fixed?: boolean }
  | { readonly kind: 'binary'; readonly length?: number; readonly fixed?: boolean }
  | { readonly kind: 'date' }
  | { readonly kind: 'time'; readonly precision: number }
  /** timeZone: the value is an instant (timestamptz, MySQL TIMESTAMP), not a wall-clock reading. */
  | { readonly kind: 'timestamp'; readonly precision: number; readonly timeZone: boolean }
  | { readonly kind: 'json' }
  | { readonly kind: 'uuid' };

/** A column as the source catalog declares it. */
export interface CopyColumn {
  readonly name: string;
  /** The engine's own spelling (format_type, COLUMN_TYPE, the declared SQLite type). */
  readonly declared: string;
  /** Neutral type, or null when the engine has a type dmr cannot carry to another engine. */
  readonly type: CopyType | null;
  readonly nullable: boolean;
}

export interface CopyTable {
  readonly schema?: string;
  readonly name: string;
  readonly columns: readonly CopyColumn[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /** The catalog's row estimate (statistics), null when it has none. */
  readonly estimatedRows: number | null;
}

/** A target column type: the declared SQL and the neutral type its writer converts values to. */
export interface MappedType {
  readonly declared: string;
  readonly type: CopyType;
}

/** Why a neutral type has no safe spelling on a target engine (named before any row moves). */
export interface UnsafeMapping {
  readonly unsafe: string;
}

/**
 * A key range of a chunk. Integer ranges are half-open [low, high); keyset chunks are
 * (low, high] in key order. null bounds are open (the first and the last chunk). exact: the
 * one row whose key is `low` (--retry-rejects).
 */
export interface KeyRange {
  readonly kind: 'range' | 'keyset' | 'all' | 'exact';
  readonly low: readonly string[] | null;
  readonly high: readonly string[] | null;
}

/** What a source read needs: the table, the columns as the target wants them rendered, the chunk. */
export interface ReadSpec {
  readonly table: CopyTable;
  /** Neutral types to render per column; null keeps the engine's own text (same-engine copy). */
  readonly render: readonly (CopyType | null)[];
  readonly key: readonly string[];
  readonly range: KeyRange;
  /** Keyset chunks: at most this many rows, in key order. */
  readonly limit?: number;
  /** The user's --where (trusted: it is their own SQL). */
  readonly where?: string;
}

/**
 * Rows travel as lines of PostgreSQL's COPY text format: fields separated by a tab, `\N` for
 * NULL, backslash escapes for backslash, tab, newline and carriage return. Every value is in
 * its neutral text form (see docs/copy.md): booleans 1/0, binary `\x` + hex, timestamps
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` (instants in UTC).
 */
export type CopyLine = string;

/**
 * How a reader or writer stops the statement running on its own connection when a signal comes: each
 * engine the way its driver allows. PostgreSQL: pg_cancel_backend of the connection's backend, sent from
 * a client of its own. MySQL/MariaDB: KILL QUERY of the connection's thread from another connection.
 * SQL Server: the mssql Request's cancel() (tedious sends an ATTENTION on the connection; the session
 * stays, no KILL). SQLite: nothing, its statements run synchronously in this thread. The statement fails
 * with the server's cancel error; a connection with no statement running is left alone.
 */
export interface CopyCancel {
  /** Cancels the statement running on this reader's or writer's own connection now (a signal). */
  cancel(): Promise<void>;
}

/** A source connection reading chunks (its own session, so a signal can cancel its statement). */
export interface CopyReader extends CopyCancel {
  readonly sessionId: string;
  /** Streams the chunk's rows as lines, in batches, holding a bounded number in memory. */
  read(spec: ReadSpec): AsyncIterable<LineBatch>;
  /** Row count and key bounds for chunk planning (integer keys: min and max). */
  bounds(
    spec: Omit<ReadSpec, 'render' | 'range'>,
  ): Promise<{ readonly rows: number; readonly low: string | null; readonly high: string | null }>;
  /** Row count of a key range (the counts check and settling an unknown chunk). */
  count(table: CopyTable, key: readonly string[], range: KeyRange, where?: string): Promise<number>;
  /** Closes the connection; a broken one (a read abandoned part-way) is destroyed. */
  close(broken?: boolean): Promise<void>;
}

/** A target column as the bulk path loads it. */
export interface LoadColumn {
  readonly name: string;
  readonly type: CopyType;
  readonly declared: string;
}

/** One running bulk load into a table, inside the session's transaction. */
export interface BulkLoad {
  write(lines: LineBatch): Promise<void>;
  /** Ends the load; rows the target stored. Throws a row error when the target refused a row. */
  end(): Promise<number>;
  /**
   * Abandons a load that will not be ended (the source failed or a signal stopped the chunk), so
   * the session answers again and ROLLBACK undoes what was sent; a load left open waits for more
   * rows forever and the ROLLBACK queued behind it with it.
   */
  abort(): Promise<void>;
}

/** The target's answer when it refuses a row: which column where it says so. */
interface RowRefusal {
  readonly message: string;
  readonly code?: string;
  readonly field?: string;
  /** A duplicate key: on --retry-rejects it proves the row had landed. */
  readonly duplicate?: boolean;
}

/** A pinned target connection with its own transaction, for one chunk at a time. */
export interface CopyWriter extends CopyCancel {
  readonly sessionId: string;
  /** The raw driver connection, for ledger statements run by knex in the same transaction. */
  readonly connection: unknown;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  savepoint(name: string): Promise<void>;
  rollbackTo(name: string): Promise<void>;
  release(name: string): Promise<void>;
  load(schema: string | undefined, table: string, columns: readonly LoadColumn[]): BulkLoad;
  /** Deletes the target rows of a key range (settling a chunk found partly there). */
  deleteRange(schema: string | undefined, table: string, key: readonly LoadColumn[], range: KeyRange): Promise<number>;
  /** Closes the connection; broken ones are destroyed instead of returned to the pool. */
  close(broken?: boolean): Promise<void>;
}

/** Session locks of target tables, all held on one pinned connection (the server frees them when it dies). */
export interface CopyLocks {
  /** Tries once; false when another session holds it. */
  tryAcquire(name: string): Promise<boolean>;
  releaseAll(): Promise<void>;
}

/** What differs between engines for `dmr copy`: catalog, type mapping, DDL, reads and the bulk path. */
export interface CopyDialect {
  readonly name: DialectName;
  /** Building the primary key after the load is faster (PostgreSQL); InnoDB and SQLite cluster by it. */
  readonly primaryKeyAfterLoad: boolean;
  /**
   * Ledger statements can join the writer's transaction (knex runs them on the writer's raw
   * connection), so a chunk and its ledger row commit together. SQL Server's bulk path runs on an
   * mssql connection knex cannot use: its ledger row is written after the commit instead.
   */
  readonly ledgerInTransaction: boolean;
  /** One writer at a time (SQLite's database lock): chunks into it run one after another. */
  readonly singleWriter: boolean;
  /**
   * Between two databases of this engine, a column with no neutral type still copies as the engine's own
   * text (PostgreSQL's COPY text round-trips every type); elsewhere such a column is refused.
   */
  readonly copiesUnmappedTypesToItself: boolean;
  quoteIdentifier(name: string): string;
  tableReference(schema: string | undefined, table: string): string;
  /** Base tables of a schema (the connection's current one when absent). */
  listTables(knex: Knex, schema: string | undefined): Promise<string[]>;
  /** Columns with their neutral types, the primary key and a row estimate; null when missing. */
  describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CopyTable | null>;
  /** The neutral type of a declared type of this engine (introspection and --cast), null when none. */
  typeOf(declared: string): CopyType | null;
  /** This engine's exact spelling of a neutral type, or why it has none (`key`: a primary key column). */
  declare(type: CopyType, key?: boolean): MappedType | UnsafeMapping;
  /** True when a --cast TYPE is one this engine can parse (validated before it reaches DDL). */
  isDeclaredType(text: string): boolean;
  /** A key range as SQL text with inlined literals (dmr verify's --where when settling a chunk). */
  rangeSql(table: CopyTable, key: readonly string[], range: KeyRange): string;
  createTableSql(
    schema: string | undefined,
    table: string,
    columns: readonly (LoadColumn & { readonly nullable: boolean })[],
    primaryKey: readonly string[],
  ): string;
  addPrimaryKeySql(schema: string | undefined, table: string, primaryKey: readonly string[]): string;
  truncateSql(schema: string | undefined, table: string): string;
  /** Whether the target table exists (for --create and the --plan output). */
  tableExists(knex: Knex, schema: string | undefined, table: string): Promise<boolean>;
  openReader(knex: Knex): Promise<CopyReader>;
  openWriter(knex: Knex): Promise<CopyWriter>;
  /** The target refused a value or a row (a row error: reject it), as opposed to a lost connection or a bug. */
  rowRefusal(error: unknown): RowRefusal | null;
  /** The connection was lost (the answer to a COMMIT may be unknown). */
  isConnectionLoss(error: unknown): boolean;
  locks(knex: Knex, database: string): CopyLocks;
}

export function isUnsafe(mapping: MappedType | UnsafeMapping): mapping is UnsafeMapping {
  return 'unsafe' in mapping;
}
