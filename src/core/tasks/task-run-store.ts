import type { Knex } from 'knex';
import type { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';

/** One task execution as App.DataMigrationTaskRuns keeps it. */
export interface TaskRunRecord {
  readonly runId: number;
  readonly stage: string;
  readonly task: string;
  /** The file that ran, relative to the task folder (`ods/010_load.postgres.sql`). */
  readonly file: string;
  /** sha256 (hex) of the file's bytes. */
  readonly checksum: string;
  /** skipped: not run by this run (resume --from-task), checksum of the file then. */
  readonly outcome: 'success' | 'failed' | 'stopped' | 'skipped';
  /** false for a task that ran without a transaction. */
  readonly transactional: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

type Db = Knex | Knex.Transaction;

/** Records one task execution (the table is created by init; dmr's own table, never Generate's). */
export async function recordTaskRun(store: StatusStore, r: TaskRunRecord, db?: Db): Promise<void> {
  await store.table('taskRuns', db).insert({
    RunId: r.runId,
    StageCode: r.stage,
    TaskName: r.task.slice(0, 400),
    TaskFile: r.file.slice(0, 1000),
    Checksum: r.checksum,
    Outcome: r.outcome,
    Transactional: r.transactional ? 1 : 0,
    StartedAt: r.startedAt,
    FinishedAt: r.finishedAt,
  });
}

/**
 * The tasks of a stage as a run left them, ran or skipped: of the newest run that went through
 * the stage without a failed task (`completed`), or of the newest run that touched it at all
 * (`latest`, for the tasks before a failed one). Empty when nothing was recorded or the table is absent.
 */
export async function recordedStageTasks(
  store: StatusStore,
  stage: string,
  which: 'completed' | 'latest',
): Promise<TaskRunRecord[]> {
  if (!(await store.hasTable('taskRuns'))) return [];
  const kept = ['success', 'skipped'];
  const latest = store.table('taskRuns').max({ id: 'RunId' }).where('StageCode', stage);
  if (which === 'completed')
    latest.whereNotIn(
      'RunId',
      store.table('taskRuns').select('RunId').where('StageCode', stage).whereIn('Outcome', ['failed', 'stopped']),
    );
  const rows = await store
    .table('taskRuns')
    .select('*')
    .where('StageCode', stage)
    .whereIn('Outcome', kept)
    .where('RunId', latest)
    .orderBy('TaskRunId');
  return rows.map((r: Record<string, unknown>) => ({
    runId: Number(r.RunId),
    stage: String(r.StageCode),
    task: String(r.TaskName),
    file: String(r.TaskFile),
    checksum: String(r.Checksum),
    outcome: String(r.Outcome) as TaskRunRecord['outcome'],
    transactional: Number(r.Transactional) === 1,
    startedAt: toDate(r.StartedAt) ?? new Date(0),
    finishedAt: toDate(r.FinishedAt) ?? new Date(0),
  }));
}
