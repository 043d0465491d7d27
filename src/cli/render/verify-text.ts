import { keyText } from '../../core/verify/verification-document.js';
import type { TableVerdict, VerifyResult } from '../../core/verify/verify-types.js';

const statusText: Readonly<Record<TableVerdict['status'], string>> = {
  equal: 'equal',
  different: 'DIFFERENT',
  only_in_source: 'ONLY IN SOURCE',
  only_in_target: 'ONLY IN TARGET',
};

function firstKeys(t: TableVerdict, limit = 3): string {
  const keys = [
    ...t.missingInTarget.map((k) => `-${keyText(k)}`),
    ...t.extraInTarget.map((k) => `+${keyText(k)}`),
    ...t.changed.map((c) => `~${keyText(c.key)}`),
    ...t.duplicatesInSource.map((k) => `2x source ${keyText(k)}`),
    ...t.duplicatesInTarget.map((k) => `2x target ${keyText(k)}`),
  ];
  const more = t.differenceCount - Math.min(limit, keys.length);
  return keys.slice(0, limit).join(' ') + (more > 0 ? ` (+${more} more)` : '');
}

/** The text report: one line per table (table, source rows, target rows, status, first differing keys) and a verdict. */
export function verifyText(result: VerifyResult): string {
  const headers = ['table', 'source rows', 'target rows', 'status', 'first differing keys'];
  const rows = result.tables.map((t) => [
    t.table === t.targetTable ? t.table : `${t.table} -> ${t.targetTable}`,
    t.sourceRows === null ? '-' : String(t.sourceRows),
    t.targetRows === null ? '-' : String(t.targetRows),
    statusText[t.status],
    firstKeys(t),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const differing = result.tables.filter((t) => t.status !== 'equal').length;
  const verdict =
    result.status === 'equal'
      ? `all ${result.tables.length} tables equal (${result.mode}, ${result.durationMs} ms)`
      : `${differing} of ${result.tables.length} tables differ (${result.mode}, ${result.durationMs} ms); -missing in target, +extra in target, ~changed`;
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', verdict].join('\n');
}
