import { Worker } from 'node:worker_threads';
import { dialectNamed } from '../../adapters/dialects.js';
import { redactSecrets } from '../../config/redact.js';
import { RunStore, staleAfterMs } from '../status/run-store.js';
import type { StatusStore } from '../status/status-store.js';
import { cloneable, type HeartbeatCommand, type HeartbeatJob, type HeartbeatReport } from './heartbeat-messages.js';

/** What the runner does with the heartbeat's news. */
interface HeartbeatHandlers {
  /** `dmr stop` set StopRequested on the run record. */
  onStopRequested(): void;
  /** No heartbeat could be written for a whole stale interval (2 x interval + 1 s). */
  onLost(reason: string): void;
  /** The run record was finished by someone else (`reset --force`, `doctor --fix --force`). */
  onRunClosed(): void;
  /** A heartbeat was written (the runner checks that it still owns its rows then). */
  onBeat(): void;
  onWarning(message: string): void;
}

/** The heartbeat's worker, started early; start() points it at the run. */
export interface Heartbeat {
  /** Beats for the run from now on; resolves at the first heartbeat written (or when it gives up: onLost says why). */
  start(runId: number, handlers: HeartbeatHandlers): Promise<void>;
  /** Ends the worker and its connection. */
  stop(): Promise<void>;
}

/**
 * Starts the heartbeat's worker thread with its own connection (heartbeat-worker.ts), so the
 * heartbeat keeps beating while a task blocks the event loop. It is started as soon as the run
 * lock is held: the thread loads and connects while the run is prepared. The thread loads only
 * the engine's heartbeat client (its driver), not knex or the dialects: this thread compiles the
 * run's statements and hands them over with the connection settings of the run's pool.
 */
export function prepareHeartbeat(store: StatusStore, intervalMs: number): Heartbeat {
  const db = store.database;
  const client = dialectNamed(db.dialect).heartbeatClient(db.knex);
  const job: HeartbeatJob = {
    client: client.module,
    settings: cloneable(client.settings),
    display: db.display,
    intervalMs,
    lostAfterMs: staleAfterMs(intervalMs),
  };
  const worker = new Worker(workerUrl(), {
    workerData: job,
    execArgv: workerExecArgv(),
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
  });
  worker.unref();
  const send = (command: HeartbeatCommand) => worker.postMessage(command);
  let handlers: HeartbeatHandlers | null = null;
  let warned = false;
  let ended = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (report: HeartbeatReport) => {
    if (ended || !handlers) return;
    if (report.type === 'beat' || report.type === 'lost') markReady();
    switch (report.type) {
      case 'beat':
        warned = false;
        if (report.closed) handlers.onRunClosed();
        else if (report.stopRequested) handlers.onStopRequested();
        else handlers.onBeat();
        break;
      case 'failed':
        if (!warned) handlers.onWarning(`heartbeat failed: ${redactSecrets(report.message)}`);
        warned = true;
        break;
      case 'lost':
        handlers.onLost(
          `the heartbeat could not be written (last at ${report.lastBeatAt}): ${redactSecrets(report.message)}`,
        );
        break;
      case 'closed':
        break;
    }
  });
  let failure: Error | null = null;
  worker.on('error', (error) => {
    failure = error;
    markReady();
    if (!ended) handlers?.onLost(`the heartbeat worker failed: ${error.message}`);
  });
  return {
    start(runId, h) {
      handlers = h;
      if (failure) h.onLost(`the heartbeat worker failed: ${(failure as Error).message}`);
      else send({ type: 'run', runId, statements: new RunStore(store).beatStatements(runId) });
      return ready;
    },
    async stop() {
      if (ended) return;
      ended = true;
      markReady();
      send({ type: 'stop' });
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
    },
  };
}

/** The compiled worker beside this file; under tsx (tests importing src) the .ts source. */
function workerUrl(): URL {
  const ts = import.meta.url.endsWith('.ts');
  return new URL(ts ? './heartbeat-worker.ts' : './heartbeat-worker.js', import.meta.url);
}

function workerExecArgv(): string[] | undefined {
  return import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : undefined;
}
