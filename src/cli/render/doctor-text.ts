import type { DoctorReport, Finding } from '../../core/doctor/finding.js';
import { hint } from '../hints.js';
import { out } from '../output.js';

/** The findings as text: one block per finding with its evidence and the command to run. */
export function renderDoctorText(report: DoctorReport, where: string): void {
  out.line(`dmr doctor: ${where}`);
  const job = report.job;
  out.line(`job: ${job.runId === null ? 'no dmr run recorded' : `run ${job.runId} ${job.status}${job.live ? ' (live)' : ''}`}; allowed: ${job.allowedActions.join(', ') || 'none (wait)'}`);
  out.line();
  for (const f of report.findings) renderFinding(f);
  out.line(doctorVerdict(report));
}

function renderFinding(f: Finding): void {
  out.line(`${f.severity === 'problem' ? 'PROBLEM' : 'warning'} ${f.id}: ${f.message}`);
  const facts = flatten(f.evidence).slice(0, 14);
  if (facts.length) out.line(`  evidence: ${facts.join(', ')}`);
  out.line(`  run: ${hint(f.action)}`);
  out.line();
}

/** One line: healthy, or N problems: run `dmr doctor`. */
export function doctorVerdict(report: Pick<DoctorReport, 'healthy' | 'problems' | 'warnings'>, suggest = ''): string {
  const warnings = report.warnings ? `${report.warnings} warning${report.warnings === 1 ? '' : 's'}` : '';
  if (report.healthy) return `healthy${warnings ? ` (${warnings})` : ''}`;
  return `${report.problems} problem${report.problems === 1 ? '' : 's'}${warnings ? `, ${warnings}` : ''}${suggest}`;
}

function flatten(value: unknown, prefix = ''): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.length ? [`${prefix}=[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ')}]`] : [`${prefix}=[]`];
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k === 'deadBecause' ? [] : flatten(v, prefix ? `${prefix}.${k}` : k)));
  return [`${prefix}=${String(value)}`];
}
