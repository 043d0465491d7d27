import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Database } from '../database.js';
import { RunStore } from '../status/run-store.js';
import { StatusStore } from '../status/status-store.js';
import type { HeartbeatCommand, HeartbeatJob, HeartbeatReport } from './heartbeat-messages.js';

/**
 * The heartbeat, on a thread and a database connection of its own: a task that blocks the main
 * thread's event loop (a CPU-bound .js task) or holds every pooled connection cannot stop it.
 * It writes HeartbeatAt every interval, reads StopRequested, and reports the heartbeat lost once
 * nothing could be written for `lostAfterMs`.
 */
const job = workerData as HeartbeatJob;
const port = parentPort;
const post = (report: HeartbeatReport) => port?.postMessage(report);

let db: Database | null = null;
let runId = 0;
let lastBeat = Date.now();
let lastError = 'no heartbeat written yet';
let lostSent = false;
let stopping = false;
let timer: NodeJS.Timeout | null = null;
let inFlight: Promise<void> = Promise.resolve();

async function beat(): Promise<void> {
  try {
    db ??= await openDatabase(job.connection, { poolMax: 1 });
    const runs = new RunStore(new StatusStore(db, job.schema));
    const { stopRequested, closed } = await runs.beat(runId);
    lastBeat = Date.now();
    post({ type: 'beat', stopRequested, closed });
  } catch (error) {
    // SQLite's single writer: the running task holds the database; the file is there, only busy.
    if (db?.adapter.isBusy?.(error)) {
      lastBeat = Date.now();
      return;
    }
    lastError = withoutQuery(db ? db.adapter.describeError(error).message : (error as Error).message);
    const code = (error as { code?: string }).code;
    post({ type: 'failed', message: `${lastError}${code ? ` (${code})` : ''}` });
  }
}

/** knex puts the query before the server's words ("update ... - permission denied ..."): keep the words. */
function withoutQuery(message: string): string {
  return /^(update|select|insert) /i.test(message) && message.includes(' - ')
    ? message.slice(message.indexOf(' - ') + 3)
    : message;
}

function schedule(): void {
  if (stopping) return;
  timer = setTimeout(() => {
    inFlight = beat().finally(schedule);
  }, job.intervalMs);
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

port?.on('message', (command: HeartbeatCommand) => {
  if (command.type === 'run') {
    if (runId || stopping) return;
    runId = command.runId;
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
    .then(() => db?.close())
    .catch(() => undefined)
    .then(() => {
      post({ type: 'closed' });
      port.close();
    });
});

// Connect while the runner prepares its run: the first heartbeat then needs one round trip.
inFlight = openDatabase(job.connection, { poolMax: 1 }).then(
  (opened) => {
    db = opened;
  },
  () => undefined,
);
