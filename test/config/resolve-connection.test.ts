import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectionUrl } from '../../src/config/parse-url.js';
import { redactSecrets } from '../../src/config/redact.js';
import { resolveConnection } from '../../src/config/resolve-connection.js';

describe('connection URLs', () => {
  it('parses each dialect and redacts the password', () => {
    const pg = parseConnectionUrl('postgres://u:p%40ss@db.example:6543/edw');
    expect(pg.dialect).toBe('postgres');
    expect(pg.display).toBe('postgres://u:***@db.example:6543/edw');
    expect(pg.knexConfig.connection).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'u',
      password: 'p@ss',
      database: 'edw',
    });
    expect(parseConnectionUrl('mariadb://root@h/test').dialect).toBe('mysql');
    const ms = parseConnectionUrl('mssql://sa:x@sql:1433/generate?encrypt=true');
    expect(ms.knexConfig.connection).toMatchObject({ server: 'sql', database: 'generate', options: { encrypt: true } });
    expect(parseConnectionUrl('sqlite:data/x.db', '/base').knexConfig.connection).toEqual({
      filename: '/base/data/x.db',
    });
  });

  it('rejects unknown schemes without echoing the password', () => {
    expect(() => parseConnectionUrl('oracle://u:secret@h/db')).toThrow(
      /unsupported connection URL scheme in "oracle:\/\/u:\*\*\*@h\/db"/,
    );
  });

  it('redacts passwords inside any text', () => {
    expect(redactSecrets('failed for postgres://a:b@c/d and Password=hunter2;')).toBe(
      'failed for postgres://a:***@c/d and Password=***;',
    );
    expect(redactSecrets('at postgres://u:Sec:R3t@x@127.0.0.1:5432/db now')).toBe(
      'at postgres://u:***@127.0.0.1:5432/db now',
    );
    expect(redactSecrets('{"user":"u","password":"a\\"b"} ?sslpassword=zz&x=1')).toBe(
      '{"user":"u","password":"***"} ?sslpassword=***&x=1',
    );
  });

  it('rebuilds the display from the parsed URL: the password is cut at the last @, as the parser does', () => {
    const parsed = parseConnectionUrl('postgres://u:Sec:R3t@x%2Fy%25@127.0.0.1:5432/db?sslmode=disable');
    expect(parsed.display).toBe('postgres://u:***@127.0.0.1:5432/db');
    expect(parsed.knexConfig.connection).toMatchObject({ user: 'u', password: 'Sec:R3t@x/y%', host: '127.0.0.1' });
    // Remembered: the password is hidden wherever it shows up later, decoded or as typed.
    expect(redactSecrets('driver said Sec:R3t@x/y% and Sec:R3t@x%2Fy%25')).toBe('driver said *** and ***');
  });

  it('refuses a malformed % escape or an unparsable URL with exit 2, never echoing it', () => {
    for (const raw of ['postgres://u:Hidden%zz@h/db', 'mysql://u:Hidden%4@h/db', 'postgres://u:Hid/den@h/db']) {
      let caught: unknown;
      try {
        parseConnectionUrl(raw);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/^malformed (postgres|mysql):\/\/ connection URL/),
      });
      expect(String((caught as Error).message) + String((caught as { hint?: string }).hint)).not.toContain('Hid');
    }
  });
});

describe('resolving --url, --env, DMR_DATABASE_URL and the knexfile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-config-'));
  writeFileSync(
    path.join(dir, 'knexfile.ts'),
    `const x: number = 1;\nexport default { development: { client: 'better-sqlite3', ` +
      `connection: { filename: './dev.sqlite3' } }, staging: 'postgres://s:pw@stage/db', n: x };\n`,
  );

  it('uses the knexfile default environment, resolving sqlite paths next to it', async () => {
    const c = await resolveConnection({ cwd: dir }, {});
    expect(c.dialect).toBe('sqlite');
    expect(c.display).toBe(`sqlite:${path.join(dir, 'dev.sqlite3')}`);
    expect(c.source).toBe('knexfile.ts (development)');
  });

  it('lets DMR_DATABASE_URL override the default, and --env and --url override that', async () => {
    expect((await resolveConnection({ cwd: dir }, { DMR_DATABASE_URL: 'mysql://r@h/t' })).dialect).toBe('mysql');
    expect((await resolveConnection({ cwd: dir, env: 'staging' }, { DMR_DATABASE_URL: 'mysql://r@h/t' })).display).toBe(
      'postgres://s:***@stage/db',
    );
    expect((await resolveConnection({ cwd: dir, url: 'sqlite::memory:', env: 'staging' }, {})).source).toBe('--url');
  });

  it('picks up knexfile edits without a rebuild', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'dmr-config-'));
    writeFileSync(path.join(other, 'knexfile.ts'), `export default { development: 'sqlite:./a.sqlite3' };`);
    expect((await resolveConnection({ cwd: other }, {})).display).toContain('a.sqlite3');
    writeFileSync(path.join(other, 'knexfile.ts'), `export default { development: 'sqlite:./b.sqlite3' };`);
    expect((await resolveConnection({ cwd: other }, {})).display).toContain('b.sqlite3');
  });
});
