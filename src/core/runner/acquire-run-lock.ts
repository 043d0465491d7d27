import type { RunLock } from '../../adapters/dialect-adapter.js';
import { LockHeldError } from '../errors.js';
import { RunStore } from '../status/run-store.js';
import type { StatusStore } from '../status/status-store.js';
import { formatAge, secondsBetween } from '../time.js';
import type { OnRunEvent } from './run-events.js';

/**
 * Takes the run lock, waiting up to `waitSeconds`; otherwise LockHeldError naming the holder.
 */
export async function acquireRunLock(store: StatusStore, waitSeconds: number, onEvent: OnRunEvent): Promise<RunLock> {
  const { adapter, knex } = store.database;
  const lock = adapter.runLock(knex, store.schema);
  const deadline = Date.now() + waitSeconds * 1000;
  let announced = false;
  for (;;) {
    if (await lock.tryAcquire()) return lock;
    const holder = await describeLockHolder(store);
    if (Date.now() >= deadline) {
      throw new LockHeldError(
        `another run holds the run lock: ${holder}`,
        'wait for it (dmr migrate --wait SECONDS), or check it with `dmr status` / `dmr doctor`',
      );
    }
    if (!announced) onEvent({ type: 'lock-waiting', holder });
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(50, deadline - Date.now()))));
  }
}

/** "run 12 by alice on host1 (pid 4242) since ..., heartbeat 2s ago", from the run record and the server. */
async function describeLockHolder(store: StatusStore): Promise<string> {
  const { adapter, knex } = store.database;
  const session = await adapter.lockHolder(knex, store.schema).catch(() => null);
  const runs = new RunStore(store);
  let run = await runs
    .unfinished()
    .then((r) => r[0] ?? null)
    .catch(() => null);
  // A holder that has just taken the lock writes its run record a moment later: give it that moment.
  for (let attempt = 0; !run && session && attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    run = await runs
      .unfinished()
      .then((r) => r[0] ?? null)
      .catch(() => null);
  }
  const now = new Date();
  if (run) {
    const beat = run.heartbeatAt ? `, heartbeat ${formatAge(secondsBetween(run.heartbeatAt, now))} ago` : '';
    return (
      `run ${run.runId} (${run.command}) by ${run.userName} on ${run.host} (pid ${run.pid}) since ` +
      `${run.startedAt.toISOString()}${beat}`
    );
  }
  if (session) {
    const since = session.startedAt ? ` since ${new Date(session.startedAt).toISOString()}` : '';
    return (
      `server session ${session.id}${session.program ? ` (${session.program})` : ''}` +
      `${session.clientHost ? ` from ${session.clientHost}` : ''}${since}`
    );
  }
  return 'a session that has just released it or is starting up';
}
