import type { Knex } from 'knex';
import { openDatabase, type Database } from '../database.js';
import { plural } from '../plural.js';
import { RunStore, type NewRun } from '../status/run-store.js';
import { StatusId, statusCodeOf, type JobStatus } from '../status/status-codes.js';
import { StatusStore } from '../status/status-store.js';
import { recordTaskRun, type TaskRunRecord } from '../tasks/task-run-store.js';
import { OutageRetry, type LossHandling } from './outage-retry.js';

export type { LossHandling } from './outage-retry.js';

/** A row the run wrote was changed by someone else (`dmr reset --force`): the run is no longer its own. */
export class RunTakenError extends Error {}

/** How the run ends, for finish(). */
export interface RunEnding {
  readonly jobStatus: JobStatus;
  readonly errorText?: string;
  /** The stage that failed (set to error) and the later ones it never reached (back to their prior status). */
  readonly failedStage?: string;
  readonly unreached: readonly string[];
  /** SIGINT or SIGTERM when a signal stopped the run (history: `run N stopped by SIGINT`). */
  readonly signal?: string;
}

type Trx = Knex.Transaction;

/**
 * Every status write of a run, on a pool of its own that tasks never touch, and each one a
 * compare-and-set: a stage moves only from the status this run last gave it, and only while the
 * run record is unfinished. A row someone else changed (a forced reset) is never overwritten:
 * the write throws RunTakenError and the runner stops. Writes and ownership checks are serialised.
 */
export class RunBookkeeping {
  /** typeId -> the status this run last wrote (or read before it started). */
  private readonly expected = new Map<number, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private id = 0;
  /** Retries writes through an outage of the database (--db-retry). */
  private readonly retry: OutageRetry;

  private constructor(
    readonly store: StatusStore,
    private readonly own: Database | null,
    private readonly typeIds: ReadonlyMap<string, number>,
    loss: LossHandling,
  ) {
    this.retry = new OutageRetry(store.database, loss, {
      runId: () => this.id,
      lastKnownState: () => this.lastKnownState(),
      newSession: async (session) => {
        if (this.id) await this.store.table('runs').where('RunId', this.id).update({ DbSessionId: session });
      },
    });
  }

  /** Opens the bookkeeping pool (two connections) beside the run's database. */
  static async open(store: StatusStore, loss: LossHandling): Promise<RunBookkeeping> {
    const { connection } = store.database;
    const own = connection ? await openDatabase(connection, { poolMax: 2 }) : null;
    const books = own ? new StatusStore(own, store.schema) : store;
    const types = await books.stageTypes();
    return new RunBookkeeping(books, own, new Map(types.map((t) => [t.code, t.id])), loss);
  }

  /** The stages as this run last wrote them: `ods success, rds processing, report pending`. */
  lastKnownState(): string {
    return [...this.typeIds]
      .filter(([, id]) => this.expected.has(id))
      .map(([stage, id]) => `${stage} ${statusName(this.expected.get(id) ?? 0)}`)
      .join(', ');
  }

  get runId(): number {
    return this.id;
  }

  typeId(stage: string): number {
    return this.typeIds.get(stage) ?? 0;
  }

  async close(): Promise<void> {
    await this.own?.close();
  }

  /** Creates the run record and sets the run's stages pending (from the statuses read before). */
  async begin(run: NewRun, notes: readonly string[]): Promise<number> {
    for (const [stage, statusId] of Object.entries(run.priorStatuses)) this.expected.set(this.typeId(stage), statusId);
    await this.write(async (trx, set) => {
      this.id = await new RunStore(this.store).create(run, trx);
      for (const stage of run.stages) await set(trx, stage, StatusId.pending);
      await this.store.addHistory(
        null,
        `run ${this.id} (${run.command}) started by ${run.userName}@${run.host} pid ${run.pid}: ` +
          `stages ${run.stages.join(', ')}`,
        trx,
      );
      for (const note of notes) await this.store.addHistory(null, `run ${this.id} ${note}`, trx);
    });
    await this.write(async (trx) => this.updateRun(trx, { JobStatus: 'Running' }));
    return this.id;
  }

  async stageStarted(stage: string, tasks: number, user: string): Promise<void> {
    await this.write(async (trx, set) => {
      await set(trx, stage, StatusId.processing, { LastTriggerDate: new Date(), UserName: user });
      await this.store.addHistory(this.typeId(stage), `${stage}: processing (${plural(tasks, 'task')})`, trx);
    });
  }

  async taskStarted(stage: string, task: string): Promise<void> {
    await this.write(async (trx) => {
      await this.updateRun(trx, { CurrentStage: stage, CurrentTask: task });
      await this.store.addHistory(this.typeId(stage), `${stage}: task ${task} started`, trx);
    });
  }

  /** processing -> success with Generate's duration and task list; `more` runs in the same transaction. */
  async stageSucceeded(
    stage: string,
    seconds: number,
    ran: readonly string[],
    more: (trx: Trx) => Promise<void>,
  ): Promise<void> {
    await this.write(async (trx, set) => {
      await set(trx, stage, StatusId.success, {
        LastDurationInSeconds: Math.round(seconds),
        DataMigrationTaskList: ran.join(','),
      });
      await more(trx);
      await this.store.addHistory(this.typeId(stage), `${stage}: success in ${seconds.toFixed(1)} s`, trx);
    });
  }

  async history(stage: string | null, message: string): Promise<void> {
    await this.write((trx) => this.store.addHistory(stage ? this.typeId(stage) : null, message, trx));
  }

  async taskRun(record: TaskRunRecord, trx?: Trx): Promise<void> {
    if (trx) return recordTaskRun(this.store, record, trx);
    await this.write((t) => recordTaskRun(this.store, record, t));
  }

