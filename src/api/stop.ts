import { requestStop, waitForRunEnd } from '../core/jobs/request-stop.js';
import type { RunRecord } from '../core/status/run-store.js';
import { whoAmI, withStatusStore, type DatabaseOptions } from './database-options.js';
import { probeProcess } from './probe-process.js';

/** Options of stop. */
export interface StopOptions extends DatabaseOptions {
  /** How long to wait for the run to end, in ms (default 60000). */
  readonly timeoutMs?: number;
  /** Called once the stop is requested, before waiting. */
  readonly onRequested?: (run: RunRecord) => void;
}

/** `dmr stop --json`. */
export interface StopDocument {
  readonly runId: number;
  /** ended: it recorded its end; died: its runner vanished first (run doctor); timeout: still running. */
  readonly outcome: 'ended' | 'died' | 'timeout';
  readonly jobStatus: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

/** Asks the live run to stop (it cancels its statement and records Stopped) and waits until it has (`dmr stop`). */
export async function stop(options: StopOptions = {}): Promise<StopDocument> {
  return withStatusStore(
    options,
    async (store) => {
      const { user, host } = whoAmI();
      const run = await requestStop(store, `${user}@${host}`, probeProcess);
      options.onRequested?.(run);
      const end = await waitForRunEnd(store, run.runId, { timeoutMs: options.timeoutMs ?? 60_000, probeProcess });
      const ended = end.run;
      return {
        runId: run.runId,
        outcome: end.outcome,
        jobStatus: ended?.jobStatus ?? null,
        finishedAt: ended?.finishedAt?.toISOString() ?? null,
        error: ended?.errorText ?? null,
      };
    },
    { mustExist: true },
  );
}
