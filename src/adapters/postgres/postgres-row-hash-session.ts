import type { Knex } from 'knex';
import type { HashSession, QueryFailure } from '../row-hash-dialect.js';
import { isSessionCancelled, SessionGuard } from '../row-hash-session.js';

/** The node-postgres client knex's pool hands out. */
interface PgConnection {
  readonly processID: number | null;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}

interface Pool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/**
 * Planner settings for one segment aggregate (https://www.postgresql.org/docs/current/runtime-config-query.html):
 * the planner takes every row for a group, so it would sort the whole table; no sort makes it
 * hash (one small hash table per parallel worker), and JIT compilation per worker costs more than it saves.
 */
const aggregateSettings =
  `select set_config('enable_sort', 'off', true), set_config('jit', 'off', true), ` +
  `set_config('parallel_tuple_cost', '0', true), set_config('work_mem', '64MB', true)`;

/**
 * One pooled connection pinned for a table's hashing. Each query runs in its own
 * `start transaction read only` (https://www.postgresql.org/docs/current/sql-start-transaction.html),
 * rolled back after; cancel sends pg_cancel_backend for the connection's backend from another one.
 */
export async function postgresHashSession(knex: Knex): Promise<HashSession> {
  const pool = knex.client as unknown as Pool;
  const conn = (await pool.acquireConnection()) as PgConnection;
  const guard = new SessionGuard(() => knex.raw('select pg_cancel_backend(?)', [conn.processID ?? 0]));
  const query = async (sql: string) => (await conn.query(sql)).rows;
  const statement = (sql: string) => guard.run(() => query(sql));
  const readOnly = async <T>(work: () => Promise<T>): Promise<T> => {
    await statement('start transaction read only');
    try {
      return await work();
    } finally {
      await query('rollback').catch(() => undefined);
    }
  };
  return {
    all: (sql) => readOnly(() => statement(sql)),
    aggregate: (sql) =>
      readOnly(async () => {
        await statement(aggregateSettings);
        return statement(sql);
      }),
    stream: (sql, batch) => readOnlyCursor(statement, query, sql, batch),
    cancel: () => guard.cancel(),
    release: async () => {
      await pool.releaseConnection(conn);
    },
  };
}

/** Streams a query through a server-side cursor (no extra package, memory bounded by `batch`). */
async function* readOnlyCursor(
  statement: (sql: string) => Promise<Record<string, unknown>[]>,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  sql: string,
  batch: number,
): AsyncGenerator<Record<string, unknown>> {
  await statement('start transaction read only');
  try {
    // A cursor is planned for its first 10% of rows by default: an index scan filtering the whole
    // table instead of index range scans and a sort of the rows asked for.
    await statement(`select set_config('cursor_tuple_fraction', '1', true)`);
    await statement(`declare dmr_verify_cursor no scroll cursor for ${sql}`);
    for (;;) {
      const rows = await statement(`fetch ${batch} from dmr_verify_cursor`);
      yield* rows;
      if (rows.length < batch) break;
    }
  } finally {
    await query('rollback').catch(() => undefined);
  }
}

/**
 * SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) that mean the
 * session or server went away.
 */
const lostCodes = /^(08|57P0[1-3]|53300)/;

export function describePostgresFailure(error: unknown): QueryFailure {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; position?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = String(e.message ?? error);
  const sqlState = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const kind =
    isSessionCancelled(error) || code === '57014'
      ? 'cancelled'
      : !sqlState || lostCodes.test(sqlState)
        ? 'lost'
        : 'refused';
  const position = Number(e.position);
  return {
    message,
    ...(code ? { code } : {}),
    kind,
    ...(Number.isInteger(position) && position > 0 ? { position } : {}),
    // 22: data exception; 0A: a value the type cannot convert (infinity to bigint).
    ...(sqlState && /^(22|0A)/.test(sqlState) ? { dataException: true } : {}),
  };
}
