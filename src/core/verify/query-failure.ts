import type { HashSession, QueryFailure, RowHashDialect } from '../../adapters/row-hash-dialect.js';
import { redactSecrets } from '../../config/redact.js';
import { ConnectionError, UsageError } from '../errors.js';
import type { HashQueries } from './hash-queries.js';

/** A verify query failed on one side: what the database said, and the SQL that was sent. */
export class QueryFailedError extends Error {
  constructor(
    readonly failure: QueryFailure,
    readonly sql: string,
    readonly side: 'source' | 'target',
    options?: ErrorOptions,
  ) {
    super(failure.message, options);
  }
}

/**
 * A database refused a verify query: the message names the cause, the table and the column
 * where known, never the generated SQL (`sql` holds it for --verbose).
 */
export class VerifyQueryError extends UsageError {
  constructor(
    message: string,
    hint: string,
    readonly sql: string,
    options?: ErrorOptions,
  ) {
    super(message, hint, options);
  }
}

/**
 * The session with each failure tagged with its side, SQL and the dialect's reading of the error; refuses to
 * start a query once `signal` is aborted.
 */
export function explainingSession(
  session: HashSession,
  dialect: RowHashDialect,
  side: 'source' | 'target',
  signal?: AbortSignal,
): HashSession {
  const fail = (error: unknown, sql: string) =>
    new QueryFailedError(dialect.describeFailure(error), sql, side, { cause: error });
  const run = async <T>(sql: string, work: () => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      throw fail(error, sql);
    }
  };
  async function* stream(sql: string, batch: number): AsyncGenerator<Record<string, unknown>> {
    signal?.throwIfAborted();
    try {
      yield* session.stream(sql, batch);
    } catch (error) {
      throw fail(error, sql);
    }
  }
  return {
    all: (sql) => run(sql, () => session.all(sql)),
    aggregate: (sql) => run(sql, () => session.aggregate(sql)),
    stream,
    cancel: () => session.cancel(),
    release: () => session.release(),
  };
}

const maxProbes = 64;

/**
 * Turns a failed query into the error the user reads: a lost connection is a ConnectionError;
 * a refusal names the column from the error's position in the SQL, or, for a data exception
 * (a value out of range), by computing each column's canonical value alone until one fails.
 */
export async function explainFailure(
  error: QueryFailedError,
  table: string,
  queries: HashQueries,
  session: HashSession,
): Promise<Error> {
  const f = error.failure;
  const code = f.code ? ` (${f.code})` : '';
  const message = redactSecrets(f.message);
  if (f.kind === 'lost') {
    return new ConnectionError(
      `verifying ${table} failed: the ${error.side} database connection failed: ${message}${code}`,
      'a database failed or went away part-way; nothing was changed: re-run dmr verify',
      { cause: error },
    );
  }
  let column = f.position ? queries.columnAt(error.sql, f.position) : undefined;
  if (!column && f.dataException) column = await probeColumns(queries, session);
  const where = column === '--where' ? ' (in --where)' : column ? `, column ${column}` : '';
  const what = f.kind === 'cancelled' ? 'cancelled' : 'refused';
  return new VerifyQueryError(
    `the ${error.side} database ${what} a verify query on table ${table}${where}: ${message}${code}`,
    column === '--where' || !column
      ? 'check --where, the table and your permissions; nothing was changed; --verbose shows the generated SQL'
      : `leave the column out with --exclude-columns ${table}.${column}, or check its values; ` +
          '--verbose shows the generated SQL',
    error.sql,
    { cause: error },
  );
}

/** The --where alone first (a failing condition would fail every column's probe), then each column. */
async function probeColumns(queries: HashQueries, session: HashSession): Promise<string | undefined> {
  const fails = async (sql: string | null) => {
    if (!sql) return false;
    try {
      await session.all(sql);
      return false;
    } catch {
      return true;
    }
  };
  if (await fails(queries.probe())) return '--where';
  for (const column of [...new Set(queries.columns())].slice(0, maxProbes))
    if (await fails(queries.probe(column))) return column;
  return undefined;
}
