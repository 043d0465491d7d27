import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConnectionSettingError } from '../connection-setting-error.js';
import type { ParsedConnection } from '../parsed-connection.js';
import { flag, readDefaultTlsFile, readTlsFile, tlsVersion, wholeNumber } from '../tls-files.js';

/** libpq's parameter list: https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS */
const postgresParameterDocs = 'https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS';

/** libpq parameters node-postgres cannot honour; using one is refused with the reason, never ignored. */
const unsupported: Readonly<Record<string, string>> = {
  hostaddr: 'node-postgres resolves host itself: put the address in host',
  passfile: 'node-postgres reads only the default password file (~/.pgpass or $PGPASSFILE)',
  keepalives_interval: 'Node sockets cannot set the keepalive interval',
  keepalives_count: 'Node sockets cannot set the keepalive count',
  tcp_user_timeout: 'Node sockets cannot set TCP_USER_TIMEOUT',
  replication: 'dmr does not open replication connections',
  requirepeer: 'node-postgres cannot check the peer of a socket',
  krbsrvname: 'node-postgres has no Kerberos (GSSAPI) authentication',
  gsslib: 'node-postgres has no GSSAPI authentication',
  gssdelegation: 'node-postgres has no GSSAPI authentication',
  service: 'node-postgres does not read pg_service.conf: write the parameters in the URL',
  load_balance_hosts: 'node-postgres connects to one host',
  sslcertmode: 'node-postgres cannot make the client certificate optional or forbidden',
  sslnegotiation: 'node-postgres negotiates TLS the standard way (sslnegotiation=postgres) only',
  sslcrldir: 'give the revocation list as one file with sslcrl',
  sslkeylogfile: 'node-postgres cannot write TLS key logs',
  require_auth: 'node-postgres cannot restrict the authentication methods',
  min_protocol_version: 'node-postgres speaks protocol 3.0 only',
  max_protocol_version: 'node-postgres speaks protocol 3.0 only',
};

const sslParameters = [
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslpassword',
  'sslcrl',
  'sslsni',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
];
const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * Applies libpq parameters (from a URL's query or a knexfile entry) to node-postgres options. Every
 * parameter libpq documents is either honoured or refused by name with the reason; an unknown one is
 * refused. TLS follows libpq's sslmode: require and the verify modes never fall back to plaintext.
 */
export function applyPostgresParameters(
  base: Readonly<Record<string, unknown>>,
  parameters: Iterable<readonly [string, string]>,
): Omit<ParsedConnection, 'display'> & { readonly secrets: readonly string[] } {
  const connection: Record<string, unknown> = { ...base };
  const ssl: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of parameters) {
    if (name in unsupported) {
      throw new ConnectionSettingError(
        `the PostgreSQL parameter ${name} is not supported: ${unsupported[name]}`,
        `remove ${name}; parameters: ${postgresParameterDocs}`,
      );
    }
    if (sslParameters.includes(name)) {
      ssl[name] = value;
      if (name === 'sslpassword') secrets.push(value);
      continue;
    }
    applyOne(connection, name, value, secrets);
  }
  return { connection, secrets, ...tls(connection, ssl) };
}

