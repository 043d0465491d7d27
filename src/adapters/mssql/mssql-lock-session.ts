import type Mssql from 'mssql';
import type { LockSession } from '../session-run-lock.js';

/** The part of an mssql ConnectionPool the lock's session uses. */
type LockPool = Pick<Mssql.ConnectionPool, 'request' | 'close'>;

/**
 * The run lock's session on SQL Server: an mssql pool of exactly one connection of its own
 * (`mssqlPinnedPool`), outside knex's pool, so nothing knex does with its connections (handing
 * one back, destroying an idle one, `knex.destroy()`) can end the session that owns the
 * application lock. Values bind as @p0, @p1... (the names knex gives `?`).
 */
export function mssqlLockSession(openPool: () => Promise<LockPool>): () => Promise<LockSession> {
  return async () => {
    const pool = await openPool();
    return {
      async query(sql, bindings) {
        const request = pool.request();
        bindings.forEach((value, i) => request.input(`p${i}`, value));
        return (await request.query<Record<string, unknown>>(sql)).recordset ?? [];
      },
      close: () => pool.close(),
    };
  };
}
