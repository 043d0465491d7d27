import type { Knex } from 'knex';
import type { DialectName } from './dialect-adapter.js';

/**
 * Pool and connection settings dmr needs on every dialect: a program name the server shows
 * (`dmr migrate`, so doctor and DBAs can tell dmr's sessions) unless the connection names itself,
 * connect timeouts, MySQL values read the same way from a URL or a knexfile (UTC, big numbers as text),
 * and SQLite in WAL mode so `dmr status` and `dmr doctor` can read while a run writes.
 */
export function withConnectionDefaults(
  dialect: DialectName,
  base: Knex.Config,
  poolMax: number,
  readOnly = false,
  programName = 'dmr',
): Knex.Config {
  const conn = { ...((base.connection ?? {}) as Record<string, unknown>) };
  let pool: Knex.PoolConfig = { min: 0, max: poolMax };
  if (dialect === 'postgres') {
    conn.application_name ??= conn.fallback_application_name ?? programName.slice(0, 63);
    conn.connectionTimeoutMillis ??= 10_000;
  }
  if (dialect === 'mysql') {
    conn.connectTimeout ??= 10_000;
    conn.timezone ??= 'Z';
    conn.supportBigNumbers ??= true;
    conn.bigNumberStrings ??= true;
    conn.connectAttributes = { program_name: programName, ...((conn.connectAttributes ?? {}) as object) };
  }
  if (dialect === 'mssql') {
    conn.connectionTimeout ??= 10_000;
    conn.options = { appName: programName.slice(0, 128), ...((conn.options ?? {}) as object) };
  }
  if (dialect === 'sqlite' && readOnly && conn.filename !== ':memory:') {
    conn.options = { ...((conn.options ?? {}) as object), readonly: true };
  }
  if (dialect === 'sqlite') {
    pool = {
      min: 1,
      max: Math.max(2, poolMax),
      afterCreate: (db: { pragma(sql: string): unknown }, done: (err: Error | null, db: unknown) => void) => {
        try {
          if (conn.filename !== ':memory:' && !readOnly) db.pragma('journal_mode = WAL');
          db.pragma('busy_timeout = 5000');
          if (!readOnly) db.pragma('foreign_keys = ON');
          done(null, db);
        } catch (error) {
          done(error as Error, db);
        }
      },
    };
  }
  return {
    ...base,
    connection: conn,
    pool: { ...pool, ...(base.pool ?? {}), acquireTimeoutMillis: 15_000 },
    acquireConnectionTimeout: 15_000,
    // dmr reports database errors itself, once; knex's logger would print them again on stdout.
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
    ...(dialect === 'sqlite' ? { useNullAsDefault: true } : {}),
  };
}
