import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { latestRun, stageStatuses, target } from '../support/status-rows.js';
import { statusSnapshot, tableExists, taskDir } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const rest = { 'rds/010_ok.sql': 'select 1;\n', 'report/010_ok.sql': 'select 1;\n' };

describe.each(dialects)('one transaction per task (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'trx');
    expect((await runCli(['init', ...target(db)])).code).toBe(0);
  });
  afterAll(async () => db?.drop());

  it('a task with COMMIT in the middle is refused before it runs, naming the line; nothing is written', async () => {
    const before = await statusSnapshot(db);
    const dir = taskDir({
      'ods/010_commit.sql':
        'create table tc (x int);\ninsert into tc values (1);\ncommit;\ninsert into tc values (2);\nselect 1/0;\n',
      ...rest,
    });
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ods\/010_commit\.sql:3: COMMIT controls the transaction dmr runs each task in/);
    expect(result.stderr).toContain('-- dmr:no-transaction');
    expect(await tableExists(db, 'tc')).toBe(false);
    expect(await statusSnapshot(db)).toEqual(before);
  });

  it('with -- dmr:no-transaction the same kind of task runs, and a failure says what stayed committed', async () => {
    // dbgate reads a bare BEGIN; on SQLite as a BEGIN...END block, and MySQL has no BEGIN TRANSACTION.
    const begin = dialect === 'sqlite' ? 'begin transaction' : 'start transaction';
    const body = (table: string) =>
      `-- dmr:no-transaction\ncreate table ${table} (x int);\n${begin};\ninsert into ${table} ` +
      `values (1);\ncommit;\ninsert into ${table} values (2);\n`;
    const plan = await runCli([
      'migrate',
      '--plan',
      '--json',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_nt.sql': body('tn'), ...rest }),
    ]);
    expect(JSON.parse(plan.stdout).plan[0].tasks[0]).toMatchObject({
      transactional: false,
      atomic: false,
      nonAtomic: expect.stringContaining('runs without a transaction'),
    });
    const ok = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_nt.sql': body('tn'), ...rest }),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await db.knex('tn').select('x').orderBy('x')).map((r: { x: number }) => Number(r.x))).toEqual([1, 2]);

    const failing = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_nt.sql': `${body('tn2')}insert into no_such_table values (3);\n`, ...rest }),
    ]);
    expect(failing.code).toBe(1);
    expect(String((await latestRun(db))?.ErrorText)).toMatch(
      /010_nt\.sql:7: .*the statements before line 7 stay committed \(the task runs without a transaction\)/,
    );
    expect(Number((await db.knex('tn2').count({ n: '*' }))[0]?.n)).toBe(2);
  });

  it.runIf(dialect === 'postgres')(
    'a COMMIT inside a PL/pgSQL body is not transaction control of the task',
    async () => {
      const proc =
        'create procedure commits() language plpgsql as $$\nbegin\n  commit;\nend\n$$;\ncreate ' +
        'table after_proc (x int);\n';
      const result = await runCli([
        'migrate',
        ...target(db),
        '--sql-dir',
        taskDir({ 'ods/010_proc.sql': proc, ...rest }),
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(await tableExists(db, 'after_proc')).toBe(true);
    },
  );

  it.runIf(dialect === 'mysql')(
    'MySQL: a task mixing DDL and DML is marked not atomic, and its failure names what stayed committed',
    async () => {
      const task =
        'insert into mix values (1);\ncreate table mix_other (x int);\ninsert into mix values ' +
        '(2);\nselect * from no_such_table;\n';
      const dir = taskDir({ 'ods/010_mix_setup.sql': 'create table mix (x int);\n', 'ods/020_mix.sql': task, ...rest });
      const plan = JSON.parse((await runCli(['migrate', '--plan', '--json', ...target(db), '--sql-dir', dir])).stdout);
      expect(plan.plan[0].tasks[1]).toMatchObject({
        name: '020_mix',
        atomic: false,
        nonAtomic: expect.stringContaining('commits implicitly at line 2 (CREATE TABLE)'),
      });
      expect(plan.warnings).toContainEqual(expect.stringMatching(/020_mix\.sql is not atomic/));
      const result = await runCli(['migrate', ...target(db), '--sql-dir', dir]);
      expect(result.code).toBe(1);
      expect(String((await latestRun(db))?.ErrorText)).toMatch(
        new RegExp(
          /020_mix\.sql:4: .*the statements before line 4 stay committed: MySQL\/MariaDB /.source +
            /committed implicitly at line 2 \(CREATE TABLE\)/.source,
        ),
      );
      // What the message says is what the server did: both inserts are there.
      expect((await db.knex('mix').select('x').orderBy('x')).map((r: { x: number }) => r.x)).toEqual([1, 2]);
      expect(await stageStatuses(db)).toMatchObject({ 1: 4 });
    },
  );
});
