import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DialectAdapter } from '../../src/adapters/dialect-adapter.js';
import { MssqlAdapter } from '../../src/adapters/mssql/mssql-adapter.js';
import { MysqlAdapter } from '../../src/adapters/mysql/mysql-adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres/postgres-adapter.js';
import { SqliteAdapter } from '../../src/adapters/sqlite/sqlite-adapter.js';
import { parseDuration, parseSeconds } from '../../src/cli/parse-duration.js';
import { readTaskText, TaskEncodingError } from '../../src/core/tasks/read-task-text.js';
import { scanTask } from '../../src/core/tasks/scan-task.js';
import { firstInvalidUtf8 } from '../../src/core/tasks/utf8-check.js';

const pg = new PostgresAdapter();
const my = new MysqlAdapter();
const lite = new SqliteAdapter(':memory:');
const ms = new MssqlAdapter();
const kinds = (found: readonly { kind: string; keyword: string }[]) => found.map((f) => `${f.kind}:${f.keyword}`);

describe('transaction control in top-level statements', () => {
  it('PostgreSQL: COMMIT, ROLLBACK, BEGIN, END, ABORT are control; bodies in dollar quotes are not looked into', () => {
    for (const sql of [
      'COMMIT',
      'commit work',
      'end',
      'abort',
      'rollback',
      'begin',
      'begin isolation level serializable',
      'start transaction read write',
      "prepare transaction 'x'",
    ]) {
      expect(kinds(pg.classifyStatement(sql)), sql).toEqual([expect.stringMatching(/^control:/)]);
    }
    expect(pg.classifyStatement('-- a comment\n/* another */\n  commit')).toEqual([
      { kind: 'control', keyword: 'COMMIT', lineInStatement: 3 },
    ]);
    expect(pg.classifyStatement('create procedure p() language plpgsql as $$ begin commit; end $$')).toEqual([]);
    expect(pg.classifyStatement('do $$ begin insert into t values (1); commit; end $$')).toEqual([]);
    expect(pg.classifyStatement('insert into commit_log values (1)')).toEqual([]);
    expect(pg.classifyStatement('rollback to savepoint a')).toMatchObject([
      { kind: 'savepoint', savepoint: { action: 'use', name: 'a' } },
    ]);
    expect(pg.classifyStatement('savepoint a')).toMatchObject([
      { kind: 'savepoint', savepoint: { action: 'define', name: 'a' } },
    ]);
    expect(pg.classifyStatement('release a')).toMatchObject([
      { kind: 'savepoint', savepoint: { action: 'use', name: 'a' } },
    ]);
    expect(pg.classifyStatement('create table t (x int)')).toEqual([]);
  });

  it('MySQL/MariaDB: autocommit, LOCK TABLES, XA are control; DDL commits implicitly, temporary tables do not', () => {
    for (const sql of [
      'set autocommit = 0',
      'SET @@session.autocommit=1',
      'set session autocommit = 1',
      'lock tables t write',
      'unlock tables',
      "xa start 'x'",
      'start transaction',
      'begin work',
      'commit',
      'rollback work',
    ]) {
      expect(kinds(my.classifyStatement(sql)), sql).toEqual([expect.stringMatching(/^control:/)]);
    }
    expect(my.classifyStatement('begin not atomic select 1; end')).toEqual([]);
    expect(kinds(my.classifyStatement('create table x (a int)'))).toEqual(['implicit-commit:CREATE TABLE']);
    expect(kinds(my.classifyStatement('truncate table x'))).toEqual(['implicit-commit:TRUNCATE TABLE']);
    expect(my.classifyStatement('create temporary table x (a int)')).toEqual([]);
    expect(my.classifyStatement('drop temporary table x')).toEqual([]);
    expect(my.classifyStatement('insert into x values (1)')).toEqual([]);
    expect(my.classifyStatement('create procedure p() begin commit; end')).toMatchObject([{ kind: 'implicit-commit' }]);
  });

  it('SQLite: BEGIN, END, COMMIT are control; trigger bodies are not', () => {
    for (const sql of ['begin immediate', 'end transaction', 'commit', 'rollback'])
      expect(kinds(lite.classifyStatement(sql)), sql).toEqual([expect.stringMatching(/^control:/)]);
    expect(lite.classifyStatement('create trigger tr after insert on t begin delete from u; end')).toEqual([]);
  });

  it('T-SQL: every word of a GO batch outside strings, comments and [names]; procedure bodies are left alone', () => {
    expect(ms.classifyStatement('begin tran\ninsert into t values (1)\ncommit tran')).toEqual([
      { kind: 'control', keyword: 'BEGIN TRANSACTION', lineInStatement: 1 },
      { kind: 'control', keyword: 'COMMIT', lineInStatement: 3 },
    ]);
    expect(
      kinds(
        ms.classifyStatement('begin try\n select 1/0\nend try\nbegin catch\n if @@trancount > 0 rollback\nend catch'),
      ),
    ).toEqual(['control:ROLLBACK']);
    expect(ms.classifyStatement('create procedure p as begin commit end')).toEqual([]);
    expect(ms.classifyStatement('create or alter procedure dbo.p as begin rollback end')).toEqual([]);
    expect(ms.classifyStatement("select 'commit', [commit] from t -- commit\n/* rollback */")).toEqual([]);
    expect(ms.classifyStatement("exec('commit')")).toEqual([]);
    expect(kinds(ms.classifyStatement('save tran s1\nupdate t set x = 1\nrollback tran s1'))).toEqual([
      'savepoint:SAVE TRANSACTION',
      'savepoint:ROLLBACK TRANSACTION',
    ]);
    expect(kinds(ms.classifyStatement('set implicit_transactions on'))).toEqual(['control:SET IMPLICIT_TRANSACTIONS']);
  });
});

