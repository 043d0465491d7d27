import { describe, expect, it } from 'vitest';
import { parseConnectionObject, parseConnectionUrl } from '../../src/config/parse-url.js';
import { redactSecrets } from '../../src/config/redact.js';

/**
 * Passwords in connection URLs and knexfile entries, on every server engine: read as every URL parser
 * reads them, never shown, and remembered so that they are hidden wherever they turn up later (a
 * driver's message, a stack trace, a stored error). Each test uses its own secret: remembered secrets
 * stay remembered for the whole process.
 */

const engines = [
  { scheme: 'postgres', client: 'pg', port: 5432 },
  { scheme: 'mysql', client: 'mysql2', port: 3306 },
  { scheme: 'mssql', client: 'mssql', port: 1433 },
] as const;

const password = (connection: unknown) => (connection as { password?: string }).password;

function refusal(url: string): Error & { hint?: string; exitCode?: number } {
  try {
    parseConnectionUrl(url);
  } catch (error) {
    return error as Error & { hint?: string; exitCode?: number };
  }
  throw new Error(`${url} was accepted`);
}

describe.each(engines)('$scheme: the password', ({ scheme, client, port }) => {
  it('with @ typed as is: the user information ends at the last @', () => {
    const parsed = parseConnectionUrl(`${scheme}://etl:Ab@cd1${scheme}@db.example:${port}/edw`);
    expect(password(parsed.knexConfig.connection)).toBe(`Ab@cd1${scheme}`);
    expect(parsed.display).toBe(`${scheme}://etl:***@db.example:${port}/edw`);
  });

  it('with @ percent-encoded as %40: decoded the same', () => {
    const parsed = parseConnectionUrl(`${scheme}://etl:Ef%40gh2${scheme}@db.example/edw`);
    expect(password(parsed.knexConfig.connection)).toBe(`Ef@gh2${scheme}`);
    expect(parsed.display).toBe(`${scheme}://etl:***@db.example/edw`);
  });

  it('is remembered as typed, decoded and encoded, and hidden in any later text', () => {
    parseConnectionUrl(`${scheme}://etl:Ij%40kl3${scheme}@db.example/edw`);
    const said = `login failed for Ij@kl3${scheme} (typed Ij%40kl3${scheme})`;
    expect(redactSecrets(said)).toBe('login failed for *** (typed ***)');
  });

  it('a URL without a password shows none; a password without a user still shows ***', () => {
    expect(parseConnectionUrl(`${scheme}://etl@db.example/edw`).display).toBe(`${scheme}://etl@db.example/edw`);
    expect(parseConnectionUrl(`${scheme}://:Mn4op${scheme}@db.example/edw`).display).toBe(
      `${scheme}://:***@db.example/edw`,
    );
  });

  it('from a knexfile object: shown as ***, remembered', () => {
    const parsed = parseConnectionObject(
      client,
      {
        [scheme === 'mssql' ? 'server' : 'host']: 'db.example',
        user: 'etl',
        password: `Qr@st5${scheme}`,
        database: 'edw',
      },
      '/proj',
    );
    expect(parsed.display).toMatch(new RegExp(`^${scheme}://etl:\\*\\*\\*@db\\.example`));
    expect(redactSecrets(`said Qr@st5${scheme}`)).toBe('said ***');
  });

  it('a malformed % escape is refused (exit 2) without echoing the URL or the password', () => {
    const error = refusal(`${scheme}://etl:Uv%zzw6@db.example/edw`);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      `malformed ${scheme}:// connection URL: a "%" is not followed by two hex digits ` +
        '(the URL is not shown: it may hold a password)',
    );
    expect(error.hint).toMatch(/^percent-encode these characters of a password: % as %25/);
    expect(`${error.message} ${error.hint}`).not.toContain('Uv');
  });
});

describe('secrets given as parameters are remembered too', () => {
  it('PostgreSQL password= and sslpassword=', () => {
    const parsed = parseConnectionUrl('postgres://db/edw?password=Wx7pgquery&sslmode=require&sslpassword=Yz8pgkey');
    expect(parsed.display).toBe('postgres://:***@db/edw');
    expect(redactSecrets('Wx7pgquery Yz8pgkey')).toBe('*** ***');
  });

  it('MySQL password2= and password3= (multi-factor)', () => {
    parseConnectionUrl('mysql://u:pw@db/edw?password2=Second9my&password3=Third9my');
    expect(redactSecrets('Second9my Third9my')).toBe('*** ***');
  });

  it('SQL Server Client Secret, Token and Msi Secret', () => {
    const base = 'mssql://db/edw?Authentication=Active%20Directory%20Integrated&Client%20Id=app';
    parseConnectionUrl(`${base}&Client%20Secret=Csecret1ms&Tenant%20Id=t`);
    parseConnectionUrl(`${base}&Token=Token2msaa`);
    parseConnectionUrl(`${base}&Msi%20Endpoint=http://e&Msi%20Secret=Msi3secret`);
    expect(redactSecrets('Csecret1ms Token2msaa Msi3secret')).toBe('*** *** ***');
  });
});

describe('a URL dmr cannot read: a clear refusal, the password never shown', () => {
  it('an unknown scheme names the scheme and lists the URL forms dmr reads', () => {
    const error = refusal('oracle://scott:Tiger0ora@db/orcl');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('unsupported connection URL scheme in "oracle://scott:***@db/orcl"');
    expect(error.hint).toBe(
      'use postgres://user:password@host:5432/db (PostgreSQL), mysql://user:password@host:3306/db (MySQL/MariaDB), ' +
        'mssql://user:password@host:1433/db (SQL Server), sqlite:path/to/file.sqlite3 (SQLite)',
    );
  });

  it('host:port without a scheme is named by what reads as its scheme, not rebuilt into a garbled URL', () => {
    expect(refusal('localhost:5432/edw').message).toBe('unsupported connection URL scheme in "localhost:"');
    expect(refusal('just words').message).toBe('unsupported connection URL scheme in "(no scheme):"');
  });

  it('an unparsable URL is refused without echoing it', () => {
    const error = refusal('mssql://etl:Hid/den0@db/edw');
    expect(error.message).toBe('malformed mssql:// connection URL (not shown: it may hold a password)');
    expect(error.hint).toMatch(/^expected mssql:\/\/user:password@host:port\/database; percent-encode/);
  });
});
