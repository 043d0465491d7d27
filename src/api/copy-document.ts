import type { CopyResult, TableOutcome } from '../core/copy/copy-types.js';
import type { VerifyStatus } from '../core/verify/verify-types.js';

/** One table of a copy (snake_case, stable; see docs/copy.md). */
export interface CopyTableDocument {
  readonly table: string;
  readonly target_table: string;
  readonly copy_id: number;
  readonly outcome: TableOutcome;
  readonly chunk_kind: string;
  readonly chunks: number;
  readonly chunks_skipped: number;
  readonly chunks_settled: number;
  readonly rows_read: number;
  readonly rows_copied: number;
  readonly rows_rejected: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly source_count: number | null;
  readonly target_count: number | null;
  readonly error: string | null;
}

/** `dmr copy --json`: the same figures as the summary table. */
export interface CopyDocument {
  readonly source: string;
  readonly target: string;
  readonly status: CopyResult['status'];
  readonly signal: string | null;
  readonly seconds: number;
  readonly tables: readonly CopyTableDocument[];
  /** With verify: the verdict per table. */
  readonly verify: {
    readonly status: VerifyStatus;
    readonly tables: readonly {
      readonly table: string;
      readonly status: string;
      readonly source_rows: number | null;
      readonly target_rows: number | null;
      readonly difference_count: number;
    }[];
  } | null;
}

/** A CopyResult as its JSON document. */
export function copyDocument(result: CopyResult): CopyDocument {
  return {
    source: result.source,
    target: result.target,
    status: result.status,
    signal: result.signal ?? null,
    seconds: Number(result.seconds.toFixed(3)),
    tables: result.tables.map((t) => ({
      table: t.table,
      target_table: t.targetTable,
      copy_id: t.copyId,
      outcome: t.outcome,
      chunk_kind: t.chunkKind,
      chunks: t.chunks,
      chunks_skipped: t.chunksSkipped,
      chunks_settled: t.chunksSettled,
      rows_read: t.rowsRead,
      rows_copied: t.rowsCopied,
      rows_rejected: t.rowsRejected,
      bytes: t.bytes,
      seconds: Number(t.seconds.toFixed(3)),
      source_count: t.sourceCount,
      target_count: t.targetCount,
      error: t.error,
    })),
    verify: result.verify
      ? {
          status: result.verify.status,
          tables: result.verify.tables.map((v) => ({
            table: v.table,
            status: v.status,
            source_rows: v.sourceRows,
            target_rows: v.targetRows,
            difference_count: v.differenceCount,
          })),
        }
      : null,
  };
}
