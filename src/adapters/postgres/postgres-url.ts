import { parse } from 'pg-connection-string';
import { displayConnection } from '../connection-display.js';
import type { ConnectionParser, ParsedConnection } from '../parsed-connection.js';
import { readServerUrl } from '../server-url.js';
import { applyPostgresParameters } from './postgres-parameters.js';

/** libpq names accepted in a knexfile object next to node-postgres' own options. */
const libpqNames = new RegExp(
  `^(${[
    'ssl[a-z_]+',
    'dbname',
    'connect_timeout',
    'keepalives(_\\w+)?',
    'target_session_attrs',
    'gssencmode',
    'channel_binding',
    'requiressl',
    'hostaddr',
    'passfile',
    'tcp_user_timeout',
    'replication',
    'requirepeer',
    'krbsrvname',
    'gsslib',
    'gssdelegation',
    'service',
    'load_balance_hosts',
    'require_auth',
    'min_protocol_version',
    'max_protocol_version',
    'fallback_application_name',
  ].join('|')})$`,
);

/**
 * PostgreSQL URLs (postgres://, postgresql://) read by pg-connection-string, node-postgres' own parser,
 * for user, password, host (a socket directory too), port and database; the query's libpq parameters
 * by applyPostgresParameters.
 */
export const postgresConnectionParser: ConnectionParser = {
  fromUrl(raw) {
    const { url, secrets, base, parameters } = readServerUrl(raw);
    const parts = parse(base);
    const connection: Record<string, unknown> = {
      host: parts.host || undefined,
      port: parts.port ? Number(parts.port) : 5432,
      user: parts.user || undefined,
      password: parts.password || undefined,
      database: parts.database || undefined,
    };
    const applied = applyPostgresParameters(connection, parameters);
    const c = applied.connection;
    const display = displayConnection({
      scheme: url.protocol.slice(0, -1).toLowerCase(),
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: c.host as string | undefined,
      port: parts.port || parameters.some(([name]) => name === 'port') ? (c.port as number) : undefined,
      database: c.database as string | undefined,
    });
    return { ...applied, secrets: [...secrets, ...applied.secrets], display } satisfies ParsedConnection;
  },
  fromObject(object) {
    const driverOptions = Object.fromEntries(Object.entries(object).filter(([name]) => !libpqNames.test(name)));
    const libpq = Object.entries(object)
      .filter(([name, v]) => libpqNames.test(name) && v !== undefined)
      .map(([n, v]) => [n, String(v)] as const);
    const applied =
      libpq.length > 0 ? applyPostgresParameters(driverOptions, libpq) : { connection: driverOptions, secrets: [] };
    const c = applied.connection;
    const secrets = [...applied.secrets, ...(typeof c.password === 'string' ? [c.password] : [])];
    const display = displayConnection({
      scheme: 'postgres',
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: (c.host as string | undefined) ?? 'localhost',
      port: c.port as number | undefined,
      database: c.database as string | undefined,
    });
    return { ...applied, secrets, display };
  },
};
