import type { Dialect } from '../dialect.js';
import { moduleBeside } from '../heartbeat-client.js';
import { connectionOf, withKnexDefaults } from '../knex-defaults.js';
import { MssqlAdapter } from './mssql-adapter.js';
import { tediousConfig } from './mssql-connection.js';
import { mssqlCopy } from './mssql-copy.js';
import { classifyMssqlError } from './mssql-errors.js';
import { mssqlPreflight } from './mssql-preflight.js';
import { MssqlRowHash } from './mssql-row-hash.js';
import { mssqlConnectionParser } from './mssql-url.js';

/** SQL Server through tedious (knex's mssql client) and the mssql package. */
export const mssqlDialect: Dialect = {
  name: 'mssql',
  title: 'SQL Server',
  schemes: ['mssql', 'sqlserver'],
  urlExample: 'mssql://user:password@host:1433/db',
  knexClients: ['mssql', 'sqlserver'],
  nicknames: ['tsql'],
  connections: mssqlConnectionParser,
  knexConfig: (connection, extra = {}) => ({ ...extra, client: 'mssql', connection }),
  withDefaults(config, o) {
    const conn = connectionOf(config);
    conn.connectionTimeout ??= 10_000;
    conn.options = { appName: o.programName.slice(0, 128), ...((conn.options ?? {}) as object) };
    return withKnexDefaults(config, conn, { min: 0, max: o.poolMax });
  },
  createAdapter: () => new MssqlAdapter(),
  heartbeatClient: (knex) => ({
    module: moduleBeside(import.meta.url, 'mssql-heartbeat-client'),
    settings: tediousConfig(knex),
  }),
  rowHash: new MssqlRowHash(),
  copy: mssqlCopy,
  classifyError: classifyMssqlError,
  preflight: mssqlPreflight,
};
