import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { Task } from '../tasks/discover-tasks.js';
import { runTask, type TaskDone } from '../tasks/run-task.js';
import type { TaskScan } from '../tasks/scan-task.js';
import { taskFileId } from '../tasks/task-drift.js';
import type { TaskFailure } from '../tasks/task-error.js';
import type { TaskRunRecord } from '../tasks/task-run-store.js';
import type { PreparedRun } from './prepare-run.js';
import { RunTakenError, type RunBookkeeping } from './run-bookkeeping.js';
import type { RunOptions, StageOutcome } from './run-options.js';
import type { RunStop } from './run-stop.js';
import type { StageEstimate } from './stage-estimates.js';

/** What the stages did: one outcome per stage, and the failure that ended them early. */
export interface LoopResult {
  readonly outcomes: StageOutcome[];
  readonly failure: TaskFailure | null;
}

/**
 * Runs the stages in order, task by task, each status change through the bookkeeping. A task
 * failure or a stop ends the loop with the failure; a row someone else changed stops the run.
 */
export async function runStageLoop(
  o: RunOptions,
  plan: PreparedRun,
  books: RunBookkeeping,
  stop: RunStop,
  estimates: ReadonlyMap<string, StageEstimate> = new Map(),
): Promise<LoopResult> {
  const outcomes: StageOutcome[] = plan.stages.map((stage) => ({ stage, status: 'not-run', seconds: null, tasks: [] }));
  let failure: TaskFailure | null = null;
  let current: { stage: string; task: Task | null } | null = null;
  try {
    for (const [index, stage] of plan.stages.entries()) {
      const all = plan.tasks.get(stage) ?? [];
      const from = index === 0 && o.fromTask ? all.findIndex((t) => t.name === o.fromTask) : 0;
      const stageTasks = all.slice(Math.max(0, from));
      const stageStart = performance.now();
      current = { stage, task: null };
      await books.stageStarted(stage, stageTasks.length, o.user);
      const expected = stageTasks.map((t) => estimates.get(stage)?.taskSeconds.get(t.name) ?? null);
      const etaFrom = (i: number) =>
        expected.slice(i).every((s) => s !== null) ? expected.slice(i).reduce<number>((a, s) => a + (s ?? 0), 0) : null;
      const estimatedSeconds =
        stageTasks.length === all.length ? (estimates.get(stage)?.stageSeconds ?? null) : etaFrom(0);
      o.onEvent({ type: 'stage-started', stage, tasks: stageTasks.length, estimatedSeconds });
      const ran: string[] = [];
      for (const [i, task] of stageTasks.entries()) {
        current = { stage, task };
        const position = { index: i + 1, of: stageTasks.length, etaSeconds: etaFrom(i) };
        failure = stop.signal.aborted
          ? { stage, task: task.name, file: task.file, message: String(stop.reason), cancelledBy: String(stop.reason) }
          : await runOneTask(o, task, books, stop, position, plan.scans.get(task.file));
        if (failure?.connectionLost)
          stop.request('lost', `runner stopped: the database connection was lost: ${failure.message}`);
        if (failure) break;
        ran.push(task.name);
      }
      const seconds = (performance.now() - stageStart) / 1000;
      if (failure) {
        outcomes[index] = { stage, status: 'error', seconds, tasks: ran };
        break;
      }
      await books.stageSucceeded(stage, seconds, ran, async (trx) => {
        // Tasks --from-task skipped belong to the stage as this run completed it: recorded with their checksums.
        for (const t of all.filter((x) => !stageTasks.includes(x))) {
          await books.taskRun(
            taskRecord(o, books.runId, t, 'skipped', plan.scans.get(t.file)?.checksum ?? '', true, new Date()),
            trx,
          );
        }
      });
      outcomes[index] = { stage, status: 'success', seconds, tasks: ran };
      o.onEvent({ type: 'stage-finished', stage, status: 'success', seconds });
    }
  } catch (error) {
    if (!(error instanceof RunTakenError) || !current) throw error;
    stop.request('lost', `runner stopped: ${error.message}; nothing of it was overwritten`);
    const task = current.task ?? (plan.tasks.get(current.stage) ?? [])[0];
    failure = {
      stage: current.stage,
      task: task?.name ?? '(none)',
      file: task?.file ?? '',
      message: String(stop.reason),
      cancelledBy: String(stop.reason),
    };
    const index = plan.stages.indexOf(current.stage);
    outcomes[index] = { stage: current.stage, status: 'error', seconds: null, tasks: outcomes[index]?.tasks ?? [] };
  }
  return { outcomes, failure };
}

