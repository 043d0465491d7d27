import { diagnose } from '../doctor/diagnose.js';
import type { ProcessProbe } from '../doctor/evidence.js';
import type { JobView } from '../doctor/finding.js';
import { gatherEvidence } from '../doctor/gather-evidence.js';
import { liveRun } from '../doctor/run-liveness.js';
import type { RunRecord } from '../status/run-store.js';
import type { StatusStore } from '../status/status-store.js';
import { assertActionAllowed, type JobAction } from './job-actions.js';

/** The job now: its view (status, allowed actions) and the live run, if any. */
async function readJob(
  store: StatusStore,
  probeProcess: ProcessProbe,
): Promise<{ job: JobView; live: RunRecord | null }> {
  const evidence = await gatherEvidence(store, { probeProcess, settleMs: 0, historyLines: 1 });
  const now = new Date();
  return { job: diagnose(evidence, now).job, live: liveRun(evidence, now) };
}

/** Refuses (exit 2) an action the job's current status does not allow; returns the job otherwise. */
export async function checkJobAction(
  store: StatusStore,
  action: JobAction,
  probeProcess: ProcessProbe,
): Promise<{ job: JobView; live: RunRecord | null }> {
  const state = await readJob(store, probeProcess);
  assertActionAllowed(action, state.job.status, { runId: state.job.runId, live: state.job.live });
  return state;
}
