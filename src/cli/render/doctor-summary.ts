import { diagnose } from '../../core/doctor/diagnose.js';
import type { Evidence } from '../../core/doctor/evidence.js';
import { doctorVerdict } from './doctor-text.js';

/** doctor's verdict for `dmr status` (from the same evidence as the rest of status): counts, ids, the job, one line. */
export function doctorSummary(evidence: Evidence): Record<string, unknown> {
  const report = diagnose(evidence, new Date());
  return {
    healthy: report.healthy,
    problems: report.problems,
    warnings: report.warnings,
    findings: report.findings.map((f) => f.id),
    job: report.job,
    verdict: doctorVerdict(report, ': run `dmr doctor`'),
  };
}
