import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { DmrError, ExitCode, UsageError } from '../errors.js';
import { ensureStatusTables, statusTablesExist } from '../status/ensure-status-tables.js';
import { RunStore } from '../status/run-store.js';
import { StatusId, defaultStages, type JobStatus } from '../status/status-codes.js';
import type { Task } from '../tasks/discover-tasks.js';
import { prepareTasks } from '../tasks/inspect-tasks.js';
import { runTask, type RunningTask, type TaskDone } from '../tasks/run-task.js';
import type { TaskScan } from '../tasks/scan-task.js';
import { describeDrift, findResumeDrift, taskDriftError, taskFileId } from '../tasks/task-drift.js';
import { describeFailure, type TaskFailure } from '../tasks/task-error.js';
import { recordTaskRun, type TaskRunRecord } from '../tasks/task-run-store.js';
import { acquireRunLock } from './acquire-run-lock.js';
import { startHeartbeat } from './heartbeat.js';
import type { RunOptions, RunResult, StageOutcome } from './run-options.js';
import { selectStages } from './select-stages.js';
import { plural } from '../plural.js';

const startStatus: Readonly<Record<RunOptions['command'], JobStatus>> = { migrate: 'Starting', resume: 'Resuming', restart: 'Restarting' };

/**
 * Runs the selected stages in order under the run lock, keeping App.DataMigrations,
 * App.DataMigrationHistories and the run record true at every step. Task failures and stops
 * are results, not exceptions; no failure the runner observes leaves a stage pending or processing.
 */
