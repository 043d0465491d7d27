import { keyText } from '../../core/verify/verification-document.js';
import type { RowCount, RowKey, TableVerdict, VerifyResult } from '../../core/verify/verify-types.js';
import { plural } from '../../core/plural.js';

const statusText: Readonly<Record<TableVerdict['status'], string>> = {
  equal: 'equal',
  different: 'DIFFERENT',
  only_in_source: 'ONLY IN SOURCE',
  only_in_target: 'ONLY IN TARGET',
  skipped: 'SKIPPED',
};

const legend = '- missing in target, + extra in target, ~ changed, ! repeated key';

/** Longest value shown before it is shortened, in characters of its escaped text. */
const maxValueChars = 40;

/** A number as the canonical text of an integer, decimal or float column has it (floats may carry an exponent). */
const numberPattern = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$|^-?Infinity$|^NaN$/i;

/**
 * A value as the report shows it: numbers (of integer, decimal and float columns) bare, other values quoted with
 * control characters escaped; shortened past 40 characters, `***` with --redact.
 */
function valueText(v: string | null, redact: boolean, numeric = false): string {
  if (redact) return '***';
  if (v === null) return 'NULL';
  const bare = numeric && numberPattern.test(v);
  const escaped = bare ? v : JSON.stringify(v).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  const quote = bare ? '' : "'";
  const chars = [...escaped];
  return chars.length > maxValueChars
    ? `${quote}${chars.slice(0, maxValueChars - 1).join('')}…${quote} (${[...v].length} chars)`
    : `${quote}${escaped}${quote}`;
}

function rowText(row: RowKey, redact: boolean, numeric: ReadonlySet<string>): string {
  return Object.entries(row)
    .map(([k, v]) => `${k}=${valueText(v, redact, numeric.has(k))}`)
    .join(' ');
}

function differenceCell(t: TableVerdict): string {
  if (t.status === 'skipped' || t.status === 'only_in_source' || t.status === 'only_in_target') return '-';
  if (t.comparison === 'multiset') return `${t.differenceCount} row${t.differenceCount === 1 ? '' : 's'} (no key)`;
  return String(t.differenceCount);
}

/** A key that is not unique, whether or not its rows differ: how many values repeat per side, with an example. */
export function repeatedKeysLine(t: TableVerdict): string | null {
  const r = t.repeatedKeys;
  if (!r) return null;
  const example = r.source.examples[0] ?? r.target.examples[0];
  return (
    `${t.table}: key ${t.keyColumns.join(', ')} is not unique: ${r.source.keys} repeated in source, ` +
    `${r.target.keys} in target${example ? ` (e.g. ${keyText(example)})` : ''}`
  );
}

/** The listed differences of one table: the key, then each differing column with both values. */
function details(t: TableVerdict, redact: boolean): string[] {
  if (t.status === 'skipped') return [`${t.table}: not compared: ${t.reason ?? 'unknown reason'}`];
  const repeats = repeatedKeysLine(t);
  if (t.status !== 'different' || t.differenceCount === 0) return repeats ? [repeats] : [];
  const how =
    t.comparison === 'multiset'
      ? 'no unique key: whole rows compared with their counts'
      : `key ${t.keyColumns.join(', ')}`;
  const lines = [`${t.table}: ${t.differenceCount} difference${t.differenceCount === 1 ? '' : 's'} (${how})`];
  if (repeats) lines.push(`  ${repeats}`);
  for (const k of t.missingInTarget) lines.push(`  - ${keyText(k)}`);
  for (const k of t.extraInTarget) lines.push(`  + ${keyText(k)}`);
  const numeric = new Set(t.numericColumns);
  for (const c of t.changed) {
    const columns = Object.entries(c.columns).map(
      ([name, [a, b]]) =>
        `${name}: ${valueText(a, redact, numeric.has(name))} → ${valueText(b, redact, numeric.has(name))}`,
    );
    lines.push(`  ~ ${keyText(c.key)}  ${columns.join('  ')}`);
  }
  for (const k of t.duplicatesInSource) lines.push(`  ! ${keyText(k)}  key repeated in source`);
  for (const k of t.duplicatesInTarget) lines.push(`  ! ${keyText(k)}  key repeated in target`);
  const counted = (sign: string, r: RowCount) => `  ${sign} ${r.count}× ${rowText(r.row, redact, numeric)}`;
  for (const r of t.missingRows) lines.push(counted('-', r));
  for (const r of t.extraRows) lines.push(counted('+', r));
  if (t.truncated) lines.push('  … more not listed (--max-diffs)');
  return lines;
}

/**
 * The text report: one line per table (table, source rows, target rows, status, differences), each listed
 * difference with its values, and a verdict.
 */
export function verifyText(result: VerifyResult, options: { readonly redact?: boolean } = {}): string {
  const redact = options.redact ?? false;
  const headers = ['table', 'source rows', 'target rows', 'status', 'differences'];
  const rows = result.tables.map((t) => [
    t.table === t.targetTable ? t.table : `${t.table} -> ${t.targetTable}`,
    t.sourceRows === null ? '-' : String(t.sourceRows),
    t.targetRows === null ? '-' : String(t.targetRows),
    statusText[t.status],
    differenceCell(t),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const listed = result.tables.flatMap((t) => details(t, redact));
  const differing = result.tables.filter((t) => t.status !== 'equal' && t.status !== 'skipped').length;
  const skipped = result.tables.filter((t) => t.status === 'skipped').length;
  const how = `${result.mode}, ${result.durationMs} ms`;
  const total = result.tables.length;
  const verdict =
    result.status === 'equal'
      ? `${total === 1 ? 'the table is' : `all ${total} tables`} equal (${how})`
      : result.status === 'incomplete'
        ? `no differences found, but ${skipped} of ${plural(total, 'table')} ` +
          `${skipped === 1 ? 'was' : 'were'} not compared: not verified (${how})`
        : `${differing} of ${plural(total, 'table')} ${differing === 1 ? 'differs' : 'differ'}` +
          `${skipped ? `, ${skipped} not compared` : ''} (${how}); ${legend}`;
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(listed.length ? ['', ...listed] : []),
    '',
    verdict,
  ].join('\n');
}
