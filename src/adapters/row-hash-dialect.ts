import type { Knex } from 'knex';
import type { DialectName } from './dialect-name.js';

/**
 * How values of a column are made comparable across engines. Every category has one
 * canonical text form that each dialect computes identically inside its database.
 */
export type ValueCategory =
  'integer' | 'decimal' | 'float' | 'boolean' | 'timestamp' | 'date' | 'string' | 'binary' | 'unsupported';

/** A column as a row digest hashes it: both sides declare its type alike, NOT NULL only when both say so. */
export interface DigestColumn {
  readonly sql: string;
  readonly dataType: string;
  readonly notNull: boolean;
}

export interface CatalogColumn {
  readonly name: string;
  /** Declared type as the catalog reports it (for messages and same-type checks). */
  readonly dataType: string;
  readonly category: ValueCategory;
  /** Why a column of category 'unsupported' cannot be compared, when there is more to say than its type (JSON). */
  readonly unsupportedReason?: string;
  /** Fractional second digits of a timestamp column. */
  readonly timestampPrecision?: number;
  /** The timestamp is stored as an instant (timestamptz, MariaDB TIMESTAMP) rather than a wall-clock value. */
  readonly instant?: boolean;
  /**
   * The engine can hash the value with its type's own hash function, which is equal exactly
   * when the values are equal (PostgreSQL 14+: an extended hash, a deterministic collation), so
   * a same-engine pair may hash whole rows without rendering them as text.
   */
  readonly hashable?: boolean;
  /** Declared NOT NULL: an encoding needs no NULL marker when both sides say so. */
  readonly notNull?: boolean;
  /**
   * The declared type with what else changes the engine's own rendering of a value (MySQL: the character
   * set of a string), for same-type checks; dataType when absent.
   */
  readonly nativeType?: string;
}

/**
 * A canonical field as an encoding sees it: its SQL, its category (what its text can contain) and whether it
 * can be NULL on either side. Both sides of a pair get the same categories and nullability.
 */
export interface EncodedField {
  readonly sql: string;
  readonly category: Exclude<ValueCategory, 'unsupported'>;
  readonly notNull: boolean;
  /** The canonical value is the column itself: testing it for NULL computes nothing. */
  readonly bare?: boolean;
}

export interface CatalogTable {
  readonly schema?: string;
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /**
   * Other unique keys that identify a row, each in key order: unique indexes or constraints
   * without a predicate or expression, whose columns are all NOT NULL. Read from catalogs a
   * SELECT-only role can see.
   */
  readonly uniqueKeys?: readonly (readonly string[])[];
  /** Row count from the catalog's statistics, for progress only; absent when unknown. */
  readonly estimatedRows?: number;
}

/** A table or view of a schema as the listing found it. */
export interface ListedTable {
  readonly name: string;
  /** The connection's role may SELECT it; an unreadable table is reported as skipped, never silently left out. */
  readonly readable: boolean;
}

/** Why a verify query failed, as the database said it, without the SQL text. */
export interface QueryFailure {
  /** The database's own message. */
  readonly message: string;
  /** SQLSTATE, server error number or driver code. */
  readonly code?: string;
  /**
   * refused: the server answered with an error; lost: the connection or the server went away; cancelled: the
   * statement was cancelled.
   */
  readonly kind: 'refused' | 'lost' | 'cancelled';
  /** 1-based character offset in the statement where the server places the error (PostgreSQL). */
  readonly position?: number;
  /**
   * A data exception (SQLSTATE class 22: a value out of range, an invalid conversion): some column's values are
   * the cause.
   */
  readonly dataException?: boolean;
}

/** How one column is canonicalised on one side; both sides of a pair get the same rule. */
export interface FieldRule {
  readonly category: Exclude<ValueCategory, 'unsupported'>;
  /** Significant digits floats are rounded to (1..15). */
  readonly floatDigits: number;
  /** Fractional second digits timestamps are truncated to (0..6). */
  readonly timestampPrecision: number;
  readonly trimTrailingSpaces: boolean;
  readonly ignoreCase: boolean;
  /**
   * Same engine, same declared type, no option: the engine's own text rendering is already
   * canonical and is used as is (faster).
   */
  readonly passthrough: boolean;
}

