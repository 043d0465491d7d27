import type { Knex } from 'knex';
import type { CopyDialect } from './copy-dialect.js';
import type { DialectAdapter } from './dialect-adapter.js';
import type { DialectName } from './dialect-name.js';
import type { ErrorCause } from './error-cause.js';
import type { HeartbeatClientSpec } from './heartbeat-client.js';
import type { ConnectionParser } from './parsed-connection.js';
import type { PreflightProbe } from './preflight-probe.js';
import type { RowHashDialect } from './row-hash-dialect.js';

/** What every opened pool gets besides the connection: its size, read-only mode, and the name the server shows. */
interface PoolOptions {
  /** Largest pool size (the runner needs task, lock and heartbeat connections at once). */
  readonly poolMax: number;
  /** Read-only commands: a SQLite file is opened read-only and never created. */
  readonly readOnly: boolean;
  /** Commands that write only into existing status tables: a SQLite file that does not exist is not created. */
  readonly mustExist?: boolean;
  /** `dmr <command>`, shown by the server unless the connection names itself. */
  readonly programName: string;
}

/**
 * Everything one database engine means to dmr, in one object (kysely's model): adding an engine is one
 * folder exporting one of these and one line in `dialects.ts`. Nothing outside src/adapters names an
 * engine; config and core ask the registry.
 */
export interface Dialect {
  readonly name: DialectName;
  /** How messages name the engine (`MySQL/MariaDB`). */
  readonly title: string;
  /** URL schemes (`postgres`, `postgresql`). */
  readonly schemes: readonly string[];
  /** A URL of the engine, for hints. */
  readonly urlExample: string;
  /** knex client names a knexfile may give; the first is the one dmr uses. */
  readonly knexClients: readonly string[];
  /** Other names people write for the engine: a task file suffix like `.psql.sql` is a misspelt variant. */
  readonly nicknames: readonly string[];
  /** Reads URLs and knexfile entries by the driver's own parser. */
  readonly connections: ConnectionParser;
  /** The knex config for a parsed connection (client, connection and what the engine needs besides). */
  knexConfig(connection: Record<string, unknown>, extra?: Knex.Config): Knex.Config;
  /** The config with dmr's connection defaults (program name, timeouts, engine settings) and its pool. */
  withDefaults(config: Knex.Config, options: PoolOptions): Knex.Config;
  /** The adapter: status tables, run lock, sessions, cancel, script splitting, error description. */
  createAdapter(config: Knex.Config): DialectAdapter;
  /**
   * The heartbeat worker's connection, like `knex`'s (the run's pool): the engine's small heartbeat
   * client module, which the worker loads instead of knex and the registry, and its settings.
   */
  heartbeatClient(knex: Knex): HeartbeatClientSpec;
  /** Verify's hashing SQL. */
  readonly rowHash: RowHashDialect;
  /** Copy's catalog, type mapping and bulk path. */
  readonly copy: CopyDialect;
  /** What an error of this engine means (the session ended, a timeout, a deadlock...). */
  classifyError(error: unknown): ErrorCause | undefined;
  /** `dmr check`'s read-only questions: version, clock, user, schemas and the privileges each command needs. */
  readonly preflight: PreflightProbe;
}
