import type { DatabaseErrorDetail } from '../dialect-adapter.js';
import { commonCause, messageWithCause, type ErrorCause } from '../error-cause.js';

/**
 * What a SQL Server (tedious) error means, from the server's error number
 * (https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors)
 * or tedious' own code (ETIMEOUT: the request timeout, ECANCEL, ESOCKET).
 */
export function classifyMssqlError(error: unknown): ErrorCause | undefined {
  const e = error as { number?: unknown; code?: unknown; originalError?: { info?: { number?: unknown } } } | null;
  switch (Number(e?.number ?? e?.originalError?.info?.number)) {
    case 1205:
      return 'deadlock';
    case 1222:
      return 'lock-timeout';
    case 596: // the session is in the kill state
    case 6106:
      return 'session-terminated';
    case 6005: // SHUTDOWN is in progress
    case 6006:
      return 'server-shutdown';
    default:
      break;
  }
  if (e?.code === 'ETIMEOUT') return 'statement-timeout';
  if (e?.code === 'ECANCEL') return 'canceled';
  return commonCause(error);
}

/** A tedious (or mssql) error normalised: the server's error number, the cause named first, the line in the batch. */
export function describeMssqlError(error: unknown): DatabaseErrorDetail {
  const e = error as {
    number?: number;
    code?: string;
    lineNumber?: number;
    message?: string;
    originalError?: { info?: { number?: number; lineNumber?: number } };
  };
  const number = e.number ?? e.originalError?.info?.number;
  const line = e.lineNumber ?? e.originalError?.info?.lineNumber;
  const cause = classifyMssqlError(error);
  const message = messageWithCause(
    cause,
    [number !== undefined ? `error ${number}` : e.code],
    String(e.message ?? error),
  );
  return { code: number !== undefined ? String(number) : e.code, message, lineInStatement: line, cause };
}