describe('scanning a task file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-scan-'));
  const scan = async (name: string, content: string | Buffer, adapter: DialectAdapter = pg, encoding = 'utf-8') => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return scanTask({ stage: 'ods', name, file, kind: 'sql' }, adapter, encoding);
  };

  it('refuses COMMIT in a transactional task, naming the line, and allows it with -- dmr:no-transaction', async () => {
    const body = 'create table tc (x int);\ninsert into tc values (1);\ncommit;\ninsert into tc values (2);\n';
    const refused = await scan('a.sql', body);
    expect(refused.refusals).toEqual([
      { line: 3, message: expect.stringContaining('COMMIT controls the transaction') },
    ]);
    const allowed = await scan('b.sql', `-- loads in pieces\n-- dmr:no-transaction\n${body}`);
    expect(allowed.refusals).toEqual([]);
    expect(allowed.transactional).toBe(false);
    expect(allowed.nonAtomic).toMatch(/runs without a transaction/);
    expect((await scan('c.sql', `-- dmr:no-transactions\n${body}`)).refusals[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining('unknown directive'),
    });
  });

  it('refuses a savepoint the task did not create, allows one it did', async () => {
    expect((await scan('d.sql', 'insert into t values (1);\nrollback to savepoint sp;\n')).refusals).toMatchObject([
      { line: 2 },
    ]);
    expect(
      (await scan('e.sql', 'savepoint sp;\ninsert into t values (1);\nrollback to savepoint sp;\nrelease sp;\n'))
        .refusals,
    ).toEqual([]);
  });

  it('marks a MySQL task that mixes DDL and DML as not atomic, naming the DDL', async () => {
    const s = await scan(
      'f.sql',
      'insert into t values (1);\ncreate table u (x int);\ninsert into u values (2);\n',
      my,
    );
    expect(s.nonAtomic).toMatch(/commits implicitly at line 2 \(CREATE TABLE\)/);
    expect(s.implicitCommits).toEqual([{ statement: 1, line: 2, keyword: 'CREATE TABLE' }]);
    expect((await scan('g.sql', 'insert into t values (1);\ncreate table u (x int);\n', pg)).nonAtomic).toBeNull();
    expect((await scan('h.sql', 'create table u (x int)', my)).nonAtomic).toBeNull();
  });

  it('refuses bytes that are not UTF-8 with the offset and line; reads them in a declared encoding', async () => {
    const latin1 = Buffer.from("select 1;\ninsert into t values ('caf\xe9');\n", 'latin1');
    const bad = await scan('i.sql', latin1);
    expect(bad.refusals).toEqual([
      { line: 2, message: expect.stringMatching(/not valid UTF-8: byte 0xE9 at byte offset 36 \(line 2\)/) },
    ]);
    const declared = await scan('j.sql', latin1, pg, 'windows-1252');
    expect(declared.refusals).toEqual([]);
    expect(declared.statements?.count).toBe(2);
  });
});

describe('reading task text', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-read-'));
  const read = async (content: Buffer, encoding = 'utf-8') => {
    const file = path.join(dir, `f${Math.random()}.sql`);
    writeFileSync(file, content);
    let text = '';
    for await (const chunk of readTaskText(file, encoding)) text += chunk;
    return text;
  };

  it('drops a leading BOM, keeps CR LF, and keeps characters cut by chunk ends', async () => {
    expect(await read(Buffer.from('\uFEFFselect 1;\r\nselect 2;\r\n'))).toBe('select 1;\r\nselect 2;\r\n');
    const big = `${'é€😀'.repeat(100_000)}\r\n`;
    expect(await read(Buffer.from(big))).toBe(big);
  });

  const invalidByteTitle =
    'names the first invalid byte: overlong forms, surrogates, past U+10FFFF, a character cut off at the end';
  it(invalidByteTitle, async () => {
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from('fine é €'))).toBe(-1);
    await expect(read(Buffer.from([0x61, 0x0a, 0x62, 0xe2, 0x82]))).rejects.toMatchObject({
      byteOffset: 3,
      line: 2,
      byte: 0xe2,
    });
    await expect(read(Buffer.concat([Buffer.alloc(300_000, 0x61), Buffer.from([0xff])]))).rejects.toBeInstanceOf(
      TaskEncodingError,
    );
  });
});

describe('limits of durations and counts', () => {
  it('refuses what a timer or a status column cannot hold, negatives and non-numbers', () => {
    expect(() => parseDuration('600h', '--task-timeout')).toThrow(/--task-timeout 600h is too long/);
    expect(parseDuration('596h', '--heartbeat')).toBe(596 * 3_600_000);
    expect(() => parseDuration('-1s', '--heartbeat')).toThrow(/not a duration/);
    expect(() => parseDuration('abc', '--heartbeat')).toThrow(/not a duration/);
    expect(() => parseDuration('0', '--task-timeout', 1)).toThrow(/too short/);
    expect(() => parseSeconds(-1, '--wait')).toThrow(/--wait must be a number of seconds, 0 or more \(got -1\)/);
    expect(() => parseSeconds(Number.NaN, '--wait')).toThrow(/must be a number of seconds/);
    expect(() => parseSeconds(3e6, '--wait')).toThrow(/too long/);
    expect(parseSeconds(30, '--wait')).toBe(30);
  });
});
