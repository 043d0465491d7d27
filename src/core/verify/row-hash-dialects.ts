import type { DialectName } from '../../adapters/dialect-name.js';
import { MssqlRowHash } from '../../adapters/mssql/mssql-row-hash.js';
import { MysqlRowHash } from '../../adapters/mysql/mysql-row-hash.js';
import { PostgresRowHash } from '../../adapters/postgres/postgres-row-hash.js';
import type { RowHashDialect } from '../../adapters/row-hash-dialect.js';
import { SqliteRowHash } from '../../adapters/sqlite/sqlite-row-hash.js';

const dialects: Readonly<Record<DialectName, RowHashDialect>> = {
  postgres: new PostgresRowHash(),
  mysql: new MysqlRowHash(),
  mssql: new MssqlRowHash(),
  sqlite: new SqliteRowHash(),
};

/** The hashing SQL of a dialect. */
export function rowHashDialect(name: DialectName): RowHashDialect {
  return dialects[name];
}
