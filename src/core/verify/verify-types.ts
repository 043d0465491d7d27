import type { Knex } from 'knex';
import type { DialectName } from '../../adapters/dialect-name.js';

/**
 * count: row counts only; checksum: counts, segment checksums, then the differing rows; rows: every row compared
 * by key.
 */
export type VerifyMode = 'count' | 'checksum' | 'rows';
export const verifyModes: readonly VerifyMode[] = ['count', 'checksum', 'rows'];

/** One side of the comparison: an open knex pool and where its tables live. */
export interface VerifySide {
  readonly knex: Knex;
  readonly dialect: DialectName;
  /** Redacted description for reports. */
  readonly display: string;
  /** Schema (MySQL: database) of the tables; the connection's current one when absent. */
  readonly schema?: string;
}

/** A source table and the target table it is compared with. */
export interface TableMapping {
  readonly source: string;
  readonly target: string;
}

/** Canonicalisation options; global ones come from flags, per-column ones from --override. */
export interface CanonicalOptions {
  /** Significant digits floats are compared at (1..15, default 15: what survives a text round trip between engines). */
  readonly floatDigits?: number;
  /** Fractional second digits timestamps are compared at (default: the lower declared precision). */
  readonly timestampPrecision?: number;
  readonly trimTrailingSpaces?: boolean;
  readonly ignoreCase?: boolean;
}

/** `--override [table.]column=rule,...`: canonical options for one column. */
export interface ColumnOverride extends CanonicalOptions {
  /** Source table name, or undefined for every table. */
  readonly table?: string;
  readonly column: string;
}

/** `--key TABLE=COLS`: the key of one source table. */
export interface TableKey {
  readonly table: string;
  readonly columns: readonly string[];
}

export interface VerifyOptions extends CanonicalOptions {
  readonly source: VerifySide;
  readonly target: VerifySide;
  /** Tables to compare; every table present on both sides when absent (dmr's own status tables never). */
  readonly tables?: readonly TableMapping[];
  /** Key columns instead of the primary or unique key, when exactly one table is compared. */
  readonly key?: readonly string[];
  /** Key columns per source table (`--key TABLE=COLS`). */
  readonly tableKeys?: readonly TableKey[];
  /** Tables left out: globs (`*`, `?`, `[...]`) matched case-insensitively against source and target names. */
  readonly excludeTables?: readonly string[];
  /** Only these columns (the key is always compared). */
  readonly columns?: readonly string[];
  /** All columns but these (`column` or `table.column`). */
  readonly excludeColumns?: readonly string[];
  /** SQL condition applied on both sides (trusted input: it is the user's own SQL). */
  readonly where?: string;
  /** The target's condition when it differs from `where` (dmr copy checks a key range, quoted per engine). */
  readonly targetWhere?: string;
  readonly mode?: VerifyMode;
  /** Differences listed per table (all are counted). Default 100. */
  readonly maxDiffs?: number;
  /** Tables compared at the same time. Default 2. */
  readonly parallel?: number;
  /** Rows per segment aimed at before rows are downloaded. Default 1000. */
  readonly segmentRows?: number;
  readonly overrides?: readonly ColumnOverride[];
  readonly onEvent?: (event: VerifyEvent) => void;
  /** Aborting it cancels the running queries on the servers; verifyData then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A key as canonical texts by key column name. */
export type RowKey = Readonly<Record<string, string | null>>;

export interface ChangedRow {
  readonly key: RowKey;
  /** Only the columns that differ: [source, target] canonical values. */
  readonly columns: Readonly<Record<string, readonly [string | null, string | null]>>;
}

/** A whole row missing or extra in a table compared as a multiset, with how many times. */
export interface RowCount {
  /** Every compared column's canonical value. */
  readonly row: RowKey;
  readonly count: number;
}

/** skipped: the table could not be compared (reason says why); it counts as not verified. */
export type TableStatus = 'equal' | 'different' | 'only_in_source' | 'only_in_target' | 'skipped';

/** key: rows matched by a unique key; multiset: no unique key, whole rows compared with their multiplicity. */
export type Comparison = 'key' | 'multiset';

export interface TableVerdict {
  readonly table: string;
  readonly targetTable: string;
  readonly status: TableStatus;
  readonly sourceRows: number | null;
  readonly targetRows: number | null;
  readonly comparison: Comparison;
  readonly keyColumns: readonly string[];
  readonly comparedColumns: readonly string[];
  /** Key and compared columns compared as numbers (integer, decimal, float): the text report shows them unquoted. */
  readonly numericColumns: readonly string[];
  readonly missingInTarget: readonly RowKey[];
  readonly extraInTarget: readonly RowKey[];
  readonly changed: readonly ChangedRow[];
  readonly duplicatesInSource: readonly RowKey[];
  readonly duplicatesInTarget: readonly RowKey[];
  /** Multiset comparison: rows the target lacks, with how many copies. */
  readonly missingRows: readonly RowCount[];
  /** Multiset comparison: rows only the target has, with how many copies. */
  readonly extraRows: readonly RowCount[];
  /** All differing rows found, listed or not (a row missing twice counts twice). */
  readonly differenceCount: number;
  /** More differences exist than were listed (--max-diffs). */
  readonly truncated: boolean;
  /** Segments whose rows were downloaded (0 when the checksums matched). */
  readonly segmentsDownloaded: number;
  readonly durationMs: number;
  /** Why a skipped table was not compared; null otherwise. */
  readonly reason: string | null;
  /** The generated SQL a database refused (shown with --verbose only, never stored). */
  readonly failedSql?: string;
  /**
   * A key not declared unique on both sides that repeats on a side, even where the rows agree: present only
   * then. Repeats alone never make a table differ (the rows of a repeated key are compared as a multiset).
   */
  readonly repeatedKeys?: { readonly source: RepeatedKeys; readonly target: RepeatedKeys };
}

/** Key values more than one row of a side holds, counted over the whole side. */
export interface RepeatedKeys {
  /** How many distinct key values repeat. */
  readonly keys: number;
  /** The first of them in key text order, at most --max-diffs. */
  readonly examples: readonly RowKey[];
}

/** equal: every table equal; different: some table differs; incomplete: none differs but some could not be compared. */
export type VerifyStatus = 'equal' | 'different' | 'incomplete';

export interface VerifyResult {
  readonly source: string;
  readonly target: string;
  readonly mode: VerifyMode;
  readonly status: VerifyStatus;
  readonly tables: readonly TableVerdict[];
  readonly startedAt: Date;
  readonly durationMs: number;
}

export type VerifyPhase = 'counting' | 'hashing' | 'refining' | 'downloading';

export type VerifyEvent =
  /** What will be compared: tables and the rows the catalogs estimate (absent when unknown). */
  | { readonly type: 'plan'; readonly tables: number; readonly estimatedRows?: number }
  | { readonly type: 'table-start'; readonly table: string; readonly estimatedRows?: number }
  | { readonly type: 'table-phase'; readonly table: string; readonly phase: VerifyPhase; readonly detail?: string }
  /** Rows downloaded so far of the rows in the differing segments (both sides together). */
  | { readonly type: 'table-rows'; readonly table: string; readonly done: number; readonly total: number }
  | { readonly type: 'table-done'; readonly verdict: TableVerdict };
