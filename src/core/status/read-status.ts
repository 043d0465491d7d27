import type { Evidence } from '../doctor/evidence.js';
import { jobView } from '../doctor/diagnose.js';
import { judgeRun } from '../doctor/run-liveness.js';
import { findServerWideApp, serverWideHint } from './server-wide-app.js';
import { UsageError } from '../errors.js';
import { latestVerification, type VerificationRecord } from '../verify/verification-record.js';
import { secondsBetween } from '../time.js';
import { statusTablesExist } from './ensure-status-tables.js';
import type { RunRecord } from './run-store.js';
import type { JobStatus } from './status-codes.js';
import type { HistoryLine, StageState, StatusStore } from './status-store.js';

interface RunView extends RunRecord {
  /** The job status doctor and the job-control commands use: Died for an unfinished run whose runner is dead. */
  readonly jobStatus: JobStatus;
  /** What the run record holds. */
  readonly recordedJobStatus: JobStatus;
  /** Seconds since the last heartbeat. */
  readonly heartbeatAgeSeconds: number | null;
  /** live: its session holds the run lock and its process is present; dead: unfinished and not live; finished. */
  readonly liveness: 'live' | 'dead' | 'finished';
  /** The heartbeat is older than two intervals plus a second (a warning while live). */
  readonly heartbeatLate: boolean;
  /** Why the runner is judged dead (empty unless dead). */
  readonly deadBecause: readonly string[];
}

export interface StatusReport {
  readonly database: string;
  readonly schema: string;
  readonly stages: readonly StageState[];
  readonly run: RunView | null;
  readonly history: readonly HistoryLine[];
  /** The last `dmr verify --record` verdict, if any. */
  readonly verification: VerificationRecord | null;
}

/** The latest run as status shows it, judged on the same evidence as doctor's findings. */
function viewRun(evidence: Evidence, now = new Date()): RunView | null {
  const run = evidence.latestRun;
  if (!run) return null;
  const liveness = judgeRun(run, evidence, now);
  const job = jobView(evidence, now);
  const age = run.heartbeatAt ? secondsBetween(run.heartbeatAt, now) : null;
  const state = run.finishedAt ? 'finished' : liveness.live ? 'live' : 'dead';
  return {
    ...run,
    jobStatus: job.status,
    recordedJobStatus: run.jobStatus,
    heartbeatAgeSeconds: age,
    liveness: state,
    heartbeatLate: !run.finishedAt && liveness.heartbeatStale,
    deadBecause: state === 'dead' ? liveness.deadBecause : [],
  };
}

/** What `dmr status` shows, from one evidence snapshot (gatherEvidence); reads only, never creates tables. */
export async function readStatus(store: StatusStore, evidence: Evidence, historyLines = 10): Promise<StatusReport> {
  if (!(await statusTablesExist(store))) {
    const elsewhere = await findServerWideApp(store);
    const hint = elsewhere
      ? serverWideHint(elsewhere, store.schema)
      : 'run `dmr init` or `dmr migrate` first, or check --url/--schema';
    throw new UsageError(`status tables not found in ${store.database.display} (schema ${store.schema})`, hint);
  }
  const verification = await latestVerification(store);
  const run = viewRun(evidence);
  return {
    database: store.database.display,
    schema: store.schema,
    stages: evidence.stages,
    run,
    history: evidence.history.slice(0, historyLines),
    verification,
  };
}
