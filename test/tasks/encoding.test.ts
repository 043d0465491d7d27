import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { target } from '../support/status-rows.js';
import { statusSnapshot, tableExists, taskDir } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const rest = { 'rds/010_ok.sql': 'select 1;\n', 'report/010_ok.sql': 'select 1;\n' };

describe.each(dialects)('bytes as written (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'bytes');
    expect((await runCli(['init', ...target(db)])).code).toBe(0);
  });
  afterAll(async () => db?.drop());

  const latin1 = Buffer.from("create table enc (v varchar(20));\ninsert into enc values ('caf\xe9');\n", 'latin1');

  it('a Latin-1 task file fails with the file and byte offset, and nothing is stored', async () => {
    const before = await statusSnapshot(db);
    const result = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_latin1.sql': latin1, ...rest }),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ods\/010_latin1\.sql:2: not valid UTF-8: byte 0xE9 at byte offset 62 \(line 2\)/);
    expect(result.stderr).toContain('--encoding');
    expect(await tableExists(db, 'enc')).toBe(false);
    expect(await statusSnapshot(db)).toEqual(before);
  });

  it('the same file read with --encoding latin1 stores the character it means', async () => {
    const result = await runCli([
      'migrate',
      ...target(db),
      '--encoding',
      'latin1',
      '--sql-dir',
      taskDir({ 'ods/010_latin1.sql': latin1, ...rest }),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await db.knex('enc').select('v')).toEqual([{ v: 'café' }]);
  });

  it('a task with a BOM and CR LF line ends runs; CR LF inside a value is kept', async () => {
    const task = Buffer.from(
      "\uFEFFcreate table crlf (v varchar(40));\r\ninsert into crlf values ('a\r\nb');\r\n",
      'utf8',
    );
    const result = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir({ 'ods/010_crlf.sql': task, ...rest }),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await db.knex('crlf').select('v')).toEqual([{ v: 'a\r\nb' }]);
  });

  it('an encoding Node.js does not know is exit 2', async () => {
    const result = await runCli([
      'migrate',
      ...target(db),
      '--encoding',
      'klingon',
      '--sql-dir',
      taskDir({ 'ods/010_ok.sql': 'select 1;\n', ...rest }),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--encoding "klingon" is not an encoding');
  });
});
