import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConnectionSettingError } from '../connection-setting-error.js';
import type { ParsedConnection } from '../parsed-connection.js';
import { flag, readTlsFile, tlsVersion, wholeNumber } from '../tls-files.js';

/** Where the parameters come from: mysql2's options and MySQL's URI connection parameters. */
const mysqlParameterDocs =
  'https://sidorares.github.io/node-mysql2/docs/api-and-configurations and ' +
  'https://dev.mysql.com/doc/refman/8.4/en/connecting-using-uri-or-key-value-pairs.html';

/** mysql2 options a URL may set, taken as mysql2's own URI handling does (a JSON value, else the text). */
const driverOptions = new Set([
  'charset',
  'compress',
  'connectTimeout',
  'enableKeepAlive',
  'keepAliveInitialDelay',
  'localAddress',
  'socketPath',
  'ssl',
  'connectAttributes',
  'insecureAuth',
  'enableCleartextPlugin',
  'password2',
  'password3',
  'flags',
  'maxPreparedStatements',
]);

/** mysql2 options dmr sets itself: a URL that changes them would change what dmr reads. */
const dmrOwned = new Set([
  'timezone',
  'dateStrings',
  'supportBigNumbers',
  'bigNumberStrings',
  'decimalNumbers',
  'typeCast',
  'multipleStatements',
  'rowsAsArray',
  'nestTables',
  'namedPlaceholders',
  'jsonStrings',
  'stringifyObjects',
  'queryFormat',
  'trace',
  'debug',
]);

const sslModes = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'];

/**
 * Applies a MySQL/MariaDB URL's parameters to mysql2 options: mysql2's own option names (socketPath, ssl as
 * JSON or a profile name, connectTimeout, ...) and MySQL's URI names (ssl-mode, ssl-ca, ssl-cert, ssl-key,
 * ssl-cipher, tls-version, socket, connect-timeout, compression). Anything else is refused by name.
 * ssl-mode REQUIRED and the VERIFY modes never fall back to plaintext.
 */
export function applyMysqlParameters(
  base: Readonly<Record<string, unknown>>,
  parameters: Iterable<readonly [string, string]>,
): Omit<ParsedConnection, 'display'> {
  const connection: Record<string, unknown> = { ...base };
  const ssl: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of parameters) {
    if (dmrOwned.has(name))
      throw new ConnectionSettingError(`the MySQL parameter ${name} is set by dmr itself`, `remove ${name}`);
    if (name.startsWith('ssl-') || name === 'tls-version') {
      ssl[name] = value;
      continue;
    }
    if (driverOptions.has(name)) {
      connection[name] = driverValue(name, value);
      if (name.startsWith('password')) secrets.push(value);
      continue;
    }
    switch (name) {
      case 'socket':
        connection.socketPath = value;
        break;
      case 'connect-timeout':
        connection.connectTimeout = wholeNumber('connect-timeout', value, 0, 2_000_000) * 1000;
        break;
      case 'compression':
        connection.compress = compression(value);
        break;
      default:
        throw new ConnectionSettingError(
          `unknown MySQL connection parameter ${JSON.stringify(name)}`,
          `remove it; the parameters dmr understands: ${mysqlParameterDocs}`,
        );
    }
  }
  return { connection, secrets, ...tls(connection, ssl) };
}

/** mysql2's URI rule: a JSON value when it parses as one, else the text. */
function driverValue(name: string, value: string): unknown {
  let parsed: unknown = value;
  try {
    parsed = JSON.parse(value);
  } catch {
    // plain text
  }
  if (name === 'ssl' && parsed === true) return {};
  if (name === 'ssl' && parsed === false) return undefined;
  if (name === 'connectAttributes' && (typeof parsed !== 'object' || parsed === null)) {
    throw new ConnectionSettingError(
      'connectAttributes must be a JSON object',
      'write connectAttributes={"name":"value"} (percent-encoded)',
    );
  }
  if (name === 'ssl' && typeof parsed !== 'object' && typeof parsed !== 'string') {
    throw new ConnectionSettingError(
      `ssl=${value} is neither a JSON object of TLS options nor a profile name`,
      'use ssl-mode=REQUIRED or ssl={"rejectUnauthorized":true}',
    );
  }
  return parsed;
}

function compression(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'required' || v === 'preferred') return true;
  if (v === 'disabled') return false;
  return flag('compression', value);
}

/** MySQL's --ssl-mode rules: https://dev.mysql.com/doc/refman/8.4/en/connection-options.html#option_general_ssl-mode */
function tls(
  connection: Record<string, unknown>,
  p: Record<string, string>,
): Pick<ParsedConnection, 'tlsRequiredBy' | 'alternative'> {
  const given = p['ssl-mode']?.toUpperCase();
  if (given !== undefined && !sslModes.includes(given)) {
    throw new ConnectionSettingError(`ssl-mode=${p['ssl-mode']} is not one of ${sslModes.join(', ')}`, 'fix ssl-mode');
  }
  if (given === undefined && Object.keys(p).length === 0) {
    return connection.ssl && typeof connection.ssl === 'object' ? { tlsRequiredBy: 'ssl' } : {};
  }
  const mode = given ?? 'PREFERRED';
  if (mode === 'DISABLED') {
    delete connection.ssl;
    return {};
  }
  const options: TlsOptions =
    typeof connection.ssl === 'object' && connection.ssl ? { ...(connection.ssl as TlsOptions) } : {};
  if (p['ssl-ca']) options.ca = readTlsFile('ssl-ca', p['ssl-ca']);
  if (p['ssl-cert']) options.cert = readTlsFile('ssl-cert', p['ssl-cert']);
  if (p['ssl-key']) options.key = readTlsFile('ssl-key', p['ssl-key']);
  if (p['ssl-cipher']) options.ciphers = p['ssl-cipher'];
  if (p['ssl-crl']) options.crl = readTlsFile('ssl-crl', p['ssl-crl']);
  if (p['tls-version']) {
    const versions = p['tls-version']
      .split(',')
      .map((v) => tlsVersion('tls-version', v))
      .sort();
    options.minVersion = versions[0];
    options.maxVersion = versions[versions.length - 1];
  }
  const unknown = Object.keys(p).filter(
    (k) => !['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key', 'ssl-cipher', 'ssl-crl', 'tls-version'].includes(k),
  );
  if (unknown.length > 0) {
    throw new ConnectionSettingError(
      `unknown MySQL connection parameter ${JSON.stringify(unknown[0])}`,
      `the TLS parameters: ssl-mode, ssl-ca, ssl-cert, ssl-key, ssl-cipher, ssl-crl, tls-version`,
    );
  }
  // MySQL: REQUIRED with ssl-ca verifies the certificate authority, as VERIFY_CA does.
  const verify =
    mode === 'VERIFY_IDENTITY' || mode === 'VERIFY_CA' || (mode === 'REQUIRED' && options.ca !== undefined);
  connection.ssl = verify
    ? {
        ...options,
        rejectUnauthorized: true,
        ...(mode === 'VERIFY_IDENTITY' ? {} : { checkServerIdentity: () => undefined }),
      }
    : { ...options, rejectUnauthorized: false };
  if (mode === 'PREFERRED') {
    const plain = { ...connection };
    delete plain.ssl;
    return { alternative: { connection: plain, when: 'tls-unavailable' } };
  }
  return { tlsRequiredBy: `ssl-mode=${mode}` };
}