interface TaskPosition {
  readonly index: number;
  readonly of: number;
  readonly etaSeconds: number | null;
}

async function runOneTask(
  o: RunOptions,
  task: Task,
  books: RunBookkeeping,
  stop: RunStop,
  position: TaskPosition,
  scan?: TaskScan,
): Promise<TaskFailure | null> {
  await books.taskStarted(task.stage, task.name);
  o.onEvent({ type: 'task-started', stage: task.stage, task: task.name, ...position });
  const taskStart = performance.now();
  const timeout = new AbortController();
  const onTimeout = () => {
    timeout.abort(`cancelled: ran longer than --task-timeout ${o.taskTimeoutMs} ms`);
    stop.cancelRunning();
  };
  const timer = o.taskTimeoutMs ? setTimeout(onTimeout, o.taskTimeoutMs) : undefined;
  const startedAt = new Date();
  let failure: TaskFailure | null;
  try {
    // "finished" is recorded in the task's own transaction: exactly when its work commits.
    const recordFinished = async (trx: Knex | Knex.Transaction, done: TaskDone) => {
      const seconds = ((performance.now() - taskStart) / 1000).toFixed(3);
      await books.store.addHistory(
        books.typeId(task.stage),
        `${task.stage}: task ${task.name} finished in ${seconds} s`,
        trx,
      );
      await books.taskRun(
        taskRecord(o, books.runId, task, 'success', done.checksum, done.transactional, startedAt),
        trx as Knex.Transaction,
      );
    };
    const signal = AbortSignal.any([stop.signal, timeout.signal]);
    // Copy tasks (`.copy.json`) report per table and need where the run's ledger and environments are.
    const onProgress = (message: string, transient: boolean) =>
      o.onEvent({ type: 'task-progress', stage: task.stage, task: task.name, message, transient });
    const copyRun = {
      schema: o.store.schema,
      ...(o.knexfile ? { knexfile: o.knexfile } : {}),
      user: o.user,
      host: o.host,
      onProgress,
    };
    failure = await runTask(o.store.database, task, signal, stop.running, recordFinished, scan, o.encoding, copyRun);
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - taskStart) / 1000;
  const cancelledBy = stop.reason ?? (timeout.signal.aborted ? String(timeout.signal.reason) : undefined);
  if (failure && cancelledBy) failure = { ...failure, cancelledBy };
  if (failure) await books.history(task.stage, `${task.stage}: task ${task.name} failed after ${seconds.toFixed(3)} s`);
  if (failure?.checksum) {
    const record = taskRecord(
      o,
      books.runId,
      task,
      cancelledBy ? 'stopped' : 'failed',
      failure.checksum,
      scan?.transactional ?? true,
      startedAt,
    );
    await books.taskRun(record);
  }
  o.onEvent({ type: 'task-finished', stage: task.stage, task: task.name, seconds, ok: !failure });
  return failure;
}

/** A row of DataMigrationTaskRuns: which file (by checksum) this run ran, skipped or failed for a task. */
function taskRecord(
  o: RunOptions,
  runId: number,
  task: Task,
  outcome: TaskRunRecord['outcome'],
  checksum: string,
  transactional: boolean,
  startedAt: Date,
): TaskRunRecord {
  const file = taskFileId(o.sqlDir, task.file);
  return {
    runId,
    stage: task.stage,
    task: task.name,
    file,
    checksum,
    outcome,
    transactional,
    startedAt,
    finishedAt: new Date(),
  };
}
