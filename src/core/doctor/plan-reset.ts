import { UsageError } from '../errors.js';
import { StatusId, type StatusCode } from '../status/status-codes.js';
import type { Evidence } from './evidence.js';
import type { FixChange, FixPlan } from './fix-plan.js';
import { judgeRun, liveRun } from './run-liveness.js';
import { orderedStages, stageName } from './stage-facts.js';

/** Statuses `dmr reset --to` accepts (processing is only ever set by a runner). */
export const resetTargets: readonly StatusCode[] = ['initial', 'pending', 'error', 'success'];

export interface ResetRequest {
  /** Stage codes, or 'all'. */
  readonly stages: readonly string[] | 'all';
  readonly to: StatusCode;
  readonly reason?: string;
}

/**
 * Generate's manual reset made explicit: the chosen stages set to one status, each change
 * with its reason; unfinished runs whose runner is dead are recorded Failed at the same time.
 */
export function planReset(evidence: Evidence, request: ResetRequest, now: Date): FixPlan {
  if (!resetTargets.includes(request.to))
    throw new UsageError(`--to ${request.to} is not allowed`, `use one of: ${resetTargets.join(', ')}`);
  const stages = orderedStages(evidence);
  const known = stages.map(stageName);
  const wanted = request.stages === 'all' ? known : request.stages;
  for (const name of wanted)
    if (!known.includes(name))
      throw new UsageError(`unknown stage ${JSON.stringify(name)}`, `stages are: ${known.join(', ')}`);
  const reason = request.reason?.trim() || 'manual reset (no reason given)';
  const changes: FixChange[] = stages
    .filter((s) => wanted.includes(stageName(s)) && s.statusId !== StatusId[request.to])
    .map((s) => ({
      kind: 'stage-status',
      stage: stageName(s),
      typeId: s.typeId,
      fromId: s.statusId,
      from: s.status ?? String(s.statusId),
      toId: StatusId[request.to],
      to: request.to,
      reason,
    }));
  const live = liveRun(evidence, now);
  for (const run of evidence.unfinishedRuns.filter((r) => r !== live)) {
    changes.push({
      kind: 'finish-run',
      runId: run.runId,
      from: run.jobStatus,
      to: 'Failed',
      reason:
        `runner died: heartbeat stale since ${run.heartbeatAt?.toISOString() ?? '(never)'} (` +
        `${judgeRun(run, evidence, now).deadBecause.join('; ')})`,
    });
  }
  const warnings: string[] = [];
  if (request.to === 'success')
    warnings.push(
      '--to success marks stages done without running them: their data may be incomplete; check it with ' +
        '`dmr verify --source <source-url> --target <target-url>`',
    );
  if (live) warnings.push(`run ${live.runId} is live: reset is refused (exit 3) unless --force`);
  return { source: 'reset', changes, notFixed: [], warnings };
}
