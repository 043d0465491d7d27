import type { Knex } from 'knex';
import { discardConnection } from '../pinned-connection.js';
import type { HashSession, QueryFailure } from '../row-hash-dialect.js';
import { isSessionCancelled, SessionGuard } from '../row-hash-session.js';
import { cancelRequest, settleConnection, type TediousConnection } from './mssql-connection.js';

interface Pool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/**
 * One pooled connection pinned for a table's hashing, as on the other engines. SQL Server has no
 * read-only transaction: each query runs in a transaction on that connection that is always rolled
 * back, so --where cannot leave a write behind. Cancel is the driver's (tedious sends an ATTENTION on
 * the connection, `cancelRequest`): the statement stops, the session stays, the transaction is rolled
 * back and the connection goes back to the pool. A stream left unread is cancelled the same way.
 */
export async function mssqlHashSession(knex: Knex): Promise<HashSession> {
  const pool = knex.client as unknown as Pool;
  const conn = (await pool.acquireConnection()) as TediousConnection;
  let broken = false;
  const guard = new SessionGuard(async () => cancelRequest(conn));
  /** Ends the query's transaction; a connection that does not settle is not handed out again. */
  const end = async (trx: Knex.Transaction) => {
    await settleConnection(conn).catch(() => {
      broken = true;
    });
    if (!broken) await trx.rollback().catch(() => undefined);
  };
  const rolledBack = async <T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> => {
    const trx = await knex.transaction({ connection: conn });
    try {
      return await work(trx);
    } finally {
      await end(trx);
    }
  };
  async function* stream(sql: string): AsyncGenerator<Record<string, unknown>> {
    guard.check();
    const trx = await knex.transaction({ connection: conn });
    try {
      yield* guard.stream(() => trx.raw(sql).stream() as AsyncIterable<Record<string, unknown>>);
    } finally {
      await end(trx);
    }
  }
  const rows = (sql: string) =>
    guard.run(() => rolledBack(async (trx) => (await trx.raw(sql)) as Record<string, unknown>[]));
  return {
    all: rows,
    aggregate: rows,
    stream,
    cancel: () => guard.cancel(),
    release: async () => {
      if (broken) discardConnection(conn);
      await pool.releaseConnection(conn);
    },
  };
}

/** tedious RequestError / ConnectionError codes (https://tediousjs.github.io/tedious/api-request.html). */
export function describeMssqlFailure(error: unknown): QueryFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    number?: unknown;
    message?: unknown;
    originalError?: { message?: unknown };
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const number = typeof e.number === 'number' ? e.number : undefined;
  const message = String(e.originalError?.message ?? e.message ?? error);
  const kind =
    isSessionCancelled(error) || code === 'ECANCEL'
      ? 'cancelled'
      : code && ['ESOCKET', 'ECONNCLOSED', 'ETIMEOUT', 'ELOGIN', 'ENOTOPEN'].includes(code)
        ? 'lost'
        : 'refused';
  // 220, 232, 8115: arithmetic overflow; 241, 242, 245, 8114: conversion failed.
  const dataException = number !== undefined && [220, 232, 241, 242, 245, 8114, 8115].includes(number);
  return {
    message,
    ...(number !== undefined ? { code: String(number) } : code ? { code } : {}),
    kind,
    ...(dataException ? { dataException: true } : {}),
  };
}
