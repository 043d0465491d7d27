import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { parseConnectionObject, parseConnectionUrl } from '../../src/config/parse-url.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-tls-'));
const file = (name: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, `-----BEGIN ${name}-----\n`);
  return p;
};
const ca = file('ca.pem');
const cert = file('client.crt');
const key = file('client.key');
const crl = file('crl.pem');

const conn = (url: string) => parseConnectionUrl(url).knexConfig.connection as Record<string, unknown>;
const refused = (url: string) => {
  try {
    parseConnectionUrl(url);
  } catch (error) {
    expect(error).toMatchObject({ exitCode: 2 });
    return (error as Error).message;
  }
  throw new Error(`${url} was accepted`);
};

const postgresUrlsTitle =
  'PostgreSQL URLs: pg-connection-string for the authority, every libpq parameter honoured or refused by name';
describe(postgresUrlsTitle, () => {
  const base = 'postgres://u:pw@db.example:6543/edw';

  it('user, password, host, port, database; dbname/user/password/port/host as parameters; a socket directory', () => {
    expect(conn(base)).toMatchObject({ host: 'db.example', port: 6543, user: 'u', password: 'pw', database: 'edw' });
    expect(conn('postgresql://h/x?dbname=y&user=v&password=w&port=7')).toMatchObject({
      host: 'h',
      database: 'y',
      user: 'v',
      password: 'w',
      port: 7,
    });
    expect(conn('postgres:///edw?host=/var/run/postgresql')).toMatchObject({
      host: '/var/run/postgresql',
      database: 'edw',
    });
    expect(conn('postgres://%2Fvar%2Frun%2Fpostgresql/edw')).toMatchObject({
      host: '/var/run/postgresql',
      database: 'edw',
    });
    expect(parseConnectionUrl('postgres://u@/edw?host=/tmp').display).toBe('postgres://u@%2Ftmp/edw');
    expect(conn('postgres://h/d').port).toBe(5432);
  });

  it('session parameters: connect_timeout, client_encoding, options, application_name, keepalives', () => {
    expect(
      conn(`${base}?connect_timeout=7&client_encoding=UTF8&options=-c%20search_path%3Dx&application_name=etl`),
    ).toMatchObject({
      connectionTimeoutMillis: 7000,
      client_encoding: 'UTF8',
      options: '-c search_path=x',
      application_name: 'etl',
    });
    expect(conn(`${base}?fallback_application_name=fb&keepalives=0&keepalives_idle=30`)).toMatchObject({
      fallback_application_name: 'fb',
      keepAlive: false,
      keepAliveInitialDelayMillis: 30_000,
    });
    expect(
      conn(`${base}?target_session_attrs=any&gssencmode=disable&channel_binding=prefer&sslcompression=0`),
    ).toMatchObject({ enableChannelBinding: true });
  });

  const sslmodeTitle =
    'sslmode: disable and no sslmode are plaintext; require encrypts unverified; verify-ca ' +
    'checks the chain; verify-full also the name';
  it(sslmodeTitle, () => {
    expect(conn(base).ssl).toBe(false);
    expect(conn(`${base}?sslmode=disable`).ssl).toBe(false);
    const require = parseConnectionUrl(`${base}?sslmode=require`);
    expect(require.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(require.tlsRequiredBy).toBe('sslmode=require');
    expect(require.alternative).toBeUndefined();
    const verifyCa = conn(`${base}?sslmode=verify-ca&sslrootcert=${ca}`).ssl as Record<string, unknown>;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: '-----BEGIN ca.pem-----\n' });
    expect(typeof verifyCa.checkServerIdentity).toBe('function');
    const full = parseConnectionUrl(`${base}?sslmode=verify-full&sslrootcert=system`);
    expect(full.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: true } });
    expect((full.knexConfig.connection as { ssl: object }).ssl).not.toHaveProperty('checkServerIdentity');
    expect(full.tlsRequiredBy).toBe('sslmode=verify-full');
    // libpq: require with a root certificate verifies the chain like verify-ca.
    expect(conn(`${base}?sslmode=require&sslrootcert=${ca}`).ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: expect.any(String),
    });
  });

  it('sslmode=prefer tries TLS then plaintext; allow plaintext then TLS; never for the modes that require TLS', () => {
    const prefer = parseConnectionUrl(`${base}?sslmode=prefer`);
    expect(prefer.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(prefer.alternative).toMatchObject({ when: 'tls-unavailable', connection: { ssl: false } });
    const allow = parseConnectionUrl(`${base}?sslmode=allow`);
    expect(allow.knexConfig.connection).toMatchObject({ ssl: false });
    expect(allow.alternative).toMatchObject({
      when: 'tls-required',
      connection: { ssl: { rejectUnauthorized: false } },
    });
  });

  it('client certificates, key passphrase, revocation list, SNI and protocol versions', () => {
    const ssl = conn(
      `${base}?sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}&sslpassword=kp&sslcrl=${crl}` +
        '&sslsni=1&ssl_min_protocol_version=TLSv1.2&ssl_max_protocol_version=TLSv1.3',
    ).ssl;
    expect(ssl).toMatchObject({
      ca: expect.stringContaining('ca.pem'),
      cert: expect.stringContaining('client.crt'),
      key: expect.stringContaining('client.key'),
      passphrase: 'kp',
      crl: expect.stringContaining('crl.pem'),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
  });

  const refusalsTitle =
    'refuses a bad value, an unreadable file, an unknown parameter and what node-postgres cannot do, each by name';
  it(refusalsTitle, () => {
    expect(refused(`${base}?sslmode=bogus`)).toMatch(/sslmode=bogus is not one of/);
    expect(refused(`${base}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`)).toMatch(
      /sslrootcert: cannot read \/nonexistent\/ca.pem/,
    );
    expect(refused(`${base}?sslmod=require`)).toMatch(/unknown PostgreSQL connection parameter "sslmod"/);
    expect(refused(`${base}?connect_timeout=soon`)).toMatch(/connect_timeout=soon/);
    expect(refused(`${base}?port=70000`)).toMatch(/port=70000/);
    expect(refused(`${base}?ssl_min_protocol_version=SSLv3`)).toMatch(
      /ssl_min_protocol_version=SSLv3 is not a TLS version/,
    );
    for (const name of [
      'hostaddr',
      'passfile',
      'keepalives_interval',
      'keepalives_count',
      'tcp_user_timeout',
      'replication',
      'requirepeer',
      'krbsrvname',
      'gsslib',
      'gssdelegation',
      'service',
      'load_balance_hosts',
      'sslcertmode',
      'sslnegotiation',
      'sslcrldir',
      'sslkeylogfile',
      'require_auth',
      'min_protocol_version',
      'max_protocol_version',
    ]) {
      expect(refused(`${base}?${name}=x`)).toContain(`the PostgreSQL parameter ${name} is not supported`);
    }
    expect(refused(`${base}?target_session_attrs=read-write`)).toMatch(/target_session_attrs=read-write/);
    expect(refused(`${base}?gssencmode=require`)).toMatch(/gssencmode=require/);
    expect(refused(`${base}?channel_binding=require`)).toMatch(/channel_binding=require/);
    expect(refused(`${base}?sslsni=0`)).toMatch(/sslsni=0/);
    expect(refused(`${base}?requiressl=1`)).toMatch(/requiressl/);
    expect(refused('postgres://a,b/x?host=h1,h2')).toMatch(/one host/);
  });

  it('the other values libpq documents: keepalives on, channel binding off, GSS encryption preferred', () => {
    expect(conn(`${base}?keepalives=1`)).toMatchObject({ keepAlive: true });
    expect(conn(`${base}?channel_binding=disable`)).toMatchObject({ enableChannelBinding: false });
    expect(conn(`${base}?gssencmode=prefer&target_session_attrs=any`)).toMatchObject({ host: 'db.example' });
  });

  it('shows the URL rebuilt: its scheme as written, an IPv6 host in brackets, the port only when given', () => {
    expect(parseConnectionUrl('postgresql://u:pw@h/d').display).toBe('postgresql://u:***@h/d');
    expect(parseConnectionUrl('postgres://u:pw@[::1]:5433/d').display).toBe('postgres://u:***@[::1]:5433/d');
    expect(parseConnectionUrl('postgres://u:pw@[::1]/d').knexConfig.connection).toMatchObject({ host: '::1' });
    expect(parseConnectionUrl('postgres://h/d?port=5433').display).toBe('postgres://h:5433/d');
  });

  it('refuses malformed values of the parameters it honours, naming the value', () => {
    expect(refused(`${base}?sslcompression=1`)).toMatch(/sslcompression=1 is not supported: Node never compresses TLS/);
    expect(refused(`${base}?gssencmode=bogus`)).toMatch(/gssencmode=bogus is not one of disable, prefer, require/);
    expect(refused(`${base}?channel_binding=bogus`)).toMatch(/channel_binding=bogus is not one of/);
    expect(refused(`${base}?keepalives=maybe`)).toMatch(/keepalives=maybe is not a boolean/);
    expect(refused(`${base}?keepalives_idle=-1`)).toMatch(/keepalives_idle=-1/);
    expect(refused(`${base}?port=0`)).toMatch(/port=0 is not a whole number from 1 to 65535/);
    expect(refused(`${base}?host=h1,h2`)).toMatch(/host=h1,h2: node-postgres connects to one host/);
  });

  it('a knexfile object takes node-postgres options and libpq names alike', () => {
    const parsed = parseConnectionObject(
      'postgres',
      { host: 'h', user: 'u', password: 'pw', database: 'd', sslmode: 'verify-full', application_name: 'x' },
      dir,
    );
    expect(parsed.knexConfig.connection).toMatchObject({
      host: 'h',
      application_name: 'x',
      ssl: { rejectUnauthorized: true },
    });
    expect(parsed.knexConfig.connection).not.toHaveProperty('sslmode');
    expect(parsed.tlsRequiredBy).toBe('sslmode=verify-full');
    expect(parsed.display).toBe('postgres://u:***@h/d');
    expect(
      parseConnectionObject('postgres', { host: 'h', ssl: { rejectUnauthorized: false } }, dir).knexConfig.connection,
    ).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(() => parseConnectionObject('postgres', { host: 'h', sslmode: 'bogus' }, dir)).toThrow(/sslmode=bogus/);
  });
});

describe('MySQL/MariaDB URLs: mysql2 options and MySQL URI parameters, anything else refused', () => {
  const base = 'mysql://u:pw@db:3307/app';

  it('user, password, host, port, database; socket; timeouts; compression; mysql2 options as mysql2 reads them', () => {
    expect(conn(base)).toMatchObject({ host: 'db', port: 3307, user: 'u', password: 'pw', database: 'app' });
    expect(conn('mariadb://r@h/t').port).toBe(3306);
    expect(conn(`${base}?socket=/run/mysqld/mysqld.sock`)).toMatchObject({ socketPath: '/run/mysqld/mysqld.sock' });
    expect(
      conn(
        `${base}?socketPath=/s.sock&connectTimeout=5000&charset=utf8mb4` +
          '&compress=true&enableKeepAlive=true&keepAliveInitialDelay=10',
      ),
    ).toMatchObject({
      socketPath: '/s.sock',
      connectTimeout: 5000,
      charset: 'utf8mb4',
      compress: true,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10,
    });
    expect(conn(`${base}?connect-timeout=4&compression=required`)).toMatchObject({
      connectTimeout: 4000,
      compress: true,
    });
    expect(
      conn(
        `${base}?connectAttributes=${encodeURIComponent('{"team":"data"}')}&localAddress=10.0.0.1&insecureAuth=false`,
      ),
    ).toMatchObject({ connectAttributes: { team: 'data' }, localAddress: '10.0.0.1', insecureAuth: false });
    expect(
      conn(`${base}?enableCleartextPlugin=true&password2=second&flags=-FOUND_ROWS&maxPreparedStatements=10`),
    ).toMatchObject({
      enableCleartextPlugin: true,
      password2: 'second',
      flags: '-FOUND_ROWS',
      maxPreparedStatements: 10,
    });
    expect(parseConnectionUrl(`${base}?socket=/run/mysqld/mysqld.sock`).display).toBe(
      'mysql://u:***@%2Frun%2Fmysqld%2Fmysqld.sock/app',
    );
  });

  const mysqlSslModeTitle =
    'ssl-mode: DISABLED plaintext, PREFERRED with a plaintext retry, REQUIRED unverified, ' +
    'VERIFY_CA and VERIFY_IDENTITY verified';
  it(mysqlSslModeTitle, () => {
    expect(conn(base)).not.toHaveProperty('ssl');
    expect(conn(`${base}?ssl-mode=disabled`)).not.toHaveProperty('ssl');
    const preferred = parseConnectionUrl(`${base}?ssl-mode=PREFERRED`);
    expect(preferred.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(preferred.alternative?.when).toBe('tls-unavailable');
    expect(preferred.alternative?.connection).not.toHaveProperty('ssl');
    const required = parseConnectionUrl(`${base}?ssl-mode=REQUIRED`);
    expect(required.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect(required.tlsRequiredBy).toBe('ssl-mode=REQUIRED');
    const verifyCa = conn(`${base}?ssl-mode=VERIFY_CA&ssl-ca=${ca}`).ssl as Record<string, unknown>;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('ca.pem') });
    expect(typeof verifyCa.checkServerIdentity).toBe('function');
    const identity = conn(
      `${base}?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}&ssl-cert=${cert}&ssl-key=${key}` +
        `&ssl-cipher=ECDHE-RSA-AES128-GCM-SHA256&ssl-crl=${crl}&tls-version=TLSv1.3,TLSv1.2`,
    );
    expect(identity.ssl).toMatchObject({
      rejectUnauthorized: true,
      cert: expect.any(String),
      key: expect.any(String),
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      crl: expect.any(String),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
    });
    expect(identity.ssl).not.toHaveProperty('checkServerIdentity');
    expect(conn(`${base}?ssl-mode=REQUIRED&ssl-ca=${ca}`).ssl).toMatchObject({ rejectUnauthorized: true });
    // mysql2's own ssl option: a JSON object (or a profile name) requires TLS as it is.
    const json = parseConnectionUrl(`${base}?ssl=${encodeURIComponent('{"rejectUnauthorized":true}')}`);
    expect(json.knexConfig.connection).toMatchObject({ ssl: { rejectUnauthorized: true } });
    expect(json.tlsRequiredBy).toBe('ssl');
    expect(conn(`${base}?ssl=true`).ssl).toEqual({});
  });

  it('refuses a bad ssl-mode, an unknown parameter, and the options dmr sets itself, by name', () => {
    expect(refused(`${base}?ssl-mode=bogus`)).toMatch(/ssl-mode=bogus is not one of/);
    expect(refused(`${base}?sslmode=REQUIRED`)).toMatch(/unknown MySQL connection parameter "sslmode"/);
    expect(refused(`${base}?ssl-capath=/etc/ssl`)).toMatch(/unknown MySQL connection parameter "ssl-capath"/);
    expect(refused(`${base}?ssl-ca=/nonexistent.pem&ssl-mode=VERIFY_CA`)).toMatch(/ssl-ca: cannot read/);
    for (const name of [
      'timezone',
      'dateStrings',
      'supportBigNumbers',
      'bigNumberStrings',
      'multipleStatements',
      'typeCast',
    ]) {
      expect(refused(`${base}?${name}=x`)).toContain(`${name} is set by dmr itself`);
    }
    expect(refused(`${base}?connectAttributes=plain`)).toMatch(/connectAttributes must be a JSON object/);
  });

  it('compression as MySQL names it, password2/password3, ssl=false, and an ssl profile name', () => {
    expect(conn(`${base}?compression=preferred`)).toMatchObject({ compress: true });
    expect(conn(`${base}?compression=disabled`)).toMatchObject({ compress: false });
    expect(conn(`${base}?password2=second&password3=third`)).toMatchObject({ password2: 'second', password3: 'third' });
    expect(conn(`${base}?ssl=false`).ssl).toBeUndefined();
    const profile = parseConnectionUrl(`${base}?ssl=Amazon%20RDS`);
    expect(profile.knexConfig.connection).toMatchObject({ ssl: 'Amazon RDS' });
  });

  it('shows the URL rebuilt: mariadb:// as written, an IPv6 host in brackets', () => {
    expect(parseConnectionUrl('mariadb://u:pw@h:3310/d').display).toBe('mariadb://u:***@h:3310/d');
    expect(parseConnectionUrl('mysql://u:pw@[::1]:3306/d').display).toBe('mysql://u:***@[::1]:3306/d');
    expect(parseConnectionUrl('mysql://h').display).toBe('mysql://h/');
  });

  it('refuses malformed values, naming the value', () => {
    expect(refused(`${base}?compression=maybe`)).toMatch(/compression=maybe is not a boolean/);
    expect(refused(`${base}?connect-timeout=soon`)).toMatch(/connect-timeout=soon is not a whole number/);
    expect(refused(`${base}?ssl=123`)).toMatch(/ssl=123 is neither a JSON object of TLS options nor a profile name/);
    expect(refused(`${base}?tls-version=TLSv9`)).toMatch(/tls-version=TLSv9 is not a TLS version/);
    for (const name of ['decimalNumbers', 'rowsAsArray', 'nestTables', 'namedPlaceholders', 'jsonStrings', 'debug']) {
      expect(refused(`${base}?${name}=true`)).toContain(`${name} is set by dmr itself`);
    }
  });

  it('a knexfile object takes mysql2 options and MySQL URI names alike', () => {
    const parsed = parseConnectionObject(
      'mysql',
      { host: 'h', user: 'u', password: 'pw', database: 'd', 'ssl-mode': 'REQUIRED', socket: '/s.sock' },
      dir,
    );
    expect(parsed.knexConfig.connection).toMatchObject({ socketPath: '/s.sock', ssl: { rejectUnauthorized: false } });
    expect(parsed.tlsRequiredBy).toBe('ssl-mode=REQUIRED');
    expect(parsed.display).toBe('mysql://u:***@%2Fs.sock/d');
  });
});

describe("SQL Server URLs: connection string keywords through the mssql package's parser", () => {
  const base = 'mssql://sa:pw@sql:1433/generate';

  it('defaults to encrypt=false with a trusted certificate, as before; keywords in any case', () => {
    expect(conn(base)).toMatchObject({
      server: 'sql',
      port: 1433,
      user: 'sa',
      password: 'pw',
      database: 'generate',
      requestTimeout: 0,
      options: { encrypt: false, trustServerCertificate: true },
    });
    const strict = parseConnectionUrl(`${base}?Encrypt=true&TrustServerCertificate=false`);
    expect(strict.knexConfig.connection).toMatchObject({ options: { encrypt: true, trustServerCertificate: false } });
    expect(strict.tlsRequiredBy).toBe('encrypt=true');
    expect(conn(`${base}?encrypt=true`)).toMatchObject({ options: { encrypt: true } });
  });

  it('timeouts, intent, failover, packet size, language, application name, instance, Azure AD', () => {
    expect(
      conn(
        `${base}?Connect%20Timeout=5&ApplicationIntent=ReadOnly&MultiSubnetFailover=true` +
          '&Packet%20Size=8192&Current%20Language=english',
      ),
    ).toMatchObject({
      connectionTimeout: 5000,
      options: { readOnlyIntent: true, multiSubnetFailover: true, packetSize: 8192, language: 'english' },
    });
    expect(conn(`${base}?Application%20Name=etl&instanceName=SQLEXPRESS`)).toMatchObject({
      options: { appName: 'etl', instanceName: 'SQLEXPRESS' },
    });
    expect(conn(`${base}?Authentication=Active%20Directory%20Password`)).toMatchObject({
      authentication_type: 'azure-active-directory-password',
    });
    expect(conn(`${base}?Initial%20Catalog=other`)).toMatchObject({ database: 'other' });
  });

  it('refuses keywords the driver ignores and unknown ones, by name', () => {
    for (const name of ['Integrated Security', 'Pooling', 'Max Pool Size', 'MultipleActiveResultSets', 'Bogus']) {
      expect(refused(`${base}?${encodeURIComponent(name)}=true`)).toContain(
        `SQL Server connection parameter ${JSON.stringify(name)}`,
      );
    }
  });
  it('sqlserver:// too; port 1433 unless given; the spaced spellings of the keywords as well', () => {
    expect(parseConnectionUrl('sqlserver://sa:pw@sql:1444/db').display).toBe('sqlserver://sa:***@sql:1444/db');
    expect(conn('mssql://sql/db')).toMatchObject({ server: 'sql', port: 1433 });
    expect(
      conn(
        `${base}?Trust%20Server%20Certificate=false&Application%20Intent=ReadOnly&Multi%20Subnet%20Failover=yes` +
          '&Connection%20Timeout=9&Language=french&Database=other&App=nightly',
      ),
    ).toMatchObject({
      database: 'other',
      connectionTimeout: 9000,
      options: {
        trustServerCertificate: false,
        readOnlyIntent: true,
        multiSubnetFailover: true,
        language: 'french',
        appName: 'nightly',
      },
    });
    expect(conn(`${base}?Timeout=3&Encrypt=no`)).toMatchObject({
      connectionTimeout: 3000,
      options: { encrypt: false },
    });
    expect(conn(`${base}?Transaction%20Binding=Implicit%20Unbind`)).toMatchObject({
      options: { enableImplicitTransactions: true },
    });
  });

  it('Azure AD: Active Directory Integrated picks the method from the keywords given; NTLM', () => {
    const auth = (query: string) => conn(`mssql://sql/db?Authentication=Active%20Directory%20Integrated&${query}`);
    expect(auth('Token=tok')).toMatchObject({
      authentication_type: 'azure-active-directory-access-token',
      token: 'tok',
    });
    expect(auth('Client%20Id=c&Client%20Secret=s&Tenant%20Id=t')).toMatchObject({
      authentication_type: 'azure-active-directory-service-principal-secret',
      clientId: 'c',
      clientSecret: 's',
      tenantId: 't',
    });
    expect(auth('Client%20Id=c&Msi%20Endpoint=http://e&Msi%20Secret=m')).toMatchObject({
      authentication_type: 'azure-active-directory-msi-app-service',
    });
    expect(auth('Client%20Id=c&Msi%20Endpoint=http://e')).toMatchObject({
      authentication_type: 'azure-active-directory-msi-vm',
    });
    expect(auth('Client%20Id=c')).toMatchObject({ authentication_type: 'azure-active-directory-default' });
    expect(conn('mssql://sql/db?Authentication=NTLM')).toMatchObject({ authentication_type: 'ntlm' });
  });

  it('refuses a value the driver would read as something else, naming the keyword and what it takes', () => {
    expect(refused(`${base}?Encrypt=maybe`)).toBe(
      'SQL Server connection parameter Encrypt=maybe: expected true or false',
    );
    expect(refused(`${base}?Trust%20Server%20Certificate=sure`)).toContain('expected true or false');
    expect(refused(`${base}?Connect%20Timeout=soon`)).toContain('Connect Timeout=soon: expected a whole number');
    expect(refused(`${base}?Packet%20Size=big`)).toContain('Packet Size=big: expected a whole number');
    expect(refused(`${base}?ApplicationIntent=ReadMostly`)).toContain('expected ReadOnly or ReadWrite');
    expect(refused(`${base}?Authentication=Active%20Directory%20Magic`)).toContain(
      'Authentication=Active Directory Magic: expected Sql Password, Active Directory Password',
    );
  });
});

describe('SQLite URLs: a file path, next to the knexfile or the working directory', () => {
  it('sqlite:relative, sqlite:/absolute, sqlite::memory:, and the sqlite:// forms', () => {
    const file = (url: string) => conn(url).filename;
    const at = (url: string) => parseConnectionUrl(url, '/base').knexConfig.connection;
    expect(at('sqlite:data/x.db')).toEqual({ filename: '/base/data/x.db' });
    expect(at('sqlite://data/x.db')).toEqual({ filename: '/base/data/x.db' });
    expect(at('SQLITE:x.db')).toEqual({ filename: '/base/x.db' });
    expect(file('sqlite:/abs/x.db')).toBe('/abs/x.db');
    expect(file('sqlite:///abs/x.db')).toBe('/abs/x.db');
    expect(file('sqlite::memory:')).toBe(':memory:');
    expect(parseConnectionUrl('sqlite:data/x.db', '/base').display).toBe('sqlite:/base/data/x.db');
    expect(parseConnectionUrl('sqlite::memory:').display).toBe('sqlite::memory:');
  });

  it('a knexfile object needs a filename, resolved next to the knexfile; other options pass through', () => {
    const parsed = parseConnectionObject(
      'better-sqlite3',
      { filename: './dev.sqlite3', options: { timeout: 5 } },
      '/proj',
    );
    expect(parsed.knexConfig.connection).toEqual({ filename: '/proj/dev.sqlite3', options: { timeout: 5 } });
    expect(parsed.display).toBe('sqlite:/proj/dev.sqlite3');
    expect(() => parseConnectionObject('sqlite3', {}, '/proj')).toThrow(/sqlite connection needs a filename/);
  });

  it('refuses a URL without a path', () => {
    for (const url of ['sqlite:', 'sqlite://']) expect(refused(url)).toBe('sqlite URL has no file path');
  });
});

describe('what dmr tells the server it is', () => {
  const pool = { poolMax: 2, readOnly: false, programName: 'dmr migrate' };
  const withDefaults = (url: string) => {
    const parsed = parseConnectionUrl(url);
    return dialectNamed(parsed.dialect).withDefaults(parsed.knexConfig, pool).connection as Record<string, unknown>;
  };

  it('dmr <command> unless the connection names itself', () => {
    expect(withDefaults('postgres://h/d').application_name).toBe('dmr migrate');
    expect(withDefaults('postgres://h/d?application_name=mine').application_name).toBe('mine');
    expect(withDefaults('postgres://h/d?fallback_application_name=fb').application_name).toBe('fb');
    expect(withDefaults('mysql://h/d').connectAttributes).toEqual({ program_name: 'dmr migrate' });
    expect(
      withDefaults(`mysql://h/d?connectAttributes=${encodeURIComponent('{"program_name":"mine"}')}`).connectAttributes,
    ).toEqual({ program_name: 'mine' });
    expect(withDefaults('mssql://h/d').options).toMatchObject({ appName: 'dmr migrate' });
    expect(withDefaults('mssql://h/d?App=mine').options).toMatchObject({ appName: 'mine' });
  });

  it('MySQL reads UTC and big numbers as text from a URL and a knexfile object alike', () => {
    const fromObject = dialectNamed('mysql').withDefaults(
      parseConnectionObject('mysql', { host: 'h' }, dir).knexConfig,
      pool,
    ).connection;
    for (const c of [withDefaults('mysql://h/d'), fromObject])
      expect(c).toMatchObject({ timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true });
  });
});
