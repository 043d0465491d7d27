import type { Knex } from 'knex';
import type { RunLock } from './dialect-adapter.js';
import { PinnedConnection } from './pinned-connection.js';
import { queryRowsOn } from './raw-rows.js';

/** The SQL that makes a server's session lock; the result row must hold `ok` and the session `id`. */
export interface SessionLockSql {
  readonly acquire: string;
  readonly release: string;
  /** Positional values, written in the SQL the way the lock's session binds them (`?` through knex). */
  readonly bindings: readonly Knex.RawBinding[];
  /** Whether the acquire row means "held by us". */
  readonly acquired: (row: Record<string, unknown>) => boolean;
}

/** One server session kept for as long as a lock is held: every statement of the lock runs on it. */
export interface LockSession {
  query(sql: string, bindings: readonly Knex.RawBinding[]): Promise<Record<string, unknown>[]>;
  /** Gives the session up (back to its pool, or closed); the server then drops a lock it still holds. */
  close(): Promise<void>;
}

/**
 * A run lock held by a server session that `open` provides: taken and released on that same
 * session, and dropped by the server when the session dies. A refused attempt gives the session
 * up at once; `release` sends the release statement, then gives the session up even when the
 * statement fails (a session that is gone has dropped the lock already).
 */
export function sessionRunLock(open: () => Promise<LockSession>, sql: SessionLockSql): RunLock {
  let session: LockSession | null = null;
  let sessionId: string | null = null;
  const close = async () => {
    const held = session;
    session = null;
    await held?.close();
  };
  return {
    get sessionId() {
      return sessionId;
    },
    async tryAcquire() {
      session ??= await open();
      const [row] = await session.query(sql.acquire, sql.bindings);
      if (row && sql.acquired(row)) {
        sessionId = String(row.id);
        return true;
      }
      await close();
      return false;
    },
    async release() {
      if (!session) return;
      try {
        await session.query(sql.release, sql.bindings);
      } finally {
        sessionId = null;
        await close();
      }
    },
  };
}

/**
 * The lock's session on a connection taken out of knex's pool and kept until the lock is
 * released (PostgreSQL, MySQL/MariaDB): the pool hands it to no one else meanwhile.
 */
export function pooledLockSession(knex: Knex): () => Promise<LockSession> {
  return async () => {
    const pinned = new PinnedConnection(knex);
    const connection = await pinned.acquire();
    return {
      query: (text, bindings) => queryRowsOn<Record<string, unknown>>(knex, connection, text, bindings),
      close: () => pinned.release(),
    };
  };
}
