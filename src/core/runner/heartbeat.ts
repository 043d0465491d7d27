import { MessageChannel, Worker } from 'node:worker_threads';
import { dialectNamed } from '../../adapters/dialects.js';
import { redactSecrets } from '../../config/redact.js';
import { RunStore, staleAfterMs } from '../status/run-store.js';
import type { StatusStore } from '../status/status-store.js';
import { runHeartbeatLoop } from './heartbeat-loop.js';
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

/** Where the heartbeat loop runs: its own thread, or the runner's (no module task can block it). */
interface LoopEndpoint {
  send(command: HeartbeatCommand): void;
  onReport(listener: (report: HeartbeatReport) => void): void;
  onError(listener: (error: Error) => void): void;
  /** Resolves when the loop has ended (the thread exited, or the loop said it closed). */
  readonly exited: Promise<void>;
  /** Ends it at once, after stop() waited 3 s in vain. */
  kill(): Promise<void>;
}

/**
 * Starts the heartbeat with its own connection. A run with module tasks (`.js`/`.ts`, which can
 * do CPU-bound work that blocks the event loop) gets a worker thread (heartbeat-worker.ts), so the
 * heartbeat keeps beating while a task blocks the runner's thread; so does an engine whose driver
 * waits synchronously (SQLite). A run of SQL and copy tasks only on a server engine (the runner
 * never blocks its loop for long: statements are cut in windows) runs the same loop on the
 * runner's thread, without the thread's memory (about 17 MB). The loop loads only the
 * engine's heartbeat client (its driver), not knex or the dialects: this thread compiles the run's
 * statements and hands them over with the connection settings of the run's pool.
 */
export function prepareHeartbeat(store: StatusStore, intervalMs: number, onOwnThread: boolean): Heartbeat {
  const db = store.database;
  const client = dialectNamed(db.dialect).heartbeatClient(db.knex);
  const job: HeartbeatJob = {
    client: client.module,
    settings: cloneable(client.settings),
    display: db.display,
    intervalMs,
    lostAfterMs: staleAfterMs(intervalMs),
  };
  const loop = onOwnThread || client.blocksItsThread ? workerLoop(job) : channelLoop(job);
  const send = (command: HeartbeatCommand) => loop.send(command);
  let handlers: HeartbeatHandlers | null = null;
  let warned = false;
  let ended = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const { exited } = loop;
  loop.onReport((report: HeartbeatReport) => {
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
  loop.onError((error) => {
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
      if ((await Promise.race([exited, timeout])) === 'timeout') await loop.kill();
    },
  };
}

/** The loop on a worker thread of its own. */
function workerLoop(job: HeartbeatJob): LoopEndpoint {
  const worker = new Worker(workerUrl(), {
    workerData: job,
    execArgv: workerExecArgv(),
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
  });
  worker.unref();
  return {
    send: (command) => worker.postMessage(command),
    onReport: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
    kill: async () => {
      await worker.terminate();
    },
  };
}

/** The loop on this thread, talking through a MessageChannel exactly as it does through a worker's port. */
function channelLoop(job: HeartbeatJob): LoopEndpoint {
  const { port1, port2 } = new MessageChannel();
  let closed: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (closed = resolve));
  port2.on('message', (report: HeartbeatReport) => {
    if (report.type === 'closed') closed();
  });
  port2.on('close', () => closed());
  runHeartbeatLoop(job, port1 as unknown as Parameters<typeof runHeartbeatLoop>[1]);
  // The ports must not keep the process alive; the loop's own connection does until stop.
  port1.unref();
  port2.unref();
  return {
    send: (command) => port2.postMessage(command),
    onReport: (listener) => port2.on('message', listener),
    onError: () => undefined,
    exited,
    kill: async () => {
      port2.close();
      closed();
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
