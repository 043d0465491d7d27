import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { taskDir } from '../tasks/task-support.js';

// Every fragment of the password contains "ekr1t"; none may appear anywhere dmr writes.
const password = 'Sekr1tA@Sekr1tB:Sekr1tC/Sekr1tD%Sekr1tE';
const fragment = /ekr1t/i;
/** As a user types it in a URL: @ and : may stay, / and % must be encoded. */
const typed = 'Sekr1tA@Sekr1tB:Sekr1tC%2FSekr1tD%25Sekr1tE';

const servers = await dialectsUnderTest(['postgres', 'mysql']);

/** The test database's URL with a user that has the password (PostgreSQL trust auth accepts any). */
function withPassword(url: string, user: string): string {
  const u = new URL(url);
  return `${u.protocol}//${user}:${typed}@${u.host}${u.pathname}`;
}

/** Every row of every table of dmr's and the test's databases, as text. */
async function allRows(db: TestDatabase, schemas: readonly string[], atLeast: number): Promise<string> {
  const tables = (await db
    .knex('information_schema.tables')
    .select({ schema: 'table_schema', name: 'table_name' })
    .whereIn('table_schema', [...schemas])) as { schema: string; name: string }[];
  expect(tables.length, JSON.stringify(tables)).toBeGreaterThanOrEqual(atLeast);
  const dumps: string[] = [];
  for (const t of tables) dumps.push(JSON.stringify(await db.knex.withSchema(t.schema).from(t.name).select('*')));
  return dumps.join('\n');
}

function expectClean(result: CliResult, label: string): void {
  expect(`${result.stdout}\n${result.stderr}`, label).not.toMatch(fragment);
}

describe.skipIf(servers.length === 0).each(servers)(
  'a password holding at-sign, colon, slash, percent on %s',
  (dialect: DialectName) => {
    let db: TestDatabase;
    let target: TestDatabase;
    let url: string;
    let targetUrl: string;
    const user = `dmr_pw_${process.pid}`;

    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'pw');
      target = await createTestDatabase(dialect, 'pwt');
      if (dialect === 'mysql') {
        await db.knex.raw('create user ??@? identified by ?', [user, '%', password]);
        for (const name of [db.url, target.url]
          .map((u) => new URL(u).pathname.slice(1))
          .concat(db.schema, target.schema)) {
          await db.knex.raw('grant all privileges on ??.* to ??@?', [name, user, '%']);
        }
      }
      const login = dialect === 'mysql' ? user : 'postgres';
      url = withPassword(db.url, login);
      targetUrl = withPassword(target.url, login);
      await db.knex.schema.createTable('t', (t) => {
        t.integer('id').primary();
        t.string('name');
      });
      await db.knex('t').insert([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    });

    afterAll(async () => {
      if (dialect === 'mysql') await db?.knex.raw('drop user if exists ??@?', [user, '%']);
      await db?.drop();
      await target?.drop();
    });

    it('appears in no output and no stored row, whatever the command', async () => {
      const ok = taskDir({
        'ods/010_ok.sql': 'select 1;\n',
        'rds/010_ok.sql': 'select 1;\n',
        'report/010_ok.sql': 'select 1;\n',
      });
      // A task whose error message repeats the password: the stored error and the output must hide it.
      const q = dialect === 'mysql' ? '`' : '"';
      const echo = taskDir({
        'ods/010_echo.sql': `select ${q}x${password}${q} from t;\n`,
        'rds/': null,
        'report/': null,
      });
      const g = ['--url', url, '--schema', db.schema];
      const runs: [string, string[], number][] = [
        ['migrate', ['migrate', ...g, '--sql-dir', ok], 0],
        ['migrate --json --plan', ['migrate', ...g, '--sql-dir', ok, '--json', '--plan'], 0],
        ['status', ['status', ...g, '--verbose'], 0],
        ['status --json', ['status', ...g, '--json'], 0],
        ['doctor', ['doctor', ...g, '--verbose'], 0],
        ['doctor --json', ['doctor', ...g, '--json'], 0],
        ['verify', ['verify', ...g, '--source', url, '--target', url, '--table', 't', '--record', '--verbose'], 0],
        ['verify --json', ['verify', '--source', url, '--target', url, '--table', 't', '--json'], 0],
        [
          'copy',
          [
            'copy',
            '--source',
            url,
            '--target',
            targetUrl,
            '--table',
            't',
            '--create',
            '--json',
            '--verbose',
            '--schema',
            target.schema,
          ],
          0,
        ],
        ['restart with a failing task', ['restart', ...g, '--sql-dir', echo, '--verbose'], 1],
        ['status after the failure', ['status', ...g, '--verbose'], 0],
        ['unreachable port', ['status', '--url', url.replace(/:\d+\//, ':1/'), '--verbose'], 2],
        ['unreachable port --json', ['doctor', '--url', url.replace(/:\d+\//, ':1/'), '--json', '--verbose'], 2],
      ];
      for (const [label, args, code] of runs) {
        const result = await runCli(args);
        expectClean(result, label);
        expect(result.code, `${label}: ${result.stderr}`).toBe(code);
      }
      const schemas = (d: TestDatabase) =>
        dialect === 'mysql' ? [new URL(d.url).pathname.slice(1), d.schema] : ['App', 'public'];
      const stored = await allRows(db, schemas(db), 6);
      expect(stored).toContain('***');
      expect(stored).not.toMatch(fragment);
      // The copy ledger lives in the target database.
      expect(await allRows(target, schemas(target), 3)).not.toMatch(fragment);
    });

    it('from a knexfile entry too', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-pw-'));
      const u = new URL(db.url);
      const connection = {
        host: u.hostname,
        port: Number(u.port),
        user: dialect === 'mysql' ? user : 'postgres',
        password,
        database: u.pathname.slice(1),
      };
      const client = dialect === 'mysql' ? 'mysql2' : 'pg';
      const environments = {
        development: { client, connection },
        bad: { client, connection: { ...connection, port: 1 } },
      };
      writeFileSync(path.join(dir, 'knexfile.mjs'), `export default ${JSON.stringify(environments)};\n`);
      for (const env of ['development', 'bad']) {
        const result = await runCli(['status', '--env', env, '--schema', db.schema, '--verbose'], { cwd: dir });
        expectClean(result, env);
        expect(result.code).toBe(env === 'bad' ? 2 : 0);
      }
    });

    it('a malformed % escape is exit 2 without the password', async () => {
      for (const bad of [url.replace('%25', '%'), url.replace('%2F', '%zz'), url.replace('%25', '%2')]) {
        for (const args of [
          ['status', '--url', bad, '--verbose'],
          ['verify', '--source', bad, '--target', url, '--json'],
        ]) {
          const result = await runCli(args);
          expect(result.code, result.stderr).toBe(2);
          expect(result.stderr + result.stdout).toMatch(/malformed|escape/);
          expectClean(result, args.join(' '));
        }
      }
    });
  },
);