function applyOne(connection: Record<string, unknown>, name: string, value: string, secrets: string[]): void {
  switch (name) {
    case 'host':
      if (value.includes(','))
        throw new ConnectionSettingError(
          `host=${value}: node-postgres connects to one host`,
          'give one host (or socket directory)',
        );
      connection.host = value;
      return;
    case 'port':
      connection.port = wholeNumber('port', value, 1, 65535);
      return;
    case 'dbname':
      connection.database = value;
      return;
    case 'user':
      connection.user = value;
      return;
    case 'password':
      connection.password = value;
      secrets.push(value);
      return;
    case 'connect_timeout':
      connection.connectionTimeoutMillis = wholeNumber('connect_timeout', value, 0, 2_000_000) * 1000;
      return;
    case 'client_encoding':
    case 'options':
    case 'application_name':
    case 'fallback_application_name':
      connection[name] = value;
      return;
    case 'keepalives':
      connection.keepAlive = flag('keepalives', value);
      return;
    case 'keepalives_idle':
      connection.keepAliveInitialDelayMillis = wholeNumber('keepalives_idle', value, 0, 2_000_000) * 1000;
      return;
    case 'target_session_attrs':
      if (value !== 'any')
        throw new ConnectionSettingError(
          `target_session_attrs=${value} is not supported: node-postgres connects to one host`,
          'remove target_session_attrs',
        );
      return;
    case 'gssencmode':
      if (value === 'require')
        throw new ConnectionSettingError(
          'gssencmode=require is not supported: node-postgres has no GSSAPI encryption',
          'use sslmode=verify-full for an encrypted session',
        );
      if (value !== 'disable' && value !== 'prefer')
        throw new ConnectionSettingError(
          `gssencmode=${value} is not one of disable, prefer, require`,
          'fix gssencmode',
        );
      return;
    case 'channel_binding':
      if (value === 'require')
        throw new ConnectionSettingError(
          'channel_binding=require is not supported: node-postgres uses channel binding when offered ' +
            'but cannot insist on it',
          'use channel_binding=prefer',
        );
      if (value !== 'disable' && value !== 'prefer')
        throw new ConnectionSettingError(
          `channel_binding=${value} is not one of disable, prefer, require`,
          'fix channel_binding',
        );
      connection.enableChannelBinding = value === 'prefer';
      return;
    case 'sslcompression':
      if (flag('sslcompression', value))
        throw new ConnectionSettingError(
          'sslcompression=1 is not supported: Node never compresses TLS',
          'remove sslcompression',
        );
      return;
    case 'requiressl':
      throw new ConnectionSettingError('requiressl is deprecated in libpq', 'use sslmode=require (or verify-full)');
    default:
      throw new ConnectionSettingError(
        `unknown PostgreSQL connection parameter ${JSON.stringify(name)}`,
        `remove it; the parameters dmr understands are libpq's: ${postgresParameterDocs}`,
      );
  }
}

/** libpq's TLS rules, https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION */
function tls(
  connection: Record<string, unknown>,
  p: Record<string, string>,
): Pick<ParsedConnection, 'tlsRequiredBy' | 'alternative'> {
  // Without sslmode dmr keeps node-postgres' plaintext default, unless other ssl parameters ask for TLS.
  const mode = p.sslmode ?? (Object.keys(p).length > 0 ? 'prefer' : 'disable');
  if (!sslModes.includes(mode))
    throw new ConnectionSettingError(`sslmode=${mode} is not one of ${sslModes.join(', ')}`, 'fix sslmode');
  if (mode === 'disable') {
    connection.ssl = false;
    return {};
  }
  const home = path.join(os.homedir(), '.postgresql');
  const options: TlsOptions = {};
  const cert = p.sslcert
    ? readTlsFile('sslcert', p.sslcert)
    : readDefaultTlsFile('sslcert', path.join(home, 'postgresql.crt'));
  const key = p.sslkey
    ? readTlsFile('sslkey', p.sslkey)
    : cert
      ? readDefaultTlsFile('sslkey', path.join(home, 'postgresql.key'))
      : undefined;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (p.sslpassword) options.passphrase = p.sslpassword;
  if (p.sslcrl) options.crl = readTlsFile('sslcrl', p.sslcrl);
  if (p.sslsni !== undefined && !flag('sslsni', p.sslsni)) {
    throw new ConnectionSettingError(
      'sslsni=0 is not supported: node-postgres always sends the host name',
      'remove sslsni',
    );
  }
  if (p.ssl_min_protocol_version)
    options.minVersion = tlsVersion('ssl_min_protocol_version', p.ssl_min_protocol_version);
  if (p.ssl_max_protocol_version)
    options.maxVersion = tlsVersion('ssl_max_protocol_version', p.ssl_max_protocol_version);
  // sslrootcert=system: the operating system's trusted roots (Node's defaults); no file: libpq's default file when
  // present.
  const ca =
    p.sslrootcert === 'system'
      ? undefined
      : p.sslrootcert
        ? readTlsFile('sslrootcert', p.sslrootcert)
        : readDefaultTlsFile('sslrootcert', path.join(home, 'root.crt'));
  if (ca) options.ca = ca;
  const verify = mode === 'verify-full' || mode === 'verify-ca' || (mode === 'require' && p.sslrootcert !== undefined);
  const encrypted: TlsOptions = verify
    ? {
        ...options,
        rejectUnauthorized: true,
        ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
      }
    : { ...options, rejectUnauthorized: false };
  if (mode === 'allow') {
    connection.ssl = false;
    return { alternative: { connection: { ...connection, ssl: encrypted }, when: 'tls-required' } };
  }
  connection.ssl = encrypted;
  if (mode === 'prefer') return { alternative: { connection: { ...connection, ssl: false }, when: 'tls-unavailable' } };
  return { tlsRequiredBy: `sslmode=${mode}` };
}
