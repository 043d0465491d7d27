import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { target } from '../support/status-rows.js';
import { tableExists, taskDir } from './task-support.js';

/**
 * On PostgreSQL a transactional task's statements go to the server in batches (up to 1,000
 * statements or 64 KB in one round trip, executeBatchOn). What a user sees must not change: a
 * failure deep inside a batch names its own statement and line (a syntax error too, which
 * PostgreSQL finds before it runs any statement of the batch), nothing of the task remains, and
 * text around statements (comments, dollar quotes, a last line without a newline) runs as written.
 */
const dialects = await dialectsUnderTest(['postgres']);
const rest = { 'rds/010_ok.sql': 'select 1;\n', 'report/010_ok.sql': 'select 1;\n' };

describe.each(dialects)('statement batches (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'batches');
  });
  afterAll(async () => db?.drop());

  const failureLineTitle =
    'a failure at statement 1,500 of 2,000 names line 1,501 and its message; nothing of the task remains';
  it(failureLineTitle, async () => {
    const inserts = Array.from({ length: 2000 }, (_, i) => `insert into tb values (${i === 1499 ? 7 : i + 1});`);
    const dir = taskDir({
      'ods/010_many.sql': `create table tb (x int primary key);\n${inserts.join('\n')}\n`,
      ...rest,
    });
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir, '--json']);
    expect(result.code, result.stderr).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(JSON.stringify(doc)).toContain('010_many.sql:1501');
    expect(JSON.stringify(doc)).toMatch(/duplicate key value violates unique constraint/);
    expect(await tableExists(db, 'tb')).toBe(false);
  });

  it('a syntax error on line 703, in a statement that starts on line 702, is named there; nothing ran', async () => {
    const before = Array.from({ length: 700 }, (_, i) => `insert into ts values (${i});`);
    const sql = `create table ts (x int);\n${before.join('\n')}\nselect\n  1 from from ts;\n${before.join('\n')}\n`;
    const dir = taskDir({ 'ods/010_syntax.sql': sql, ...rest });
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir, '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('010_syntax.sql:703');
    expect(result.stdout).toMatch(/syntax error at or near/);
    expect(await tableExists(db, 'ts')).toBe(false);
  });

  const commentsAndDollarQuotesTitle =
    'comments between statements, dollar-quoted bodies with semicolons and a last line without a newline run';
  it(commentsAndDollarQuotesTitle, async () => {
    const sql = [
      'create table tc (x int); -- a comment after a statement',
      '/* a block comment; with a semicolon */',
      'create function tc_add(n int) returns void language plpgsql as $$ begin insert into tc values (n); end; $$;',
      ...Array.from({ length: 300 }, (_, i) => `select tc_add(${i});`),
      'insert into tc values (1000) -- the last line ends in a comment and no newline',
    ].join('\n');
    const dir = taskDir({ 'ods/010_text.sql': sql, ...rest });
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(Number((await db.knex('tc').count({ n: '*' }))[0]?.n)).toBe(301);
  });

  it('a setting made by a statement applies to the next ones in the same batch (statement_timeout)', async () => {
    const sql =
      `${Array.from({ length: 20 }, () => 'select 1;').join('\n')}\nset local statement_timeout = ` +
      `'200ms';\nselect pg_sleep(3);\n`;
    const dir = taskDir({ 'ods/010_timeout.sql': sql, ...rest });
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('010_timeout.sql:22');
    expect(result.stdout).toMatch(/statement timeout/);
  });
});
