import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { taskDir } from '../tasks/task-support.js';

const [postgres] = await dialectsUnderTest(['postgres']);
const [mysql] = await dialectsUnderTest(['mysql']);

/** The server of this machine runs without TLS: every mode that requires TLS must refuse, naming it. */
describe.skipIf(!postgres)('PostgreSQL connection parameters against the local server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'params');
    const [row] = (await db.knex.raw('show ssl')).rows as { ssl: string }[];
    expect(row?.ssl, 'these tests expect a local server without TLS').toBe('off');
    expect((await runCli(['init', '--url', db.url])).code).toBe(0);
  });
  afterAll(() => db?.drop());
  const withQuery = (query: string) => `${db.url}?${query}`;

  it('sslmode=verify-full, verify-ca and require: exit 2 naming TLS, never a plaintext session', async () => {
    for (const mode of ['verify-full', 'verify-ca', 'require']) {
      for (const command of [['status'], ['doctor'], ['status', '--json']]) {
        const result = await runCli([...command, '--url', withQuery(`sslmode=${mode}`)]);
        expect(result.code, `${mode} ${command.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr + result.stdout).toContain(
          `sslmode=${mode} requires TLS, which the server does not offer`,
        );
        expect(result.stdout).not.toMatch(/healthy/);
      }
    }
  });

  it('sslmode=prefer and allow connect in plaintext to a server without TLS, as libpq does', async () => {
    for (const mode of ['prefer', 'allow', 'disable']) {
      const result = await runCli(['doctor', '--url', withQuery(`sslmode=${mode}`)]);
      expect(result.code, result.stderr).toBe(0);
    }
  });

  it('sslmode=bogus and an unknown parameter are refused by name, before connecting', async () => {
    for (const [query, named] of [
      ['sslmode=bogus', 'sslmode=bogus'],
      ['sslmod=require', '"sslmod"'],
      ['application-name=x', '"application-name"'],
    ] as const) {
      const result = await runCli(['status', '--url', withQuery(query)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(named);
    }
  });

  it.skipIf(!existsSync('/var/run/postgresql'))(
    'host=/var/run/postgresql connects through the socket directory',
    async () => {
      const name = new URL(db.url).pathname;
      const result = await runCli([
        'status',
        '--url',
        `postgres://postgres@${name}?host=/var/run/postgresql`,
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        database: `postgres://postgres@%2Fvar%2Frun%2Fpostgresql${name}`,
      });
    },
  );

  it('the server sees "dmr <command>" as application_name, or the name the URL gives', async () => {
    const dir = taskDir({ 'ods/010_wait.sql': 'select pg_sleep(5);\n', 'rds/': null, 'report/': null });
    for (const [query, expected] of [
      ['', 'dmr restart'],
      ['?application_name=nightly-etl', 'nightly-etl'],
    ] as const) {
      const run = startCli(['restart', '--url', `${db.url}${query}`, '--sql-dir', dir]);
      await run.waitForOutput('010_wait started');
      let rows: { name: string }[] = [];
      let finished = false;
      void run.done.then(() => (finished = true));
      // Poll until the task's statement shows (the machine may be slow to send it), or the run ends.
      while (rows.length === 0 && !finished) {
        rows = (
          await db.knex.raw(
            'select application_name as name from pg_stat_activity where datname = current_database() ' +
              "and query like '%pg_sleep(5)%' and pid <> pg_backend_pid()",
          )
        ).rows as { name: string }[];
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await run.done).code).toBe(0);
      expect(rows.map((r) => r.name)).toEqual([expected]);
    }
  });
});

describe.skipIf(!mysql)('MySQL/MariaDB connection parameters against the local server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('mysql', 'params');
    const [[row]] = (await db.knex.raw("show variables like 'have_ssl'")) as [{ Value: string }[]];
    expect(row?.Value, 'these tests expect a local server without TLS').not.toBe('YES');
    expect((await runCli(['init', '--url', db.url, '--schema', db.schema])).code).toBe(0);
  });
  afterAll(() => db?.drop());
  const withQuery = (query: string) => `${db.url}?${query}`;

  it('ssl-mode=REQUIRED, VERIFY_CA, VERIFY_IDENTITY and ssl={...}: exit 2 naming TLS', async () => {
    for (const query of [
      'ssl-mode=REQUIRED',
      'ssl-mode=VERIFY_CA',
      'ssl-mode=VERIFY_IDENTITY',
      `ssl=${encodeURIComponent('{"rejectUnauthorized":true}')}`,
    ]) {
      const result = await runCli(['doctor', '--url', withQuery(query), '--schema', db.schema]);
      expect(result.code, `${query}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/requires TLS, which the server does not offer/);
    }
  });

  it('ssl-mode=PREFERRED and DISABLED connect; a bogus mode and an unknown parameter are refused by name', async () => {
    for (const query of ['ssl-mode=PREFERRED', 'ssl-mode=DISABLED', 'connect-timeout=5']) {
      expect((await runCli(['doctor', '--url', withQuery(query), '--schema', db.schema])).code).toBe(0);
    }
    for (const [query, named] of [
      ['ssl-mode=bogus', 'ssl-mode=bogus'],
      ['sslmode=REQUIRED', '"sslmode"'],
    ] as const) {
      const result = await runCli(['doctor', '--url', withQuery(query), '--schema', db.schema]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(named);
    }
  });

  it.skipIf(!existsSync('/run/mysqld/mysqld.sock'))(
    'socket=/run/mysqld/mysqld.sock connects through the socket',
    async () => {
      const u = new URL(db.url);
      const result = await runCli([
        'doctor',
        '--url',
        `mysql://${u.username}@localhost${u.pathname}?socket=/run/mysqld/mysqld.sock`,
        '--schema',
        db.schema,
      ]);
      expect(result.code, result.stderr).toBe(0);
    },
  );
});
