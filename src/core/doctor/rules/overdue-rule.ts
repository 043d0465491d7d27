import type { Evidence } from '../evidence.js';
import type { DiagnoseOptions, Finding } from '../finding.js';
import { liveRun } from '../run-liveness.js';
import { orderedStages, stageName, triggerAgeMs, usualDurationSeconds } from '../stage-facts.js';

/**
 * overdue (warning): a stage processing with a live runner (a dmr run, or Generate's busy
 * session) for longer than `overdueFactor` times its usual duration.
 */
export function overdueRule(evidence: Evidence, now: Date, options: DiagnoseOptions): Finding[] {
  const live = liveRun(evidence, now);
  const findings: Finding[] = [];
  for (const stage of orderedStages(evidence).filter((s) => s.status === 'processing')) {
    const name = stageName(stage);
    const runnerAlive = live
      ? live.stages.split(',').includes(name)
      : evidence.unfinishedRuns.length === 0 && evidence.activeSessions.length > 0;
    const usual = usualDurationSeconds(evidence, stage);
    const age = triggerAgeMs(stage, now);
    if (!runnerAlive || usual === null || age === null) continue;
    const limit = usual * options.overdueFactor;
    if (age / 1000 <= limit) continue;
    findings.push({
      id: `overdue:${name}`,
      rule: 'overdue',
      severity: 'warning',
      stage: name,
      message:
        `${name} has been processing for ${Math.round(age / 1000)} s, more than ` +
        `${options.overdueFactor}x its usual ${usual} s` +
        `${live?.currentTask ? ` (at task ${live.currentTask})` : ''}`,
      evidence: {
        status: stage.status,
        lastTriggerDate: stage.lastTriggerDate?.toISOString() ?? null,
        elapsedSeconds: Math.round(age / 1000),
        usualSeconds: usual,
        factor: options.overdueFactor,
        runId: live?.runId ?? null,
        currentTask: live?.currentTask ?? null,
        sessions: live ? undefined : evidence.activeSessions,
      },
      action: live ? 'dmr status (or `dmr stop` to stop it)' : 'dmr status',
    });
  }
  return findings;
}
