import { UsageError } from '../errors.js';
import type { ProcessProbe } from '../doctor/evidence.js';
import { gatherEvidence } from '../doctor/gather-evidence.js';
import { judgeRun } from '../doctor/run-liveness.js';
import { RunStore, type RunRecord } from '../status/run-store.js';
import type { StatusStore } from '../status/status-store.js';
import { checkJobAction } from './job-state.js';

/**
 * Asks the live run to stop: sets StopRequested on its record. The runner sees it on its next
 * heartbeat, cancels the running statement, records Stopped and exits.
 */
export async function requestStop(store: StatusStore, who: string, probeProcess: ProcessProbe): Promise<RunRecord> {
  const { job, live } = await checkJobAction(store, 'stop', probeProcess);
  if (!live) {
    throw new UsageError(
      `cannot stop: run ${job.runId} is ${job.status} but its runner is not alive`,
      'run `dmr doctor`, then `dmr doctor --fix --yes` to record that it died',
    );
  }
  // Only while the run is unfinished: a run that ended since it was read keeps the status it recorded.
  await store.knex.transaction(async (trx) => {
    const changes = { StopRequested: 1, StopRequestedBy: who, JobStatus: 'Stopping' };
    const n = await store.table('runs', trx).where('RunId', live.runId).whereNull('FinishedAt').update(changes);
    if (n > 0) await store.addHistory(null, `stop of run ${live.runId} requested by ${who}`, trx);
  });
  return live;
}

export interface RunEnd {
  /** The run record as it ended (or as last seen). */
  readonly run: RunRecord | null;
  /** ended: it recorded its end; died: its runner vanished without recording it; timeout. */
  readonly outcome: 'ended' | 'died' | 'timeout';
}

/** Polls the run record until it records its end, its runner dies, or the timeout passes. */
export async function waitForRunEnd(
  store: StatusStore,
  runId: number,
  options: { timeoutMs: number; pollMs?: number; probeProcess: ProcessProbe },
): Promise<RunEnd> {
  const deadline = Date.now() + options.timeoutMs;
  const runs = new RunStore(store);
  for (;;) {
    const run = await runs.get(runId);
    if (!run || run.finishedAt) return { run, outcome: 'ended' };
    const evidence = await gatherEvidence(store, { probeProcess: options.probeProcess, settleMs: 0, historyLines: 1 });
    const current = evidence.unfinishedRuns.find((r) => r.runId === runId);
    if (current && !judgeRun(current, evidence, new Date()).live) {
      const again = await runs.get(runId);
      return again?.finishedAt ? { run: again, outcome: 'ended' } : { run: again, outcome: 'died' };
    }
    if (Date.now() >= deadline) return { run, outcome: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
