import { staleAfterMs } from '../status/read-status.js';
import type { RunRecord } from '../status/run-store.js';
import type { Evidence } from './evidence.js';

/** Why doctor believes a run's runner is alive or dead. */
export interface RunLiveness {
  readonly runId: number;
  readonly live: boolean;
  readonly heartbeatAt: string | null;
  readonly heartbeatAgeMs: number | null;
  readonly staleAfterMs: number;
  readonly heartbeatStale: boolean;
  /** The run's lock session still exists on the server. */
  readonly sessionAlive: boolean;
  /** The run lock is held by the run's own session. */
  readonly holdsLock: boolean;
  readonly processAlive: boolean | null;
  /** Plain-language reasons the runner is judged dead (empty when live). */
  readonly deadBecause: readonly string[];
}

/**
 * A run is live only when every sign agrees: unfinished, heartbeat fresher than two intervals
 * plus a second, its session holding the run lock, and its process present (when checkable).
 * The server drops a session lock the moment the runner's connection dies, so a crash is seen
 * at once through the lock; the heartbeat catches the rest (a pooler keeping the session).
 */
export function judgeRun(run: RunRecord, evidence: Evidence, now: Date): RunLiveness {
  const probe = evidence.probes.find((p) => p.runId === run.runId);
  const age = run.heartbeatAt ? now.getTime() - run.heartbeatAt.getTime() : null;
  const threshold = staleAfterMs(run.heartbeatIntervalMs);
  const stale = age === null || age > threshold;
  const sessionAlive = probe?.session !== null && probe?.session !== undefined;
  const holdsLock = probe?.holdsLock ?? false;
  const processAlive = probe?.processAlive ?? null;
  const dead: string[] = [];
  if (run.finishedAt) dead.push(`run finished ${run.finishedAt.toISOString()}`);
  if (stale) dead.push(age === null ? 'no heartbeat recorded' : `heartbeat stale since ${run.heartbeatAt?.toISOString()} (${Math.round(age / 1000)} s ago, stale after ${threshold / 1000} s)`);
  if (!run.finishedAt && !sessionAlive) dead.push(`lock session ${run.dbSessionId ?? '(none)'} is gone`);
  else if (!run.finishedAt && !holdsLock) dead.push(`its session ${run.dbSessionId ?? '(none)'} no longer holds the run lock`);
  if (processAlive === false) dead.push(`process ${run.pid} on ${run.host} is gone`);
  return {
    runId: run.runId,
    live: dead.length === 0,
    heartbeatAt: run.heartbeatAt?.toISOString() ?? null,
    heartbeatAgeMs: age,
    staleAfterMs: threshold,
    heartbeatStale: stale,
    sessionAlive,
    holdsLock,
    processAlive,
    deadBecause: dead,
  };
}

/** The unfinished run whose runner is alive, if any (there is at most one: it holds the lock). */
export function liveRun(evidence: Evidence, now: Date): RunRecord | null {
  return evidence.unfinishedRuns.find((run) => judgeRun(run, evidence, now).live) ?? null;
}