export async function runMigration(o: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const { store } = o;
  const db = store.database;
  const lock = await acquireRunLock(store, o.waitSeconds, o.onEvent);
  let stopHeartbeat: () => Promise<void> = async () => undefined;
  try {
    // Validate everything the user gave before writing anything, even the status tables.
    const existed = await statusTablesExist(store);
    const declared = existed ? await store.stageTypes() : defaultStages;
    const stages = selectStages(o.selection, declared.map((t) => t.code), existed ? await store.stages() : []);
    const { sqlDir, encoding } = o;
    const { tasks, scans } = await prepareTasks({ sqlDir, stages, dialect: db.dialect, adapter: db.adapter, encoding });
    const firstTasks = tasks.get(stages[0] ?? '') ?? [];
    if (o.fromTask && !firstTasks.some((t) => t.name === o.fromTask)) {
      throw new UsageError(`no task ${JSON.stringify(o.fromTask)} in stage ${stages[0]}`, `tasks are: ${firstTasks.map((t) => t.name).join(', ') || '(none)'}`);
    }
    const order = declared.map((t) => t.code);
    const drift = o.command === 'resume' && existed ? await findResumeDrift(store, sqlDir, db.dialect, order, stages, o.fromTask) : [];
    if (drift.length > 0 && !o.allowChangedTasks) throw taskDriftError(drift);
    await ensureStatusTables(store);
    const types = await store.stageTypes();
    const states = await store.stages();
    const typeId = (stage: string) => types.find((t) => t.code === stage)?.id ?? 0;
    const prior = Object.fromEntries(stages.map((s) => [s, states.find((x) => x.stage === s)?.statusId ?? StatusId.initial]));
    const runs = new RunStore(store);

    let runId = 0;
    await db.knex.transaction(async (trx) => {
      runId = await runs.create({ command: o.command, jobStatus: startStatus[o.command], stages, heartbeatIntervalMs: o.heartbeatMs, host: o.host, pid: process.pid, userName: o.user, dbSessionId: lock.sessionId, priorStatuses: prior }, trx);
      await store.setStatus(stages.map(typeId), StatusId.pending, {}, trx);
      await store.addHistory(null, `run ${runId} (${o.command}) started by ${o.user}@${o.host} pid ${process.pid}: stages ${stages.join(', ')}`, trx);
      if (drift.length > 0) {
        const changed = drift.map(describeDrift).join('; ');
        await store.addHistory(null, `run ${runId} continues with changed tasks (--allow-changed-tasks): ${changed}`, trx);
      }
    });
    await runs.update(runId, { JobStatus: 'Running' });
    o.onEvent({ type: 'run-started', runId, stages });

    const stop = new AbortController();
    const running: RunningTask = { sessionId: null };
    const requestStop = (reason: string) => {
      if (stop.signal.aborted) return;
      stop.abort(reason);
      o.onEvent({ type: 'stopping', reason });
      void runs.update(runId, { JobStatus: 'Stopping' }).catch(() => undefined);
      cancelRunning(running);
    };
    const cancelRunning = (r: RunningTask) => {
      if (r.sessionId && db.adapter.capabilities.cancelStatement) {
        db.adapter.cancelStatement(db.knex, r.sessionId).catch((error: unknown) => o.onEvent({ type: 'warning', message: `could not cancel the running statement: ${(error as Error).message}` }));
      }
    };
    const onSignal = () => requestStop(`cancelled by signal ${String(o.signal?.reason ?? 'SIGTERM')}`);
    if (o.signal?.aborted) onSignal();
    o.signal?.addEventListener('abort', onSignal, { once: true });
    stopHeartbeat = startHeartbeat(runs, runId, o.heartbeatMs, () => requestStop('cancelled by dmr stop'), o.onEvent);

    const outcomes: StageOutcome[] = stages.map((stage) => ({ stage, status: 'not-run', seconds: null, tasks: [] }));
    let failure: TaskFailure | null = null;
    try {
      for (const [index, stage] of stages.entries()) {
        const stageTasks = (tasks.get(stage) ?? []).filter((t, i, all) => index > 0 || !o.fromTask || i >= all.findIndex((x) => x.name === o.fromTask));
        const stageStart = performance.now();
        await db.knex.transaction(async (trx) => {
          await store.setStatus([typeId(stage)], StatusId.processing, { LastTriggerDate: new Date(), UserName: o.user }, trx);
          await store.addHistory(typeId(stage), `${stage}: processing (${plural(stageTasks.length, 'task')})`, trx);
        });
        o.onEvent({ type: 'stage-started', stage, tasks: stageTasks.length });
        const ran: string[] = [];
        for (const task of stageTasks) {
          failure = stop.signal.aborted
            ? { stage, task: task.name, file: task.file, message: String(stop.signal.reason), cancelledBy: String(stop.signal.reason) }
            : await runOneTask(o, task, stop.signal, running, runId, typeId(stage), cancelRunning, scans.get(task.file));
          if (failure) break;
          ran.push(task.name);
        }
        const seconds = (performance.now() - stageStart) / 1000;
        if (failure) {
          outcomes[index] = { stage, status: 'error', seconds, tasks: ran };
          break;
        }
        await db.knex.transaction(async (trx) => {
          await store.setStatus([typeId(stage)], StatusId.success, { LastDurationInSeconds: Math.round(seconds), DataMigrationTaskList: ran.join(',') }, trx);
          // Tasks --from-task skipped belong to the stage as this run completed it: recorded with their checksums.
          for (const t of (tasks.get(stage) ?? []).filter((x) => !stageTasks.includes(x))) {
            await recordTaskOutcome(o, runId, t, 'skipped', scans.get(t.file)?.checksum ?? '', true, new Date(), trx);
          }
          await store.addHistory(typeId(stage), `${stage}: success in ${seconds.toFixed(1)} s`, trx);
        });
        outcomes[index] = { stage, status: 'success', seconds, tasks: ran };
        o.onEvent({ type: 'stage-finished', stage, status: 'success', seconds });
      }
    } finally {
      o.signal?.removeEventListener('abort', onSignal);
      await stopHeartbeat();
    }

    const stoppedBy = stop.signal.aborted ? String(stop.signal.reason) : undefined;
    const outcome: RunResult['outcome'] = !failure ? 'success' : stoppedBy ? 'stopped' : 'failed';
    const errorText = failure ? describeFailure(stoppedBy && !failure.cancelledBy ? { ...failure, cancelledBy: stoppedBy } : failure) : undefined;
    await db.knex.transaction(async (trx) => {
      if (failure) {
        const failedStage = failure.stage;
        await store.setStatus([typeId(failedStage)], StatusId.error, {}, trx);
        await store.addHistory(typeId(failedStage), `${failedStage}: error: ${errorText}`, trx);
        for (const stage of stages.slice(stages.indexOf(failedStage) + 1)) {
          await store.setStatus([typeId(stage)], prior[stage] ?? StatusId.initial, {}, trx);
        }
      }
      const jobStatus: JobStatus = outcome === 'success' ? 'Completed' : outcome === 'stopped' ? 'Stopped' : 'Failed';
      await runs.update(runId, { JobStatus: jobStatus, FinishedAt: new Date(), CurrentStage: null, CurrentTask: null, ...(errorText ? { ErrorText: errorText } : {}) }, trx);
      await store.addHistory(null, `run ${runId} ${jobStatus.toLowerCase()}${errorText ? `: ${errorText}` : ''}`, trx);
    });
    if (failure) o.onEvent({ type: 'stage-finished', stage: failure.stage, status: 'error', seconds: outcomes.find((x) => x.stage === failure?.stage)?.seconds ?? 0 });
    const signalName = stoppedBy?.match(/SIG[A-Z]+/)?.[0];
    return { runId, outcome, signal: signalName, stages: outcomes, error: errorText, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (error instanceof DmrError) throw error;
    const detail = db.adapter.describeError(error);
    throw new DmrError(`the status tables could not be updated: ${detail.message}`, ExitCode.answeredNo, 'run `dmr doctor` once the database is reachable again', { cause: error });
  } finally {
    await stopHeartbeat().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}

async function runOneTask(o: RunOptions, task: Task, stopSignal: AbortSignal, running: RunningTask, runId: number, typeId: number, cancel: (r: RunningTask) => void, scan?: TaskScan): Promise<TaskFailure | null> {
  const { store } = o;
  const runs = new RunStore(store);
  await store.knex.transaction(async (trx) => {
    await runs.update(runId, { CurrentStage: task.stage, CurrentTask: task.name }, trx);
    await store.addHistory(typeId, `${task.stage}: task ${task.name} started`, trx);
  });
  o.onEvent({ type: 'task-started', stage: task.stage, task: task.name });
  const taskStart = performance.now();
  const timeout = new AbortController();
  const timer = o.taskTimeoutMs ? setTimeout(() => { timeout.abort(`cancelled: ran longer than --task-timeout ${o.taskTimeoutMs} ms`); cancel(running); }, o.taskTimeoutMs) : undefined;
  let failure: TaskFailure | null;
  const startedAt = new Date();
  try {
    const recordFinished = async (trx: Knex | Knex.Transaction, done: TaskDone) => {
      await store.addHistory(typeId, `${task.stage}: task ${task.name} finished in ${((performance.now() - taskStart) / 1000).toFixed(3)} s`, trx);
      await recordTaskOutcome(o, runId, task, 'success', done.checksum, done.transactional, startedAt, trx);
    };
    const onProgress = (message: string, transient: boolean) => o.onEvent({ type: 'task-progress', stage: task.stage, task: task.name, message, transient });
    const copyRun = { schema: store.schema, ...(o.knexfile ? { knexfile: o.knexfile } : {}), user: o.user, host: o.host, onProgress };
    failure = await runTask(store.database, task, AbortSignal.any([stopSignal, timeout.signal]), running, recordFinished, scan, o.encoding, copyRun);
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - taskStart) / 1000;
  const cancelledBy = stopSignal.aborted ? String(stopSignal.reason) : timeout.signal.aborted ? String(timeout.signal.reason) : undefined;
  if (failure && cancelledBy) failure = { ...failure, cancelledBy };
  if (failure) await store.addHistory(typeId, `${task.stage}: task ${task.name} failed after ${seconds.toFixed(3)} s`);
  if (failure?.checksum) {
    const outcome = cancelledBy ? 'stopped' : 'failed';
    await recordTaskOutcome(o, runId, task, outcome, failure.checksum, scan?.transactional ?? true, startedAt);
  }
  o.onEvent({ type: 'task-finished', stage: task.stage, task: task.name, seconds, ok: !failure });
  return failure;
}

/** A row of App.DataMigrationTaskRuns: which file (by checksum) this run ran, skipped or failed for a task. */
function recordTaskOutcome(
  o: RunOptions,
  runId: number,
  task: Task,
  outcome: TaskRunRecord['outcome'],
  checksum: string,
  transactional: boolean,
  startedAt: Date,
  db?: Knex | Knex.Transaction,
): Promise<void> {
  const file = taskFileId(o.sqlDir, task.file);
  const record = { runId, stage: task.stage, task: task.name, file, checksum, outcome, transactional, startedAt };
  return recordTaskRun(o.store, { ...record, finishedAt: new Date() }, db);
}
