import type { Knex } from 'knex';
import type { HashSession, QueryFailure } from '../row-hash-dialect.js';
import { isSessionCancelled, SessionGuard } from '../row-hash-session.js';

/**
 * SQL Server has no read-only transaction: each query runs in a transaction that is always
 * rolled back, so --where cannot leave a write behind. Cancel ends the query's session with
 * KILL (https://learn.microsoft.com/sql/t-sql/language-elements/kill-transact-sql), which rolls
 * that transaction back. Not run against a live server yet (none on this machine).
 */
export async function mssqlHashSession(knex: Knex): Promise<HashSession> {
  let spid: number | null = null;
  const guard = new SessionGuard(async () => {
    if (spid !== null) await knex.raw(`kill ${Math.trunc(spid)}`);
  });
  const rolledBack = async <T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> => {
    const trx = await knex.transaction();
    try {
      spid = Number(((await trx.raw('select @@spid as id')) as { id: number }[])[0]?.id ?? null);
      return await work(trx);
    } finally {
      spid = null;
      await trx.rollback().catch(() => undefined);
    }
  };
  async function* stream(sql: string): AsyncGenerator<Record<string, unknown>> {
    guard.check();
    const trx = await knex.transaction();
    try {
      spid = Number(((await trx.raw('select @@spid as id')) as { id: number }[])[0]?.id ?? null);
      yield* guard.stream(() => trx.raw(sql).stream() as AsyncIterable<Record<string, unknown>>);
    } finally {
      spid = null;
      await trx.rollback().catch(() => undefined);
    }
  }
  return {
    all: (sql) => guard.run(() => rolledBack(async (trx) => (await trx.raw(sql)) as Record<string, unknown>[])),
    aggregate: (sql) => guard.run(() => rolledBack(async (trx) => (await trx.raw(sql)) as Record<string, unknown>[])),
    stream,
    cancel: () => guard.cancel(),
    release: async () => undefined,
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
