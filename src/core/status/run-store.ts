import type { Knex } from 'knex';
import { toDate } from '../time.js';
import type { JobStatus } from './status-codes.js';
import type { StatusStore } from './status-store.js';

/** dmr's own record of one run (App.DataMigrationRuns). */
export interface RunRecord {
  readonly runId: number;
  /** migrate, resume or restart. */
  readonly command: string;
  readonly jobStatus: JobStatus;
  /** Comma-separated stage codes the run covers. */
  readonly stages: string;
  readonly currentStage: string | null;
  readonly currentTask: string | null;
  readonly startedAt: Date;
  readonly heartbeatAt: Date | null;
  readonly finishedAt: Date | null;
  /** How often the runner promised to beat; staleness is judged against it. */
  readonly heartbeatIntervalMs: number;
  readonly host: string;
  readonly pid: number;
  readonly userName: string;
  /** Server session holding the run lock (pg backend pid, MySQL connection id, SQL Server spid, SQLite host:pid). */
  readonly dbSessionId: string | null;
  readonly stopRequested: boolean;
  readonly stopRequestedBy: string | null;
  /** JSON {stage: statusId} before the run, to restore stages it never started. */
  readonly priorStatuses: Record<string, number>;
  readonly errorText: string | null;
}

export interface NewRun {
  readonly command: string;
  readonly jobStatus: JobStatus;
  readonly stages: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly host: string;
  readonly pid: number;
  readonly userName: string;
  readonly dbSessionId: string | null;
  readonly priorStatuses: Record<string, number>;
}

type Db = Knex | Knex.Transaction;

/** Heartbeats older than this are late: two missed beats plus a second of slack. */
export function staleAfterMs(heartbeatIntervalMs: number): number {
  return 2 * heartbeatIntervalMs + 1000;
}

export class RunStore {
  constructor(private readonly store: StatusStore) {}

  async create(run: NewRun, db?: Db): Promise<number> {
    const now = new Date();
    const row = {
      Command: run.command,
      JobStatus: run.jobStatus,
      Stages: run.stages.join(','),
      StartedAt: now,
      HeartbeatAt: now,
      HeartbeatIntervalMs: run.heartbeatIntervalMs,
      Host: run.host,
      Pid: run.pid,
      UserName: run.userName,
      DbSessionId: run.dbSessionId,
      StopRequested: 0,
      PriorStatuses: JSON.stringify(run.priorStatuses),
    };
    const query = this.store.table('runs', db).insert(row);
    const [id] = await (this.store.database.adapter.capabilities.insertReturning ? query.returning('RunId') : query);
    return Number(typeof id === 'object' && id !== null ? (id as { RunId: number }).RunId : id);
  }

  async update(
    runId: number,
    changes: Partial<{
      JobStatus: JobStatus;
      CurrentStage: string | null;
      CurrentTask: string | null;
      FinishedAt: Date;
      ErrorText: string;
      HeartbeatAt: Date;
      StopRequested: number;
      StopRequestedBy: string;
    }>,
    db?: Db,
  ): Promise<number> {
    return this.store.table('runs', db).where('RunId', runId).update(changes);
  }

  /**
   * The heartbeat of an unfinished run as two statements compiled to the driver's SQL, for the
   * heartbeat's thread to run without knex: `update` refreshes HeartbeatAt where the record is not
   * finished (its one Date value is replaced by the time of each beat), `read` gives StopRequested and
   * FinishedAt. No row updated while FinishedAt is set means someone else closed the run.
   */
  beatStatements(runId: number): { update: Knex.SqlNative; read: Knex.SqlNative } {
    const run = () => this.store.table('runs').where('RunId', runId);
    return {
      update: run().whereNull('FinishedAt').update({ HeartbeatAt: new Date() }).toSQL().toNative(),
      read: run().first('StopRequested', 'FinishedAt').toSQL().toNative(),
    };
  }

  async get(runId: number, db?: Db): Promise<RunRecord | null> {
    const row = await this.store.table('runs', db).where('RunId', runId).first();
    return row ? toRunRecord(row) : null;
  }

  async latest(db?: Db): Promise<RunRecord | null> {
    const row = await this.store.table('runs', db).orderBy('RunId', 'desc').first();
    return row ? toRunRecord(row) : null;
  }

  /** Runs that never recorded an end: live, or dead without a word. */
  async unfinished(db?: Db): Promise<RunRecord[]> {
    const rows = await this.store.table('runs', db).whereNull('FinishedAt').orderBy('RunId', 'desc');
    return rows.map(toRunRecord);
  }
}

function toRunRecord(r: Record<string, unknown>): RunRecord {
  let prior: Record<string, number>;
  try {
    prior = r.PriorStatuses ? (JSON.parse(String(r.PriorStatuses)) as Record<string, number>) : {};
  } catch {
    prior = {};
  }
  return {
    runId: Number(r.RunId),
    command: String(r.Command),
    jobStatus: String(r.JobStatus) as JobStatus,
    stages: String(r.Stages),
    currentStage: (r.CurrentStage as string | null) ?? null,
    currentTask: (r.CurrentTask as string | null) ?? null,
    startedAt: toDate(r.StartedAt) ?? new Date(0),
    heartbeatAt: toDate(r.HeartbeatAt),
    finishedAt: toDate(r.FinishedAt),
    heartbeatIntervalMs: Number(r.HeartbeatIntervalMs),
    host: String(r.Host),
    pid: Number(r.Pid),
    userName: String(r.UserName),
    dbSessionId: (r.DbSessionId as string | null) ?? null,
    stopRequested: Number(r.StopRequested) === 1,
    stopRequestedBy: (r.StopRequestedBy as string | null) ?? null,
    priorStatuses: prior,
    errorText: (r.ErrorText as string | null) ?? null,
  };
}
