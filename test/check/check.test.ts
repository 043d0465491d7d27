import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckDocument, CheckItem } from '../../src/core/check/check-types.js';
import { clockItem } from '../../src/core/check/check-database.js';
import { runCheck } from '../../src/core/check/run-check.js';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { runCli, type CliResult } from '../support/cli.js';
import { adminKnex, createTestDatabase, dialectsUnderTest, serverUrls, withDatabase } from '../support/databases.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'dmr-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const servers = (await dialectsUnderTest(['postgres', 'mysql'])) as ('postgres' | 'mysql')[];

/** A task folder: one task per stage, a dialect variant, and files dmr ignores. */
function taskDir(): string {
  const dir = mkdtempSync(path.join(work, 'sql-'));
  const files: Record<string, string> = {
    'ods/010_load.sql': 'select 1;\n',
    'ods/010_load.postgres.sql': 'select 2;\n',
    'ods/notes.txt': 'x',
    'ods/020_old.sql.bak': 'select 3;\n',
    'rds/010_build.sql': 'select 4;\n',
    'rds/020_mysql_only.mysql.sql': 'select 5;\n',
    'report/010_report.sql': 'select 6;\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function documentOf(result: CliResult): CheckDocument {
  try {
    return JSON.parse(result.stdout) as CheckDocument;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

function itemOf(document: CheckDocument, id: string, role = 'status'): CheckItem | undefined {
  return document.databases.find((d) => d.role === role)?.items.find((i) => i.id === id);
}

describe('dmr check on SQLite', () => {
  const sqlDir = taskDir();

  it('ready on a new database file, and creates nothing', async () => {
    const dir = mkdtempSync(path.join(work, 'db-'));
    const result = await runCli([
      'check',
      '--json',
      '--url',
      `sqlite:${path.join(dir, 'new.db')}`,
      '--sql-dir',
      sqlDir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const document = documentOf(result);
    expect(document).toMatchObject({ ready: true, problems: 0 });
    expect(itemOf(document, 'reachable')?.state).toBe('info');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lists tasks per stage with variants and every ignored file with the reason', async () => {
    const url = `sqlite:${path.join(work, 'tree.db')}`;
    const document = documentOf(await runCli(['check', '--json', '--url', url, '--sql-dir', sqlDir]));
    const ods = document.tasks?.stages.find((s) => s.stage === 'ods');
    expect(ods?.tasks.map((t) => [t.name, path.basename(t.file), t.variant, t.variants.length])).toEqual([
      ['010_load', '010_load.sql', null, 2],
    ]);
    const ignored = Object.fromEntries(
      document.tasks?.stages.flatMap((s) => s.ignored.map((f) => [path.basename(f.file), f.reason])) ?? [],
    );
    expect(ignored).toEqual({
      '010_load.postgres.sql': 'other-dialect',
      '020_old.sql.bak': 'unknown-extension',
      'notes.txt': 'unknown-extension',
      '020_mysql_only.mysql.sql': 'other-dialect',
    });
    const text = await runCli(['check', '--url', url, '--sql-dir', sqlDir]);
    expect(text.stdout).toMatch(/ignored: .*notes\.txt: unknown extension \.txt/);
    expect(text.stdout).toMatch(/ignored: .*020_old\.sql\.bak: unknown extension \.bak/);
    expect(text.stdout).toMatch(/^ready/m);
  });

  it('status tables that are not Generate-shaped, and a missing task folder, are problems (exit 1)', async () => {
    const file = path.join(work, 'odd.db');
    const url = `sqlite:${file}`;
    expect((await runCli(['init', '--url', url])).code).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.exec(
      'drop table DataMigrations; ' +
        'create table DataMigrations (DataMigrationId integer primary key, DataMigrationTypeId integer)',
    );
    db.close();
    const result = await runCli(['check', '--json', '--url', url, '--sql-dir', path.join(work, 'nope')]);
    expect(result.code).toBe(1);
    const document = documentOf(result);
    expect(itemOf(document, 'status-table:DataMigrations')?.message).toMatch(
      /lacks columns DataMigrationStatusId, LastDurationInSeconds, LastTriggerDate, UserName, DataMigrationTaskList/,
    );
    expect(document.tasks?.items.find((i) => i.state === 'problem')?.message).toMatch(/task directory not found/);
  });

  it('the text verdict counts the problems and the warnings', async () => {
    const file = path.join(work, 'verdict.db');
    const url = `sqlite:${file}`;
    expect((await runCli(['init', '--url', url])).code).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.exec('drop table DataMigrationHistories; create table DataMigrationHistories (x integer)');
    db.close();
    const dir = mkdtempSync(path.join(work, 'sql-'));
    for (const stage of ['ods', 'rds', 'report']) mkdirSync(path.join(dir, stage));
    writeFileSync(path.join(dir, 'ods', '010_a.sql'), 'select 1;\n');
    writeFileSync(path.join(dir, 'report', '010_b.sql'), 'select 1;\n');
    const result = await runCli(['check', '--url', url, '--sql-dir', dir]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^not ready: \d+ problems?, \d+ warnings?$/);
  });

  it('an unreachable database is a problem in the document (exit 1), not a crash', async () => {
    const result = await runCli([
      'check',
      '--json',
      '--url',
      'postgres://nobody:pw@127.0.0.1:1/x',
      '--sql-dir',
      sqlDir,
    ]);
    expect(result.code).toBe(1);
    const document = documentOf(result);
    expect(document.databases[0]).toMatchObject({ role: 'status', reachable: false });
    expect(itemOf(document, 'reachable')).toMatchObject({
      state: 'problem',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(result.stdout).not.toContain(':pw@');
  });

  it('clock differences: ok within 1 s, a warning above, a problem above 5 s', () => {
    expect(clockItem(300).state).toBe('ok');
    expect(clockItem(-2_000).state).toBe('warning');
    expect(clockItem(-2_000).message).toMatch(/2000 ms behind this host's/);
    expect(clockItem(7_000).state).toBe('problem');
  });
});

for (const dialect of servers) {
  describe(`dmr check on ${dialect}`, () => {
    it('ready on a fresh database, creating nothing', async () => {
      const db = await createTestDatabase(dialect, 'check');
      try {
        const sqlDir = taskDir();
        const result = await runCli(['check', '--json', '--url', db.url, '--schema', db.schema, '--sql-dir', sqlDir]);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        const document = documentOf(result);
        expect(document.databases[0]).toMatchObject({
          reachable: true,
          user: expect.any(String),
          serverVersion: expect.any(String),
        });
        expect(Math.abs(document.databases[0]?.clockOffsetMs ?? 99_999)).toBeLessThan(1_000);
        expect(itemOf(document, 'status-tables')?.message).toMatch(/does not exist yet|not present/);
        const schemas =
          dialect === 'postgres'
            ? (await db.knex.raw("select count(*)::int as n from pg_namespace where nspname = 'App'")).rows[0].n
            : (
                await db.knex.raw('select count(*) as n from information_schema.schemata where schema_name = ?', [
                  db.schema,
                ])
              )[0][0].n;
        expect(Number(schemas)).toBe(0);
      } finally {
        await db.drop();
      }
    });

    it('finds each missing privilege with a user that lacks it', async () => {
      const db = await createTestDatabase(dialect, 'checkpriv');
      const user = `dmr_check_${randomBytes(3).toString('hex')}`;
      const admin = adminKnex(dialect, serverUrls[dialect] as string);
      const dbName = new URL(db.url).pathname.slice(1);
      try {
        await db.knex.raw('create table visible (id int primary key)');
        await db.knex.raw('create table hidden (id int primary key)');
        const userUrl = (() => {
          const u = new URL(withDatabase(db.url, dbName));
          u.username = user;
          u.password = '';
          return u.toString();
        })();
        if (dialect === 'postgres') {
          await admin.raw(`create role ${user} login`);
          await db.knex.raw(`grant select on visible to ${user}`);
          // advisory lock functions are EXECUTE to PUBLIC by default; take it away in this database only
          await db.knex.raw('revoke execute on function pg_try_advisory_lock(integer, integer) from public');
        } else {
          await admin.raw(`create user '${user}'@'%'`);
          await admin.raw(`grant select on \`${dbName}\`.visible to '${user}'@'%'`);
        }
        const check = async () =>
          documentOf(
            await runCli([
              'check',
              '--json',
              '--url',
              userUrl,
              '--schema',
              db.schema,
              '--sql-dir',
              taskDir(),
              '--source',
              userUrl,
              '--target',
              userUrl,
            ]),
          );
        const before = await check();
        expect(before.ready).toBe(false);
        expect(itemOf(before, 'privilege:create')).toMatchObject({ state: 'problem', neededBy: ['init', 'migrate'] });
        expect(itemOf(before, 'privilege:session-views')?.state).toBe('warning');
        expect(itemOf(before, 'privilege:end-sessions')?.state).toBe('warning');
        // A copy into the target's existing tables needs INSERT; verify does not, so it is a warning.
        expect(itemOf(before, 'privilege:write', 'target')).toMatchObject({
          state: 'warning',
          neededBy: ['copy'],
          message: expect.stringMatching(dialect === 'postgres' ? /INSERT on hidden, visible in public/ : /INSERT on/),
        });
        if (dialect === 'postgres') {
          expect(itemOf(before, 'privilege:read', 'source')).toMatchObject({
            state: 'problem',
            neededBy: ['verify', 'copy'],
          });
          expect(itemOf(before, 'privilege:run-lock')).toMatchObject({
            state: 'problem',
            message: expect.stringMatching(/pg_try_advisory_lock/),
          });
          expect(itemOf(before, 'privilege:read', 'source')?.message).toMatch(/SELECT on hidden in public/);
        } else {
          expect(itemOf(before, 'privilege:run-lock')?.state).toBe('ok');
          // MySQL hides the tables a user has no privilege on: with table grants only, check cannot tell
          expect(itemOf(before, 'privilege:read', 'source')).toMatchObject({
            state: 'warning',
            message: expect.stringMatching(/SELECT granted on some tables of .* only could not be confirmed/),
          });
        }

        if (dialect === 'postgres') {
          await admin.raw(`grant create on database "${dbName}" to ${user}`);
          await db.knex.raw(`grant execute on function pg_try_advisory_lock(integer, integer) to ${user}`);
          await db.knex.raw(`grant select on hidden to ${user}`);
          await admin.raw(`grant pg_read_all_stats, pg_signal_backend to ${user}`);
          await db.knex.raw(`grant insert on visible, hidden to ${user}`);
        } else {
          await admin.raw(`grant create on \`${db.schema}\`.* to '${user}'@'%'`);
          await admin.raw(`grant select on \`${dbName}\`.* to '${user}'@'%'`);
          await admin.raw(`grant process, super on *.* to '${user}'@'%'`);
          await admin.raw(`grant insert on \`${dbName}\`.* to '${user}'@'%'`);
        }
        const after = await check();
        expect(after.problems, JSON.stringify(after, null, 2)).toBe(0);
        for (const id of [
          'privilege:create',
          'privilege:run-lock',
          'privilege:session-views',
          'privilege:end-sessions',
        ]) {
          expect(itemOf(after, id)?.state, id).toBe('ok');
        }
        expect(itemOf(after, 'privilege:read', 'source')?.state).toBe('ok');
        expect(itemOf(after, 'privilege:write', 'target')?.state).toBe('ok');
      } finally {
        await db.drop();
        if (dialect === 'postgres') {
          await admin.raw(`drop role if exists ${user}`);
        } else await admin.raw(`drop user if exists '${user}'@'%'`);
        await admin.destroy();
      }
    });
  });
}

const wideTitle = 'dmr check on MySQL/MariaDB: status tables in a server-wide database';
describe.skipIf(!servers.includes('mysql'))(wideTitle, () => {
  it("are a warning while the URL's database is the default, and not with --schema", async () => {
    // db.schema plays the server-wide App: the real App on a shared server belongs to no test.
    const db = await createTestDatabase('mysql', 'checkwide');
    try {
      expect((await runCli(['init', '--url', db.url, '--schema', db.schema])).code).toBe(0);
      const status = await resolveConnection({ url: db.url });
      const base = { status, sqlDir: null, cwd: work, serverWideSchema: db.schema };
      const warned = await runCheck(base);
      const wide = itemOf(warned, 'server-wide-app');
      expect(wide).toMatchObject({ state: 'warning', neededBy: ['status', 'resume'] });
      expect(wide?.message).toContain(`--schema ${db.schema}`);
      expect(warned.ready).toBe(true);
      expect(itemOf(await runCheck({ ...base, schema: db.schema }), 'server-wide-app')).toBeUndefined();
    } finally {
      await db.drop();
    }
  });
});
