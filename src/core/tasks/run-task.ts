import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { StatementBatchError, type ErrorCause } from '../../adapters/dialect-adapter.js';
import { dialectNamed } from '../../adapters/dialects.js';
import { discardConnection } from '../../adapters/pinned-connection.js';
import { isConnectionLost } from '../connection-loss.js';
import { importModule } from '../../config/import-module.js';
import { explainLostConnection, type Database } from '../database.js';
import { runCopyTask, type CopyTaskRun } from './copy-task.js';
import type { Task } from './discover-tasks.js';
import { readTaskText } from './read-task-text.js';
import { scanTask, type TaskScan } from './scan-task.js';
import { failureLine, type TaskFailure } from './task-error.js';

/** What a task module's function receives besides knex. */
export interface TaskContext {
  readonly stage: string;
  readonly task: string;
  readonly dialect: Database['dialect'];
  /** Aborted when the run is stopped or times out; long module tasks should watch it. */
  readonly signal: AbortSignal;
}

/** A task module: `export default async function (knex, context) {}` (or a named `run`). */
export type TaskFunction = (knex: Knex.Transaction, context: TaskContext) => unknown;

export interface RunningTask {
  /** Server session the task runs on, once known (for cancelling its statement). */
  sessionId: string | null;
  /** The pooled connection the task runs on, while it runs (an adapter may cancel on it by the driver). */
  connection?: unknown;
}

/** What the runner records about a task that ran through. */
export interface TaskDone {
  /** sha256 (hex) of the file the task ran: the bytes its statements came from. */
  readonly checksum: string;
  /** false when it ran without a transaction (`-- dmr:no-transaction`). */
  readonly transactional: boolean;
}

/** Called before the task's transaction commits (after the statements, for a task without one). */
export type BeforeCommit = (db: Knex | Knex.Transaction, done: TaskDone) => Promise<void>;

type Execute = (sql: string) => Promise<unknown>;

/** What a failure says: the engine's message, code and cause, and whether the connection is gone. */
type FailDetail = { message: string; code?: string; cause?: ErrorCause; lost?: boolean };

/**
 * Runs one task on one connection taken for it: statements of a .sql file in order, streamed
 * from the file, or a module's function, in one transaction (a SQL task marked
 * `-- dmr:no-transaction` runs without). The connection's session is reset afterwards, so no
 * setting a task leaves behind reaches the next one. `scan` is the file as read before the run;
 * it is read again if the file changed since. A `.copy.json` task runs through runCopyTask with
 * `copyRun`. Resolves to null on success or the failure;
 * never throws for task errors.
 */
export async function runTask(...args: Parameters<typeof runTaskOnce>): Promise<TaskFailure | null> {
  const [db, task, signal, running, ...rest] = args;
  // The session the task ran on outlives the task's bookkeeping: a lost connection is judged by it.
  let lastSession: string | null = null;
  const tracked: RunningTask = {
    get sessionId() {
      return running.sessionId;
    },
    set sessionId(id) {
      running.sessionId = id;
      lastSession = id ?? lastSession;
    },
    get connection() {
      return running.connection;
    },
    set connection(connection) {
      running.connection = connection;
    },
  };
  const failure = await runTaskOnce(db, task, signal, tracked, ...rest);
  if (!failure || (failure.cause !== 'connection-lost' && !failure.connectionLost)) return failure;
  // Asking the server once more names a plain lost connection, and tells whether the database is still there.
  const asked = await explainLostConnection(db, failure, undefined, lastSession);
  const named = failure.cause === 'connection-lost' ? { ...failure, ...asked } : failure;
  // The server still answers: it ended this session (killed, a timeout), a failure of the task (exit 1).
  // It does not: the database is gone, and the runner stops and records what it can (exit 2).
  if (asked.cause !== 'session-terminated') return { ...named, connectionLost: true };
  const { connectionLost: _gone, ...taskFailure } = named;
  return taskFailure;
}

