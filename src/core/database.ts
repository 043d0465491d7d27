import knexFactory, { type Knex } from 'knex';
import { withConnectionDefaults } from '../adapters/connection-defaults.js';
import { createAdapter } from '../adapters/create-adapter.js';
import type { DatabaseErrorDetail, DialectAdapter, DialectName } from '../adapters/dialect-adapter.js';
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
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Largest pool size; the runner needs task, lock and heartbeat connections at once. */
  readonly poolMax?: number;
  /** Read-only commands: a SQLite file is opened read-only and never created. */
  readonly readOnly?: boolean;
}

/**
 * Opens a pool and proves it works with one round trip, so a wrong password or an
 * unreachable host is a ConnectionError (exit 2) before anything is written. A connection that
 * prefers TLS (libpq's sslmode=prefer/allow, MySQL's PREFERRED) gets its one second try here;
 * one that requires TLS never falls back to plaintext.
 */
export async function openDatabase(connection: ResolvedConnection, options: OpenOptions = {}): Promise<Database> {
  const poolMax = options.poolMax ?? 5;
  const configure = (c: Knex.Config) => withConnectionDefaults(connection.dialect, c, poolMax, options.readOnly, connection.programName);
  const config = configure(connection.knexConfig);
  const adapter = createAdapter(connection.dialect, config);
  let knex = knexFactory(config);
  let failure = await probe(knex, adapter);
  const alternative = connection.alternative;
  if (failure && alternative && failure.cause === alternative.when) {
    knex = knexFactory(configure({ ...connection.knexConfig, connection: alternative.connection }));
    failure = await probe(knex, adapter);
  }
  if (failure) {
    const tls = failure.cause === 'tls-unavailable' && connection.tlsRequiredBy ? `; ${connection.tlsRequiredBy} requires TLS, which the server does not offer` : '';
    throw new ConnectionError(
      `cannot connect to ${connection.display}: ${redactSecrets(failure.message)}${failure.code ? ` (${failure.code})` : ''}${tls}`,
      tls ? 'enable TLS on the server, or choose a weaker TLS mode knowingly' : 'check the host, port, user, password and database name, and that the server is running',
      { cause: failure.error },
    );
  }
  return {
    dialect: connection.dialect,
    knex,
    adapter,
    display: connection.display,
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
