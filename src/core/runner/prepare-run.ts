import { UsageError } from '../errors.js';
import { ensureStatusTables, statusTablesExist } from '../status/ensure-status-tables.js';
import { StatusId, defaultStages } from '../status/status-codes.js';
import type { Task } from '../tasks/discover-tasks.js';
import { prepareTasks } from '../tasks/inspect-tasks.js';
import type { TaskScan } from '../tasks/scan-task.js';
import { describeDrift, findResumeDrift, taskDriftError } from '../tasks/task-drift.js';
import type { RunOptions } from './run-options.js';
import { selectStages } from './select-stages.js';

/** What a run will do, settled before anything is written. */
export interface PreparedRun {
  readonly stages: readonly string[];
  readonly tasks: ReadonlyMap<string, readonly Task[]>;
  readonly scans: ReadonlyMap<string, TaskScan>;
  /** {stage: statusId} before the run, to restore stages it never reaches. */
  readonly prior: Readonly<Record<string, number>>;
  /** History notes for the run's first lines (resume with changed tasks). */
  readonly notes: readonly string[];
}

/**
 * Validates everything the user gave (stages, tasks, --from-task, resume drift) before writing
 * anything, even the status tables; then creates what is missing of those. Callers hold the lock.
 */
export async function prepareRun(o: RunOptions): Promise<PreparedRun> {
  const { store, sqlDir, encoding } = o;
  const db = store.database;
  const existed = await statusTablesExist(store);
  const declared = existed ? await store.stageTypes() : defaultStages;
  const stages = selectStages(
    o.selection,
    declared.map((t) => t.code),
    existed ? await store.stages() : [],
  );
  const { tasks, scans, notices } = await prepareTasks({
    sqlDir,
    stages,
    dialect: db.dialect,
    adapter: db.adapter,
    encoding,
  });
  const firstTasks = tasks.get(stages[0] ?? '') ?? [];
  if (o.fromTask && !firstTasks.some((t) => t.name === o.fromTask)) {
    const names = firstTasks.map((t) => t.name).join(', ') || '(none)';
    throw new UsageError(`no task ${JSON.stringify(o.fromTask)} in stage ${stages[0]}`, `tasks are: ${names}`);
  }
  const order = declared.map((t) => t.code);
  const drift =
    o.command === 'resume' && existed
      ? await findResumeDrift(store, sqlDir, db.dialect, order, stages, o.fromTask)
      : [];
  if (drift.length > 0 && !o.allowChangedTasks) throw taskDriftError(drift);
  for (const message of notices) o.onEvent({ type: 'warning', message });
  await ensureStatusTables(store);
  const states = await store.stages();
  const prior = Object.fromEntries(
    stages.map((s) => [s, states.find((x) => x.stage === s)?.statusId ?? StatusId.initial]),
  );
  const notes =
    drift.length > 0
      ? [`continues with changed tasks (--allow-changed-tasks): ${drift.map(describeDrift).join('; ')}`]
      : [];
  return { stages, tasks, scans, prior, notes };
}
