import type { CopyResult, TableSummary } from '../../core/copy/copy-types.js';
import { out } from '../output.js';
import { renderTable } from './table.js';
import { plural } from '../../core/plural.js';

/** The --json document of a copy: the same figures as the summary table. */
export function copyDocument(result: CopyResult): Record<string, unknown> {
  return {
    source: result.source,
    target: result.target,
    status: result.status,
    signal: result.signal ?? null,
    seconds: Number(result.seconds.toFixed(3)),
    tables: result.tables.map((t: TableSummary) => ({
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
    verify: result.verify ? { status: result.verify.status, tables: result.verify.tables.map((v) => ({ table: v.table, status: v.status, source_rows: v.sourceRows, target_rows: v.targetRows, difference_count: v.differenceCount })) } : null,
  };
}

/** The summary table (like pgloader's): table, rows read, copied, rejected, bytes, seconds. */
export function copySummaryText(result: CopyResult): void {
  const mb = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`);
  renderTable(
    ['table', 'rows read', 'copied', 'rejected', 'bytes', 'seconds', 'outcome'],
    result.tables.map((t) => [t.targetTable === t.table ? t.table : `${t.table} -> ${t.targetTable}`, String(t.rowsRead), String(t.rowsCopied), String(t.rowsRejected), mb(t.bytes), t.seconds.toFixed(2), t.outcome]),
  );
  const skipped = result.tables.reduce((n, t) => n + t.chunksSkipped, 0);
  if (skipped) out.line(`${plural(skipped, 'chunk was', 'chunks were')} already copied by an earlier run and skipped`);
  if (result.verify) out.line(`verify: ${result.verify.status}`);
  out.line(`${result.status} in ${result.seconds.toFixed(2)}s`);
}
