import type { DialectName } from './dialect-name.js';
import { mssqlPreflight } from './mssql/mssql-preflight.js';
import { mysqlPreflight } from './mysql/mysql-preflight.js';
import { postgresPreflight } from './postgres/postgres-preflight.js';
import type { PreflightProbe } from './preflight-probe.js';
import { sqlitePreflight } from './sqlite/sqlite-preflight.js';

/**
 * `dmr check`'s questions per engine. When the Dialect registry lands (issue 13) this becomes a
 * `preflight:` member of each engine's Dialect object and this file goes away.
 */
const probes: Readonly<Record<DialectName, PreflightProbe>> = {
  postgres: postgresPreflight,
  mysql: mysqlPreflight,
  mssql: mssqlPreflight,
  sqlite: sqlitePreflight,
};

export function preflightProbeFor(name: DialectName): PreflightProbe {
  return probes[name];
}
