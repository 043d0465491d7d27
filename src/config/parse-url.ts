import path from 'node:path';
import type { Knex } from 'knex';
import { UsageError } from '../core/errors.js';
import { knexClientFor, type DialectName } from './dialect-name.js';
import { displayUrl, readServerUrl, schemeOf } from './url-parts.js';

const schemes: Readonly<Record<string, DialectName>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  mssql: 'mssql',
  sqlserver: 'mssql',
  sqlite: 'sqlite',
};

export interface ParsedUrl {
  readonly dialect: DialectName;
  readonly knexConfig: Knex.Config;
  /** The URL with its password replaced by ***. */
  readonly display: string;
}

/**
 * Turns a connection URL into a knex config.
 * postgres://u:p@h:5432/db, mysql://u:p@h:3306/db, mssql://u:p@h:1433/db?encrypt=false,
 * sqlite:relative/path.db, sqlite:/abs/path.db, sqlite::memory:
 */
export function parseConnectionUrl(raw: string, baseDir = process.cwd()): ParsedUrl {
  const scheme = /^([a-z0-9+]+):/i.exec(raw)?.[1]?.toLowerCase();
  const dialect = scheme ? schemes[scheme] : undefined;
  if (!dialect) {
    throw new UsageError(
      `unsupported connection URL scheme in ${JSON.stringify(describeUnknown(raw))}`,
      'use postgres://, mysql:// (MySQL and MariaDB), mssql:// or sqlite:PATH',
    );
  }
  if (dialect === 'sqlite') return parseSqlite(raw, baseDir);

  const url = readServerUrl(raw);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : undefined;
  const params = Object.fromEntries(url.searchParams.entries());
  const display = displayUrl(url);
  const client = knexClientFor[dialect];

  if (dialect === 'mssql') {
    return {
      dialect,
      display,
      knexConfig: {
        client,
        connection: {
          server: host,
          port: port ?? 1433,
          user,
          password,
          database: database || undefined,
          options: {
            encrypt: params.encrypt ? params.encrypt === 'true' : false,
            trustServerCertificate: params.trustServerCertificate ? params.trustServerCertificate === 'true' : true,
            instanceName: params.instanceName,
          },
          requestTimeout: 0,
        } as Knex.MsSqlConnectionConfig,
      },
    };
  }
  if (dialect === 'mysql') {
    return {
      dialect,
      display,
      knexConfig: {
        client,
        connection: { host, port: port ?? 3306, user, password, database: database || undefined, timezone: 'Z', dateStrings: false, supportBigNumbers: true, bigNumberStrings: true },
      },
    };
  }
  return {
    dialect,
    display,
    knexConfig: {
      client,
      connection: { host, port: port ?? 5432, user, password, database: database || undefined, ...(params.sslmode === 'require' ? { ssl: { rejectUnauthorized: false } } : {}) },
    },
  };
}

function parseSqlite(raw: string, baseDir: string): ParsedUrl {
  let rest = raw.slice(raw.indexOf(':') + 1);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (!rest) throw new UsageError('sqlite URL has no file path', 'use sqlite:path/to/file.sqlite3 or sqlite::memory:');
  const filename = rest === ':memory:' ? ':memory:' : path.resolve(baseDir, rest);
  return {
    dialect: 'sqlite',
    display: `sqlite:${filename}`,
    knexConfig: { client: knexClientFor.sqlite, connection: { filename }, useNullAsDefault: true },
  };
}

/** An unsupported URL rebuilt without its password, or only its scheme when it cannot be parsed. */
function describeUnknown(raw: string): string {
  try {
    return displayUrl(readServerUrl(raw));
  } catch {
    return `${schemeOf(raw)}:`;
  }
}
