import type { Dialect } from '../dialect.js';
import { pgDriver } from './pg-driver.js';
import { moduleBeside } from '../heartbeat-client.js';
import { knexConnectionSettings } from '../knex-connection-settings.js';
import { connectionOf, withKnexDefaults } from '../knex-defaults.js';
import { PostgresAdapter } from './postgres-adapter.js';
import { postgresCopy } from './postgres-copy.js';
import { classifyPostgresError } from './postgres-errors.js';
import { postgresPreflight } from './postgres-preflight.js';
import { PostgresRowHash } from './postgres-row-hash.js';
import { postgresConnectionParser } from './postgres-url.js';

/** PostgreSQL through node-postgres. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  title: 'PostgreSQL',
  schemes: ['postgres', 'postgresql'],
  urlExample: 'postgres://user:password@host:5432/db',
  knexClients: ['pg', 'postgres', 'postgresql'],
  nicknames: ['psql'],
  connections: postgresConnectionParser,
  knexConfig: (connection, extra = {}) => {
    pgDriver(); // before knex requires it: see pg-driver.ts
    return { ...extra, client: 'pg', connection };
  },
  withDefaults(config, o) {
    const conn = connectionOf(config);
    // application_name is at most 63 bytes:
    // https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-APPLICATION-NAME
    conn.application_name ??= conn.fallback_application_name ?? o.programName.slice(0, 63);
    conn.connectionTimeoutMillis ??= 10_000;
    return withKnexDefaults(config, conn, { min: 0, max: o.poolMax });
  },
  createAdapter: () => new PostgresAdapter(),
  heartbeatClient: (knex) => ({
    module: moduleBeside(import.meta.url, 'postgres-heartbeat-client'),
    settings: knexConnectionSettings(knex),
  }),
  rowHash: new PostgresRowHash(),
  copy: postgresCopy,
  classifyError: classifyPostgresError,
  preflight: postgresPreflight,
};
