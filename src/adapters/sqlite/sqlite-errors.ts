import type { DatabaseErrorDetail } from '../dialect-adapter.js';
import { messageWithCause, type ErrorCause } from '../error-cause.js';

/**
 * How long a SQLite connection waits for another connection's write lock before SQLITE_BUSY: every
 * connection of a run (its pool, the heartbeat's) sets it. https://www.sqlite.org/pragma.html#pragma_busy_timeout
 */
export const sqliteBusyTimeoutMs = 5000;

/** What a SQLite error means (https://www.sqlite.org/rescode.html): busy is a lock wait, interrupt a cancel. */
export function classifySqliteError(error: unknown): ErrorCause | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'lock-timeout';
  if (code === 'SQLITE_INTERRUPT') return 'canceled';
  return undefined;
}

/** SQLITE_BUSY / SQLITE_LOCKED: a writer (the running task) holds the database for now. */
export function isSqliteBusy(error: unknown): boolean {
  const code = String((error as { code?: string }).code ?? '');
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** A better-sqlite3 error normalised; a file that cannot be opened is named (`filename`). */
export function describeSqliteError(error: unknown, filename: string): DatabaseErrorDetail {
  const e = error as { code?: string; message?: string };
  const message = String(e.message ?? error).replace(/^[^:]* - /, '');
  // A read-only open (status, verify) never creates the file: a missing one is this error.
  const missing = `${message}: ${filename} does not exist or cannot be opened`;
  const cause = classifySqliteError(error);
  return {
    code: e.code,
    message: e.code === 'SQLITE_CANTOPEN' ? missing : messageWithCause(cause, [e.code], message),
    cause,
  };
}
