import type { DoctorReport } from '../doctor/finding.js';
import { selectStages } from '../runner/select-stages.js';
import type { StatusStore } from '../status/status-store.js';
import { findResumeDrift } from '../tasks/task-drift.js';

/**
 * `dmr resume` refuses when tasks of the stages it would skip changed since they ran. Where a
 * finding suggests resume and the task folder shows such drift, the suggestion becomes
 * `dmr restart` (every stage again, with the files as they are now).
 */
export async function driftAwareActions(
  report: DoctorReport,
  store: StatusStore,
  sqlDir: string,
): Promise<DoctorReport> {
  if (!report.findings.some((f) => /\bdmr resume\b/.test(f.action))) return report;
  let drifted: boolean;
  try {
    const order = (await store.stageTypes()).map((t) => t.code);
    const stages = selectStages({ kind: 'resume' }, order, await store.stages());
    drifted = (await findResumeDrift(store, sqlDir, store.database.dialect, order, stages)).length > 0;
  } catch {
    return report;
  }
  if (!drifted) return report;
  const findings = report.findings.map((f) => ({
    ...f,
    action: f.action.replace(/\bdmr resume\b/g, 'dmr restart'),
  }));
  return { ...report, findings };
}
