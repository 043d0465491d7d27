import type { Dialect } from '../dialect.js';
import { moduleBeside } from '../heartbeat-client.js';
import { knexConnectionSettings } from '../knex-connection-settings.js';
import { connectionOf, withKnexDefaults } from '../knex-defaults.js';
import { MysqlAdapter } from './mysql-adapter.js';
import { mysqlCopy } from './mysql-copy.js';
import { classifyMysqlError } from './mysql-errors.js';
import { mysqlPreflight } from './mysql-preflight.js';
import { MysqlRowHash } from './mysql-row-hash.js';
import { mysqlConnectionParser } from './mysql-url.js';

/**
 * The one place mysql2's client time zone is set: DATETIME and TIMESTAMP values are read and written as UTC,
 * from a URL and a knexfile entry alike.
 */
const mysqlClientTimeZone = 'Z';

/** MySQL and MariaDB through mysql2. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  title: 'MySQL/MariaDB',
  schemes: ['mysql', 'mariadb'],
  urlExample: 'mysql://user:password@host:3306/db',
  knexClients: ['mysql2', 'mysql', 'mariadb'],
  nicknames: [],
  connections: mysqlConnectionParser,
  knexConfig: (connection, extra = {}) => ({ ...extra, client: 'mysql2', connection }),
  withDefaults(config, o) {
    const conn = connectionOf(config);
    conn.connectTimeout ??= 10_000;
    conn.timezone ??= mysqlClientTimeZone;
    conn.supportBigNumbers ??= true;
    conn.bigNumberStrings ??= true;
    conn.connectAttributes = { program_name: o.programName, ...((conn.connectAttributes ?? {}) as object) };
    return withKnexDefaults(config, conn, { min: 0, max: o.poolMax });
  },
  createAdapter: () => new MysqlAdapter(),
  heartbeatClient: (knex) => ({
    module: moduleBeside(import.meta.url, 'mysql-heartbeat-client'),
    settings: knexConnectionSettings(knex),
  }),
  rowHash: new MysqlRowHash(),
  copy: mysqlCopy,
  classifyError: classifyMysqlError,
  preflight: mysqlPreflight,
};
