import type { DialectName } from './dialect-name.js';
import { mssqlConnectionParser } from './mssql/mssql-url.js';
import { mysqlConnectionParser } from './mysql/mysql-url.js';
import type { ConnectionParser } from './parsed-connection.js';
import { postgresConnectionParser } from './postgres/postgres-url.js';
import { sqliteConnectionParser } from './sqlite/sqlite-url.js';

/** Each engine's reader of URLs and knexfile entries (joins the engine's Dialect object in issue 13). */
export const connectionParsers: Readonly<Record<DialectName, ConnectionParser>> = {
  postgres: postgresConnectionParser,
  mysql: mysqlConnectionParser,
  mssql: mssqlConnectionParser,
  sqlite: sqliteConnectionParser,
};
