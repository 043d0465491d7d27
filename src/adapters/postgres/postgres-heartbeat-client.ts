import type pg from 'pg';
import type { HeartbeatClient, HeartbeatStatement } from '../heartbeat-client.js';
import { pgDriver } from './pg-driver.js';
import { describePostgresError } from './postgres-errors.js';

/**
 * The heartbeat's connection to PostgreSQL: one node-postgres client, opened as knex opens its own
 * (`new Client(settings)`, https://node-postgres.com/apis/client), without knex. Loaded only by the
 * heartbeat worker.
 */
export function createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient {
  return {
    async connect() {
      const client = new (pgDriver().Client)(settings as pg.ClientConfig);
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
