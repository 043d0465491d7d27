import { displayConnection } from '../connection-display.js';
import type { ConnectionParser, ParsedConnection } from '../parsed-connection.js';
import { readServerUrl } from '../server-url.js';
import { applyMysqlParameters } from './mysql-parameters.js';

/** MySQL URI names accepted in a knexfile object next to mysql2's own options. */
const uriNames = /^(ssl-[a-z]+|tls-version|socket|connect-timeout|compression)$/;

/**
 * MySQL and MariaDB URLs (mysql://, mariadb://) read as mysql2's URI handling reads them (its parser is
 * not exported): user, password, host, port and database from the URL, then the documented parameters.
 */
export const mysqlConnectionParser: ConnectionParser = {
  fromUrl(raw) {
    const { url, secrets, parameters, host } = readServerUrl(raw);
    const base: Record<string, unknown> = {
      host: host || undefined,
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
      database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    };
    const applied = applyMysqlParameters(base, parameters);
    const c = applied.connection;
    const display = displayConnection({
      scheme: url.protocol.slice(0, -1).toLowerCase(),
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: (c.socketPath as string | undefined) ?? host,
      port: c.socketPath ? undefined : url.port,
      database: c.database as string | undefined,
    });
    return { ...applied, secrets: [...secrets, ...applied.secrets], display } satisfies ParsedConnection;
  },
  fromObject(object) {
    const options = Object.fromEntries(Object.entries(object).filter(([name]) => !uriNames.test(name)));
    const uri = Object.entries(object)
      .filter(([name, v]) => uriNames.test(name) && v !== undefined)
      .map(([n, v]) => [n, String(v)] as const);
    const applied =
      uri.length > 0
        ? applyMysqlParameters(options, uri)
        : { connection: options, secrets: [], ...(options.ssl ? { tlsRequiredBy: 'ssl' } : {}) };
    const c = applied.connection;
    const secrets = [
      ...applied.secrets,
      ...[c.password, c.password2, c.password3].filter((s): s is string => typeof s === 'string'),
    ];
    const display = displayConnection({
      scheme: 'mysql',
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: (c.socketPath as string | undefined) ?? (c.host as string | undefined) ?? 'localhost',
      port: c.socketPath ? undefined : (c.port as number | undefined),
      database: c.database as string | undefined,
    });
    return { ...applied, secrets, display };
  },
};
