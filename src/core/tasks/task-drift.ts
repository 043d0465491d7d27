import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { DialectName } from '../../adapters/dialect-name.js';
import { UsageError } from '../errors.js';
import type { StatusStore } from '../status/status-store.js';
import { readTaskTree, type Task } from './discover-tasks.js';
import { recordedStageTasks } from './task-run-store.js';

/** A task of an already-run stage whose file is not what ran. */
export interface TaskDrift {
  readonly stage: string;
  readonly task: string;
  readonly change: 'changed' | 'removed' | 'added';
  /** What ran: null for a task added since. */
  readonly recorded: { readonly file: string; readonly checksum: string; readonly runId: number } | null;
  /** The file now: null for a task removed since. */
  readonly current: { readonly file: string; readonly checksum: string } | null;
}

/** Which tasks to compare: a whole stage, or only its tasks named before `before` (resume --from-task). */
export interface DriftScope {
  readonly stage: string;
  readonly before?: string;
}

export interface DriftReport {
  readonly drift: readonly TaskDrift[];
  /** Stages with no recorded checksums (run before dmr recorded them, or set by reset): not compared. */
  readonly unrecorded: readonly string[];
  /** Why nothing was compared (the task folder is not there), if so. */
  readonly notChecked?: string;
}

/**
 * Compares the checksums recorded by each stage's latest run with the task files now, as
 * Flyway and Liquibase do for applied changes: changed, removed and added tasks.
 */
export async function findTaskDrift(
  store: StatusStore,
  sqlDir: string,
  dialect: DialectName,
  scopes: readonly DriftScope[],
): Promise<DriftReport> {
  if (!existsSync(sqlDir)) return { drift: [], unrecorded: [], notChecked: `task folder ${sqlDir} not found` };
  const drift: TaskDrift[] = [];
  const unrecorded: string[] = [];
  for (const { stage, before } of scopes) {
    const inScope = (name: string) => before === undefined || name < before;
    const recorded = (await recordedStageTasks(store, stage, before === undefined ? 'completed' : 'latest')).filter(
      (r) => inScope(r.task),
    );
    if (recorded.length === 0) {
      if (before === undefined) unrecorded.push(stage);
      continue;
    }
    const tasks = (readTaskTree(sqlDir, [stage], dialect).stages[0]?.tasks ?? []).filter((t) => inScope(t.name));
    const now = new Map<string, Task>(tasks.map((t) => [t.name, t]));
    for (const r of recorded) {
      const task = now.get(r.task);
      const was = { file: r.file, checksum: r.checksum, runId: r.runId };
      if (!task) {
        drift.push({ stage, task: r.task, change: 'removed', recorded: was, current: null });
        continue;
      }
      const checksum = await fileChecksum(task.file);
      if (checksum !== r.checksum)
        drift.push({
          stage,
          task: r.task,
          change: 'changed',
          recorded: was,
          current: { file: taskFileId(sqlDir, task.file), checksum },
        });
    }
    const known = new Set(recorded.map((r) => r.task));
    for (const task of tasks.filter((t) => !known.has(t.name))) {
      drift.push({
        stage,
        task: task.name,
        change: 'added',
        recorded: null,
        current: { file: taskFileId(sqlDir, task.file), checksum: await fileChecksum(task.file) },
      });
    }
  }
  return { drift, unrecorded };
}

/**
 * What resume would build on without running it again: every stage before the first one it runs,
 * and with --from-task the tasks before that one in the first stage.
 */
export async function findResumeDrift(
  store: StatusStore,
  sqlDir: string,
  dialect: DialectName,
  order: readonly string[],
  stages: readonly string[],
  fromTask?: string,
): Promise<readonly TaskDrift[]> {
  const first = stages[0];
  const skipped = first === undefined ? [] : order.slice(0, order.indexOf(first));
  const scopes: DriftScope[] = [
    ...skipped.map((stage) => ({ stage })),
    ...(first !== undefined && fromTask ? [{ stage: first, before: fromTask }] : []),
  ];
  return (await findTaskDrift(store, sqlDir, dialect, scopes)).drift;
}

/** One line per drifted task, naming the file and both checksums. */
export function describeDrift(d: TaskDrift): string {
  if (d.change === 'removed')
    return `${d.recorded?.file} removed (sha256 ${d.recorded?.checksum} ran in run ${d.recorded?.runId})`;
  if (d.change === 'added') return `${d.current?.file} added (sha256 ${d.current?.checksum}; not run)`;
  const { recorded, current } = d;
  return (
    `${current?.file} changed: sha256 ${recorded?.checksum} ran in run ${recorded?.runId}, ` +
    `now ${current?.checksum}`
  );
}

/** resume's refusal when tasks of stages it would skip changed since they ran (exit 2). */
export function taskDriftError(drift: readonly TaskDrift[]): UsageError {
  return new UsageError(
    `cannot resume: ${drift.length === 1 ? 'a task' : `${drift.length} tasks`} of already-run work changed ` +
      `since it ran: ${drift.map(describeDrift).join('; ')}`,
    'run `dmr restart` to run every stage again with the files as they are now, ' +
      'or `dmr resume --allow-changed-tasks` to continue anyway',
  );
}

/** The task file as recorded: relative to the task folder, with forward slashes. */
export function taskFileId(sqlDir: string, file: string): string {
  return path.relative(sqlDir, file).split(path.sep).join('/');
}

/** sha256 (hex) of a file's bytes. */
async function fileChecksum(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
