import type { HeartbeatClient, HeartbeatClientModule, HeartbeatConnection } from '../../adapters/heartbeat-client.js';
import type { BeatStatements, HeartbeatCommand, HeartbeatJob, HeartbeatReport } from './heartbeat-messages.js';

/** The end of a MessagePort the loop talks through (the worker's parentPort, or a MessageChannel port). */
export interface HeartbeatPort {
  postMessage(report: HeartbeatReport): void;
  on(event: 'message', listener: (command: HeartbeatCommand) => void): unknown;
  close(): void;
}

/**
 * The heartbeat loop, on a database connection of its own, run on a thread of its own (heartbeat-worker.ts) or on
 * the runner's (a run without module tasks): a task that blocks the main
 * thread's event loop (a CPU-bound .js task) or holds every pooled connection cannot stop it.
 * It writes HeartbeatAt every interval, reads StopRequested, and reports the heartbeat lost once
 * nothing could be written for `lostAfterMs`.
 *
 * It imports nothing of dmr at run time but the engine's heartbeat client (`job.client`) and that
 * one's driver: knex and the registry of dialects would cost this thread's isolate tens of MB. The
 * runner sends the statements, compiled by knex on its thread (`RunStore.beatStatements`).
 */
export function runHeartbeatLoop(job: HeartbeatJob, port: HeartbeatPort): void {
  const post = (report: HeartbeatReport) => port.postMessage(report);

  let client: HeartbeatClient | null = null;
  let connection: HeartbeatConnection | null = null;
  let statements: BeatStatements | null = null;
  let runId = 0;
  let lastBeat = Date.now();
  let lastError = 'no heartbeat written yet';
  let lostSent = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  /** The connection, opened again when the driver reported the last one ended (as knex's pool would). */
  async function connected(): Promise<HeartbeatConnection> {
    client ??= ((await import(job.client)) as HeartbeatClientModule).createHeartbeatClient(job.settings);
    if (connection && !connection.usable) drop();
    if (!connection) {
      try {
        connection = await client.connect();
      } catch (error) {
        throw new ConnectFailure(error);
      }
    }
    return connection;
  }

  /** Closes the connection in the background; the next beat opens a new one. */
  function drop(): void {
    void connection?.close().catch(() => undefined);
    connection = null;
  }

  /** A failure to connect, told apart in the message as openDatabase tells it. */
  class ConnectFailure extends Error {
    constructor(readonly error: unknown) {
      super('cannot connect');
    }
  }

  async function beat(): Promise<void> {
    if (!statements) return;
    try {
      const c = await connected();
      // The update's one Date value is HeartbeatAt: each beat writes its own time.
      const now = new Date();
      const updated = await c.update({
        sql: statements.update.sql,
        bindings: statements.update.bindings.map((b) => (b instanceof Date ? now : b)),
      });
      const row = await c.first(statements.read);
      lastBeat = Date.now();
      const closed = updated === 0 && !!row && row.FinishedAt !== null;
      post({ type: 'beat', stopRequested: Number(row?.StopRequested ?? 0) === 1, closed });
    } catch (failure) {
      const error = failure instanceof ConnectFailure ? failure.error : failure;
      // SQLite's single writer: the running task holds the database; the file is there, only busy.
      if (client?.isBusy?.(error)) {
        lastBeat = Date.now();
        return;
      }
      const described = client ? client.describeError(error).message : String((error as Error)?.message ?? error);
      lastError = failure instanceof ConnectFailure ? `cannot connect to ${job.display}: ${described}` : described;
      const code = (error as { code?: unknown } | null)?.code;
      post({ type: 'failed', message: `${lastError}${code ? ` (${String(code)})` : ''}` });
      if (!(failure instanceof ConnectFailure)) drop();
    }
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      inFlight = beat().finally(schedule);
    }, job.intervalMs);
    // On the runner's thread the timers must not keep the process alive (the port and connection do, until stop).
    timer.unref();
  }

  // The watchdog runs apart from the writes: a write that hangs (a dead network) counts as failing.
  const watchdog = setInterval(
    () => {
      if (!runId || lostSent || stopping || Date.now() - lastBeat <= job.lostAfterMs) return;
      lostSent = true;
      const seconds = ((Date.now() - lastBeat) / 1000).toFixed(1);
      post({
        type: 'lost',
        message: `no heartbeat written for ${seconds} s: ${lastError}`,
        lastBeatAt: new Date(lastBeat).toISOString(),
      });
    },
    Math.min(250, job.intervalMs),
  );
  watchdog.unref();

  port?.on('message', (command: HeartbeatCommand) => {
    if (command.type === 'run') {
      if (runId || stopping) return;
      runId = command.runId;
      statements = command.statements;
      lastBeat = Date.now();
      // The first heartbeat at once: the runner waits for it before the first task.
      inFlight = inFlight.then(beat).finally(schedule);
      return;
    }
    if (stopping) return;
    stopping = true;
    if (timer) clearTimeout(timer);
    clearInterval(watchdog);
    void inFlight
      .catch(() => undefined)
      .then(() => connection?.close())
      .catch(() => undefined)
      .then(() => {
        post({ type: 'closed' });
        port.close();
      });
  });

  // Connect while the runner prepares its run: the first heartbeat then needs one round trip.
  inFlight = connected().then(
    () => undefined,
    () => undefined,
  );
}
