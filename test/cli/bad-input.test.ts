import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

/** One clear line plus a hint, exit 2, no stack trace. */
function expectUsageFailure(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines[0]).toMatch(/^dmr: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
}

const [hasPostgres, hasMysql] = await Promise.all([dialectsUnderTest(['postgres']), dialectsUnderTest(['mysql'])]).then(
  ([p, m]) => [p.length > 0, m.length > 0],
);

describe('bad input: one line, exit 2, nothing written', () => {
  let pg: TestDatabase | undefined;
  beforeAll(async () => {
    if (hasPostgres) pg = await createTestDatabase('postgres', 'badinput');
  });
  afterAll(async () => pg?.drop());

  const schemaExists = async () => {
    const result = await pg!.knex.raw(
      "select count(*)::int as n from information_schema.schemata where schema_name = 'App'",
    );
    return result.rows[0].n > 0;
  };

  it.runIf(hasMysql)('wrong password', async () => {
    const result = await runCli(['migrate', '--url', 'mysql://root:wrong-password@127.0.0.1:3306/test']);
    expectUsageFailure(result, /cannot connect to mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/test: Access denied/);
    expect(result.stderr).not.toContain('wrong-password');
  });

  it('unreachable port', async () => {
    const result = await runCli(['migrate', '--url', 'postgres://postgres:secret@127.0.0.1:1/db']);
    expectUsageFailure(result, /cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain('secret');
  });

  it.runIf(hasPostgres)('missing sql dir', async () => {
    const result = await runCli(['migrate', '--url', pg!.url, '--sql-dir', 'no/such/dir']);
    expectUsageFailure(result, /task directory not found: .*no\/such\/dir/);
    expect(await schemaExists()).toBe(false);
  });

  it.runIf(hasPostgres)('unknown stage name', async () => {
    const result = await runCli(['migrate', '--url', pg!.url, '--only', 'ods,warehouse']);
    expectUsageFailure(result, /unknown stage "warehouse"/);
    expect(await schemaExists()).toBe(false);
  });

  it.runIf(hasPostgres)('--from a stage whose predecessors are not done', async () => {
    const result = await runCli(['migrate', '--url', pg!.url, '--from', 'rds']);
    expectUsageFailure(result, /cannot start from rds: earlier stage ods is not success/);
    expect(await schemaExists()).toBe(false);
  });

  it.runIf(hasPostgres)('an identifier that tries SQL injection', async () => {
    const result = await runCli(['migrate', '--url', pg!.url, '--schema', 'App"; drop schema public cascade; --']);
    expectUsageFailure(result, /--schema .* is not a plain identifier/);
    expect(await schemaExists()).toBe(false);
  });

  it('a malformed knexfile', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-knexfile-'));
    writeFileSync(
      path.join(dir, 'knexfile.ts'),
      'export default { development: { client: "better-sqlite3", connection: { filename: "./x.sqlite3" } ',
    );
    const result = await runCli(['migrate', '--sql-dir', dir], { cwd: dir });
    expectUsageFailure(result, /knexfile\.ts could not be loaded/);
    expect(existsSync(path.join(dir, 'x.sqlite3'))).toBe(false);
  });

  it('an unknown knexfile environment', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-knexfile-'));
    writeFileSync(path.join(dir, 'knexfile.ts'), 'export default { development: "sqlite:./x.sqlite3" };');
    const result = await runCli(['status', '--env', 'production'], { cwd: dir });
    expectUsageFailure(result, /environment "production" not found in knexfile\.ts/);
  });

  it('an unknown command or flag', async () => {
    expectUsageFailure(await runCli(['migrat']), /Unknown argument|Did you mean/);
    expectUsageFailure(await runCli(['migrate', '--bogus']), /Unknown argument/);
  });
});
