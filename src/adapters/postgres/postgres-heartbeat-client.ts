import type pg from 'pg';
import type { HeartbeatClient, HeartbeatStatement } from '../heartbeat-client.js';
import { lazyDriver } from '../lazy-driver.js';
import { describePostgresError } from './postgres-errors.js';

const pgDriver = lazyDriver<typeof pg>('pg');

/**
 * node-postgres tells a Cloudflare Worker apart by `navigator.userAgent` and, where there is no
 * `navigator` (Node 20), by constructing a `Response`: that loads Node's fetch (undici), about 6 MB
 * of this thread's memory for nothing. While pg loads, a `navigator` naming Node answers first;
 * Node 21 and later have their own. (`isCloudflareRuntime` in pg/lib/stream.js.)
 */
function loadPg(): typeof pg {
  const scope = globalThis as { navigator?: unknown };
  if ('navigator' in scope) return pgDriver();
  scope.navigator = { userAgent: 'Node.js' };
  try {
    return pgDriver();
  } finally {
    delete scope.navigator;
  }
}

/**
 * The heartbeat's connection to PostgreSQL: one node-postgres client, opened as knex opens its own
 * (`new Client(settings)`, https://node-postgres.com/apis/client), without knex. Loaded only by the
 * heartbeat worker.
 */
export function createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient {
  return {
    async connect() {
      const client = new (loadPg().Client)(settings as pg.ClientConfig);
      let usable = true;
      // An idle connection the server ends emits 'error': without a listener it would end the thread.
      client.on('error', () => (usable = false));
      client.on('end', () => (usable = false));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      const query = (s: HeartbeatStatement) => client.query({ text: s.sql, values: [...s.bindings] });
      return {
        get usable() {
          return usable;
        },
        update: async (s) => (await query(s)).rowCount ?? 0,
        first: async (s) => (await query(s)).rows[0] as Record<string, unknown> | undefined,
        close: () => client.end(),
      };
    },
    describeError: describePostgresError,
  };
}
