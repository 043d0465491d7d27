import type { DialectName } from './dialect-name.js';
import type { CopyDialect } from './copy-dialect.js';
import { mssqlCopy } from './mssql/mssql-copy.js';
import { mysqlCopy } from './mysql/mysql-copy.js';
import { postgresCopy } from './postgres/postgres-copy.js';
import { sqliteCopy } from './sqlite/sqlite-copy.js';

/**
 * The copy part of each engine. When the Dialect registry lands (issue 13) this becomes one
 * `copy:` member per engine's Dialect object and this file goes away.
 */
const copyDialects: Readonly<Record<DialectName, CopyDialect>> = {
  postgres: postgresCopy,
  mysql: mysqlCopy,
  mssql: mssqlCopy,
  sqlite: sqliteCopy,
};

export function copyDialectFor(name: DialectName): CopyDialect {
  return copyDialects[name];
}
