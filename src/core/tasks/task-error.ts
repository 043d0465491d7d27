import path from 'node:path';
import { redactSecrets } from '../../config/redact.js';
import type { DatabaseErrorDetail, ErrorCause } from '../../adapters/dialect-adapter.js';

/** Why a task failed, with the place in its file when the database gives one. */
export interface TaskFailure {
  readonly stage: string;
  readonly task: string;
  readonly file: string;
  readonly line?: number;
  readonly code?: string;
  readonly message: string;
  /** What happened, when the engine tells (the session ended by the server, a timeout, a deadlock...). */
  readonly cause?: ErrorCause;
  /** Set when the statement was cancelled on purpose (signal, dmr stop, --task-timeout). */
  readonly cancelledBy?: string;
  /** sha256 of the file the task ran, when it got that far. */
  readonly checksum?: string;
  /** The database connection was lost (server shut down, session terminated, network): the runner stops. */
  readonly connectionLost?: boolean;
}

/** Line in the file where the error is: statement start plus the line inside the statement. */
export function failureLine(statementLine: number, statement: string, detail: DatabaseErrorDetail): number {
  if (detail.lineInStatement) return statementLine + detail.lineInStatement - 1;
  if (detail.positionInStatement)
    return statementLine + statement.slice(0, detail.positionInStatement - 1).split('\n').length - 1;
  return statementLine;
}

/** One line for history and the run record: where, code, message. */
export function describeFailure(f: TaskFailure, cwd = process.cwd()): string {
  const where = `${path.relative(cwd, f.file) || f.file}${f.line ? `:${f.line}` : ''}`;
  if (f.cancelledBy) return `task ${f.task} (${where}) ${f.cancelledBy}`;
  return redactSecrets(`task ${f.task} failed at ${where}: ${f.code ? `[${f.code}] ` : ''}${f.message}`);
}
