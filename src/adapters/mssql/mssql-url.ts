import { ConnectionSettingError } from '../connection-setting-error.js';
import { displayConnection } from '../connection-display.js';
import type { ConnectionParser, ParsedConnection } from '../parsed-connection.js';
import { readServerUrl } from '../server-url.js';
import { mssqlDriver } from './mssql-pool.js';

/**
 * The connection string keywords:
 * https://learn.microsoft.com/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring
 */
const mssqlParameterDocs =
  'https://learn.microsoft.com/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring';

/**
 * Connection string keywords (lower case, with their aliases) that the mssql package's own parser turns into
 * tedious options; `application name` dmr applies itself (mssql drops it). Others are refused by name.
 */
const honoured = new Set([
  'encrypt',
  'trustservercertificate',
  'trust server certificate',
  'connect timeout',
  'connection timeout',
  'timeout',
  'applicationintent',
  'application intent',
  'multisubnetfailover',
  'multi subnet failover',
  'packet size',
  'current language',
  'language',
  'transaction binding',
  'authentication',
  'client id',
  'client secret',
  'tenant id',
  'token',
  'msi endpoint',
  'msi secret',
  'initial catalog',
  'database',
  'application name',
  'app',
]);
const secretKeys = new Set(['client secret', 'token', 'msi secret']);

/** Spellings mssql's parser does not know, as the keyword it does (it would drop them without a word). */
const keywordOf: Readonly<Record<string, string>> = {
  'trust server certificate': 'trustservercertificate',
  'application intent': 'applicationintent',
  'multi subnet failover': 'multisubnetfailover',
};

/**
 * What a keyword's value must look like: mssql's parser reads any other text as true (a boolean), NaN (a
 * number) or its default (an intent, an authentication), so a typo would change the connection silently.
 */
const valueRules: readonly { keys: readonly string[]; valid: RegExp; expected: string }[] = [
  {
    keys: ['encrypt', 'trustservercertificate', 'multisubnetfailover'],
    valid: /^(true|false|yes|no|1|0)$/i,
    expected: 'true or false',
  },
  {
    keys: ['connection timeout', 'connect timeout', 'timeout', 'packet size'],
    valid: /^\d+$/,
    expected: 'a whole number',
  },
  { keys: ['applicationintent'], valid: /^(readonly|readwrite)$/i, expected: 'ReadOnly or ReadWrite' },
  {
    keys: ['authentication'],
    valid: /^(sql password|active directory password|active directory integrated|ntlm)$/i,
    expected:
      'Sql Password, Active Directory Password, Active Directory Integrated (with Token, Client Id/Client Secret/' +
      'Tenant Id or Client Id/Msi Endpoint for the other Azure AD methods) or NTLM',
  },
];

/**
 * SQL Server URLs: mssql://user:password@host:port/database?Encrypt=true&TrustServerCertificate=false
 * (keywords of SqlConnection.ConnectionString, any case; also dmr's instanceName). The keywords are parsed by
 * the mssql package's own connection string parser. encrypt=true never falls back to plaintext.
 */
export const mssqlConnectionParser: ConnectionParser = {
  fromUrl(raw) {
    const { url, secrets, parameters, host } = readServerUrl(raw);
    const server = host;
    const base: Record<string, unknown> = {
      server,
      port: url.port ? Number(url.port) : 1433,
      user: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
      database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    };
    const applied = applyMssqlParameters(base, parameters);
    const c = applied.connection;
    const display = displayConnection({
      scheme: url.protocol.slice(0, -1).toLowerCase(),
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: server,
      port: url.port,
      database: c.database as string | undefined,
    });
    return { ...applied, secrets: [...secrets, ...applied.secrets], display } satisfies ParsedConnection;
  },
  fromObject(object) {
    const c = { ...object };
    const options = (c.options ?? {}) as Record<string, unknown>;
    const secrets = [
      c.password,
      (c.authentication as { options?: { password?: unknown } } | undefined)?.options?.password,
    ];
    const display = displayConnection({
      scheme: 'mssql',
      user: c.user as string | undefined,
      hasPassword: Boolean(c.password),
      host: (c.server as string | undefined) ?? 'localhost',
      port: c.port as number | undefined,
      database: c.database as string | undefined,
    });
    return {
      connection: c,
      display,
      secrets: secrets.filter((s): s is string => typeof s === 'string'),
      ...(options.encrypt === true || options.encrypt === 'strict' ? { tlsRequiredBy: 'options.encrypt' } : {}),
    };
  },
};

/** URL parameters as connection string keywords, through mssql's parser; dmr's defaults where none is given. */
function applyMssqlParameters(
  base: Readonly<Record<string, unknown>>,
  parameters: Iterable<readonly [string, string]>,
): Omit<ParsedConnection, 'display'> {
  const keywords: string[] = [];
  const secrets: string[] = [];
  let appName: string | undefined;
  let instanceName: string | undefined;
  for (const [name, value] of parameters) {
    const lower = name.toLowerCase();
    const key = keywordOf[lower] ?? lower;
    const rule = valueRules.find((r) => r.keys.includes(key));
    if (rule && !rule.valid.test(value.trim())) {
      throw new ConnectionSettingError(
        `SQL Server connection parameter ${name}=${value}: expected ${rule.expected}`,
        `fix ${name} (${mssqlParameterDocs})`,
      );
    }
    if (key === 'instancename') instanceName = value;
    else if (key === 'application name' || key === 'app') appName = value;
    // mssql compares ApplicationIntent in lower case only.
    else if (honoured.has(key))
      keywords.push(`${key}="${(key === 'applicationintent' ? value.toLowerCase() : value).replace(/"/g, '""')}"`);
    else {
      throw new ConnectionSettingError(
        `unknown or unsupported SQL Server connection parameter ${JSON.stringify(name)}`,
        `remove it; the keywords dmr understands: ${[...honoured].join(', ')}, instanceName (${mssqlParameterDocs})`,
      );
    }
    if (secretKeys.has(key)) secrets.push(value);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = mssqlDriver().ConnectionPool.parseConnectionString(keywords.join(';')) as unknown as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new ConnectionSettingError(
      `SQL Server connection parameters refused: ${(error as Error).message}`,
      mssqlParameterDocs,
    );
  }
  const {
    options: parsedOptions,
    pool: _pool,
    ...rest
  } = parsed as { options?: Record<string, unknown>; pool?: unknown };
  const options: Record<string, unknown> = {
    encrypt: false,
    trustServerCertificate: true,
    ...parsedOptions,
    ...(instanceName ? { instanceName } : {}),
    ...(appName ? { appName } : {}),
  };
  const connection = { ...base, ...rest, options, requestTimeout: 0 };
  return { connection, secrets, ...(options.encrypt ? { tlsRequiredBy: 'encrypt=true' } : {}) };
}
