import type { Knex } from 'knex';
import type Mssql from 'mssql';
import { knexConnectionSettings } from '../knex-connection-settings.js';
import { lazyDriver } from '../lazy-driver.js';

/**
 * The mssql driver, loaded on first use: it pulls in tedious and Azure's HTTP stack (about 0.35 s of
 * CPU), which every `dmr copy` paid at start although only SQL Server copies need it.
 */
export const mssqlDriver = lazyDriver<typeof Mssql>('mssql');

/**
 * An mssql pool config from knex's connection settings (both read the mssql config shape: server,
 * port, user, password, database, options). knex keeps the password out of enumeration, so that
 * logs never show it: it is copied by name, or a spread would drop it and the login would fail.
 */
export function mssqlPoolConfig(knex: Knex, pool: Mssql.PoolOpts<Mssql.Connection>): Mssql.config {
  const c = knexConnectionSettings(knex);
  return { ...(c as unknown as Mssql.config), server: String(c.server ?? c.host ?? 'localhost'), pool };
}

/** A pool of one connection built from knex's connection settings (mssql is the driver with the bulk API). */
export async function mssqlPool(knex: Knex): Promise<Mssql.ConnectionPool> {
  return openPool(mssqlPoolConfig(knex, { min: 0, max: 1 }));
}

const pinnedPoolOptions: Mssql.PoolOpts<Mssql.Connection> = { min: 1, max: 1, idleTimeoutMillis: 2 ** 31 - 1 };

/**
 * A session pinned for a lock's lifetime: a pool of exactly one connection that it never lets go
 * (min 1, no idle timeout) and never replaces while it lives (no validation query that could fail
 * it). Every request on it runs on the same server session; the session ends with `close()`.
 * Replaced only once closed or failed, when its session and the lock with it are gone already.
 */
export function pinnedPoolConfig(knex: Knex): Mssql.config {
  return { ...mssqlPoolConfig(knex, pinnedPoolOptions), validateConnection: false };
}

/** Opens the pinned pool (`pinnedPoolConfig`): its one connection is the lock's session. */
export async function mssqlPinnedPool(knex: Knex): Promise<Mssql.ConnectionPool> {
  return openPool(pinnedPoolConfig(knex));
}

async function openPool(config: Mssql.config): Promise<Mssql.ConnectionPool> {
  const pool = new (mssqlDriver().ConnectionPool)(config);
  pool.on('error', () => undefined);
  return pool.connect();
}
