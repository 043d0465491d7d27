import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Database } from '../core/database.js';
import { ConnectionError, UsageError } from '../core/errors.js';
import { checkJobAction } from '../core/jobs/job-state.js';
import { planRun, type PlanDocument } from '../core/plan/plan-run.js';
import type { RunEvent } from '../core/runner/run-events.js';
import { runMigration } from '../core/runner/run-migration.js';
import type { RunOptions, RunResult } from '../core/runner/run-options.js';
import { selectStages, type StageSelection } from '../core/runner/select-stages.js';
import { defaultStages } from '../core/status/status-codes.js';
import { assertIdentifier } from '../core/identifiers.js';
import { encodingName } from '../core/tasks/read-task-text.js';
import { resolveStatusConnection, whoAmI, withStatusStore, type DatabaseOptions } from './database-options.js';
import { probeProcess } from './probe-process.js';

/** Options of migrate, resume and restart. */
export interface RunStagesOptions extends DatabaseOptions {
  /** Folder holding `<stage>/` task folders (default `sql`, relative to `cwd`). */
  readonly sqlDir?: string;
  /** Seconds to wait for a run lock another run holds (default 0: LockHeldError at once). */
  readonly waitSeconds?: number;
  /** How often the run record's heartbeat is refreshed, in ms (default 5000, at least 50). */
  readonly heartbeatMs?: number;
  /** Cancel a task running longer than this many ms and fail its stage. */
  readonly taskTimeoutMs?: number;
  /** While the database cannot be reached, retry status writes this many ms, then end as lost (default 30000). */
  readonly dbRetryMs?: number;
  /** Encoding of the task files (default utf-8, checked strictly). */
  readonly encoding?: string;
  /** Aborting it stops the run as Ctrl-C does: the running statement is cancelled, the stop recorded. */
  readonly signal?: AbortSignal;
  /** Progress: stage and task starts and ends (nothing is printed). */
  readonly onEvent?: (event: RunEvent) => void;
  /** Recorded as the user and host of the run (default: this process's). */
  readonly user?: string;
  readonly host?: string;
}

/** Options of migrate: which stages. */
export interface MigrateOptions extends RunStagesOptions {
  /** Only these stages (in stage order). */
  readonly only?: readonly string[];
  /** This stage and the ones after it (earlier ones must be success). */
  readonly from?: string;
}

/** Options of resume. */
export interface ResumeOptions extends RunStagesOptions {
  /** Inside the first stage resumed, continue from this task. */
  readonly fromTask?: string;
  /** Continue although tasks of already-run stages changed since they ran. */
  readonly allowChangedTasks?: boolean;
}

/** A stage of a run as `--json` prints it. */
export interface StageDocument {
  readonly stage: string;
  readonly status: 'success' | 'error' | 'skipped' | 'not-run';
  readonly seconds: number | null;
  /** Tasks that ran through. */
  readonly tasks: readonly string[];
}

/** migrate, resume, restart: the run's outcome (`dmr migrate --json`). */
export interface RunDocument {
  readonly runId: number;
  /**
   * success (exit 0); failed (exit 1); stopped by dmr stop or a signal (exit 1, or 130/143 for SIGINT/SIGTERM);
   * lost: the runner lost its hold on the run (heartbeat unwritable, the database away past the retry, a
   * forced reset or another session's write) and stopped itself (exit 2).
   */
  readonly outcome: RunResult['outcome'];
  /** SIGINT or SIGTERM when a signal stopped the run. */
  readonly signal: string | null;
  readonly seconds: number;
  readonly stages: readonly StageDocument[];
  /** The failed task's error, or null. */
  readonly error: string | null;
}

const round = (seconds: number) => Number(seconds.toFixed(3));

/** A RunResult as its JSON document. */
function runDocument(result: RunResult): RunDocument {
  return {
    runId: result.runId,
    outcome: result.outcome,
    signal: result.signal ?? null,
    seconds: round(result.seconds),
    stages: result.stages.map((s) => ({
      stage: s.stage,
      status: s.status,
      seconds: s.seconds === null ? null : round(s.seconds),
      tasks: s.tasks,
    })),
    error: result.error ?? null,
  };
}

function selectionOf(o: MigrateOptions): StageSelection {
  if (o.only !== undefined && o.from !== undefined) throw new UsageError('only and from cannot be combined');
  if (o.only !== undefined) {
    if (o.only.length === 0 || o.only.some((s) => s.trim() === '')) throw new UsageError('only names no stage');
    return { kind: 'only', stages: o.only.map((s) => s.trim()) };
  }
  if (o.from !== undefined) return { kind: 'from', stage: o.from };
  return { kind: 'all' };
}

