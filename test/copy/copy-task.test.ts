import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCopyTask } from '../../src/core/tasks/copy-task-spec.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, statusTable, target } from '../support/status-rows.js';
import { taskDir } from '../tasks/task-support.js';

/** A SQLite source file: people (integer key, 1000 rows) and notes (no key, 10 rows). */
function sourceFile(): { file: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-copy-task-'));
  return { file: path.join(dir, 'legacy.db'), dir };
}

async function fillSource(file: string): Promise<void> {
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  try {
    await knex.raw('create table people (id integer not null primary key, name varchar(40) not null, born date)');
    await knex.raw(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
      insert into people select i, 'person ' || i, case when i % 7 = 0 then null else ` +
        `date('2000-01-01', '+' || i || ' days') end from n`,
    );
    await knex.raw('create table notes (body text)');
    await knex.raw(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 10) insert into ` +
        `notes select 'note ' || i from n`,
    );
  } finally {
    await knex.destroy();
  }
}

const count = async (knex: Knex, table: string) => Number((await knex(table).count({ n: '*' }))[0]?.n);

describe('copy task options (.copy.json)', () => {
  it('reads every option, named like the flags', () => {
    const { spec, refusals } = parseCopyTask(
      JSON.stringify({
        source: 'env:LEGACY_URL',
        target: 'warehouse',
        tables: ['a', 'b=c'],
        sourceSchema: 's',
        targetSchema: 't',
        where: 'id > 3',
        truncate: true,
        chunkRows: 50000,
        parallel: 3,
        casts: ['b.x=text'],
        rejects: 'r.csv',
        verify: true,
      }),
      { LEGACY_URL: 'postgres://u:p@h/db' },
    );
    expect(refusals).toEqual([]);
    expect(spec).toEqual({
      source: 'env:LEGACY_URL',
      target: 'warehouse',
      tables: [
        { source: 'a', target: 'a' },
        { source: 'b', target: 'c' },
      ],
      sourceSchema: 's',
      targetSchema: 't',
      where: 'id > 3',
      mode: 'truncate',
      chunkRows: 50000,
      parallel: 3,
      casts: [{ table: 'b', column: 'x', type: 'text' }],
      rejects: 'r.csv',
      retryRejects: false,
      verify: true,
    });
    expect(parseCopyTask('{"source": "sqlite:x.db"}', {}).spec).toMatchObject({
      mode: 'append',
      chunkRows: 100_000,
      parallel: 2,
      tables: [],
    });
  });

  it('refuses unknown keys, wrong types, injection attempts and unset variables, naming the key and its line', () => {
    const text = [
      '{',
      '  "source": "env:NOT_SET_ANYWHERE",',
      '  "chunk_rows": 10,',
      '  "chunkRows": "50000",',
      '  "create": "yes",',
      '  "table": ["a"],',
      '  "parallel": 0',
      '}',
    ].join('\n');
    const { spec, refusals } = parseCopyTask(text, {});
    expect(spec).toBeNull();
    expect(refusals.map((r) => [r.line, r.message.replace(/; copy task keys are .*/, '')])).toEqual([
      [3, 'key "chunk_rows": unknown key (did you mean "chunkRows"?)'],
      [4, 'key "chunkRows": must be a positive integer, not "50000"'],
      [5, 'key "create": must be true or false, not "yes"'],
      [6, 'key "table": unknown key (did you mean "tables"?)'],
      [7, 'key "parallel": must be a positive integer, not 0'],
    ]);
    const second = parseCopyTask(text.replace(/,\n {2}"chunk_rows"[^]*"parallel": 0/, ''), {});
    expect(second.refusals.map((r) => [r.line, r.message])).toEqual([
      [2, 'key "source": environment variable NOT_SET_ANYWHERE (from "env:NOT_SET_ANYWHERE") is not set'],
    ]);
    const injected = parseCopyTask(
      JSON.stringify({
        source: 'x',
        tables: ['people;drop table people', 'a=b"; drop table a; --'],
        targetSchema: 'a"b',
        casts: ['name=text); drop table people; --'],
        create: true,
        truncate: true,
      }),
      {},
    );
    expect(injected.spec).toBeNull();
    expect(injected.refusals.map((r) => r.message)).toEqual([
      expect.stringMatching(/^key "tables": --table "people;drop table people" is not a plain table or column name/),
      expect.stringMatching(/^key "tables": --table "b\\"; drop table a; --" is not a plain/),
      expect.stringMatching(/^key "targetSchema": targetSchema "a\\"b" is not a plain/),
      'key "truncate": create and truncate cannot be combined: choose one',
    ]);
    expect(parseCopyTask('{"tables": ["a"]}', {}).refusals[0]?.message).toMatch(/key "source" is missing/);
    expect(parseCopyTask('["a"]', {}).refusals[0]?.message).toMatch(/a copy task is a JSON object/);
    expect(parseCopyTask('{\n  "source": "x",\n  "create": true,\n}', {}).refusals[0]).toMatchObject({
      line: 4,
      message: expect.stringMatching(/^not valid JSON/),
    });
    expect(parseCopyTask('{"source": "env:1BAD"}', {}).refusals[0]?.message).toMatch(/is not env:NAME/);
  });
});

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

describe.each(dialects)('a copy task in a stage on %s', (dialect) => {
  let db: TestDatabase;
  let source: { file: string; dir: string };
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const taskText = JSON.stringify(
    { source: 'env:DMR_COPY_TASK_SOURCE', tables: ['people=ods_people', 'notes'], create: true, chunkRows: 300 },
    null,
    2,
  );
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'copytask');
    source = sourceFile();
    await fillSource(source.file);
    env = { DMR_COPY_TASK_SOURCE: `sqlite:${source.file}` };
    dir = taskDir({
      'ods/010_first.sql': 'create table if not exists ods_first (id integer);\n',
      'ods/020_people.copy.json': taskText,
      'rds/': null,
      'report/': null,
    });
  });
  afterAll(async () => {
    await db?.drop();
    for (const d of [source?.dir, dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('--plan lists it as a copy task that commits chunk by chunk, and connects nowhere', async () => {
    const plan = await runCli(['migrate', '--plan', '--json', '--sql-dir', dir, ...target(db)], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const tasks = JSON.parse(plan.stdout).plan[0].tasks;
    expect(tasks.map((t: { name: string; kind: string }) => [t.name, t.kind])).toEqual([
      ['010_first', 'sql'],
      ['020_people', 'copy'],
    ]);
    expect(tasks[1]).toMatchObject({
      file: expect.stringMatching(/ods\/020_people\.copy\.json$/),
      statements: null,
      transactional: false,
      atomic: false,
      nonAtomic: expect.stringMatching(/copies in chunks/),
    });
  });

  const migrateRunsCopyTitle =
    'dmr migrate runs it in the stage: rows, ledger in the status schema, task record; a second ' +
    'migrate copies nothing again';
  it(migrateRunsCopyTitle, async () => {
    const run = await runCli(['migrate', '--sql-dir', dir, ...target(db)], { env });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ods: 020_people: copy people -> ods_people: 4 range chunk\(s\)/);
    expect(run.stderr).toMatch(/ods: 020_people: copy notes: copied, 10 rows copied/);
    expect(await count(db.knex, 'ods_people')).toBe(1000);
    expect(await count(db.knex, 'notes')).toBe(10);
    const jobs = await statusTable(db, 'DataMigrationCopies').select('TargetTable', 'Status').orderBy('CopyId');
    expect(jobs).toEqual([
      { TargetTable: 'ods_people', Status: 'success' },
      { TargetTable: 'notes', Status: 'success' },
    ]);
    const chunks = await statusTable(db, 'DataMigrationCopyChunks')
      .select('Status', 'Rows', 'Attempts')
      .orderBy(['CopyId', 'ChunkNo']);
    expect(chunks.map((c: Record<string, unknown>) => [c.Status, Number(c.Rows), Number(c.Attempts)])).toEqual([
      ['success', 250, 1],
      ['success', 250, 1],
      ['success', 250, 1],
      ['success', 250, 1],
      ['success', 10, 1],
    ]);
    const taskRun = await statusTable(db, 'DataMigrationTaskRuns').where({ TaskName: '020_people' }).first();
    expect(taskRun).toMatchObject({
      Outcome: 'success',
      Checksum: createHash('sha256').update(taskText).digest('hex'),
    });
    expect(Number(taskRun.Transactional)).toBe(0);
    expect((await historyMessages(db)).filter((h) => h.includes('020_people'))).toEqual([
      expect.stringMatching(/^ods: task 020_people started/),
      expect.stringMatching(/^ods: task 020_people finished in/),
    ]);

    const again = await runCli(['migrate', '--sql-dir', dir, ...target(db)], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/copy people: copied, 1000 rows copied \(4 chunks skipped: done before\)/);
    expect(await count(db.knex, 'ods_people')).toBe(1000);
    const attempts = await statusTable(db, 'DataMigrationCopyChunks').sum({ n: 'Attempts' });
    expect(Number(attempts[0]?.n)).toBe(5);
  });

  it('a bad option stops the run before anything is written: exit 2 naming the file, line and key', async () => {
    const fresh = await createTestDatabase(dialect, 'copytaskbad');
    try {
      const bad = taskDir({
        'ods/010_first.sql': 'create table ods_first (id integer);\n',
        'ods/020_people.copy.json': '{\n  "source": "env:DMR_COPY_TASK_SOURCE",\n  "chunkrows": 5\n}\n',
        'rds/': null,
        'report/': null,
      });
      const run = await runCli(['migrate', '--sql-dir', bad, ...target(fresh)], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /ods\/020_people\.copy\.json:3: key "chunkrows": unknown key \(did you mean "chunkRows"\?\)/,
      );
      expect(
        await (dialect === 'sqlite' ? fresh.knex.schema : fresh.knex.schema.withSchema(fresh.schema)).hasTable(
          'DataMigrations',
        ),
      ).toBe(false);
      expect(await fresh.knex.schema.hasTable('ods_first')).toBe(false);
      rmSync(bad, { recursive: true, force: true });
    } finally {
      await fresh.drop();
    }
  });
});

const servers = await dialectsUnderTest(['postgres']);

describe.runIf(servers.length > 0)(
  'copy task outcomes on postgres: rejects fail the stage; "target" copies elsewhere',
  () => {
    let db: TestDatabase;
    let other: TestDatabase;
    let source: { file: string; dir: string };
    beforeAll(async () => {
      db = await createTestDatabase('postgres', 'copytaskrej');
      other = await createTestDatabase('postgres', 'copytaskother');
      source = sourceFile();
      await fillSource(source.file);
    });
    afterAll(async () => {
      await db?.drop();
      await other?.drop();
      if (source) rmSync(source.dir, { recursive: true, force: true });
    });

    it('rows the target refuses: the others land, the stage is error with the count, exit 1', async () => {
      const dir = taskDir({
        'ods/010_create.sql':
          'create table if not exists ods_people (id integer primary key, name varchar(10) not null, born date);\n',
        'ods/020_people.copy.json': JSON.stringify({
          source: `sqlite:${source.file}`,
          tables: ['people=ods_people'],
          chunkRows: 400,
        }),
        'rds/': null,
        'report/': null,
      });
      const run = await runCli(['migrate', '--sql-dir', dir, ...target(db)]);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(1);
      // 'person 1000' is 11 characters: the only name too long for varchar(10).
      expect(await count(db.knex, 'ods_people')).toBe(999);
      const error = (await historyMessages(db)).find((h) => h.startsWith('ods: error'));
      expect(error).toMatch(
        new RegExp(
          /task 020_people failed at .*020_people\.copy\.json: copy incomplete: people -> /.source +
            /ods_people: 1 rows rejected by the target/.source,
        ),
      );
      const rejects = await statusTable(db, 'DataMigrationCopyRejects').select('ReferenceId', 'Field');
      expect(rejects).toEqual([{ ReferenceId: '["1000"]', Field: 'name' }]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('"target" names another database: the rows go there, the ledger stays in the run\'s status schema', async () => {
      const dir = taskDir({
        'ods/010_people.copy.json': JSON.stringify({
          source: `sqlite:${source.file}`,
          target: 'env:DMR_COPY_TASK_TARGET',
          tables: ['people'],
          create: true,
        }),
        'rds/': null,
        'report/': null,
      });
      const run = await runCli(['migrate', '--sql-dir', dir, ...target(db)], {
        env: { DMR_COPY_TASK_TARGET: other.url },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(await count(other.knex, 'people')).toBe(1000);
      expect(await other.knex.schema.withSchema('App').hasTable('DataMigrationCopies')).toBe(false);
      const job = await statusTable(db, 'DataMigrationCopies').where({ TargetTable: 'people' }).first();
      expect(job).toMatchObject({ Status: 'success' });
      expect(String(job.SourceDisplay)).toBe(`sqlite:${source.file}`);
      const verify = await runCli([
        'verify',
        '--source',
        `sqlite:${source.file}`,
        '--target',
        other.url,
        '--table',
        'people',
      ]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    });
  },
);
