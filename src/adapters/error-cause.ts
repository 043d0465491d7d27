/**
 * Why a statement or a connection failed, as far as the engine tells: what dmr's messages name first,
 * so that a session ended by the server never reads as the ROLLBACK that failed after it.
 */
export type ErrorCause =
  | 'session-terminated'
  | 'server-shutdown'
  | 'connection-lost'
  | 'statement-timeout'
  | 'deadlock'
  | 'lock-timeout'
  | 'canceled'
  | 'tls-unavailable'
  | 'tls-required';

/** The words each cause is reported with, before the driver's own message. */
export const causeText: Readonly<Record<ErrorCause, string>> = {
  'session-terminated': 'the server ended the session',
  'server-shutdown': 'the server is shutting down or restarting',
  'connection-lost': 'the connection to the server was lost',
  'statement-timeout': 'the statement ran past its time limit (statement timeout)',
  deadlock: 'deadlock: the server rolled back this session to break a lock cycle with another session',
  'lock-timeout': 'a lock could not be acquired in time (lock timeout)',
  canceled: 'the statement was cancelled',
  'tls-unavailable': 'the server does not offer TLS',
  'tls-required': 'the server requires TLS',
};

/** Socket errno names Node reports when the network or the server's end of the socket went away. */
const lostErrnos = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED'];

/** Causes every driver reports alike: TLS negotiation and the socket. */
export function commonCause(error: unknown): ErrorCause | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? '');
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/does not support (SSL|secure connection|encryption)/i.test(message) || code === 'HANDSHAKE_NO_SSL_SUPPORT')
    return 'tls-unavailable';
  if (lostErrnos.includes(code) || code === 'PROTOCOL_CONNECTION_LOST' || code === 'ESOCKET') return 'connection-lost';
  if (/Connection terminated unexpectedly|socket hang up|read ECONNRESET|Connection lost/i.test(message))
    return 'connection-lost';
  return undefined;
}

/**
 * The driver's message with the cause named first and the engine's codes (SQLSTATE, errno) in
 * parentheses: `the server ended the session (SQLSTATE 57P01): terminating connection due to ...`.
 */
export function messageWithCause(
  cause: ErrorCause | undefined,
  codes: readonly (string | undefined)[],
  message: string,
): string {
  if (!cause) return message;
  const known = codes.filter((c): c is string => Boolean(c));
  return `${causeText[cause]}${known.length ? ` (${known.join(', ')})` : ''}: ${message}`;
}

/**
 * The driver's message without knex's `<sql> - ` prefix where the SQL is knex's own transaction control
 * (`ROLLBACK - Connection terminated unexpectedly`): the statement is not what the user ran.
 */
export function withoutSqlPrefix(message: string): string {
  return message.replace(
    /^(?:begin|start transaction|commit|rollback|(?:rollback to |release )?savepoint \S+);? - /i,
    '',
  );
}