  /** JobStatus Stopping, best effort (the run is ending anyway). */
  async stopping(): Promise<void> {
    await this.write((trx) => this.updateRun(trx, { JobStatus: 'Stopping' })).catch(() => undefined);
  }

  /**
   * Ends the run: the failed stage error, unreached stages back to their prior status, the run
   * record closed, a history line. Rows someone else changed keep their values; the returned
   * notes name them. `withRunRecord` false records the stages alone (a run that may not write
   * its run record any more).
   */
  async finish(ending: RunEnding, prior: Readonly<Record<string, number>>, withRunRecord = true): Promise<string[]> {
    const kept: string[] = [];
    await this.write(async (trx, set) => {
      const keep = async (stage: string, to: number) => {
        const found = await set(trx, stage, to, {}, false);
        if (found !== null) kept.push(`${stage} left ${statusName(found)} (set by someone else during the run)`);
        return found;
      };
      if (ending.failedStage) {
        const stage = ending.failedStage;
        const found = await keep(stage, StatusId.error);
        const line =
          found === null
            ? `${stage}: error: ${ending.errorText ?? ''}`
            : `${stage}: stopped, status left ${statusName(found)}: ${ending.errorText ?? ''}`;
        await this.store.addHistory(this.typeId(stage), line, trx);
      }
      for (const stage of ending.unreached) await keep(stage, prior[stage] ?? StatusId.initial);
      if (withRunRecord) {
        const closed = { JobStatus: ending.jobStatus, FinishedAt: new Date(), CurrentStage: null, CurrentTask: null };
        await this.store
          .table('runs', trx)
          .where('RunId', this.id)
          .whereNull('FinishedAt')
          .update({ ...closed, ...(ending.errorText ? { ErrorText: ending.errorText } : {}) });
      }
      const text = [ending.errorText, ...kept].filter(Boolean).join('; ');
      const how = ending.signal ? `stopped by ${ending.signal}` : ending.jobStatus.toLowerCase();
      await this.store.addHistory(null, `run ${this.id} ${how}${text ? `: ${text}` : ''}`, trx);
    });
    return kept;
  }

  /** Null while every stage still holds what this run wrote and the run record is unfinished; else why not. */
  async ownershipLost(): Promise<string | null> {
    return this.exclusive(async () => {
      if (this.retry.inOutage) return null;
      const run = await this.store.table('runs').where('RunId', this.id).first('FinishedAt');
      if (run && run.FinishedAt !== null) return `run ${this.id} was finished by someone else`;
      const rows = await this.store.table('migrations').select('DataMigrationTypeId', 'DataMigrationStatusId');
      for (const [stage, id] of this.typeIds) {
        const want = this.expected.get(id);
        const row = rows.find((r: Record<string, unknown>) => Number(r.DataMigrationTypeId) === id);
        if (want !== undefined && row && Number(row.DataMigrationStatusId) !== want)
          return changed(stage, want, Number(row.DataMigrationStatusId));
      }
      return null;
    });
  }

  /**
   * One transaction of bookkeeping, serialised with the others. `set` moves a stage from the
   * status this run expects it to have; strict (the default) throws RunTakenError when the row
   * moved on, otherwise it returns the status found (null when the write went through).
   */
  private write<T>(fn: (trx: Trx, set: SetStage) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.retry.attempt(
        () => this.once(fn),
        (error) => error instanceof RunTakenError,
      ),
    );
  }

  private once<T>(fn: (trx: Trx, set: SetStage) => Promise<T>): Promise<T> {
    return (async () => {
      const written = new Map<number, number>();
      const set: SetStage = async (trx, stage, to, extra = {}, strict = true) => {
        const id = this.typeId(stage);
        const from = written.get(id) ?? this.expected.get(id) ?? StatusId.initial;
        const n = await this.store
          .table('migrations', trx)
          .where({ DataMigrationTypeId: id, DataMigrationStatusId: from })
          .update({ DataMigrationStatusId: to, ...extra });
        // A write retried after a lost answer finds its own value: that is this run's write, not someone else's.
        const found = n > 0 ? to : ((await this.statusOf(trx, id)) ?? 0);
        if (found === to) {
          written.set(id, to);
          return null;
        }
        if (strict) throw new RunTakenError(changed(stage, from, found));
        return found;
      };
      const result = await this.store.knex.transaction((trx) => fn(trx, set));
      for (const [id, status] of written) this.expected.set(id, status);
      return result;
    })();
  }

  private async updateRun(trx: Trx, changes: Record<string, unknown>): Promise<void> {
    const n = await this.store.table('runs', trx).where('RunId', this.id).whereNull('FinishedAt').update(changes);
    if (n === 0 && (await this.store.table('runs', trx).where('RunId', this.id).first('FinishedAt'))?.FinishedAt) {
      throw new RunTakenError(`run ${this.id} was finished by someone else`);
    }
  }

  private async statusOf(trx: Trx, typeId: number): Promise<number | null> {
    const row = await this.store
      .table('migrations', trx)
      .where('DataMigrationTypeId', typeId)
      .first('DataMigrationStatusId');
    return row ? Number(row.DataMigrationStatusId) : null;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

type SetStage = (
  trx: Trx,
  stage: string,
  to: number,
  extra?: Record<string, unknown>,
  strict?: boolean,
) => Promise<number | null>;

function statusName(id: number): string {
  return statusCodeOf(id) ?? `status ${id}`;
}

function changed(stage: string, expected: number, found: number): string {
  return `${stage} was changed by someone else (expected ${statusName(expected)}, found ${statusName(found)})`;
}
