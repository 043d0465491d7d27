import type { DatabaseErrorDetail } from '../dialect-adapter.js';
import { commonCause, messageWithCause, withoutSqlPrefix, type ErrorCause } from '../error-cause.js';

/**
 * What a PostgreSQL error means, from its SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html)
 * and, where one code covers several causes, its message: 57P01 is pg_terminate_backend or a fast shutdown
 * ("administrator command"), an immediate shutdown says so; 57014 is a cancel, a statement or a lock timeout.
 */
export function classifyPostgresError(error: unknown): ErrorCause | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? '');
  switch (e?.code) {
    case '57P01':
      return /shutdown/i.test(message) ? 'server-shutdown' : 'session-terminated';
    case '57P02':
    case '57P03':
      return 'server-shutdown';
    case '57P04':
    case '57P05':
    case '25P03':
      return 'session-terminated';
    case '57014':
      if (/statement timeout/i.test(message)) return 'statement-timeout';
      if (/lock timeout/i.test(message)) return 'lock-timeout';
      return 'canceled';
    case '55P03':
      return 'lock-timeout';
    case '40P01':
      return 'deadlock';
    case '28000':
      if (/no encryption/i.test(message)) return 'tls-required';
      return undefined;
    default:
      return commonCause(error);
  }
}

/** A node-postgres error normalised: SQLSTATE, the cause named first, the position in the statement. */
export function describePostgresError(error: unknown): DatabaseErrorDetail {
  const e = error as { code?: string; message?: string; position?: string; errno?: string };
  const position = e.position ? Number(e.position) : undefined;
  const cause = classifyPostgresError(error);
  const sqlstate = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `SQLSTATE ${e.code}` : e.code;
  const message = messageWithCause(cause, [sqlstate], withoutSqlPrefix(String(e.message ?? error)));
  return { code: e.code, message, positionInStatement: position, cause };
}
