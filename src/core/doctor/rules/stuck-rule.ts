import type { RunRecord } from '../../status/run-store.js';
import type { StageState } from '../../status/status-store.js';
import type { Evidence } from '../evidence.js';
import type { DiagnoseOptions, Finding } from '../finding.js';
import { judgeRun, liveRun } from '../run-liveness.js';
import { isActive, lastErrorOf, orderedStages, stageName, triggerAgeMs } from '../stage-facts.js';

const fix = 'dmr doctor --fix --yes';

/**
 * stuck: a stage processing or pending with no live runner. With dmr run records, the newest
 * unfinished run is judged (heartbeat, lock session, process). Without one (Generate ran it),
 * the stage is stuck when none of the user's sessions is busy in the database and its
 * LastTriggerDate is older than the grace period.
 */
export function stuckRule(evidence: Evidence, now: Date, options: DiagnoseOptions): Finding[] {
  const live = liveRun(evidence, now);
  const covered = new Set(live ? live.stages.split(',') : []);
  const dead = evidence.unfinishedRuns.find((run) => run !== live) ?? null;
  const findings: Finding[] = [];
  for (const stage of orderedStages(evidence).filter(isActive)) {
    const name = stageName(stage);
    if (covered.has(name)) continue;
    const base = {
      status: stage.status,
      statusId: stage.statusId,
      lastTriggerDate: stage.lastTriggerDate?.toISOString() ?? null,
      triggerAgeSeconds: secondsOrNull(triggerAgeMs(stage, now)),
      lastError: lastErrorOf(evidence, stage),
    };
    if (dead) {
      const liveness = judgeRun(dead, evidence, now);
      const message =
        `${name} is ${stage.status} but run ${dead.runId} (${dead.command} by ${dead.userName} on ` +
        `${dead.host}, pid ${dead.pid}) is dead: ${liveness.deadBecause.join('; ')}`;
      findings.push(stuck(stage, message, { ...base, run: runFacts(dead), liveness }));
    } else if (!live) {
      const generate = generateVerdict(evidence, stage, now, options);
      if (generate)
        findings.push(
          stuck(
            stage,
            `${name} is ${stage.status}${generate}, with no dmr run and no busy session of the user in the database`,
            {
              ...base,
              run: null,
              sessions: evidence.activeSessions,
              generateGraceSeconds: options.generateGraceMs / 1000,
            },
          ),
        );
    } else {
      findings.push(
        stuck(
          stage,
          `${name} is ${stage.status} but the live run ${live.runId} does not cover it (stages ${live.stages})`,
          { ...base, run: runFacts(live) },
        ),
      );
    }
  }
  for (const run of evidence.unfinishedRuns.filter((r) => r !== live)) {
    if (findings.length > 0 && run === dead) continue;
    const liveness = judgeRun(run, evidence, now);
    findings.push({
      id: `stuck:run-${run.runId}`,
      rule: 'stuck',
      severity: 'warning',
      stage: null,
      message: `run ${run.runId} never recorded its end and its runner is dead: ${liveness.deadBecause.join('; ')}`,
      evidence: { run: runFacts(run), liveness },
      action: fix,
    });
  }
  return findings;
}

function generateVerdict(evidence: Evidence, stage: StageState, now: Date, options: DiagnoseOptions): string | null {
  if (evidence.activeSessions.length > 0) return null;
  const age = triggerAgeMs(stage, now);
  if (age !== null && age < options.generateGraceMs) return null;
  return age === null
    ? ' (never triggered)'
    : ` since ${stage.lastTriggerDate?.toISOString()} (${Math.round(age / 1000)} s ago)`;
}

function stuck(stage: StageState, message: string, evidence: Record<string, unknown>): Finding {
  return {
    id: `stuck:${stageName(stage)}`,
    rule: 'stuck',
    severity: 'problem',
    stage: stageName(stage),
    message,
    evidence,
    action: fix,
  };
}

export function runFacts(run: RunRecord): Record<string, unknown> {
  return {
    runId: run.runId,
    command: run.command,
    jobStatus: run.jobStatus,
    host: run.host,
    pid: run.pid,
    user: run.userName,
    dbSessionId: run.dbSessionId,
    currentStage: run.currentStage,
    currentTask: run.currentTask,
    startedAt: run.startedAt.toISOString(),
  };
}

function secondsOrNull(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 1000);
}
