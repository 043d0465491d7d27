import path from 'node:path';
import type { DialectName } from '../../adapters/dialect-adapter.js';
import { defaultStages } from '../status/status-codes.js';
import type { StatusStore } from '../status/status-store.js';
import { inspectTasks } from '../tasks/inspect-tasks.js';
import { findTaskDrift, describeDrift, type TaskDrift } from '../tasks/task-drift.js';
import type { CheckItem, TaskTreeCheck } from './check-types.js';

/**
 * The task tree as a run on `dialect` would read it: tasks per stage with their dialect variants,
 * every ignored file with the reason, what would stop a run, and (with a readable status
 * database) the tasks of succeeded stages that changed since they ran.
 */
export async function checkTasks(o: {
  readonly sqlDir: string;
  readonly dialect: DialectName;
  readonly stages?: readonly string[];
  readonly store: StatusStore | null;
  readonly encoding?: string;
  readonly cwd: string;
}): Promise<TaskTreeCheck> {
  const stages = o.stages ?? defaultStages.map((s) => s.code);
  const inspection = await inspectTasks({ sqlDir: o.sqlDir, stages, dialect: o.dialect, encoding: o.encoding });
  const rel = (file: string) => path.relative(o.cwd, file) || '.';
  const items: CheckItem[] = [
    ...inspection.problems.map((p) => ({
      id: 'tasks',
      state: 'problem' as const,
      neededBy: ['migrate', 'resume', 'restart'],
      message: p,
    })),
    ...inspection.warnings.map((w) => ({ id: 'tasks', state: 'warning' as const, neededBy: ['migrate'], message: w })),
  ];
  let drift: readonly TaskDrift[] = [];
  if (o.store) {
    const succeeded = (await o.store.stages())
      .filter((s) => s.status === 'success' && s.stage)
      .map((s) => ({ stage: s.stage as string }));
    drift = (await findTaskDrift(o.store, o.sqlDir, o.dialect, succeeded)).drift;
    for (const d of drift) {
      items.push({
        id: 'task-drift',
        state: 'warning',
        neededBy: ['resume'],
        message: `${d.stage}: ${describeDrift(d)} (dmr resume refuses; dmr restart runs it all again)`,
      });
    }
  }
  const count = inspection.tree.stages.reduce((n, s) => n + s.tasks.length, 0);
  if (inspection.problems.length === 0)
    items.unshift({
      id: 'tasks',
      state: 'ok',
      neededBy: [],
      message: `${count} task${count === 1 ? '' : 's'} in ${rel(o.sqlDir)}`,
    });
  return {
    sqlDir: rel(o.sqlDir),
    dialect: o.dialect,
    stages: inspection.tree.stages.map((s) => ({
      stage: s.stage,
      state: s.state,
      tasks: s.tasks.map((t) => ({
        name: t.name,
        file: rel(t.file),
        variant: t.variant ?? null,
        variants: (t.variants ?? [{ file: t.file, dialect: t.variant ?? null, used: true }]).map((v) => ({
          ...v,
          file: rel(v.file),
        })),
      })),
      ignored: s.ignored.map((f) => ({ ...f, file: rel(f.file) })),
    })),
    drift,
    items,
  };
}