async function runTaskOnce(
  db: Database,
  task: Task,
  signal: AbortSignal,
  running: RunningTask,
  beforeCommit?: BeforeCommit,
  scan?: TaskScan,
  encoding = 'utf-8',
  copyRun?: CopyTaskRun,
): Promise<TaskFailure | null> {
  // The first failure is the cause: a ROLLBACK that fails after it (the connection is gone) must not replace it.
  let first: TaskFailure | null = null;
  const fail = (detail: FailDetail, line?: number, checksum?: string): TaskFailure => {
    first ??= {
      stage: task.stage,
      task: task.name,
      file: task.file,
      message: detail.message,
      code: detail.code,
      line,
      ...(detail.cause ? { cause: detail.cause } : {}),
      ...(checksum ? { checksum } : {}),
      ...(detail.lost ? { connectionLost: true } : {}),
    };
    return first;
  };
  const lost = (error: unknown): FailDetail => ({
    ...db.adapter.describeError(error),
    lost: isConnectionLost(db.adapter, error),
  });
  if (task.kind === 'copy') {
    if (copyRun) return runCopyTask(db, task, signal, copyRun, beforeCommit);
    return fail({ message: 'a copy task runs only under dmr migrate, resume or restart' });
  }
  let current: TaskScan;
  try {
    current = scan && unchanged(scan) ? scan : await scanTask(task, db.adapter, encoding);
  } catch (error) {
    return fail({ message: `cannot read the task file: ${(error as Error).message}` });
  }
  const [refusal] = current.refusals;
  if (refusal) return fail({ message: refusal.message }, refusal.line, current.checksum);
  const done: TaskDone = { checksum: current.checksum, transactional: current.transactional };
  const { knex } = db;
  let connection: unknown;
  // The task's own failure: a ROLLBACK that fails after it (the session is gone) must not replace it.
  let failed: TaskFailure | undefined;
  try {
    connection = await knex.client.acquireConnection();
  } catch (error) {
    return fail(lost(error), undefined, current.checksum);
  }
  try {
    running.connection = connection;
    if (!current.transactional) {
      running.sessionId = await db.adapter.currentSessionId(knex, connection);
      const execute = executorOn(db, connection, (sql) => knex.raw(sql).connection(connection));
      const failure = await Promise.race([
        runSql(db, current, encoding, signal, execute, fail),
        abortFailure(signal, fail),
      ]);
      if (failure) return failure;
      await beforeCommit?.(knex, done);
      return null;
    }
    return await knex.transaction(
      async (trx) => {
        running.sessionId = await db.adapter.currentSessionId(trx);
        const execute = executorOn(db, connection, (sql) => trx.raw(sql));
        const body =
          task.kind === 'sql'
            ? runSql(db, current, encoding, signal, execute, fail, batchOn(db, connection))
            : runModule(db, task, trx, signal, fail);
        const failure = await Promise.race([body, abortFailure(signal, fail)]);
        failed = failure ?? undefined;
        if (failure) throw new TaskFailed(failure);
        // Bookkeeping in the task's own transaction: "finished" is recorded exactly when the work commits.
        await beforeCommit?.(trx, done);
        return null;
      },
      { connection },
    );
  } catch (error) {
    if (error instanceof TaskFailed) return error.failure;
    if (failed) return failed;
    return fail(lost(error), undefined, current.checksum);
  } finally {
    running.sessionId = null;
    running.connection = undefined;
    await db.adapter.resetSession(knex, connection).catch(() => discardConnection(connection));
    await knex.client.releaseConnection(connection);
  }
}

/**
 * Runs statements on the task's connection by the driver's own call where the adapter has one
 * (same connection, so same transaction: a knex query without its per-query work), else by knex.
 */
function executorOn(db: Database, connection: unknown, viaKnex: Execute): Execute {
  const { adapter } = db;
  return adapter.executeOn ? (sql) => adapter.executeOn?.(connection, sql) ?? Promise.resolve() : viaKnex;
}

/** The adapter's batch call on the task's connection, where it has one. */
function batchOn(db: Database, connection: unknown): Execute | undefined {
  const { adapter } = db;
  return adapter.executeBatchOn ? (sql) => adapter.executeBatchOn?.(connection, sql) ?? Promise.resolve() : undefined;
}

/** A batch holds at most this many statements and this much text. */
const batchStatements = 1000;
const batchChars = 1 << 16;

/**
 * The statements of a scanned SQL file, read again as a stream and cut where the scan found them.
 * In a transactional task on an engine that can (executeBatchOn), consecutive small statements go
 * in one round trip; a failure still names its own statement and line (the batch says how many
 * statements completed before it, or a syntax error where it is).
 */
