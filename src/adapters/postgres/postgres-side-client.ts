import type { Knex } from 'knex';
import type pg from 'pg';
import { knexConnectionSettings } from '../knex-connection-settings.js';
import { pgDriver } from './pg-driver.js';

/**
 * Runs one statement on a node-postgres client of its own, with the pool's settings but outside knex's
 * pool: a cancel or a terminate must not wait for a pooled connection while the statements it is meant
 * to stop hold them all (a run's task, lock and heartbeat connections). The client lives for the one
 * statement. https://node-postgres.com/apis/client
 */
export async function onSideClient<T extends Record<string, unknown>>(
  knex: Knex,
  sql: string,
  values: readonly unknown[],
): Promise<T[]> {
  const settings = knexConnectionSettings(knex) as pg.ClientConfig;
  const name = `${String(settings.application_name ?? 'dmr')} (cancel)`.slice(0, 63);
  const client = new (pgDriver().Client)({ ...settings, application_name: name });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, [...values])).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
