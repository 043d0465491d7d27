import type { Knex } from 'knex';
import type { HashSession, QueryFailure } from '../row-hash-dialect.js';
import { isSessionCancelled, SessionGuard } from '../row-hash-session.js';

/** A query with a per-query type cast (mysql2's `typeCast` option). */
interface QueryOptions {
  readonly sql: string;
  readonly typeCast: (field: { string(): string | null }, next: () => unknown) => unknown;
}

/** The mysql2 connection (callback API) knex's pool hands out. */
interface MysqlConnection {
  readonly threadId: number | null;
  query(sql: string | QueryOptions, callback: (error: Error | null, rows: unknown) => void): unknown;
  query(sql: QueryOptions): { stream(options: { highWaterMark: number }): AsyncIterable<Record<string, unknown>> };
  destroy(): void;
}

/**
 * Every value as the server's text: a column compared in the engine's own text comes back exactly as the hash
 * read it (mysql2 would turn a DATETIME into a Date and parse some doubles to a neighbouring one).
 */
const asText = (sql: string): QueryOptions => ({ sql, typeCast: (field) => field.string() });

interface Pool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/**
 * One pooled connection pinned for a table's hashing. Each query runs in its own
 * `start transaction read only` (https://mariadb.com/kb/en/start-transaction/), rolled back
 * after; cancel sends KILL QUERY for the connection's thread from another one.
 */
export async function mysqlHashSession(knex: Knex): Promise<HashSession> {
  const pool = knex.client as unknown as Pool;
  const conn = (await pool.acquireConnection()) as MysqlConnection;
  const guard = new SessionGuard(() => knex.raw(`kill query ${Number(conn.threadId)}`));
  const query = (sql: string) =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      conn.query(asText(sql), (error, rows) => (error ? reject(error) : resolve(rows as Record<string, unknown>[])));
    });
  const statement = (sql: string) => guard.run(() => query(sql));
  const readOnly = async <T>(work: () => Promise<T>): Promise<T> => {
    await statement('start transaction read only');
    try {
      return await work();
    } finally {
      await query('rollback').catch(() => undefined);
    }
  };
  async function* stream(sql: string, batch: number): AsyncGenerator<Record<string, unknown>> {
    await statement('start transaction read only');
    let finished = false;
    try {
      yield* guard.stream(() => conn.query(asText(sql)).stream({ highWaterMark: batch }));
      finished = true;
    } finally {
      // Rows left unread would block the connection: close it, the server stops when it next writes.
      if (finished) await query('rollback').catch(() => undefined);
      else conn.destroy();
    }
  }
  return {
    all: (sql) => readOnly(() => statement(sql)),
    aggregate: (sql) => readOnly(() => statement(sql)),
    stream,
    cancel: () => guard.cancel(),
    release: async () => {
      await pool.releaseConnection(conn);
    },
  };
}

const lostCodes = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);
/** Server shutdown, connection killed, server gone away, lost during query. */
const lostErrnos = new Set([1053, 1927, 2006, 2013]);

export function describeMysqlFailure(error: unknown): QueryFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    errno?: unknown;
    sqlState?: unknown;
    sqlMessage?: unknown;
    message?: unknown;
    fatal?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const sqlState = typeof e.sqlState === 'string' ? e.sqlState : undefined;
  const message = String(e.sqlMessage ?? e.message ?? error);
  const cancelled = isSessionCancelled(error) || errno === 1317;
  const lost =
    e.fatal === true ||
    (code !== undefined && lostCodes.has(code)) ||
    (errno !== undefined && lostErrnos.has(errno)) ||
    (errno === undefined && !cancelled);
  const label = [
    code,
    errno !== undefined && errno !== 0 ? String(errno) : undefined,
    sqlState ? `SQLSTATE ${sqlState}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    message,
    ...(label ? { code: label } : {}),
    kind: cancelled ? 'cancelled' : lost ? 'lost' : 'refused',
    ...(sqlState?.startsWith('22') ? { dataException: true } : {}),
  };
}
