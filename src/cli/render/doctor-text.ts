import type { DoctorDocument, FindingDocument } from '../../api/doctor.js';
import { doctorVerdict } from '../../api/status.js';
import { out } from '../output.js';

/** The findings as text: one block per finding with its evidence and the command to run. */
export function renderDoctorText(report: DoctorDocument): void {
  out.line(`dmr doctor: ${report.database} (schema ${report.schema})`);
  const job = report.job;
  const recorded = job.status !== job.recordedStatus ? ` (recorded ${job.recordedStatus})` : '';
  const live = job.live ? ' (live)' : '';
  const run = job.runId === null ? 'no dmr run recorded' : `run ${job.runId} ${job.status}${recorded}${live}`;
  out.line(`job: ${run}; allowed: ${job.allowedActions.join(', ') || 'none (wait)'}`);
  out.line();
  for (const f of report.findings) renderFinding(f);
  out.line(doctorVerdict(report));
}

function renderFinding(f: FindingDocument): void {
  out.line(`${f.severity === 'problem' ? 'PROBLEM' : 'warning'} ${f.id}: ${f.message}`);
  const facts = flatten(f.evidence).slice(0, 14);
  if (facts.length) out.line(`  evidence: ${facts.join(', ')}`);
  out.line(`  run: ${f.command}`);
  out.line();
}

function flatten(value: unknown, prefix = ''): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value))
    return value.length
      ? [`${prefix}=[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('; ')}]`]
      : [`${prefix}=[]`];
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      k === 'deadBecause' ? [] : flatten(v, prefix ? `${prefix}.${k}` : k),
    );
  return [`${prefix}=${String(value)}`];
}
