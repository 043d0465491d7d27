import knexFactory, { type Knex } from 'knex';
import { withConnectionDefaults } from '../adapters/connection-defaults.js';
import { createAdapter } from '../adapters/create-adapter.js';
import type { DialectAdapter, DialectName } from '../adapters/dialect-adapter.js';
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
  /** Where it connects: lets the runner open pools of its own (bookkeeping, the heartbeat worker). */
  readonly connection?: ResolvedConnection;
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
 * unreachable host is a ConnectionError (exit 2) before anything is written.
 */
export async function openDatabase(connection: ResolvedConnection, options: OpenOptions = {}): Promise<Database> {
  const poolMax = options.poolMax ?? 5;
  const config = withConnectionDefaults(connection.dialect, connection.knexConfig, poolMax, options.readOnly);
  const knex = knexFactory(config);
  const adapter = createAdapter(connection.dialect, config);
  try {
    await knex.raw('select 1 as ok');
  } catch (error) {
    await knex.destroy().catch(() => undefined);
    const detail = adapter.describeError(error);
    throw new ConnectionError(
      `cannot connect to ${connection.display}: ${redactSecrets(detail.message)}${detail.code ? ` (${detail.code})` : ''}`,
      'check the host, port, user, password and database name, and that the server is running',
      { cause: error },
    );
  }
  return {
    dialect: connection.dialect,
    knex,
    adapter,
    display: connection.display,
    connection,
    close: () => knex.destroy(),
  };
}
