import type { Knex } from 'knex';
import type { CopyLocks } from './copy-dialect.js';
import type { LockSession } from './session-run-lock.js';

/** Session-lock SQL of one engine: `acquire` returns a row whose `ok` says whether it is held. */
export interface CopyLockSql {
  readonly acquire: string;
  readonly release: string;
  /** The lock's values, written in the SQL the way the lock's session binds them. */
  bindings(name: string): readonly Knex.RawBinding[];
  readonly acquired: (row: Record<string, unknown>) => boolean;
}

/**
 * Locks of copy target tables, all held by one server session that `open` provides (as the run
 * lock's: `pooledLockSession` on PostgreSQL and MySQL, an mssql session of its own on SQL Server):
 * a second copy into the same table is refused (exit 3), and a dead process holds nothing.
 * `releaseAll` releases each lock on that session, then gives the session up.
 */
export function sessionCopyLocks(open: () => Promise<LockSession>, sql: CopyLockSql): CopyLocks {
  let session: LockSession | null = null;
  const held: string[] = [];
  return {
    async tryAcquire(name) {
      session ??= await open();
      const [row] = await session.query(sql.acquire, sql.bindings(name));
      if (!row || !sql.acquired(row)) return false;
      held.push(name);
      return true;
    },
    async releaseAll() {
      const current = session;
      session = null;
      if (!current) return;
      try {
        for (const name of held.splice(0)) await current.query(sql.release, sql.bindings(name)).catch(() => undefined);
      } finally {
        await current.close();
      }
    },
  };
}
