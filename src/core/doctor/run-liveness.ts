import { staleAfterMs, type RunRecord } from '../status/run-store.js';
import type { Evidence } from './evidence.js';

/** Why doctor believes a run's runner is alive or dead. */
export interface RunLiveness {
  readonly runId: number;
  readonly live: boolean;
  readonly heartbeatAt: string | null;
  readonly heartbeatAgeMs: number | null;
  readonly staleAfterMs: number;
  /** The heartbeat is older than two intervals plus a second (a warning when the run is live, never a verdict). */
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
 * A run is live when it is unfinished, its own session holds the run lock and its process is
 * present (or cannot be checked, on another host), whatever its heartbeat says: the server drops
 * a session lock the moment the runner's connection dies, so a crash shows at once through the
 * lock, while a late heartbeat only means a busy runner (or a blocked heartbeat connection, after
 * which the runner stops itself). A late heartbeat is reported (late-heartbeat warning), never
 * taken as death; a stale heartbeat is listed among the reasons only of a run already dead.
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
  if (!run.finishedAt && !sessionAlive) dead.push(`lock session ${run.dbSessionId ?? '(none)'} is gone`);
  else if (!run.finishedAt && !holdsLock)
    dead.push(`its session ${run.dbSessionId ?? '(none)'} no longer holds the run lock`);
  if (processAlive === false) dead.push(`process ${run.pid} on ${run.host} is gone`);
  if (dead.length > 0 && stale) {
    const beat =
      age === null
        ? 'no heartbeat recorded'
        : `heartbeat stale since ${run.heartbeatAt?.toISOString()} ` +
          `(${Math.round(age / 1000)} s ago, stale after ${threshold / 1000} s)`;
    dead.splice(run.finishedAt ? 1 : 0, 0, beat);
  }
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
