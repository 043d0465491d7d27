import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { stageStatuses, target } from '../support/status-rows.js';
import { statusSnapshot, taskDir, trivialStages } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

describe.each(dialects)('no success without work (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'nowork');
    const ok = await runCli(['migrate', ...target(db), '--sql-dir', taskDir(trivialStages), '--only', 'ods']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 1, 3: 1 });
  });
  afterAll(async () => db?.drop());

  it('an empty --sql-dir is exit 2 and leaves every stage as it was', async () => {
    const before = await statusSnapshot(db);
    const result = await runCli(['migrate', ...target(db), '--sql-dir', taskDir({})]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/stage folder .*ods not found \(stage ods\)/);
    expect(result.stderr).toMatch(/3 problems with the tasks/);
    expect(await statusSnapshot(db)).toEqual(before);
  });

  it('a stage folder that is a symlink loop is exit 2 naming it, stages untouched', async () => {
    const dir = taskDir({ 'rds/010_ok.sql': 'select 1;\n', 'report/010_ok.sql': 'select 1;\n' });
    symlinkSync('ods', path.join(dir, 'ods'));
    const before = await statusSnapshot(db);
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/stage folder .*ods is a symlink loop/);
    expect(await statusSnapshot(db)).toEqual(before);
  });

  it('stage folders with no task anywhere are exit 2; one empty stage folder runs as empty', async () => {
    const before = await statusSnapshot(db);
    const none = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/': null, 'rds/notes.txt': 'x', 'report/': null }),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no task found in .*: nothing would run/);
    expect(await statusSnapshot(db)).toEqual(before);

    const oneEmpty = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_ok.sql': 'select 1;\n', 'rds/': null, 'report/010_ok.sql': 'select 1;\n' }),
      '--json',
    ]);
    expect(oneEmpty.code, oneEmpty.stderr).toBe(0);
    expect(JSON.parse(oneEmpty.stdout).stages).toMatchObject([
      { stage: 'ods', tasks: ['010_ok'] },
      { stage: 'rds', status: 'success', tasks: [] },
      { stage: 'report', tasks: ['010_ok'] },
    ]);
  });
});

describe('the task tree in migrate --plan', () => {
  it('lists every ignored file with its reason and warns about an empty stage folder', async () => {
    const dir = taskDir({
      'ods/010_load.sql': 'select 1;\n',
      'ods/010_load.postgres.sql': 'select 2;\n',
      'ods/020_extra.mysql.sql': 'select 3;\n',
      'ods/030_old.sql.bak': 'select 4;\n',
      'ods/notes.txt': 'x',
      'ods/data.json': '{}',
      'ods/.gitkeep': '',
      'ods/types.d.ts': 'export {};\n',
      'ods/sub/': null,
      'rds/README.md': 'nothing yet',
      'report/010_report.sql': 'select 5;\n',
    });
    const result = await runCli([
      'migrate',
      '--plan',
      '--json',
      '--url',
      'postgres://nobody@127.0.0.1:1/none',
      '--sql-dir',
      dir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    const [ods, rds] = plan.plan;
    expect(ods.tasks).toEqual([
      {
        name: '010_load',
        kind: 'sql',
        file: expect.stringMatching(/ods\/010_load\.postgres\.sql$/),
        variant: 'postgres',
        statements: 1,
        transactional: true,
        atomic: true,
        nonAtomic: null,
      },
    ]);
    const reasons = Object.fromEntries(
      ods.ignored.map((f: { file: string; reason: string; message: string }) => [
        path.basename(f.file),
        [f.reason, f.message],
      ]),
    );
    expect(reasons).toEqual({
      '.gitkeep': ['hidden', 'hidden file'],
      '010_load.sql': ['replaced-by-variant', 'replaced by 010_load.postgres.sql on postgres'],
      '020_extra.mysql.sql': ['other-dialect', 'variant for mysql (this database is postgres)'],
      '030_old.sql.bak': [
        'unknown-extension',
        'unknown extension .bak (tasks are .sql, .ts, .mts, .js, .mjs, .copy.json)',
      ],
      'data.json': ['unknown-extension', 'unknown extension .json (tasks are .sql, .ts, .mts, .js, .mjs, .copy.json)'],
      'notes.txt': ['unknown-extension', 'unknown extension .txt (tasks are .sql, .ts, .mts, .js, .mjs, .copy.json)'],
      sub: ['not-a-file', 'a folder: tasks are the files directly in the stage folder'],
      'types.d.ts': ['type-declaration', 'a TypeScript declaration file, not a task'],
    });
    expect(rds.ignored).toEqual([
      { file: expect.stringMatching(/README\.md$/), reason: 'unknown-extension', message: expect.any(String) },
    ]);
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          /task 020_extra in .*ods has variants for mysql but none for postgres and no /.source +
            /generic file: it does not run here/.source,
        ),
      ),
      expect.stringMatching(/stage folder .*rds has no tasks for postgres: stage rds runs as empty/),
    ]);

    const text = await runCli(['migrate', '--plan', '--url', 'postgres://nobody@127.0.0.1:1/none', '--sql-dir', dir]);
    expect(text.stdout).toMatch(/ignored: .*notes\.txt: unknown extension \.txt/);
    expect(text.stdout).toMatch(/warning: stage folder .*rds has no tasks/);
  });

  it('a run says which files it leaves out (a typo in an extension, a folder) before it starts', async () => {
    const dir = taskDir({
      'ods/010_load.sql': 'select 1;\n',
      'ods/020_more.sq': 'select 2;\n',
      'ods/old/': null,
      'ods/.gitkeep': '',
      'rds/010_build.sql': 'select 3;\n',
      'rds/010_build.postgres.sql': 'select 4;\n',
      'report/010_report.sqll': 'select 5;\n',
    });
    const db = path.join(dir, 'run.sqlite3');
    const result = await runCli(['migrate', '--url', `sqlite:${db}`, '--sql-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      expect.stringMatching(/ods\/020_more\.sq is not run: unknown extension \.sq \(tasks are \.sql, /),
      expect.stringMatching(/ods\/old is not run: a folder: tasks are the files directly in the stage folder$/),
      expect.stringMatching(/report\/010_report\.sqll is not run: unknown extension \.sqll /),
      expect.stringMatching(/stage folder .*report has no tasks for sqlite: stage report runs as empty$/),
    ]);
    expect(result.stderr.indexOf('warning: ')).toBeLessThan(result.stderr.indexOf('run 1: ods'));
  });

  it('--sql-dir that is a file says "not a directory"', async () => {
    const dir = taskDir({ 'file.sql': 'select 1;\n' });
    const file = path.join(dir, 'file.sql');
    const plan = await runCli(['migrate', '--plan', '--url', 'sqlite::memory:', '--sql-dir', file]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(`--sql-dir ${file} is not a directory`);
    mkdirSync(path.join(dir, 'db'));
    const sqlite = path.join(dir, 'db', 'x.sqlite3');
    const run = await runCli(['migrate', '--url', `sqlite:${sqlite}`, '--sql-dir', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a directory');
    expect(existsSync(sqlite)).toBe(false);
  });
});
