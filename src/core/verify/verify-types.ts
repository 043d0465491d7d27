import type { Knex } from 'knex';
import type { DialectName } from '../../config/dialect-name.js';

/** count: row counts only; checksum: counts, segment checksums, then the differing rows; rows: every row compared by key. */
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

export interface VerifyOptions extends CanonicalOptions {
  readonly source: VerifySide;
  readonly target: VerifySide;
  /** Tables to compare; every table present on both sides when absent. */
  readonly tables?: readonly TableMapping[];
  /** Key columns instead of the primary key. */
  readonly key?: readonly string[];
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
}

/** A key as canonical texts by key column name. */
export type RowKey = Readonly<Record<string, string | null>>;

export interface ChangedRow {
  readonly key: RowKey;
  /** Only the columns that differ: [source, target] canonical values. */
  readonly columns: Readonly<Record<string, readonly [string | null, string | null]>>;
}

export type TableStatus = 'equal' | 'different' | 'only_in_source' | 'only_in_target';

export interface TableVerdict {
  readonly table: string;
  readonly targetTable: string;
  readonly status: TableStatus;
  readonly sourceRows: number | null;
  readonly targetRows: number | null;
  readonly keyColumns: readonly string[];
  readonly comparedColumns: readonly string[];
  readonly missingInTarget: readonly RowKey[];
  readonly extraInTarget: readonly RowKey[];
  readonly changed: readonly ChangedRow[];
  readonly duplicatesInSource: readonly RowKey[];
  readonly duplicatesInTarget: readonly RowKey[];
  /** All differing rows found, listed or not. */
  readonly differenceCount: number;
  /** More differences exist than were listed (--max-diffs). */
  readonly truncated: boolean;
  /** Segments whose rows were downloaded (0 when the checksums matched). */
  readonly segmentsDownloaded: number;
  readonly durationMs: number;
}

export interface VerifyResult {
  readonly source: string;
  readonly target: string;
  readonly mode: VerifyMode;
  readonly status: 'equal' | 'different';
  readonly tables: readonly TableVerdict[];
  readonly startedAt: Date;
  readonly durationMs: number;
}

export type VerifyPhase = 'counting' | 'hashing' | 'refining' | 'downloading';

export type VerifyEvent =
  | { readonly type: 'table-start'; readonly table: string }
  | { readonly type: 'table-phase'; readonly table: string; readonly phase: VerifyPhase; readonly detail?: string }
  | { readonly type: 'table-done'; readonly verdict: TableVerdict };
