import path from 'node:path';
import type { Database } from '../database.js';
import { statusTablesExist } from '../status/ensure-status-tables.js';
import { defaultStages, type StatusCode } from '../status/status-codes.js';
import { StatusStore, type StageState } from '../status/status-store.js';
import { selectStages, type StageSelection } from '../runner/select-stages.js';
import { UsageError } from '../errors.js';
import { inspectTasks, inspectionError } from '../tasks/inspect-tasks.js';
import type { IgnoredFile, Task } from '../tasks/discover-tasks.js';
import { describeDrift, findResumeDrift } from '../tasks/task-drift.js';
import type { DialectName } from '../../adapters/dialect-adapter.js';

/** One task as `migrate --plan` lists it. */
export interface PlannedTask {
  readonly name: string;
  /** sql, module (.ts/.js) or copy (.copy.json). */
  readonly kind: Task['kind'];
  /** Relative to the current folder. */
  readonly file: string;
  /** The dialect this file is written for; null for the generic file. */
  readonly variant: DialectName | null;
  readonly statements: number | null;
  readonly transactional: boolean;
  readonly atomic: boolean;
  /** Why the task is not all-or-nothing, or null. */
  readonly nonAtomic: string | null;
}

/** One stage of the plan: its tasks, its status now, and whether resume would skip it. */
export interface PlannedStage {
  readonly stage: string;
  /** The stage's status in the status tables now; null when there are none yet (or they could not be read). */
  readonly current: StatusCode | null;
  /** True when `dmr resume` would not run this stage (it and every stage before it are success). */
  readonly resumeSkips: boolean;
  readonly tasks: readonly PlannedTask[];
  readonly ignored: readonly {
    readonly file: string;
    readonly reason: IgnoredFile['reason'];
    readonly message: string;
  }[];
}

/** `migrate --plan --json`: what a run would do, changing nothing. */
export interface PlanDocument {
  readonly dialect: DialectName;
  readonly database: string;
  readonly plan: readonly PlannedStage[];
  /** Why `current` is null everywhere (no status tables yet, database not reachable), or null when read. */
  readonly statusNote: string | null;
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  readonly dialect: DialectName;
  readonly display: string;
  /** The status database opened read-only, or null when it cannot be read (new SQLite path, no server). */
  readonly database: Database | null;
  /** Why `database` is null. */
  readonly unreadBecause?: string;
  /** Schema of the status tables; absent: the database's default (App, or MySQL's URL database). */
  readonly schema?: string;
  readonly sqlDir: string;
  readonly selection: StageSelection;
  readonly encoding?: string;
  /** Folder file paths are shown relative to. */
  readonly cwd: string;
}

/**
 * The plan of a run: the tasks each selected stage would run on this dialect, each stage's
 * current status, what resume would skip (and whether changed tasks would stop it). Reads only.
 */
export async function planRun(o: PlanOptions): Promise<PlanDocument> {
  const warnings: string[] = [];
  const store = o.database ? new StatusStore(o.database, o.schema ?? o.database.defaultSchema ?? 'App') : null;
  const existed = store ? await statusTablesExist(store) : false;
  const types = store && existed ? await store.stageTypes() : defaultStages;
  const order = types.map((t) => t.code);
  const states: StageState[] = store && existed ? await store.stages() : [];
  const statusNote = existed
    ? null
    : o.database
      ? 'no status tables yet: every stage would run'
      : `status not read: ${o.unreadBecause ?? 'no database'}`;
  if (o.selection.kind === 'from' && !order.includes(o.selection.stage)) {
    throw new UsageError(`unknown stage ${JSON.stringify(o.selection.stage)}`, `stages are: ${order.join(', ')}`);
  }
  const stages =
    o.selection.kind === 'from' ? order.slice(order.indexOf(o.selection.stage)) : selectStages(o.selection, order, []);
  const inspection = await inspectTasks({ sqlDir: o.sqlDir, stages, dialect: o.dialect, encoding: o.encoding });
  if (inspection.problems.length > 0) throw inspectionError(inspection);
  const statusOf = (stage: string) => states.find((s) => s.stage === stage)?.status ?? null;
  const firstToResume = order.findIndex((stage) => statusOf(stage) !== 'success');
  const resumeSkips = (stage: string) => existed && (firstToResume < 0 || order.indexOf(stage) < firstToResume);
  if (store && existed && firstToResume >= 0) {
    const drift = await findResumeDrift(store, o.sqlDir, o.dialect, order, order.slice(firstToResume));
    for (const d of drift) warnings.push(`dmr resume would refuse: ${d.stage}: ${describeDrift(d)}`);
  }
  const rel = (file: string) => path.relative(o.cwd, file);
  const plan = inspection.tree.stages.map((s) => ({
    stage: s.stage,
    current: statusOf(s.stage),
    resumeSkips: resumeSkips(s.stage),
    tasks: s.tasks.map((t) => {
      const scan = inspection.scans.get(t.file);
      return {
        name: t.name,
        kind: t.kind,
        file: rel(t.file),
        variant: t.variant ?? null,
        statements: scan?.statements?.count ?? null,
        transactional: scan?.transactional ?? true,
        atomic: !scan?.nonAtomic,
        nonAtomic: scan?.nonAtomic ?? null,
      };
    }),
    ignored: s.ignored.map((f) => ({ file: rel(f.file), reason: f.reason, message: f.message })),
  }));
  return { dialect: o.dialect, database: o.display, plan, statusNote, warnings: [...warnings, ...inspection.warnings] };
}
