import type { CopyResult } from '../../core/copy/copy-types.js';
import { out } from '../output.js';
import { renderTable } from './table.js';
import { plural } from '../../core/plural.js';

export { copyDocument } from '../../api/copy-document.js';

/** The summary table (like pgloader's): table, rows read, copied, rejected, bytes, seconds. */
export function copySummaryText(result: CopyResult): void {
  const mb = (bytes: number) =>
    bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
  renderTable(
    ['table', 'rows read', 'copied', 'rejected', 'bytes', 'seconds', 'outcome'],
    result.tables.map((t) => [
      t.targetTable === t.table ? t.table : `${t.table} -> ${t.targetTable}`,
      String(t.rowsRead),
      String(t.rowsCopied),
      String(t.rowsRejected),
      mb(t.bytes),
      t.seconds.toFixed(2),
      t.outcome,
    ]),
  );
  const skipped = result.tables.reduce((n, t) => n + t.chunksSkipped, 0);
  if (skipped) out.line(`${plural(skipped, 'chunk was', 'chunks were')} already copied by an earlier run and skipped`);
  if (result.verify) out.line(`verify: ${result.verify.status}`);
  out.line(`${result.status} in ${result.seconds.toFixed(2)}s`);
}
