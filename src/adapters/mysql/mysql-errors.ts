import type { DatabaseErrorDetail } from '../dialect-adapter.js';
import { commonCause, messageWithCause, withoutSqlPrefix, type ErrorCause } from '../error-cause.js';

/**
 * What a MySQL/MariaDB error means, from its errno
 * (https://mariadb.com/kb/en/mariadb-error-code-reference/,
 * https://dev.mysql.com/doc/mysql-errors/8.4/en/server-error-reference.html).
 */
export function classifyMysqlError(error: unknown): ErrorCause | undefined {
  const e = error as { errno?: unknown; code?: unknown; message?: unknown } | null;
  switch (Number(e?.errno)) {
    case 1927: // ER_CONNECTION_KILLED (MariaDB: KILL CONNECTION)
    case 4031: // ER_CLIENT_INTERACTION_TIMEOUT (MySQL: idle session ended)
      return 'session-terminated';
    case 1053: // ER_SERVER_SHUTDOWN
    case 1077: // ER_NORMAL_SHUTDOWN
    case 1079: // ER_SHUTDOWN_COMPLETE
      return 'server-shutdown';
    case 1969: // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
    case 3024: // ER_QUERY_TIMEOUT (MySQL max_execution_time)
      return 'statement-timeout';
    case 1317: // ER_QUERY_INTERRUPTED (KILL QUERY)
      return 'canceled';
    case 1213: // ER_LOCK_DEADLOCK
      return 'deadlock';
    case 1205: // ER_LOCK_WAIT_TIMEOUT
      return 'lock-timeout';
    case 2013: // CR_SERVER_LOST
    case 2006: // CR_SERVER_GONE_ERROR
      return 'connection-lost';
    default:
      return commonCause(error);
  }
}

/** A mysql2 error normalised: errno and SQLSTATE, the cause named first, the line MySQL reports. */
export function describeMysqlError(error: unknown): DatabaseErrorDetail {
  const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string; sqlState?: string };
  const text = withoutSqlPrefix(String(e.sqlMessage ?? e.message ?? error));
  const line = /at line (\d+)/.exec(text)?.[1];
  const cause = classifyMysqlError(error);
  const codes = [
    e.errno ? `errno ${e.errno}` : undefined,
    e.sqlState ? `SQLSTATE ${e.sqlState}` : undefined,
    e.errno ? undefined : e.code,
  ];
  const message = messageWithCause(cause, codes, text);
  return {
    code: e.code ?? (e.errno ? String(e.errno) : undefined),
    message,
    lineInStatement: line ? Number(line) : undefined,
    cause,
  };
}
