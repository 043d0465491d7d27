import { StatusId, statusCodeOf, type StatusCode } from '../status/status-codes.js';
import type { Evidence } from './evidence.js';
import type { DoctorReport } from './finding.js';
import type { FixChange, FixPlan } from './fix-plan.js';
import { copyLedgerFixes } from './rules/copy-ledger-rule.js';
import { judgeRun, liveRun } from './run-liveness.js';
import { isActive, orderedStages, stageName } from './stage-facts.js';

/**
 * The safe fixes for a report: stuck stages become error (the first one, where the run died)
 * or go back to their status before the run (later ones it never reached); dead runs become
 * Failed; an orphaned lock's session is terminated (applied only with --force). Everything
 * else is listed with the command that addresses it.
 */
export function planFixes(report: DoctorReport, evidence: Evidence, now: Date): FixPlan {
  const changes: FixChange[] = [];
  const live = liveRun(evidence, now);
  const dead = evidence.unfinishedRuns.filter((run) => run !== live);
  const why = (runId?: number) => {
    const run = dead.find((r) => r.runId === runId) ?? dead[0];
    if (!run) return 'runner died: no busy session of the user in the database';
    const liveness = judgeRun(run, evidence, now);
    return (
      `runner died: heartbeat stale since ` +
      `${run.heartbeatAt?.toISOString() ?? run.startedAt.toISOString()} (run ${run.runId}, pid ` +
      `${run.pid} on ${run.host}; ` +
      `${liveness.deadBecause.filter((d) => !d.startsWith('heartbeat')).join('; ') || 'no other sign'})`
    );
  };
  const stuckIds = new Set(report.findings.filter((f) => f.rule === 'stuck' && f.stage).map((f) => f.stage));
  const ordered = orderedStages(evidence);
  const first = ordered.findIndex((s) => stuckIds.has(stageName(s)));
  const stuck = ordered.filter((s, i) => stuckIds.has(stageName(s)) || (first >= 0 && i > first && isActive(s)));
  stuck.forEach((stage, index) => {
    const prior = dead[0]?.priorStatuses[stageName(stage)];
    const priorCode = prior === undefined ? undefined : statusCodeOf(prior);
    const to: StatusCode =
      index === 0
        ? 'error'
        : priorCode && priorCode !== 'pending' && priorCode !== 'processing'
          ? priorCode
          : 'initial';
    const reason = index === 0 ? why() : `never reached by the dead run (${why()})`;
    changes.push({
      kind: 'stage-status',
      stage: stageName(stage),
      typeId: stage.typeId,
      fromId: stage.statusId,
      from: stage.status ?? String(stage.statusId),
      toId: StatusId[to],
      to,
      reason,
    });
  });
  for (const run of dead)
    changes.push({ kind: 'finish-run', runId: run.runId, from: run.jobStatus, to: 'Failed', reason: why(run.runId) });
  const orphan = report.findings.find((f) => f.rule === 'orphaned-lock');
  if (orphan && evidence.lockHolder)
    changes.push({ kind: 'terminate-session', sessionId: evidence.lockHolder.id, reason: orphan.message });
  changes.push(...copyLedgerFixes(report, evidence));
  const fixedRules = new Set(['stuck', 'orphaned-lock', 'copy-ledger']);
  const notFixed = report.findings.filter((f) => !fixedRules.has(f.rule)).map((f) => ({ id: f.id, action: f.action }));
  const warnings = live ? [`run ${live.runId} is live: fixes are refused (exit 3) unless --force`] : [];
  return { source: 'doctor --fix', changes, notFixed, warnings };
}
