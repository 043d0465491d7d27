import { keyText } from '../../core/verify/verification-document.js';
import type { RowCount, TableVerdict, VerifyResult } from '../../core/verify/verify-types.js';
import { repeatedKeysLine } from './verify-text.js';

const xml = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c)
    // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids (tab, LF, CR allowed)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function failureBody(t: TableVerdict, redact: boolean): string {
  const lines = [
    `source rows: ${t.sourceRows ?? '-'}, target rows: ${t.targetRows ?? '-'}, differences: ` +
      `${t.differenceCount}${t.truncated ? ' (list truncated)' : ''}`,
  ];
  for (const k of t.missingInTarget) lines.push(`missing in target: ${keyText(k)}`);
  for (const k of t.extraInTarget) lines.push(`extra in target: ${keyText(k)}`);
  for (const c of t.changed) {
    const cols = Object.entries(c.columns).map(([n, [a, b]]) =>
      redact ? n : `${n}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`,
    );
    lines.push(`changed: ${keyText(c.key)} (${cols.join('; ')})`);
  }
  const repeats = repeatedKeysLine(t);
  if (repeats) lines.push(repeats);
  for (const k of t.duplicatesInSource) lines.push(`duplicate key in source: ${keyText(k)}`);
  for (const k of t.duplicatesInTarget) lines.push(`duplicate key in target: ${keyText(k)}`);
  const row = (r: RowCount) =>
    Object.entries(r.row)
      .map(([k, v]) => `${k}=${redact ? '***' : JSON.stringify(v)}`)
      .join(', ');
  for (const r of t.missingRows) lines.push(`missing in target: ${r.count}x (${row(r)})`);
  for (const r of t.extraRows) lines.push(`extra in target: ${r.count}x (${row(r)})`);
  return lines.join('\n');
}

const suite = (attributes: string, cases: readonly string[]) =>
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="dmr verify" ${attributes}>`,
    ...cases,
    '</testsuite>',
    '',
  ].join('\n');

/**
 * JUnit XML when verify could not run to a verdict (a usage or connection error): one errored
 * testcase, so CI never reads a missing or stale report as green.
 */
export function verifyJunitError(message: string, exitCode: number, at: Date): string {
  const error = `<error message="${xml(message)}" type="exit ${exitCode}">${xml(message)}</error>`;
  const testcase = `  <testcase classname="dmr.verify" name="dmr verify" time="0.000">\n    ${error}\n  </testcase>`;
  return suite(`tests="1" failures="0" errors="1" time="0.000" timestamp="${at.toISOString()}"`, [testcase]);
}

/**
 * JUnit XML: one testsuite, one testcase per table, a failure per differing table listing its
 * keys, an error per table that could not be compared (skipped: never green).
 */
export function verifyJunit(result: VerifyResult, redact: boolean): string {
  const failures = result.tables.filter((t) => t.status !== 'equal' && t.status !== 'skipped').length;
  const errors = result.tables.filter((t) => t.status === 'skipped').length;
  const cases = result.tables.map((t) => {
    const open =
      `  <testcase classname="dmr.verify" name="` +
      `${xml(t.table === t.targetTable ? t.table : `${t.table} -> ${t.targetTable}`)}" time="` +
      `${(t.durationMs / 1000).toFixed(3)}"`;
    const repeats = repeatedKeysLine(t);
    if (t.status === 'equal' && repeats) return `${open}>\n    <system-out>${xml(repeats)}</system-out>\n  </testcase>`;
    if (t.status === 'equal') return `${open}/>`;
    if (t.status === 'skipped') {
      const reason = `not compared: ${t.reason ?? 'unknown reason'}`;
      return `${open}>\n    <error message="${xml(reason)}" type="skipped">${xml(reason)}</error>\n  </testcase>`;
    }
    const message =
      t.status === 'different'
        ? `${t.differenceCount} differing rows (source ${t.sourceRows}, target ${t.targetRows})`
        : t.status.replace(/_/g, ' ');
    return (
      `${open}>\n    <failure message="${xml(message)}" type="${t.status}">` +
      `${xml(failureBody(t, redact))}</failure>\n  </testcase>`
    );
  });
  const time = `time="${(result.durationMs / 1000).toFixed(3)}" timestamp="${result.startedAt.toISOString()}"`;
  return suite(`tests="${result.tables.length}" failures="${failures}" errors="${errors}" ${time}`, cases);
}
