import { diagnose } from '../../core/doctor/diagnose.js';
import type { ProcessProbe } from '../../core/doctor/evidence.js';
import { gatherEvidence } from '../../core/doctor/gather-evidence.js';
import type { StatusStore } from '../../core/status/status-store.js';
import { hint } from '../hints.js';
import { doctorVerdict } from './doctor-text.js';

/** doctor's verdict for `dmr status`: counts, finding ids, the job and a one-line verdict. */
export async function doctorSummary(store: StatusStore, probeProcess: ProcessProbe): Promise<Record<string, unknown>> {
  const report = diagnose(await gatherEvidence(store, { probeProcess }), new Date());
  return {
    healthy: report.healthy,
    problems: report.problems,
    warnings: report.warnings,
    findings: report.findings.map((f) => f.id),
    job: report.job,
    verdict: doctorVerdict(report, hint(': run `dmr doctor`')),
  };
}
