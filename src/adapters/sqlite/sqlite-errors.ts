import type { ErrorCause } from '../error-cause.js';

/** What a SQLite error means (https://www.sqlite.org/rescode.html): busy is a lock wait, interrupt a cancel. */
export function classifySqliteError(error: unknown): ErrorCause | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'lock-timeout';
  if (code === 'SQLITE_INTERRUPT') return 'canceled';
  return undefined;
}