async function runSql(
  db: Database,
  scan: TaskScan,
  encoding: string,
  signal: AbortSignal,
  execute: Execute,
  fail: (d: FailDetail, line?: number, checksum?: string) => TaskFailure,
  executeBatch?: Execute,
): Promise<TaskFailure | null> {
  const index = scan.statements;
  if (!index) return null;
  const hash = createHash('sha256');
  const texts = readTaskText(scan.task.file, encoding, hash);
  const endOf = (i: number) => index.offset(i) + index.length(i);
  let buffer = '';
  let bufferStart = 0;
  const text = (from: number, to: number) => buffer.slice(from - bufferStart, to - bufferStart);
  const failed = (error: unknown, i: number, sql: string) => {
    const detail = db.adapter.describeError(error);
    const line = index.line(i);
    return fail(
      {
        ...detail,
        message: `${detail.message}${committedBefore(db, scan, i, line)}`,
        lost: isConnectionLost(db.adapter, error),
      },
      failureLine(line, sql, detail),
      scan.checksum,
    );
  };
  // The failing statement of a batch: where the error's position points (a syntax error, found before any
  // statement ran), else the one after those that completed.
  const batchFailed = (error: unknown, first: number, last: number, statements: string) => {
    const cause = error instanceof StatementBatchError ? error.error : error;
    const detail = db.adapter.describeError(cause);
    const at = detail.positionInStatement === undefined ? undefined : detail.positionInStatement - 1;
    let j = first + Math.min(error instanceof StatementBatchError ? error.completed : 0, last - first);
    if (at !== undefined) {
      j = first;
      while (j < last && index.offset(j + 1) - index.offset(first) <= at) j++;
    }
    const line = index.line(j);
    const errorLine = at === undefined ? line : index.line(first) + newlinesIn(statements, at);
    return fail(
      {
        ...detail,
        message: `${detail.message}${committedBefore(db, scan, j, line)}`,
        lost: isConnectionLost(db.adapter, cause),
      },
      errorLine,
      scan.checksum,
    );
  };
  for (let i = 0; i < index.count;) {
    let last = i;
    if (executeBatch && scan.transactional) {
      while (
        last + 1 < index.count &&
        last + 1 - i < batchStatements &&
        endOf(last + 1) - index.offset(i) <= batchChars
      )
        last++;
    }
    while (bufferStart + buffer.length < endOf(last)) {
      const next = await texts.next();
      if (next.done)
        return fail(
          { message: 'the file changed while the task ran (it is shorter than when it was read)' },
          undefined,
          scan.checksum,
        );
      buffer += next.value;
    }
    if (signal.aborted) return fail({ message: 'stopped before this statement' }, index.line(i), scan.checksum);
    if (executeBatch && last > i) {
      const statements = text(index.offset(i), endOf(last));
      try {
        await executeBatch(statements);
      } catch (error) {
        return batchFailed(error, i, last, statements);
      }
    } else {
      const sql = text(index.offset(i), endOf(i));
      try {
        await execute(sql);
      } catch (error) {
        return failed(error, i, sql);
      }
    }
    if (endOf(last) - bufferStart > 1 << 16) {
      buffer = buffer.slice(endOf(last) - bufferStart);
      bufferStart = endOf(last);
    }
    i = last + 1;
  }
  while (!(await texts.next()).done);
  const checksum = hash.digest('hex');
  if (checksum !== scan.checksum)
    return fail(
      { message: `the file changed while the task ran (sha256 ${scan.checksum} when read, ${checksum} now)` },
      undefined,
      checksum,
    );
  return null;
}

/** Line ends in the first `end` characters of a text. */
function newlinesIn(text: string, end: number): number {
  let n = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** For a task that is not all-or-nothing: which statements a failure leaves committed. */
function committedBefore(db: Database, scan: TaskScan, statement: number, line: number): string {
  if (statement === 0) return '';
  if (!scan.transactional)
    return `; the statements before line ${line} stay committed (the task runs without a transaction)`;
  const first = scan.implicitCommits[0];
  if (!first || first.statement > statement) return '';
  const engine = dialectNamed(db.adapter.name).title;
  return (
    `; the statements before line ${line} stay committed: ${engine} committed implicitly at line ${first.line} ` +
    `(${first.keyword}) and ran the rest of the task without a transaction`
  );
}

async function runModule(
  db: Database,
  task: Task,
  trx: Knex.Transaction,
  signal: AbortSignal,
  fail: (d: FailDetail) => TaskFailure,
): Promise<TaskFailure | null> {
  try {
    const fn = await loadTaskFunction(task.file);
    await fn(trx, { stage: task.stage, task: task.name, dialect: db.dialect, signal });
    return null;
  } catch (error) {
    if (signal.aborted) return fail({ message: 'aborted' });
    return fail({ ...db.adapter.describeError(error), lost: isConnectionLost(db.adapter, error) });
  }
}

/** The scan still describes the file when its size and modification time are the same. */
function unchanged(scan: TaskScan): boolean {
  try {
    const stat = statSync(scan.task.file);
    return stat.size === scan.bytes && stat.mtimeMs === scan.mtimeMs;
  } catch {
    return false;
  }
}

/** Resolves with a failure carrying the abort reason; lets a stop win over a module task that ignores its signal. */
function abortFailure(signal: AbortSignal, fail: (d: { message: string }) => TaskFailure): Promise<TaskFailure> {
  if (signal.aborted) return Promise.resolve(fail({ message: String(signal.reason) }));
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(fail({ message: String(signal.reason) })), { once: true }),
  );
}

class TaskFailed extends Error {
  constructor(readonly failure: TaskFailure) {
    super(failure.message);
  }
}

async function loadTaskFunction(file: string): Promise<TaskFunction> {
  const mod = await importModule(pathToFileURL(file).href);
  const fn = (typeof mod.default === 'function' ? mod.default : mod.run) as TaskFunction | undefined;
  if (typeof fn !== 'function') throw new Error(`${file} exports no default function (or run)`);
  return fn;
}
