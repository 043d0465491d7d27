import type { DialectName } from '../adapters/dialect-name.js';
import { UsageError } from '../core/errors.js';

const byClient: Readonly<Record<string, DialectName>> = {
  pg: 'postgres',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mysql2: 'mysql',
  mariadb: 'mysql',
  mssql: 'mssql',
  sqlserver: 'mssql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
};

/** Knex client package used for each dialect. */
export const knexClientFor: Readonly<Record<DialectName, string>> = {
  postgres: 'pg',
  mysql: 'mysql2',
  mssql: 'mssql',
  sqlite: 'better-sqlite3',
};

export function dialectFromClient(client: unknown): DialectName {
  const name = typeof client === 'string' ? byClient[client.toLowerCase()] : undefined;
  if (!name) {
    throw new UsageError(
      `unsupported database client ${JSON.stringify(client)}`,
      'use one of pg, mysql2, mssql, better-sqlite3 (or a postgres://, mysql://, mssql://, sqlite: URL)',
    );
  }
  return name;
}
