import { dialectNamed } from '../../adapters/dialects.js';
import type { DialectAdapter } from '../../adapters/dialect-adapter.js';
import type { DialectName } from '../../adapters/dialect-name.js';
import { UsageError } from '../errors.js';
import { readTaskTree, show, type Task, type TaskTree } from './discover-tasks.js';
import { encodingName } from './read-task-text.js';
import { scanTask, type TaskScan } from './scan-task.js';

export interface InspectOptions {
  /** Folder holding <stage>/ task folders. */
  readonly sqlDir: string;
  readonly stages: readonly string[];
  readonly dialect: DialectName;
  /** The open database's adapter; without it one is made for the dialect (no connection needed). */
  readonly adapter?: DialectAdapter;
  /** Encoding of the task files (default utf-8, checked strictly). */
  readonly encoding?: string;
}

/** The task tree with every task file read once: what a run would do, and what would stop it. */
export interface TaskInspection {
  readonly tree: TaskTree;
  /** Each task's scan, by file path: checksum, statements, transactional, atomic, refusals. */
  readonly scans: ReadonlyMap<string, TaskScan>;
  /** What stops a run before anything is written (exit 2), each naming its folder or file and line. */
  readonly problems: readonly string[];
  /** Worth saying, never blocking: empty stage folders, tasks that are not all-or-nothing. */
  readonly warnings: readonly string[];
}

/**
 * Reads the task tree and scans every task (`migrate --plan`, `dmr check`, and the run before it
 * writes anything). Never throws for what it finds; see `problems`.
 */
export async function inspectTasks(o: InspectOptions): Promise<TaskInspection> {
  const tree = readTaskTree(o.sqlDir, o.stages, o.dialect);
  const adapter = o.adapter ?? dialectNamed(o.dialect).createAdapter({});
  const encoding = encodingName(o.encoding);
  const scans = new Map<string, TaskScan>();
  const problems = [...tree.problems];
  const warnings = [...tree.warnings];
  for (const task of tree.stages.flatMap((s) => s.tasks)) {
    let scan: TaskScan;
    try {
      scan = await scanTask(task, adapter, encoding);
    } catch (error) {
      problems.push(
        `task file ${show(task.file)} cannot be read: ` +
          `${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
      continue;
    }
    scans.set(task.file, scan);
    for (const r of scan.refusals) problems.push(`${show(task.file)}:${r.line}: ${r.message}`);
    if (scan.nonAtomic) warnings.push(`${show(task.file)} is not atomic: it ${scan.nonAtomic}`);
  }
  return { tree, scans, problems, warnings };
}

/** The error a run stops with (exit 2) when the inspection found problems. */
export function inspectionError(inspection: TaskInspection): UsageError {
  const { problems } = inspection;
  const message =
    problems.length === 1
      ? (problems[0] as string)
      : `${problems.length} problems with the tasks: ${problems.join('; ')}`;
  return new UsageError(message, 'fix the task files or folders named above and run again; nothing was changed');
}

/**
 * Tasks per stage and their scans, for a run; a UsageError (exit 2) if anything would stop it.
 * `notices` says what the run leaves out without a word otherwise: files of a stage folder that are
 * not tasks (an unknown extension, a folder), tasks with no file for this dialect, empty stage folders.
 */
export async function prepareTasks(o: InspectOptions): Promise<{
  tasks: Map<string, Task[]>;
  scans: ReadonlyMap<string, TaskScan>;
  notices: readonly string[];
}> {
  const inspection = await inspectTasks(o);
  if (inspection.problems.length > 0) throw inspectionError(inspection);
  const { tree } = inspection;
  const skipped = tree.stages.flatMap((s) =>
    s.ignored
      .filter((f) => f.reason === 'unknown-extension' || f.reason === 'not-a-file')
      .map((f) => `${show(f.file)} is not run: ${f.message}`),
  );
  return {
    tasks: new Map(tree.stages.map((s) => [s.stage, [...s.tasks]])),
    scans: inspection.scans,
    notices: [...skipped, ...tree.warnings],
  };
}
