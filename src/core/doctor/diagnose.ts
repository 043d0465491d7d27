import { allowedActions } from '../jobs/job-actions.js';
import type { Evidence } from './evidence.js';
import {
  defaultDiagnoseOptions,
  type DiagnoseOptions,
  type DoctorReport,
  type Finding,
  type JobView,
} from './finding.js';
import { copyLedgerRule } from './rules/copy-ledger-rule.js';
import { failedRule } from './rules/failed-rule.js';
import { lateHeartbeatRule } from './rules/late-heartbeat-rule.js';
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
    ...lateHeartbeatRule(evidence, now),
    ...copyLedgerRule(evidence, now),
  ];
  const problems = findings.filter((f) => f.severity === 'problem').length;
  const job = jobView(evidence, now);
  const runnable = runnableActions(findings, evidence, job);
  return {
    healthy: problems === 0,
    problems,
    warnings: findings.length - problems,
    findings: runnable,
    job,
    checkedAt: now.toISOString(),
  };
}

/**
 * The latest run's job status and the actions it allows, from the same liveness evidence as the
 * findings: NotStarted without a run; Died for an unfinished run whose runner is dead (whatever
 * its record says); else the recorded status.
 */
export function jobView(evidence: Evidence, now: Date): JobView {
  const run = evidence.latestRun;
  const live = liveRun(evidence, now);
  const recorded = run?.jobStatus ?? 'NotStarted';
  const status = run && !run.finishedAt && live?.runId !== run.runId ? 'Died' : recorded;
  const allowed = allowedActions(status);
  return { runId: run?.runId ?? null, status, recordedStatus: recorded, live: live !== null, allowedActions: allowed };
}
