import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { judgeRun } from '../run-liveness.js';
import { runFacts } from './stuck-rule.js';

/**
 * orphaned-lock: the run lock is held by a session whose run is dead (finished, stale, process
 * gone) or that no unfinished run names: a connection pooler or a stray client keeps it, and
 * every runner gets exit 3 until the session ends.
 */
export function orphanedLockRule(evidence: Evidence, now: Date): Finding[] {
  const holder = evidence.lockHolder;
  if (!holder) return [];
  const owner = evidence.unfinishedRuns.find((run) => run.dbSessionId === holder.id) ?? null;
  const liveness = owner ? judgeRun(owner, evidence, now) : null;
  if (liveness?.live) return [];
  const whose = owner
    ? `run ${owner.runId}, whose runner is dead (${liveness?.deadBecause.join('; ')})`
    : 'no unfinished run';
  return [
    {
      id: 'orphaned-lock',
      rule: 'orphaned-lock',
      severity: 'problem',
      stage: null,
      message:
        `the run lock is held by server session ${holder.id}` +
        `${holder.program ? ` (${holder.program})` : ''}` +
        `${holder.clientHost ? ` from ${holder.clientHost}` : ''}, which belongs to ${whose}`,
      evidence: { session: holder, run: owner ? runFacts(owner) : null, liveness },
      action: 'dmr doctor --fix --yes --force',
    },
  ];
}
