import { findServerWideApp, serverWideHint } from './server-wide-app.js';
import { UsageError } from '../errors.js';
import { latestVerification, type VerificationRecord } from '../verify/verification-record.js';
import { secondsBetween } from '../time.js';
import { statusTablesExist } from './ensure-status-tables.js';
import { RunStore, type RunRecord } from './run-store.js';
import type { HistoryLine, StageState, StatusStore } from './status-store.js';

export interface RunView extends RunRecord {
  /** Seconds since the last heartbeat. */
  readonly heartbeatAgeSeconds: number | null;
  /** live: unfinished with a fresh heartbeat; stale: unfinished, heartbeat older than 2 intervals + 1 s; finished. */
  readonly liveness: 'live' | 'stale' | 'finished';
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

/** Heartbeats older than this are stale: two missed beats plus a second of slack. */
export function staleAfterMs(heartbeatIntervalMs: number): number {
  return 2 * heartbeatIntervalMs + 1000;
}

export function viewRun(run: RunRecord, now = new Date()): RunView {
  const age = run.heartbeatAt ? secondsBetween(run.heartbeatAt, now) : null;
  const stale = !run.heartbeatAt || now.getTime() - run.heartbeatAt.getTime() > staleAfterMs(run.heartbeatIntervalMs);
  return { ...run, heartbeatAgeSeconds: age, liveness: run.finishedAt ? 'finished' : stale ? 'stale' : 'live' };
}

/** What `dmr status` shows; reads only, never creates tables. */
export async function readStatus(store: StatusStore, historyLines = 10): Promise<StatusReport> {
  if (!(await statusTablesExist(store))) {
    const elsewhere = await findServerWideApp(store);
    const hint = elsewhere ? serverWideHint(elsewhere, store.schema) : 'run `dmr init` or `dmr migrate` first, or check --url/--schema';
    throw new UsageError(`status tables not found in ${store.database.display} (schema ${store.schema})`, hint);
  }
  const runs = new RunStore(store);
  const [stages, run, history, verification] = await Promise.all([store.stages(), runs.latest(), store.history(historyLines), latestVerification(store)]);
  return { database: store.database.display, schema: store.schema, stages, run: run ? viewRun(run) : null, history, verification };
}
