import knexFactory, { type Knex } from 'knex';
import { dialectNamed } from '../adapters/dialects.js';
import type { DatabaseErrorDetail, DialectAdapter, DialectName, ErrorCause } from '../adapters/dialect-adapter.js';
import { causeText } from '../adapters/error-cause.js';
import type { ResolvedConnection } from '../config/resolve-connection.js';
import { redactSecrets } from '../config/redact.js';
import { ConnectionError } from './errors.js';

/** An open database: a knex pool plus the adapter for its dialect. */
export interface Database {
  readonly dialect: DialectName;
  readonly knex: Knex;
  readonly adapter: DialectAdapter;
  /** Redacted description for messages. */
  readonly display: string;
  /** Where it connects: lets the runner open a pool of its own for its bookkeeping. */
  readonly connection?: ResolvedConnection;
  /** Where dmr's tables go without --schema (the connection's own database on MySQL/MariaDB; absent: App). */
  readonly defaultSchema?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Largest pool size; the runner needs task, lock and heartbeat connections at once. */
  readonly poolMax?: number;
  /** Read-only commands: a SQLite file is opened read-only and never created. */
  readonly readOnly?: boolean;
  /**
   * Commands that write only into status tables that must already be there (stop, reset, doctor --fix, resume,
   * restart): a SQLite file that does not exist is an error, never a new empty file left behind.
   */
  readonly mustExist?: boolean;
  /** A database whose tables are compared or copied, not dmr's status database: no hint points to init or migrate. */
  readonly dataSide?: boolean;
}

/**
 * Opens a pool and proves it works with one round trip, so a wrong password or an
 * unreachable host is a ConnectionError (exit 2) before anything is written. A connection that
 * prefers TLS (libpq's sslmode=prefer/allow, MySQL's PREFERRED) gets its one second try here;
 * one that requires TLS never falls back to plaintext.
 */
export async function openDatabase(connection: ResolvedConnection, options: OpenOptions = {}): Promise<Database> {
  const dialect = dialectNamed(connection.dialect);
  const pool = {
    poolMax: options.poolMax ?? 5,
    readOnly: options.readOnly ?? false,
    mustExist: options.mustExist ?? false,
    programName: connection.programName ?? 'dmr',
  };
  const configure = (c: Knex.Config) => dialect.withDefaults(c, pool);
  const config = configure(connection.knexConfig);
  const adapter = dialect.createAdapter(config);
  let knex = knexFactory(config);
  let failure = await probe(knex, adapter);
  const alternative = connection.alternative;
  if (failure && alternative && failure.cause === alternative.when) {
    knex = knexFactory(configure({ ...connection.knexConfig, connection: alternative.connection }));
    failure = await probe(knex, adapter);
  }
  if (failure) {
    const tls =
      failure.cause === 'tls-unavailable' && connection.tlsRequiredBy
        ? `; ${connection.tlsRequiredBy} requires TLS, which the server does not offer`
        : '';
    throw new ConnectionError(
      `cannot connect to ${connection.display}: ${redactSecrets(failure.message)}` +
        `${failure.code ? ` (${failure.code})` : ''}${tls}`,
      tls
        ? 'enable TLS on the server, or choose a weaker TLS mode knowingly'
        : options.readOnly && options.dataSide
          ? 'check the host, port, user, password and database name (or the file path); ' +
            'dmr only reads this database, so it never creates it'
          : options.readOnly
            ? 'check the host, port, user, password and database name (or the file path); ' +
              'this command only reads, so it never creates a database: `dmr init` or `dmr migrate` does'
            : options.mustExist
              ? 'check the host, port, user, password and database name (or the file path); ' +
                'this command never creates a database: `dmr init` or `dmr migrate` does'
              : 'check the host, port, user, password and database name, and that the server is running',
      { cause: failure.error },
    );
  }
  return {
    dialect: connection.dialect,
    knex,
    adapter,
    display: connection.display,
    connection,
    defaultSchema: adapter.defaultSchema(knex),
    close: () => knex.destroy(),
  };
}

/** One round trip; on failure the pool is closed and the error described. */
async function probe(knex: Knex, adapter: DialectAdapter): Promise<(DatabaseErrorDetail & { error: unknown }) | null> {
  try {
    await knex.raw('select 1 as ok');
    return null;
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    return { ...adapter.describeError(error), error };
  }
}

/**
 * A lost connection named more precisely by asking the server once more on a new connection: if it
 * answers and the lost session (`sessionId`, when known) is still on the server, the network broke the
 * connection, and that orphaned session's statement is cancelled so it holds no locks for the next run;
 * if it answers and the session is gone, the server ended the session itself (a kill, an idle or session
 * timeout: MySQL closes a killed connection without a word); if it refuses connections, it is shutting
 * down or restarting; otherwise the network is the likely cause and the detail stays as it is.
 */
export async function explainLostConnection(
  db: Database,
  detail: { readonly message: string; readonly code?: string },
  waitMs = 5000,
  sessionId?: string | null,
): Promise<{ message: string; cause: ErrorCause }> {
  const original = detail.message.replace(/^the connection to the server was lost(?: \([^)]*\))?: /, '');
  const code = detail.code ? ` (${detail.code})` : '';
  const deadline = Date.now() + waitMs;
  let answer = await askServer(db, waitMs);
  // A pooled connection the same outage cut, or a server half-way down, fails the same way: ask again.
  while (answer !== 'up' && answer !== 'timeout' && answer.cause === 'connection-lost' && Date.now() + 250 < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await askServer(db, deadline - Date.now());
  }
  if (answer === 'up') {
    const orphan = sessionId ? await sessionOutlives(db, sessionId) : false;
    if (orphan) {
      const cancelled = await db.adapter.cancelStatement(db.knex, sessionId as string).then(
        () => 'its statement was cancelled',
        (error: unknown) => `its statement could not be cancelled (${(error as Error).message})`,
      );
      return {
        cause: 'connection-lost',
        message:
          `${causeText['connection-lost']}${code}: the network broke it, not the server, which still ` +
          `has session ${sessionId} (${cancelled}): ${original}`,
      };
    }
    return {
      cause: 'session-terminated',
      message:
        `${causeText['session-terminated']}${code}; the server still accepts connections, so the ` +
        `session was ended on its side (killed, or an idle or session timeout): ${original}`,
    };
  }
  if (
    answer !== 'timeout' &&
    (answer.cause === 'server-shutdown' || /ECONNREFUSED/.test(`${answer.code} ${answer.message}`))
  ) {
    return {
      cause: 'server-shutdown',
      message:
        `${causeText['server-shutdown']}${code}; it refuses new connections (` +
        `${answer.code ?? answer.message}): ${original}`,
    };
  }
  return { cause: 'connection-lost', message: detail.message };
}

/**
 * Whether a session is still on the server after a second: a session the server ended (a kill, a
 * timeout) is gone within milliseconds, one whose client vanished on the network stays until it next
 * talks to the client.
 */
async function sessionOutlives(db: Database, sessionId: string): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const session = await db.adapter.session(db.knex, sessionId).catch(() => null);
    if (!session) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** One `select 1` within `waitMs`: 'up', 'timeout', or how it failed. */
async function askServer(db: Database, waitMs: number): Promise<'up' | 'timeout' | DatabaseErrorDetail> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
  return Promise.race([
    db.knex.raw('select 1 as ok').then(
      () => 'up' as const,
      (error: unknown) => db.adapter.describeError(error),
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
