import type { DialectAdapter } from '../adapters/dialect-adapter.js';
import { ConnectionError } from './errors.js';

/** Node's socket errors, the same on every driver. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ESOCKET',
  'ECONNCLOSED',
]);

/** True when an error means the database connection is gone (the adapter decides, socket errors always). */
export function isConnectionLost(adapter: DialectAdapter, error: unknown): boolean {
  if (adapter.isConnectionLost?.(error)) return true;
  const code = String((error as { code?: string } | null)?.code ?? '');
  return socketCodes.has(code);
}

/** The database did not come back within --db-retry: nothing more could be recorded (exit 2). */
export class DatabaseLostError extends ConnectionError {}

/** Another session took the run lock while the database was away: the run writes nothing more (exit 2). */
export class LockLostError extends ConnectionError {}