function sqlDirOf(o: RunStagesOptions): string {
  const sqlDir = path.resolve(o.cwd ?? process.cwd(), o.sqlDir ?? 'sql');
  if (!existsSync(sqlDir)) {
    throw new UsageError(
      `task directory not found: ${sqlDir}`,
      'pass --sql-dir, or run from the project folder that holds sql/<stage>/',
    );
  }
  if (!statSync(sqlDir).isDirectory()) {
    throw new UsageError(`--sql-dir ${sqlDir} is not a directory`, 'pass the folder that holds one folder per stage');
  }
  return sqlDir;
}

async function runStages(
  o: RunStagesOptions & { readonly allowChangedTasks?: boolean },
  selection: StageSelection,
  command: RunOptions['command'],
  fromTask?: string,
): Promise<RunDocument> {
  // resume and restart ask the job first: a job that does not allow them is the answer whatever else is wrong.
  if (command !== 'migrate') {
    await withStatusStore(o, (store) => checkJobAction(store, command, probeProcess), { mustExist: true });
  }
  await checkStagesBeforeCreating(o, selection);
  const sqlDir = sqlDirOf(o);
  const heartbeatMs = o.heartbeatMs ?? 5000;
  if (heartbeatMs < 50) throw new UsageError('--heartbeat must be at least 50ms');
  const encoding = encodingName(o.encoding);
  const me = whoAmI();
  const result = await withStatusStore(
    o,
    (store) =>
      runMigration({
        store,
        sqlDir,
        selection,
        fromTask,
        command,
        heartbeatMs,
        waitSeconds: o.waitSeconds ?? 0,
        taskTimeoutMs: o.taskTimeoutMs,
        ...(o.dbRetryMs !== undefined ? { dbRetryMs: o.dbRetryMs } : {}),
        encoding,
        ...(o.knexfile ? { knexfile: o.knexfile } : {}),
        allowChangedTasks: o.allowChangedTasks ?? false,
        signal: o.signal,
        user: o.user ?? me.user,
        host: o.host ?? me.host,
        onEvent: o.onEvent ?? (() => undefined),
      }),
    { poolMax: 6 },
  );
  return runDocument(result);
}

/**
 * Stages named for a database that cannot be opened without creating it (a new SQLite file) are
 * checked against the default stages first, so a typo creates nothing. Where the database opens,
 * the run checks them against its declared stages after taking the lock, as before.
 */
async function checkStagesBeforeCreating(o: DatabaseOptions, selection: StageSelection): Promise<void> {
  if (selection.kind !== 'only' && selection.kind !== 'from') return;
  const connection = await resolveStatusConnection(o);
  let database: Database;
  try {
    database = await openDatabase(connection, { readOnly: true, poolMax: 1 });
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    selectStages(
      selection,
      defaultStages.map((t) => t.code),
      [],
    );
    return;
  }
  await database.close();
}

/** Runs the stages in order (ods, rds, report), keeping the status tables true at every step (`dmr migrate`). */
export async function migrate(options: MigrateOptions = {}): Promise<RunDocument> {
  return runStages(options, selectionOf(options), 'migrate');
}

/** Continues at the first stage that is not success (`dmr resume`). */
export async function resume(options: ResumeOptions = {}): Promise<RunDocument> {
  if (options.fromTask !== undefined && options.fromTask.trim() === '')
    throw new UsageError('--from-task needs a name');
  return runStages(options, { kind: 'resume' }, 'resume', options.fromTask);
}

/** Runs every stage again from the first (`dmr restart`). */
export async function restart(options: RunStagesOptions = {}): Promise<RunDocument> {
  return runStages(options, { kind: 'restart' }, 'restart');
}

/**
 * What migrate would do, changing nothing (`dmr migrate --plan`): the tasks per stage on this
 * dialect, each stage's status now and what resume would skip. The status database is read
 * read-only when it can be reached; otherwise `statusNote` says why not.
 */
export async function plan(options: MigrateOptions = {}): Promise<PlanDocument> {
  if (options.schema !== undefined) assertIdentifier(options.schema, '--schema');
  const selection = selectionOf(options);
  const connection = await resolveStatusConnection(options);
  let database: Database | null = null;
  let unread: string | undefined;
  try {
    database = await openDatabase(connection, { readOnly: true, poolMax: 2 });
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    unread = error.message;
  }
  try {
    const cwd = options.cwd ?? process.cwd();
    return await planRun({
      dialect: connection.dialect,
      display: connection.display,
      database,
      ...(unread ? { unreadBecause: unread } : {}),
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
      sqlDir: path.resolve(cwd, options.sqlDir ?? 'sql'),
      selection,
      encoding: options.encoding,
      cwd: process.cwd(),
    });
  } finally {
    await database?.close();
  }
}
