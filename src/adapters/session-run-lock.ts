import type { Knex } from 'knex';
import type { RunLock } from './dialect-adapter.js';
import { PinnedConnection } from './pinned-connection.js';
import { queryRowsOn } from './raw-rows.js';

/** The SQL that makes a server's session lock; the result row must hold `ok` and the session `id`. */
export interface SessionLockSql {
  readonly acquire: string;
  readonly release: string;
  readonly bindings: readonly Knex.RawBinding[];
  /** Whether the acquire row means "held by us". */
  readonly acquired: (row: Record<string, unknown>) => boolean;
}

/**
 * A run lock held by a server session on one connection pinned out of the pool: taken and
 * released on the same session, and dropped by the server when that session dies.
 */
export function sessionRunLock(knex: Knex, sql: SessionLockSql): RunLock {
  const pinned = new PinnedConnection(knex);
  let sessionId: string | null = null;
  return {
    get sessionId() {
      return sessionId;
    },
    async tryAcquire() {
      const conn = await pinned.acquire();
      const [row] = await queryRowsOn<Record<string, unknown>>(knex, conn, sql.acquire, sql.bindings);
      if (row && sql.acquired(row)) {
        sessionId = String(row.id);
        return true;
      }
      await pinned.release();
      return false;
    },
    async release() {
      const conn = pinned.current;
      if (!conn) return;
      try {
        await queryRowsOn(knex, conn, sql.release, sql.bindings);
      } finally {
        sessionId = null;
        await pinned.release();
      }
    },
  };
}
