import type { Dialect } from './dialect.js';
import type { DialectName } from './dialect-name.js';
import { mssqlDialect } from './mssql/mssql-dialect.js';
import { mysqlDialect } from './mysql/mysql-dialect.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

/** The registry: every engine dmr speaks. Adding one is a folder with its Dialect and a line here. */
export const dialects: readonly Dialect[] = [postgresDialect, mysqlDialect, mssqlDialect, sqliteDialect];

/** The names of the engines, in registry order (task file variants `NAME.sql`). */
export const dialectNames: readonly DialectName[] = dialects.map((d) => d.name);

/** The Dialect of an engine name. */
export function dialectNamed(name: DialectName): Dialect {
  const found = dialects.find((d) => d.name === name);
  if (!found) throw new Error(`no dialect named ${name}`);
  return found;
}

/** The Dialect of a URL scheme (lower case), if any. */
export function dialectForScheme(scheme: string): Dialect | undefined {
  return dialects.find((d) => d.schemes.includes(scheme.toLowerCase()));
}

/** The Dialect of a knexfile `client` value, if any. */
export function dialectForClient(client: string): Dialect | undefined {
  return dialects.find((d) => d.knexClients.includes(client.toLowerCase()));
}

/** Names people write for engines besides the registry names (URL schemes, knex clients, nicknames). */
export function dialectAliases(): string[] {
  return dialects.flatMap((d) => [...d.schemes, ...d.knexClients, ...d.nicknames].filter((alias) => alias !== d.name));
}
