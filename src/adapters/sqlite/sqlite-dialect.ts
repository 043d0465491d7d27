import { existsSync } from 'node:fs';
import type { Knex } from 'knex';
import type { Dialect } from '../dialect.js';
import { moduleBeside } from '../heartbeat-client.js';
import { knexConnectionSettings } from '../knex-connection-settings.js';
import { connectionOf, withKnexDefaults } from '../knex-defaults.js';
import { SqliteAdapter } from './sqlite-adapter.js';
import { sqliteCopy } from './sqlite-copy.js';
import { classifySqliteError, sqliteBusyTimeoutMs } from './sqlite-errors.js';
import { sqlitePreflight } from './sqlite-preflight.js';
import { SqliteRowHash } from './sqlite-row-hash.js';
import { sqliteConnectionParser } from './sqlite-url.js';

/** SQLite through better-sqlite3, embedded. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  title: 'SQLite',
  schemes: ['sqlite'],
  urlExample: 'sqlite:path/to/file.sqlite3',
  knexClients: ['better-sqlite3', 'sqlite', 'sqlite3'],
  nicknames: [],
  connections: sqliteConnectionParser,
  knexConfig: (connection, extra = {}) => ({ ...extra, client: 'better-sqlite3', connection, useNullAsDefault: true }),
  withDefaults(config, o) {
    const conn = connectionOf(config);
    const memory = conn.filename === ':memory:';
    // knex hands better-sqlite3 only `readonly` of its options (not fileMustExist): a file that must exist and does
    // not is opened read-only, which fails (SQLITE_CANTOPEN) instead of creating it.
    const missing = o.mustExist && !memory && !existsSync(String(conn.filename));
    if ((o.readOnly || missing) && !memory) conn.options = { ...((conn.options ?? {}) as object), readonly: true };
    // WAL so that status and doctor read while a run writes; a read-only open changes nothing in the file.
    const pool: Knex.PoolConfig = {
      min: 1,
      max: Math.max(2, o.poolMax),
      afterCreate: (db: { pragma(sql: string): unknown }, done: (err: Error | null, db: unknown) => void) => {
        try {
          if (!memory && !o.readOnly) db.pragma('journal_mode = WAL');
          db.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`);
          if (!o.readOnly) db.pragma('foreign_keys = ON');
          done(null, db);
        } catch (error) {
          done(error as Error, db);
        }
      },
    };
    return { ...withKnexDefaults(config, conn, pool), useNullAsDefault: true };
  },
  createAdapter: (config) =>
    new SqliteAdapter(String((config.connection as { filename?: string } | undefined)?.filename ?? ':memory:')),
  heartbeatClient: (knex) => ({
    module: moduleBeside(import.meta.url, 'sqlite-heartbeat-client'),
    settings: knexConnectionSettings(knex),
    blocksItsThread: true,
  }),
  rowHash: new SqliteRowHash(),
  copy: sqliteCopy,
  classifyError: classifySqliteError,
  preflight: sqlitePreflight,
};
