import { performance } from 'node:perf_hooks';
import { DmrError, ExitCode } from '../errors.js';
import type { JobStatus } from '../status/status-codes.js';
import { describeFailure } from '../tasks/task-error.js';
import { acquireRunLock } from './acquire-run-lock.js';
import { prepareHeartbeat, type Heartbeat } from './heartbeat.js';
import { prepareRun } from './prepare-run.js';
import { LockLostError } from '../connection-loss.js';
import { RunBookkeeping } from './run-bookkeeping.js';
import type { RunOptions, RunResult } from './run-options.js';
import { RunStop } from './run-stop.js';
import { estimateStages } from './stage-estimates.js';
import { runStageLoop } from './stage-loop.js';

const startStatus: Readonly<Record<RunOptions['command'], JobStatus>> = {
  migrate: 'Starting',
  resume: 'Resuming',
  restart: 'Restarting',
};

/**
 * Runs the selected stages in order under the run lock, keeping App.DataMigrations,
 * App.DataMigrationHistories and the run record true at every step. Task failures and stops
 * are results, not exceptions; no failure the runner observes leaves a stage pending or
 * processing, and no row someone else changed during the run is overwritten.
 */
export async function runMigration(o: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const db = o.store.database;
  const lock = await acquireRunLock(o.store, o.waitSeconds, o.onEvent);
  let books: RunBookkeeping | null = null;
  let heartbeat: Heartbeat | null = null;
  try {
    const plan = await prepareRun(o);
    // Module tasks can block this thread with CPU-bound work: then the heartbeat gets a thread of its own.
    const modules = [...plan.tasks.values()].some((tasks) => tasks.some((t) => t.kind === 'module'));
    heartbeat = prepareHeartbeat(o.store, o.heartbeatMs, modules);
    const beats = heartbeat;
    const estimates = await estimateStages(o.store, plan.tasks);
    let stop: RunStop | null = null;
    const retryMs = o.dbRetryMs ?? 30_000;
    books = await RunBookkeeping.open(o.store, {
      retryMs,
      onLoss: (cause) => {
        o.onEvent({
          type: 'warning',
          message: `the database connection was lost (${cause}); retrying for up to ${Math.round(retryMs / 1000)} s`,
        });
        stop?.request('lost', `runner stopped: the database connection was lost: ${cause}`);
      },
      reclaim: async () => {
        await lock.release().catch(() => undefined);
        if (await lock.tryAcquire()) return lock.sessionId;
        throw new LockLostError(
          'another session took the run lock while the database was away: this run records nothing more',
          'check it with `dmr status` and `dmr doctor`',
        );
      },
    });
    const b = books;
    const run = {
      command: o.command,
      jobStatus: startStatus[o.command],
      stages: plan.stages,
      heartbeatIntervalMs: o.heartbeatMs,
    };
    const who = {
      host: o.host,
      pid: process.pid,
      userName: o.user,
      dbSessionId: lock.sessionId,
      priorStatuses: plan.prior,
    };
    const runId = await b.begin({ ...run, ...who }, plan.notes);
    o.onEvent({ type: 'run-started', runId, stages: plan.stages });

    stop = new RunStop(db, o.onEvent, () => void b.stopping());
    const s = stop;
    const onSignal = () => s.request('signal', `cancelled by signal ${String(o.signal?.reason ?? 'SIGTERM')}`);
    if (o.signal?.aborted) onSignal();
    o.signal?.addEventListener('abort', onSignal, { once: true });
    await beats.start(runId, {
      onStopRequested: () => s.request('request', 'cancelled by dmr stop'),
      onLost: (reason) => s.request('lost', `runner stopped itself: ${reason}`),
      onRunClosed: () => s.request('lost', `runner stopped: run ${runId} was finished by someone else`),
      onBeat: () => {
        void b.ownershipLost().then(
          (why) => {
            if (why) s.request('lost', `runner stopped: ${why}; nothing of it was overwritten`);
          },
          () => undefined,
        );
      },
      onWarning: (message) => o.onEvent({ type: 'warning', message }),
    });

    const { outcomes, failure } = await runStageLoop(o, plan, b, s, estimates).finally(() => {
      o.signal?.removeEventListener('abort', onSignal);
    });
    await beats.stop();

    const stoppedBy = s.reason;
    const lost = s.kind === 'lost';
    const outcome: RunResult['outcome'] = !failure ? 'success' : lost ? 'lost' : stoppedBy ? 'stopped' : 'failed';
    // A task that failed because the connection was lost keeps its own error: that is the real cause.
    const cancelled = stoppedBy && !failure?.cancelledBy && !failure?.connectionLost;
    const errorText = failure
      ? describeFailure(cancelled ? { ...failure, cancelledBy: stoppedBy } : failure)
      : undefined;
    const jobStatus: JobStatus = outcome === 'success' ? 'Completed' : outcome === 'stopped' ? 'Stopped' : 'Failed';
    const failedStage = failure?.stage;
    const unreached = failedStage ? plan.stages.slice(plan.stages.indexOf(failedStage) + 1) : [];
    const signal = s.kind === 'signal' ? stoppedBy?.match(/SIG[A-Z]+/)?.[0] : undefined;
    const ending = { jobStatus, errorText, failedStage, unreached, signal };
    let notes: string[] = [];
    try {
      notes = await b.finish(ending, plan.prior);
    } catch (error) {
      if (!lost || error instanceof DmrError) throw error;
      // A runner that lost its hold records what it still can: the stages and history without the run record.
      const why = db.adapter.describeError(error).message;
      notes = [`the run record could not be closed: ${why}; run \`dmr doctor\``];
      await b.finish(ending, plan.prior, false).catch((again: unknown) => {
        notes = [
          `nothing could be recorded: ${db.adapter.describeError(again).message}; ` +
            'run `dmr doctor` once the database is reachable',
        ];
      });
    }
    if (failure)
      o.onEvent({
        type: 'stage-finished',
        stage: failure.stage,
        status: 'error',
        seconds: outcomes.find((x) => x.stage === failure.stage)?.seconds ?? 0,
      });
    const error = [errorText, ...notes].filter(Boolean).join('; ') || undefined;
    return { runId, outcome, signal, stages: outcomes, error, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (error instanceof DmrError) throw error;
    const detail = db.adapter.describeError(error);
    throw new DmrError(
      `the status tables could not be updated: ${detail.message}`,
      ExitCode.answeredNo,
      'run `dmr doctor` once the database is reachable again',
      { cause: error },
    );
  } finally {
    await heartbeat?.stop().catch(() => undefined);
    await lock.release().catch(() => undefined);
    await books?.close().catch(() => undefined);
  }
}