/**
 * portable: md5 of the length-prefixed canonical text, identical on every engine; native: the engine's fastest
 * hash (same-engine pairs only).
 */
export type HashAlgorithm = 'portable' | 'native';

/**
 * Where hashing SQL runs: one connection pinned for the session (SQLite: a read-only connection
 * with dmr's functions registered). Every query runs in a read-only transaction, so --where
 * cannot write.
 */
export interface HashSession {
  /** Runs a query and returns all rows (small results: segment sums, counts). */
  all(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Runs a per-segment aggregate over a whole table or key ranges of it. PostgreSQL plans
   * it as a hash aggregate in parallel workers (its estimate of the number of segments is
   * the row count, so it would otherwise sort every row).
   */
  aggregate(sql: string): Promise<Record<string, unknown>[]>;
  /** Streams a query's rows, holding at most about `batch` rows in memory. */
  stream(sql: string, batch: number): AsyncIterable<Record<string, unknown>>;
  /**
   * Cancels the statement the session is running, on the server, from another connection, and
   * refuses further queries. Resolves once no statement of the session runs any more (or after
   * a few seconds of trying). A no-op where statements cannot be cancelled (SQLite).
   */
  cancel(): Promise<void>;
  release(): Promise<void>;
}

/** Dialect-specific catalog reading and hashing/canonicalisation SQL used by `dmr verify`. */
export interface RowHashDialect {
  readonly name: DialectName;
  quoteIdentifier(name: string): string;
  /** Schema used when none is given (PostgreSQL current_schema(), MySQL database()). */
  currentSchema(knex: Knex): Promise<string | undefined>;
  /**
   * Whether the schema (MySQL: database) exists as far as the role can see; true where schemas do not exist
   * (SQLite).
   */
  schemaExists(knex: Knex, schema: string): Promise<boolean>;
  /** Schemas the role can see, for hints. */
  listSchemas(knex: Knex): Promise<string[]>;
  /** Base tables and views of a schema. */
  listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]>;
  /** Columns and primary key, or null when the table does not exist. */
  describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null>;
  /** Schema-qualified, quoted table reference. */
  tableReference(schema: string | undefined, table: string): string;
  /** SQL: the canonical text of one column value, NULL when the value is NULL. */
  canonicalField(columnSql: string, column: CatalogColumn, rule: FieldRule): string;
  /**
   * SQL: one text that encodes all fields unambiguously. Portable: per field `<chars>:<text>`
   * or `~` for NULL, concatenated (a prefix code, so fields cannot run into each other).
   */
  encodeFields(fields: readonly EncodedField[], algorithm: HashAlgorithm): string;
  /**
   * SQL: non-negative integer below 2^52 derived from the canonical key fields (segments by key
   * hash, not key order). Collisions only put keys in the same segment; rows are matched by the encoded key.
   */
  keyHash(keyFields: readonly EncodedField[], algorithm: HashAlgorithm): string;
  /**
   * Text after a derived table that keeps the planner from inlining its columns into every use
   * (PostgreSQL: ` offset 0`, else ''); a portable digest uses each canonical field twice.
   */
  derivedTableFence?(algorithm: HashAlgorithm): string;
  /** SQL: digest of an encoded row (computed once per row in a derived table). */
  rowDigest(encodedSql: string, algorithm: HashAlgorithm): string;
  /**
   * SQL: two non-negative integers taken from a digest column and summed per segment (sums S1,
   * S2); a segment's checksum is S1 * 2^32 + S2. Portable: '0' and the digest's first 60 bits (15 hex
   * digits), the same number on every engine, from one use of the digest (a second use would compute it
   * again, and PostgreSQL could not aggregate in parallel workers behind the fence that avoids that).
   */
  digestParts(digestSql: string, algorithm: HashAlgorithm): readonly [string, string];
  /**
   * SQL: the segment number `(key - lo) div width` of an integer key column, computed without
   * overflow for keys in [lo, lo + 2^53). Absent where integer keys are not strictly typed
   * (SQLite), which then segments by key hash.
   */
  rangeSegment?(keySql: string, lo: bigint, width: bigint): string;
  /**
   * SQL: the engine's text of a whole row of `table` (PostgreSQL record output). A native pair
   * that compares every column in table order with passthrough rules hashes it instead of
   * concatenating the fields: what PostgreSQL's own checksum of a table costs.
   */
  recordText?(table: string): string;
  /**
   * SQL: a 64-bit digest of a row from its columns' own hash functions (no text rendering), only for columns marked
   * hashable; a strong hash of the whole row, so that a sum of digests tells a value moved between rows.
   */
  recordDigest?(columns: readonly DigestColumn[]): string;
  /**
   * SQL: the non-negative integer below 2^52 a row digest segments by, when rows have no key and
   * are compared as multisets (the same bits keyHash takes from its md5).
   */
  digestKeyHash(digestSql: string, algorithm: HashAlgorithm): string;
  /** What a failed verify query's error says: message without SQL, code, and whether the connection was lost. */
  describeFailure(error: unknown): QueryFailure;
  /** The best algorithm for a pair: native only when both sides are this engine. */
  algorithmFor(other: DialectName): HashAlgorithm;
  /**
   * Whether this server runs the native hash (MariaDB 10.8+: crc32c); a native pair is compared with the
   * portable one when either side cannot. Absent: always.
   */
  nativeHashAvailable?(knex: Knex): Promise<boolean>;
  /**
   * How many sessions the first scan of one table is split into, by key range, run at once: an engine that runs
   * a query on one core (MySQL, MariaDB) gains a core per session; absent (one) where the engine plans parallel
   * workers itself.
   */
  readonly scanSessions?: number;
  /**
   * Where rows are stored, for a first scan that reads each key range's rows where they lie (PostgreSQL 14+: TID
   * range scans under one parallel append, as cheap as a sequential scan and free of a hash aggregate's per-row
   * cost). Absent where the engine cannot read a range of storage positions.
   */
  readonly storagePositions?: StoragePositions;
  /**
   * Tables are stored in primary key order (InnoDB clusters rows by it): a range of the primary key is read
   * sequentially, so the first scan sums each key range segment by its own index range read, branches of one union,
   * instead of grouping every row by segment (MariaDB's GROUP BY updates a temporary table row per row).
   */
  readonly clusteredByPrimaryKey?: boolean;
  /**
   * SQL: a common table expression `name` defined by `sql`, which the server merges into every query that reads it
   * (MySQL 8.0+ and MariaDB 10.2+ merge one without user variables): the canonical
   * fields written once for all the branches of a union, each of which reads its own range of them.
   */
  sharedRows?(name: string, sql: string): string;
  /** A pinned connection for the hashing queries, each run read-only (SQLite: with dmr's functions registered). */
  session(knex: Knex): Promise<HashSession>;
}

/**
 * Storage positions of rows (PostgreSQL: ctid), as text the server returned. Reading the rows stored between two
 * positions costs what a sequential scan of them costs.
 */
export interface StoragePositions {
  /**
   * SQL: for each of `keys` (row i of the result for keys[i]), the positions of the first `sample` rows at or after
   * it in key order (index probes on the NOT NULL integer key `keySql`), space-separated in column p; no rows at all
   * where the server cannot read a range of positions.
   */
  sample(table: string, keySql: string, keys: readonly bigint[], sample: number): string;
  /** Orders two positions the sample returned; throws on text that is not a position (it is put in SQL). */
  compare(a: string, b: string): number;
  /** SQL condition: stored at or after `from` (null: from the first row) and before `to` (null: to the end). */
  range(from: string | null, to: string | null): string;
}
