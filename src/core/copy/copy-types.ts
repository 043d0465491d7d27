import type { Database } from '../database.js';
import type { TableMapping, VerifyResult } from '../verify/verify-types.js';

export type { TableMapping };

/** One side of a copy: an open database and the schema (MySQL: database) of its tables. */
interface CopySide {
  readonly database: Database;
  readonly schema?: string;
}

/** `--cast [table.]column=TYPE`: the target type of one column, in the target engine's spelling. */
export interface CastSpec {
  readonly table?: string;
  readonly column: string;
  readonly type: string;
}

/** create: create missing target tables; truncate: empty existing ones first; append: add rows. */
export type CopyMode = 'create' | 'truncate' | 'append';

export interface CopyOptions {
  readonly source: CopySide;
  readonly target: CopySide;
  /** Where the ledger lives (default: the target database) and its schema (--schema). */
  readonly ledger?: Database;
  readonly ledgerSchema: string;
  /** Tables to copy; every base table of the source schema when absent. */
  readonly tables?: readonly TableMapping[];
  /** Source rows to copy (trusted: the user's own SQL, applied to the source only). */
  readonly where?: string;
  readonly mode: CopyMode;
  readonly chunkRows: number;
  readonly parallel: number;
  readonly casts?: readonly CastSpec[];
  /** Reprocess only the rows rejected by the latest copy of each table. */
  readonly retryRejects?: boolean;
  /** Run dmr verify on the copied tables afterwards. */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
  readonly user: string;
  readonly host: string;
  readonly onEvent?: (event: CopyEvent) => void;
  /** Every rejected row, as it is rejected (the CLI writes them to --rejects FILE). */
  readonly onReject?: (reject: RejectedRow) => void;
}

/** A row the target refused, in the seed's validation-error shape plus the row's values. */
export interface RejectedRow {
  /** The target table. */
  readonly component: string;
  /** The row's key (JSON of the key values in key order; the row number for keyless tables). */
  readonly referenceId: string;
  /** Column the target named, where it named one. */
  readonly field: string | null;
  readonly message: string;
  readonly columns: readonly string[];
  /** Values in the source's column order, in neutral text form (null for NULL). */
  readonly values: readonly (string | null)[];
}

export type ChunkKind = 'range' | 'keyset' | 'all';

/** One column as it will be copied. */
export interface ColumnPlan {
  readonly name: string;
  readonly sourceDeclared: string;
  readonly targetDeclared: string;
  readonly nullable: boolean;
  /** Came from --cast. */
  readonly cast: boolean;
}

interface TablePlanSummary {
  readonly table: string;
  readonly targetTable: string;
  readonly targetExists: boolean;
  readonly columns: readonly ColumnPlan[];
  readonly key: readonly string[];
  readonly chunkKind: ChunkKind;
  /** Statements --create would run (CREATE TABLE, then the primary key after the load where faster). */
  readonly ddl: readonly string[];
  readonly sourceRows: number;
  readonly chunks: number;
}

export interface CopyPlanResult {
  readonly source: string;
  readonly target: string;
  readonly tables: readonly TablePlanSummary[];
}

export type TableOutcome = 'copied' | 'rejects' | 'counts_differ' | 'failed' | 'stopped';

export interface TableSummary {
  readonly table: string;
  readonly targetTable: string;
  readonly copyId: number;
  readonly outcome: TableOutcome;
  readonly chunkKind: ChunkKind;
  readonly chunks: number;
  /** Chunks already copied by an earlier run (roll forward). */
  readonly chunksSkipped: number;
  /** Unfinished chunks of an earlier run settled by checking the target's rows. */
  readonly chunksSettled: number;
  readonly rowsRead: number;
  readonly rowsCopied: number;
  readonly rowsRejected: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Counts check: source rows (with --where) and the rows this copy put in the target. */
  readonly sourceCount: number | null;
  readonly targetCount: number | null;
  readonly error: string | null;
}

export interface CopyResult {
  readonly source: string;
  readonly target: string;
  readonly status: 'copied' | 'incomplete' | 'stopped';
  readonly signal?: string;
  readonly tables: readonly TableSummary[];
  readonly seconds: number;
  readonly verify?: VerifyResult;
}

export type CopyEvent =
  | {
      readonly type: 'table-start';
      readonly table: string;
      readonly targetTable: string;
      readonly chunks: number;
      readonly skipped: number;
      readonly estimatedRows: number;
      readonly chunkKind: ChunkKind;
    }
  | {
      readonly type: 'chunk-done';
      readonly table: string;
      readonly rows: number;
      readonly bytes: number;
      readonly rejected: number;
    }
  | { readonly type: 'notice'; readonly table: string; readonly message: string }
  | { readonly type: 'table-done'; readonly summary: TableSummary };
