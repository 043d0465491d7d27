import type { Knex } from 'knex';
import { LockHeldError } from '../errors.js';
import type { StatusStore } from '../status/status-store.js';
import { resetCopyChunk } from './copy-ledger-facts.js';
import type { ProcessProbe } from './evidence.js';
import { describeChange, type FixChange, type FixPlan, type FixResult } from './fix-plan.js';
import { gatherEvidence } from './gather-evidence.js';
import { liveRun } from './run-liveness.js';

export interface ApplyOptions {
  /** user@host, written in every history line. */
  readonly who: string;
  /** Apply even while a live runner exists, and terminate an orphaned lock's session. */
  readonly force: boolean;
  readonly probeProcess: ProcessProbe;
}

/**
 * Applies a plan in one transaction while holding the run lock, so no runner starts mid-fix.
 * When the lock is held: by a live runner, LockHeldError (exit 3) unless --force; by an orphan,
 * the fixes go ahead (the orphan keeps runners out just as well). Each update is conditional on
 * the status the plan saw; a row that moved on is skipped, not overwritten.
 */
export async function applyFixes(store: StatusStore, plan: FixPlan, options: ApplyOptions): Promise<FixResult> {
  const { adapter, knex } = store.database;
  const skipped: { change: FixChange; why: string }[] = [];
  const terminated: FixChange[] = [];
  for (const change of plan.changes) {
    if (change.kind !== 'terminate-session') continue;
    if (!options.force) skipped.push({ change, why: 'terminating a session needs --force' });
    else {
      try {
        await adapter.terminateSession(knex, change.sessionId);
        terminated.push(change);
      } catch (error) {
        skipped.push({ change, why: `could not terminate it: ${adapter.describeError(error).message}` });
      }
    }
  }
  const lock = adapter.runLock(knex, store.schema);
  let acquired = await lock.tryAcquire();
  if (!acquired && terminated.length) acquired = await retryAcquire(lock);
  let lockHeldByOrphan = false;
  try {
    if (!acquired) {
      const evidence = await gatherEvidence(store, { probeProcess: options.probeProcess });
      const live = liveRun(evidence, new Date());
      if (live && !options.force) {
        throw new LockHeldError(
          `run ${live.runId} (${live.command} by ${live.userName} on ${live.host}, pid ${live.pid}) ` +
            `is live and holds the run lock: nothing was changed`,
          'wait for it, or stop it with `dmr stop`; --force applies the changes anyway',
        );
      }
      lockHeldByOrphan = !live;
    }
    const applied: FixChange[] = [...terminated];
    await knex.transaction(async (trx) => {
      for (const change of terminated)
        await store.addHistory(null, `${plan.source} by ${options.who}: ${describeChange(change)}`, trx);
      for (const change of plan.changes) {
        if (change.kind === 'terminate-session') continue;
        if ((await applyOne(store, change, trx)) === 0) {
          skipped.push({ change, why: 'the state changed since the plan was made' });
          continue;
        }
        applied.push(change);
        await store.addHistory(
          change.kind === 'stage-status' ? change.typeId : null,
          `${plan.source} by ${options.who}: ${describeChange(change)}`,
          trx,
        );
      }
    });
    return { applied, skipped, lockHeldByOrphan };
  } finally {
    if (acquired) await lock.release();
  }
}

async function applyOne(store: StatusStore, change: FixChange, trx: Knex.Transaction): Promise<number> {
  if (change.kind === 'stage-status') {
    return store
      .table('migrations', trx)
      .where({ DataMigrationTypeId: change.typeId, DataMigrationStatusId: change.fromId })
      .update({ DataMigrationStatusId: change.toId });
  }
  if (change.kind === 'finish-run') {
    return store
      .table('runs', trx)
      .where('RunId', change.runId)
      .whereNull('FinishedAt')
      .update({ JobStatus: change.to, FinishedAt: new Date(), ErrorText: change.reason });
  }
  if (change.kind === 'copy-chunk') return resetCopyChunk(store, change, trx);
  return 0;
}

/** A terminated session's lock is released by the server a moment later. */
async function retryAcquire(lock: { tryAcquire(): Promise<boolean> }): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (await lock.tryAcquire()) return true;
  }
  return false;
}
