import type { Knex } from 'knex';
import type { CopyLocks } from './copy-dialect.js';
import { PinnedConnection } from './pinned-connection.js';
import { queryRowsOn } from './raw-rows.js';

/** Session-lock SQL of one engine: `acquire` returns a row whose `ok` says whether it is held. */
export interface CopyLockSql {
  readonly acquire: string;
  readonly release: string;
  bindings(name: string): readonly Knex.RawBinding[];
  readonly acquired: (row: Record<string, unknown>) => boolean;
}

/**
 * Locks of copy target tables, all held by one server session pinned out of the pool: a
 * second copy into the same table is refused (exit 3), and a dead process holds nothing.
 */
export function sessionCopyLocks(knex: Knex, sql: CopyLockSql): CopyLocks {
  const pinned = new PinnedConnection(knex);
  const held: string[] = [];
  return {
    async tryAcquire(name) {
      const conn = await pinned.acquire();
      const [row] = await queryRowsOn<Record<string, unknown>>(knex, conn, sql.acquire, sql.bindings(name));
      if (!row || !sql.acquired(row)) return false;
      held.push(name);
      return true;
    },
    async releaseAll() {
      const conn = pinned.current;
      if (!conn) return;
      try {
        for (const name of held.splice(0))
          await queryRowsOn(knex, conn, sql.release, sql.bindings(name)).catch(() => undefined);
      } finally {
        await pinned.release();
      }
    },
  };
}
