import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { judgeRun, liveRun } from '../run-liveness.js';
import { runFacts } from './stuck-rule.js';

/**
 * late-heartbeat (warning): the live run's heartbeat is older than two intervals plus a second,
 * while its session holds the run lock and its process is present. The runner is alive (a
 * blocked event loop, a slow or refused heartbeat write); nothing is repaired, and a runner
 * that cannot write its heartbeat for that long stops itself.
 */
export function lateHeartbeatRule(evidence: Evidence, now: Date): Finding[] {
  const live = liveRun(evidence, now);
  if (!live) return [];
  const liveness = judgeRun(live, evidence, now);
  if (!liveness.heartbeatStale) return [];
  const age =
    liveness.heartbeatAgeMs === null ? 'never written' : `${Math.round(liveness.heartbeatAgeMs / 1000)} s old`;
  const process =
    liveness.processAlive === null
      ? `its process (pid ${live.pid} on ${live.host}) cannot be checked from here`
      : `its process ${live.pid} is alive`;
  return [
    {
      id: `late-heartbeat:run-${live.runId}`,
      rule: 'late-heartbeat',
      severity: 'warning',
      stage: live.currentStage,
      message:
        `run ${live.runId}'s heartbeat is late (${age}, expected every ${live.heartbeatIntervalMs / 1000} s), ` +
        `but its session ${live.dbSessionId ?? ''} holds the run lock and ${process}: it is live, not dead`,
      evidence: { run: runFacts(live), liveness },
      action: 'dmr status (`dmr stop` to stop it; repairs need --force while it holds the lock)',
    },
  ];
}
