import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { importModule } from '../../config/import-module.js';
import type { Database } from '../database.js';
import type { Task } from './discover-tasks.js';
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
}

/**
 * Runs one task in a transaction on one connection: statements of a .sql file in order, or a
 * module's function. Resolves to null on success or the failure; never throws for task errors.
 */
export async function runTask(db: Database, task: Task, signal: AbortSignal, running: RunningTask, beforeCommit?: (trx: Knex.Transaction) => Promise<void>): Promise<TaskFailure | null> {
  const fail = (detail: { message: string; code?: string }, line?: number): TaskFailure => ({ stage: task.stage, task: task.name, file: task.file, message: detail.message, code: detail.code, line });
  let body: (trx: Knex.Transaction) => Promise<TaskFailure | null>;
  if (task.kind === 'sql') {
    const statements = db.adapter.splitScript(readFileSync(task.file, 'utf8'));
    body = async (trx) => {
      for (const statement of statements) {
        if (signal.aborted) return fail({ message: 'stopped before this statement' }, statement.line);
        try {
          await trx.raw(statement.sql);
        } catch (error) {
          const detail = db.adapter.describeError(error);
          return fail(detail, failureLine(statement.line, statement.sql, detail));
        }
      }
      return null;
    };
  } else {
    body = async (trx) => {
      try {
        const fn = await loadTaskFunction(task.file);
        await fn(trx, { stage: task.stage, task: task.name, dialect: db.dialect, signal });
        return null;
      } catch (error) {
        return fail(signal.aborted ? { message: 'aborted' } : db.adapter.describeError(error));
      }
    };
  }
  try {
    return await db.knex.transaction(async (trx) => {
      running.sessionId = await db.adapter.currentSessionId(trx);
      const failure = await Promise.race([body(trx), whenAborted(signal).then((reason) => fail({ message: reason }))]);
      if (failure) throw new TaskFailed(failure);
      // Bookkeeping in the task's own transaction: "finished" is recorded exactly when the work commits.
      await beforeCommit?.(trx);
      return null;
    });
  } catch (error) {
    if (error instanceof TaskFailed) return error.failure;
    return fail(db.adapter.describeError(error));
  } finally {
    running.sessionId = null;
  }
}

/** Resolves with the abort reason; lets a stop win over a module task that ignores its signal. */
function whenAborted(signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.resolve(String(signal.reason));
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }));
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
