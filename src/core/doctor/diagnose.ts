import { allowedActions } from '../jobs/job-actions.js';
import type { Evidence } from './evidence.js';
import { defaultDiagnoseOptions, type DiagnoseOptions, type DoctorReport, type Finding, type JobView } from './finding.js';
import { copyLedgerRule } from './rules/copy-ledger-rule.js';
import { failedRule } from './rules/failed-rule.js';
import { orderRule } from './rules/order-rule.js';
import { orphanedLockRule } from './rules/orphaned-lock-rule.js';
import { overdueRule } from './rules/overdue-rule.js';
import { schemaRule } from './rules/schema-rule.js';
import { serverWideAppRule } from './rules/server-wide-app-rule.js';
import { stuckRule } from './rules/stuck-rule.js';
import { liveRun } from './run-liveness.js';
import { runnableActions } from './runnable-actions.js';

/** Runs every rule on one snapshot; pure, so the same evidence always gives the same report. */
export function diagnose(evidence: Evidence, now: Date, options: Partial<DiagnoseOptions> = {}): DoctorReport {
  const o = { ...defaultDiagnoseOptions, ...options };
  const findings: Finding[] = [
    ...schemaRule(evidence),
    ...serverWideAppRule(evidence),
    ...stuckRule(evidence, now, o),
    ...orphanedLockRule(evidence, now),
    ...failedRule(evidence),
    ...orderRule(evidence, now),
    ...overdueRule(evidence, now, o),
    ...copyLedgerRule(evidence, now),
  ];
  const problems = findings.filter((f) => f.severity === 'problem').length;
  const job = jobView(evidence, now);
  const runnable = runnableActions(findings, evidence, job);
  return { healthy: problems === 0, problems, warnings: findings.length - problems, findings: runnable, job, checkedAt: now.toISOString() };
}

/** The latest run's job status (NotStarted without one) and the actions it allows. */
export function jobView(evidence: Evidence, now: Date): JobView {
  const run = evidence.latestRun;
  const status = run?.jobStatus ?? 'NotStarted';
  return { runId: run?.runId ?? null, status, live: liveRun(evidence, now) !== null, allowedActions: allowedActions(status) };
}
