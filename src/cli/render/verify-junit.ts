import { keyText } from '../../core/verify/verification-document.js';
import type { TableVerdict, VerifyResult } from '../../core/verify/verify-types.js';

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function failureBody(t: TableVerdict, redact: boolean): string {
  const lines = [`source rows: ${t.sourceRows ?? '-'}, target rows: ${t.targetRows ?? '-'}, differences: ${t.differenceCount}${t.truncated ? ' (list truncated)' : ''}`];
  for (const k of t.missingInTarget) lines.push(`missing in target: ${keyText(k)}`);
  for (const k of t.extraInTarget) lines.push(`extra in target: ${keyText(k)}`);
  for (const c of t.changed) {
    const cols = Object.entries(c.columns).map(([n, [a, b]]) => (redact ? n : `${n}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`));
    lines.push(`changed: ${keyText(c.key)} (${cols.join('; ')})`);
  }
  for (const k of t.duplicatesInSource) lines.push(`duplicate key in source: ${keyText(k)}`);
  for (const k of t.duplicatesInTarget) lines.push(`duplicate key in target: ${keyText(k)}`);
  return lines.join('\n');
}

/** JUnit XML: one testsuite, one testcase per table, a failure per differing table listing its keys. */
export function verifyJunit(result: VerifyResult, redact: boolean): string {
  const failures = result.tables.filter((t) => t.status !== 'equal').length;
  const cases = result.tables.map((t) => {
    const open = `  <testcase classname="dmr.verify" name="${xml(t.table === t.targetTable ? t.table : `${t.table} -> ${t.targetTable}`)}" time="${(t.durationMs / 1000).toFixed(3)}"`;
    if (t.status === 'equal') return `${open}/>`;
    const message = t.status === 'different' ? `${t.differenceCount} differing rows (source ${t.sourceRows}, target ${t.targetRows})` : t.status.replace(/_/g, ' ');
    return `${open}>\n    <failure message="${xml(message)}" type="${t.status}">${xml(failureBody(t, redact))}</failure>\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuite name="dmr verify" tests="${result.tables.length}" failures="${failures}" errors="0" time="${(result.durationMs / 1000).toFixed(3)}" timestamp="${result.startedAt.toISOString()}">`,
    ...cases,
    '</testsuite>',
    '',
  ].join('\n');
}
