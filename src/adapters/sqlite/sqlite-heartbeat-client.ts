import type Database from 'better-sqlite3';
import type { HeartbeatClient, HeartbeatStatement } from '../heartbeat-client.js';
import { lazyDriver } from '../lazy-driver.js';
import { describeSqliteError, isSqliteBusy, sqliteBusyTimeoutMs } from './sqlite-errors.js';

const sqliteDriver = lazyDriver<typeof Database>('better-sqlite3');

/**
 * The heartbeat's connection to a SQLite file: a better-sqlite3 database of its own, opened and
 * queried as knex's better-sqlite3 client does (dates as milliseconds, booleans as 0/1), waiting
 * for the running task's write lock as the run's pool does (busy_timeout). Loaded only by the
 * heartbeat worker.
 */
export function createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient {
  const filename = String(settings.filename ?? ':memory:');
  const options = (settings.options ?? {}) as { readonly?: boolean; nativeBinding?: string };
  return {
    async connect() {
      const Driver = sqliteDriver();
      const db = new Driver(filename, { readonly: !!options.readonly, nativeBinding: options.nativeBinding });
      try {
        db.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`);
      } catch (error) {
        db.close();
        throw error;
      }
      const values = (s: HeartbeatStatement) =>
        s.bindings.map((b) => (b instanceof Date ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b));
      return {
        usable: true,
        update: async (s) => db.prepare(s.sql).run(values(s)).changes,
        first: async (s) => db.prepare(s.sql).get(values(s)) as Record<string, unknown> | undefined,
        close: async () => void db.close(),
      };
    },
    describeError: (error) => describeSqliteError(error, filename),
    isBusy: isSqliteBusy,
  };
}
