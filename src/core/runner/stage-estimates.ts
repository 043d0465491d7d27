import type { StatusStore } from '../status/status-store.js';
import type { Task } from '../tasks/discover-tasks.js';
import { toDate } from '../time.js';

/** Expected seconds per task of one stage, from earlier runs (null where nothing is known). */
export interface StageEstimate {
  /** The whole stage: the sum of its tasks' durations when each is known, else Generate's LastDurationInSeconds. */
  readonly stageSeconds: number | null;
  /** Per task name. */
  readonly taskSeconds: ReadonlyMap<string, number | null>;
}

/**
 * What earlier runs took: each task's last successful duration from dmr's own task history
 * (DataMigrationTaskRuns), and Generate's LastDurationInSeconds for the stage, spread evenly over
 * its tasks where the task history has nothing (a database Generate ran).
 */
export async function estimateStages(
  store: StatusStore,
  tasks: ReadonlyMap<string, readonly Task[]>,
): Promise<Map<string, StageEstimate>> {
  const stages = [...tasks.keys()];
  const last = new Map<string, number>();
  if (await store.hasTable('taskRuns')) {
    const rows = await store
      .table('taskRuns')
      .whereIn('StageCode', stages)
      .andWhere('Outcome', 'success')
      .orderBy('TaskRunId', 'desc')
      .limit(5000)
      .select('StageCode', 'TaskName', 'StartedAt', 'FinishedAt');
    for (const r of rows as Record<string, unknown>[]) {
      const key = `${String(r.StageCode)}/${String(r.TaskName)}`;
      const started = toDate(r.StartedAt);
      const finished = toDate(r.FinishedAt);
      if (last.has(key) || !started || !finished) continue;
      last.set(key, Math.max(0, (finished.getTime() - started.getTime()) / 1000));
    }
  }
  const generate = new Map((await store.stages()).map((s) => [s.stage ?? '', s.lastDurationInSeconds]));
  const estimates = new Map<string, StageEstimate>();
  for (const [stage, list] of tasks) {
    const known = list.map((t) => last.get(`${stage}/${t.name}`) ?? null);
    const whole = generate.get(stage) ?? null;
    const even = whole !== null && list.length > 0 ? whole / list.length : null;
    const taskSeconds = known.map((s) => s ?? even);
    const all = taskSeconds.every((s) => s !== null) && list.length > 0;
    const stageSeconds = all ? taskSeconds.reduce<number>((sum, s) => sum + (s ?? 0), 0) : whole;
    estimates.set(stage, { stageSeconds, taskSeconds: new Map(list.map((t, i) => [t.name, taskSeconds[i] ?? null])) });
  }
  return estimates;
}
