import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest } from '../support/databases.js';
import { fixture } from '../support/status-rows.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-readonly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers = await dialectsUnderTest(['postgres', 'mysql']);

describe('read-only commands create nothing', () => {
  const newFile = path.join(dir, 'new.sqlite3');
  const readers: Record<string, readonly string[]> = {
    status: ['status', '--url', `sqlite:${newFile}`],
    'status --verbose': ['status', '--verbose', '--url', `sqlite:${newFile}`],
    doctor: ['doctor', '--url', `sqlite:${newFile}`],
    'doctor --fix': ['doctor', '--fix', '--url', `sqlite:${newFile}`],
    'reset without --yes': ['reset', '--all', '--to', 'initial', '--url', `sqlite:${newFile}`],
    verify: ['verify', '--source', `sqlite:${newFile}`, '--target', `sqlite:${newFile}`],
    'serve without --allow-actions': ['serve', '--port', '0', '--url', `sqlite:${newFile}`],
  };
  for (const [name, args] of Object.entries(readers)) {
    it(`${name} on a new SQLite path: exit 2, no file`, async () => {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/never creates|does not exist/);
      // verify's databases are the user's data: `dmr init` or `dmr migrate` would not create them.
      if (name === 'verify') expect(result.stderr).not.toMatch(/dmr (init|migrate)/);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  // Commands that change only existing status tables refused with "status tables not found" and left an empty
  // file behind, which the next status then read as a database.
  const writersOfExisting: Record<string, readonly string[]> = {
    stop: ['stop', '--url', `sqlite:${newFile}`],
    resume: ['resume', '--url', `sqlite:${newFile}`],
    restart: ['restart', '--url', `sqlite:${newFile}`],
    'reset --yes': ['reset', '--all', '--to', 'initial', '--yes', '--url', `sqlite:${newFile}`],
    'doctor --fix --yes': ['doctor', '--fix', '--yes', '--url', `sqlite:${newFile}`],
    'serve --allow-actions': [
      'serve',
      '--port',
      '0',
      '--allow-actions',
      '--token',
      'ops:0123456789abcdef0123456789abcdef',
      '--url',
      `sqlite:${newFile}`,
    ],
  };
  for (const [name, args] of Object.entries(writersOfExisting)) {
    it(`${name} on a new SQLite path: exit 2, no file`, async () => {
      const result = await runCli(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('never creates a database: `dmr init');
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  for (const dialect of servers) {
    it(`${dialect}: status and doctor on a fresh database create no schema and no table`, async () => {
      const db = await createTestDatabase(dialect, 'readonly');
      try {
        const schemas = async () =>
          dialect === 'postgres'
            ? (
                await db.knex.raw(
                  "select count(*)::int as n from information_schema.schemata where schema_name = 'App'",
                )
              ).rows[0].n
            : (
                await db.knex.raw('select count(*) as n from information_schema.schemata where schema_name = ?', [
                  db.schema,
                ])
              )[0][0].n;
        const tables = async () =>
          dialect === 'postgres'
            ? (
                await db.knex.raw(
                  'select count(*)::int as n from information_schema.tables ' +
                    "where table_schema not in ('pg_catalog', 'information_schema')",
                )
              ).rows[0].n
            : (
                await db.knex.raw(
                  'select count(*) as n from information_schema.tables where table_schema in (?, database())',
                  [db.schema],
                )
              )[0][0].n;
        for (const command of [['status'], ['doctor'], ['doctor', '--fix'], ['status', '--verbose']]) {
          const result = await runCli([...command, '--url', db.url, '--schema', db.schema]);
          expect(result.code, result.stderr).toBe(2);
          expect(result.stderr).toMatch(/status tables not found/);
        }
        expect(Number(await schemas())).toBe(0);
        expect(Number(await tables())).toBe(0);
      } finally {
        await db.drop();
      }
    });
  }
});

describe('stage lists: empty or unknown is exit 2', () => {
  const url = () => `sqlite:${path.join(dir, 'stages.sqlite3')}`;
  const cases: Record<string, { args: readonly string[]; message: RegExp }> = {
    '--only ""': { args: ['migrate', '--only', ''], message: /--only "" names no stage/ },
    '--only ","': { args: ['migrate', '--only', ','], message: /--only "," names no stage/ },
    '--only "ods,"': { args: ['migrate', '--only', 'ods,'], message: /--only "ods," has an empty stage name/ },
    '--only nope': { args: ['migrate', '--only', 'nope'], message: /unknown stage "nope"/ },
    '--from ""': { args: ['migrate', '--from', ''], message: /--from needs a name/ },
    '--plan --only ""': { args: ['migrate', '--plan', '--only', ''], message: /--only "" names no stage/ },
    'reset --stage ""': { args: ['reset', '--stage', '', '--to', 'initial'], message: /--stage "" names no stage/ },
    'resume --from-task ""': { args: ['resume', '--from-task', ''], message: /--from-task needs a name/ },
  };
  for (const [name, { args, message }] of Object.entries(cases)) {
    it(name, async () => {
      const sqlDir = args[0] === 'reset' ? [] : ['--sql-dir', fixture('fail')];
      const result = await runCli([...args, '--url', url(), ...sqlDir]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
      expect(existsSync(path.join(dir, 'stages.sqlite3')), 'the database file was created').toBe(false);
    });
  }
});
