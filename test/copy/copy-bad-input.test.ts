import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

/**
 * Bad input on SQLite and MariaDB (copy-input.test.ts covers MariaDB -> PostgreSQL): an unknown
 * table, a type with no mapping, identifiers that try SQL injection, a source equal to the
 * target. Each is exit 2 before anything is written: no target table, and no ledger either.
 */
const dialects = await dialectsUnderTest(['sqlite', 'mysql']);

async function tablesOf(db: TestDatabase): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const rows = (await db.knex.raw(`select name from sqlite_master where type = 'table' order by 1`)) as {
      name: string;
    }[];
    return rows.map((r) => r.name);
  }
  const [rows] = await db.knex.raw(
    'select table_name as name from information_schema.tables where table_schema = database() order by 1',
  );
  return (rows as { name: string }[]).map((r) => r.name);
}

describe.each(dialects)('dmr copy bad input with a %s source and target', (dialect) => {
  let source: TestDatabase;
  let target: TestDatabase;
  beforeAll(async () => {
    source = await createTestDatabase(dialect, 'cbi_src');
    target = await createTestDatabase(dialect, 'cbi_tgt');
    const odd = dialect === 'mysql' ? 'bits bit(8)' : 'odd whatever_type';
    await source.knex.raw(`create table people (id integer primary key, name varchar(20), ${odd})`);
    await source.knex.raw(`insert into people (id, name) values (1, 'a'), (2, 'b')`);
    await source.knex.raw('create table plain (id integer primary key, name varchar(20))');
    await source.knex.raw(`insert into plain values (1, 'a')`);
    await target.knex.raw('create table existing (id integer primary key)');
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  it('exits 2 naming the problem, and writes nothing in the target (not even the ledger)', async () => {
    const schema = ['--schema', dialect === 'mysql' ? `${target.schema}` : 'App'];
    const cases: [string[], RegExp][] = [
      [['--table', 'nosuch', '--create'], /table "nosuch" not found in the source/],
      [
        ['--table', 'people', '--create'],
        new RegExp(
          /no safe type mapping for a column; nothing was /.source +
            /copied:\n {2}people\.(bits: source type bit\(8\)|odd: source type whatever_type)/.source,
        ),
      ],
      [
        ['--table', 'plain;drop table plain', '--create'],
        /--table "plain;drop table plain" is not a plain table or column name/,
      ],
      [['--table', 'plain=x`; drop table plain; --', '--create'], /is not a plain table or column name/],
      [['--table', "plain=x'); drop table existing; --", '--create'], /is not a plain table or column name/],
      [['--table', 'plain', '--target-schema', 'a]b', '--create'], /--target-schema "a]b" is not a plain/],
      [
        ['--table', 'plain', '--create', '--cast', 'name=text); drop table existing; --'],
        /--cast name="text\); drop table existing; --" is not a/,
      ],
      [
        ['--table', 'plain', '--where', '1 = 1', '--create', '--truncate'],
        /--create and --truncate cannot be combined/,
      ],
    ];
    for (const [extra, message] of cases) {
      const run = await runCli(['copy', '--source', source.url, '--target', target.url, ...schema, ...extra]);
      expect(run.code, `${extra.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr, extra.join(' ')).toMatch(message);
      expect(run.stderr).not.toMatch(/internal error/);
    }
    expect(await tablesOf(target)).toEqual(['existing']);
    if (dialect === 'mysql') {
      const [ledger] = await target.knex.raw(
        'select count(*) as n from information_schema.schemata where schema_name = ?',
        [target.schema],
      );
      expect(ledger).toEqual([{ n: 0 }]);
    }
  }, 240_000);

  it('a source equal to the target (same database, same table) exits 2 and leaves the table as it was', async () => {
    for (const table of ['plain', 'plain=plain']) {
      const run = await runCli([
        'copy',
        '--source',
        source.url,
        '--target',
        source.url,
        '--table',
        table,
        '--truncate',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/the source and the target are the same table/);
    }
    expect(await source.knex('plain').select('id', 'name')).toEqual([{ id: 1, name: 'a' }]);
    expect(await tablesOf(source)).toEqual(['people', 'plain']);
  });
});
