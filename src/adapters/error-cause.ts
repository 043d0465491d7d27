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

/** Causes every driver reports alike: TLS negotiation and the socket (errno names from Node). */
export function commonCause(error: unknown): ErrorCause | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = String(e?.message ?? '');
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/does not support (SSL|secure connection|encryption)/i.test(message) || code === 'HANDSHAKE_NO_SSL_SUPPORT') return 'tls-unavailable';
  if (['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'PROTOCOL_CONNECTION_LOST'].includes(code)) {
    return 'connection-lost';
  }
  if (/Connection terminated unexpectedly|socket hang up|read ECONNRESET/i.test(message)) return 'connection-lost';
  return undefined;
}
