import type { Knex } from 'knex';
import type { DialectAdapter, DialectName } from './dialect-adapter.js';
import { MssqlAdapter } from './mssql/mssql-adapter.js';
import { MysqlAdapter } from './mysql/mysql-adapter.js';
import { PostgresAdapter } from './postgres/postgres-adapter.js';
import { SqliteAdapter } from './sqlite/sqlite-adapter.js';

/** The adapter for a dialect; SQLite needs the file name for its lock file. */
export function createAdapter(dialect: DialectName, knexConfig: Knex.Config): DialectAdapter {
  switch (dialect) {
    case 'postgres':
      return new PostgresAdapter();
    case 'mysql':
      return new MysqlAdapter();
    case 'mssql':
      return new MssqlAdapter();
    case 'sqlite':
      return new SqliteAdapter(String((knexConfig.connection as { filename?: string } | undefined)?.filename ?? ':memory:'));
  }
}
