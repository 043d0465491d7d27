import type { RunStore } from '../status/run-store.js';
import type { OnRunEvent } from './run-events.js';

/**
 * Refreshes the run record's heartbeat every interval on a pooled connection of its own (so a
 * long statement does not stop it) and reports a stop request from `dmr stop`.
 */
export function startHeartbeat(runs: RunStore, runId: number, intervalMs: number, onStopRequested: () => void, onEvent: OnRunEvent): () => Promise<void> {
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    inFlight = runs
      .beat(runId)
      .then(({ stopRequested }) => {
        if (stopRequested && !stopped) onStopRequested();
      })
      .catch((error: unknown) => onEvent({ type: 'warning', message: `heartbeat failed: ${(error as Error).message}` }));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}
