import { applyFixes } from '../doctor/apply-fixes.js';
import { diagnose } from '../doctor/diagnose.js';
import { describeChange } from '../doctor/fix-plan.js';
import { gatherEvidence } from '../doctor/gather-evidence.js';
import { planFixes } from '../doctor/plan-fixes.js';
import { liveRun } from '../doctor/run-liveness.js';
import { LockHeldError } from '../errors.js';
import { checkJobAction } from '../jobs/job-state.js';
import { requestStop } from '../jobs/request-stop.js';
import { RunStore } from '../status/run-store.js';
import { HttpError } from './http-error.js';
import type { ServeOptions } from './serve-options.js';

/** Who asked and why, as every action records it. */
export interface ActionRequest {
  /** The token's label. */
  readonly label: string;
  readonly reason: string;
}

const via = (label: string) => `${label} via dmr serve`;
const audit = (action: string, a: ActionRequest, what: string) =>
  `dmr serve: ${action} asked by ${a.label} (${what}); reason: ${a.reason}`;

/** Stop: the same request as `dmr stop` (the runner sees it on its next heartbeat); does not wait. */
export async function stopAction(o: ServeOptions, a: ActionRequest): Promise<Record<string, unknown>> {
  const run = await requestStop(o.store, via(a.label), o.probeProcess);
  await o.store.addHistory(null, audit('stop', a, `run ${run.runId}`));
  return {
    action: 'stop',
    runId: run.runId,
    requestedBy: a.label,
    outcome: 'stop requested: the runner stops at its next heartbeat',
  };
}

/** Fix: `dmr doctor --fix --yes` without --force; a live run refuses it (409). */
export async function fixAction(o: ServeOptions, a: ActionRequest): Promise<Record<string, unknown>> {
  const evidence = await gatherEvidence(o.store, { probeProcess: o.probeProcess });
  const now = new Date();
  const live = liveRun(evidence, now);
  if (live) {
    throw new LockHeldError(
      `run ${live.runId} (${live.command} by ${live.userName} on ${live.host}, pid ${live.pid}) ` +
        'is live and holds the run lock: nothing was changed',
      'wait for it, or stop it first',
    );
  }
  const plan = planFixes(diagnose(evidence, now, o.diagnose), evidence, now);
  if (plan.changes.length === 0) {
    // Asked and answered, even with nothing to change: every action is audited.
    await o.store.addHistory(null, audit('fix', a, 'nothing to fix'));
    return {
      action: 'fix',
      applied: [],
      skipped: [],
      notFixed: plan.notFixed,
      requestedBy: a.label,
      outcome: 'nothing to fix',
    };
  }
  const result = await applyFixes(o.store, plan, { who: via(a.label), force: false, probeProcess: o.probeProcess });
  await o.store.addHistory(null, audit('fix', a, `${result.applied.length} change(s) applied`));
  return {
    action: 'fix',
    applied: result.applied.map(describeChange),
    skipped: result.skipped.map((s) => ({ change: describeChange(s.change), why: s.why })),
    notFixed: plan.notFixed,
    requestedBy: a.label,
  };
}

/**
 * Resume or restart: refused as the CLI refuses them (409), else a runner is started as its own
 * process and the answer waits until it has written its run record (or exited, or 15 s passed).
 */
export async function runAction(
  o: ServeOptions,
  kind: 'resume' | 'restart',
  a: ActionRequest,
  waitMs = 15_000,
): Promise<Record<string, unknown>> {
  if (!o.launchRun)
    throw new HttpError(
      501,
      `${kind} is not available from this server`,
      `run \`dmr ${kind}\` where the task files are`,
    );
  await checkJobAction(o.store, kind, o.probeProcess);
  const runs = new RunStore(o.store);
  const before = (await runs.latest())?.runId ?? 0;
  const launched = o.launchRun(kind);
  const ended: { exit: { code: number | null; stderr: string } | null } = { exit: null };
  void launched.exited.then((e) => (ended.exit = e));
  const deadline = Date.now() + waitMs;
  let runId: number | null = null;
  while (Date.now() < deadline && runId === null) {
    const latest = await runs.latest();
    if (latest && latest.runId > before) runId = latest.runId;
    else if (ended.exit) break;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (runId === null && ended.exit) {
    const { code, stderr } = ended.exit;
    const message =
      stderr
        .split('\n')
        .find((l) => l.startsWith('dmr: '))
        ?.slice(5) ?? `dmr ${kind} exited with code ${code}`;
    const hint = stderr
      .split('\n')
      .find((l) => l.startsWith('  '))
      ?.trim();
    throw new HttpError(code === 3 ? 409 : code === 2 ? 409 : 500, message, hint);
  }
  launched.detach();
  await o.store.addHistory(
    null,
    audit(kind, a, runId === null ? `runner pid ${launched.pid ?? '?'} starting` : `run ${runId}`),
  );
  return {
    action: kind,
    runId,
    pid: launched.pid,
    requestedBy: a.label,
    outcome: runId === null ? 'runner starting' : 'runner started',
  };
}
