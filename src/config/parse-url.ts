import type { Knex } from 'knex';
import { ConnectionSettingError } from '../adapters/connection-setting-error.js';
import { displayConnection } from '../adapters/connection-display.js';
import type { Dialect } from '../adapters/dialect.js';
import type { DialectName } from '../adapters/dialect-name.js';
import { dialectForClient, dialectForScheme, dialects } from '../adapters/dialects.js';
import type { ParsedConnection } from '../adapters/parsed-connection.js';
import { readServerUrl, schemeOf } from '../adapters/server-url.js';
import { UsageError } from '../core/errors.js';
import { rememberSecret } from './redact.js';

export interface ParsedUrl {
  readonly dialect: DialectName;
  readonly knexConfig: Knex.Config;
  /** The connection rebuilt from its parsed parts, password as ***. */
  readonly display: string;
  /** The parameter that demands TLS, named when the server offers none. */
  readonly tlsRequiredBy?: string;
  /** Options to try once more when the first attempt fails for `when` (libpq's sslmode=prefer/allow). */
  readonly alternative?: ParsedConnection['alternative'];
}

/**
 * Turns a connection URL into a knex config, by the engine's own reader.
 * postgres://u:p@h:5432/db?sslmode=verify-full, mysql://u:p@h:3306/db?ssl-mode=REQUIRED,
 * mssql://u:p@h:1433/db?Encrypt=true, sqlite:relative/path.db, sqlite:/abs/path.db, sqlite::memory:
 */
export function parseConnectionUrl(raw: string, baseDir = process.cwd()): ParsedUrl {
  const dialect = dialectForScheme(schemeOf(raw));
  if (!dialect) {
    throw new UsageError(
      `unsupported connection URL scheme in ${JSON.stringify(describeUnknown(raw))}`,
      `use ${dialects.map((d) => `${d.urlExample} (${d.title})`).join(', ')}`,
    );
  }
  return fromParsed(dialect, () => dialect.connections.fromUrl(raw, baseDir));
}

/** A knexfile entry's connection object, by its client's reader (which also takes the URL's parameter names). */
export function parseConnectionObject(
  client: unknown,
  connection: Record<string, unknown>,
  baseDir: string,
  extra: Knex.Config = {},
): ParsedUrl {
  const dialect = typeof client === 'string' ? dialectForClient(client) : undefined;
  if (!dialect) {
    throw new UsageError(
      `unsupported database client ${JSON.stringify(client)}`,
      `use one of ${dialects.map((d) => d.knexClients[0]).join(', ')} (or a URL: ` +
        `${dialects.map((d) => d.urlExample).join(', ')})`,
    );
  }
  return fromParsed(dialect, () => dialect.connections.fromObject(connection, baseDir), extra);
}

function fromParsed(dialect: Dialect, read: () => ParsedConnection, extra: Knex.Config = {}): ParsedUrl {
  let parsed: ParsedConnection;
  try {
    parsed = read();
  } catch (error) {
    if (!(error instanceof ConnectionSettingError)) throw error;
    rememberSecret(...error.secrets);
    throw new UsageError(error.message, error.hint);
  }
  rememberSecret(...parsed.secrets);
  return {
    dialect: dialect.name,
    display: parsed.display,
    knexConfig: dialect.knexConfig(parsed.connection, extra),
    ...(parsed.tlsRequiredBy ? { tlsRequiredBy: parsed.tlsRequiredBy } : {}),
    ...(parsed.alternative ? { alternative: parsed.alternative } : {}),
  };
}

/**
 * An unsupported URL rebuilt without its password, or only its scheme when it cannot be parsed or has no
 * authority (`localhost:5432/db` is not scheme `localhost`'s URL, and rebuilding it would garble it).
 */
function describeUnknown(raw: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return `${schemeOf(raw)}:`;
  try {
    const { url, secrets } = readServerUrl(raw);
    rememberSecret(...secrets);
    const scheme = url.protocol.slice(0, -1);
    return displayConnection({
      scheme,
      user: decodeURIComponent(url.username),
      hasPassword: Boolean(url.password),
      host: url.hostname,
      port: url.port,
      database: decodeURIComponent(url.pathname.slice(1)),
    });
  } catch (error) {
    if (error instanceof ConnectionSettingError) rememberSecret(...error.secrets);
    return `${schemeOf(raw)}:`;
  }
}
