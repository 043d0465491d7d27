import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { relayTo } from './verify-relay.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const generatedSql = /select .* from /i;

for (const dialect of dialects) {
  describe(`a verify query the database refuses is reported by its cause, table and column (${dialect})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vref');
      await db.knex.raw('create table items (id integer primary key, v integer)');
      await db.knex('items').insert([
        { id: 1, v: 1 },
        { id: 2, v: 2 },
      ]);
    });
    afterAll(async () => db?.drop());

    it('a --where naming a missing column: exit 2, the cause and the table, the SQL only with --verbose', async () => {
      const args = ['verify', '--source', db.url, '--target', db.url, '--table', 'items', '--where', 'nope > 0'];
      const run = await runCli(args);
      expect(run.code).toBe(2);
      const cause = {
        postgres: /column "nope" does not exist \(42703\)/,
        mysql: /Unknown column 'nope' in '(where clause|WHERE)' \(ER_BAD_FIELD_ERROR, 1054, SQLSTATE 42S22\)/,
        sqlite: /no such column: nope \(SQLITE_ERROR\)/,
      }[dialect as 'postgres'];
      expect(run.stderr).toMatch(/database refused a verify query on table items/);
      expect(run.stderr).toMatch(cause);
      if (dialect === 'postgres') expect(run.stderr).toMatch(/on table items \(in --where\)/);
      expect(run.stderr).not.toMatch(generatedSql);
      expect(run.stderr.length).toBeLessThan(600);
      const verbose = await runCli([...args, '--verbose']);
      expect(verbose.code).toBe(2);
      expect(verbose.stderr).toMatch(/generated SQL:\n/);
      expect(verbose.stderr).toMatch(generatedSql);
    });
  });
}

describe.runIf(dialects.includes('postgres'))('a value the canonical form refuses names its column (postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'vref_val');
    // numeric against double precision: compared as doubles, which 1e310 is too large for.
    await db.knex.raw('create table shifts (id integer primary key, v integer, at numeric)');
    await db.knex.raw('create table shifts6 (id integer primary key, v integer, at double precision)');
    await db.knex.raw(`insert into shifts values (1, 1, 1.5), (2, 2, 1e310)`);
    await db.knex.raw(`insert into shifts6 values (1, 1, 1.5), (2, 2, 'Infinity')`);
    await db.knex.raw('create table plain (id integer primary key, v integer)');
  });
  afterAll(async () => db?.drop());

  it('named with --table: exit 2 naming table, column and cause', async () => {
    const run = await runCli(['verify', '--source', db.url, '--target', db.url, '--table', 'shifts=shifts6']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /refused a verify query on table shifts, column at: "10+" is out of range for type double precision \(22003\)/,
    );
    expect(run.stderr).toMatch(/--exclude-columns shifts\.at/);
    expect(run.stderr).not.toMatch(generatedSql);
  });

  it('whole schema: that table is skipped with the same reason and the others compared', async () => {
    await db.knex.raw('alter table shifts6 rename to shifts_b');
    await db.knex.raw('create schema other');
    await db.knex.raw('create table other.shifts (id integer primary key, v integer, at double precision)');
    await db.knex.raw('insert into other.shifts select * from shifts_b');
    await db.knex.raw('create table other.plain (id integer primary key, v integer)');
    const run = await runCli([
      'verify',
      '--source',
      db.url,
      '--target',
      db.url,
      '--target-schema',
      'other',
      '--exclude-table',
      'shifts_b',
      '--json',
    ]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.status).toBe('incomplete');
    expect(doc.tables.find((t: { table: string }) => t.table === 'plain')).toMatchObject({ status: 'equal' });
    expect(doc.tables.find((t: { table: string }) => t.table === 'shifts')).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/on table shifts, column at: "10+" is out of range for type double precision/),
    });
  });
});

for (const dialect of dialects.filter((d) => d !== 'sqlite')) {
  describe(`a connection lost part-way is a connection error, not a refusal (${dialect})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vref_lost');
      await db.knex.raw('create table items (id integer primary key, v integer)');
      await db.knex('items').insert(Array.from({ length: 200 }, (_, i) => ({ id: i + 1, v: i })));
    });
    afterAll(async () => {
      const sql =
        dialect === 'postgres'
          ? `select pg_cancel_backend(pid) from pg_stat_activity
              where datname = current_database() and query like '%sleep(0.05)%' and pid <> pg_backend_pid()`
          : '';
      if (sql) await db?.knex.raw(sql);
      else if (db)
        for (const { id } of (
          await db.knex.raw(
            `select id from information_schema.processlist where db = database() and info like ` +
              `'%sleep(0.05)%' and id <> connection_id()`,
          )
        )[0] as { id: number }[])
          await db.knex.raw(`kill query ${Number(id)}`);
      await db?.drop();
    });

    it('the connection cut during the hash query: exit 2 saying the connection failed', async () => {
      const relay = await relayTo(Number(new URL(db.url).port || (dialect === 'postgres' ? 5432 : 3306)));
      try {
        const via = new URL(db.url);
        via.port = String(relay.port);
        const where = dialect === 'postgres' ? 'pg_sleep(0.05) is not null' : 'sleep(0.05) = 0';
        const cli = startCli([
          'verify',
          '--source',
          db.url,
          '--target',
          via.toString(),
          '--table',
          'items',
          '--where',
          where,
        ]);
        const running =
          dialect === 'postgres'
            ? `select count(*) as n from pg_stat_activity where datname = current_database()
                and state = 'active' and query like '%pg_sleep(0.05)%' and query not like '%pg_stat_activity%'`
            : `select count(*) as n from information_schema.processlist where db = database()
                and info like '%sleep(0.05)%' and info not like '%processlist%'`;
        const count = async () => {
          const r = await db.knex.raw(running);
          return Number((dialect === 'postgres' ? r.rows : r[0])[0].n);
        };
        for (const until = Date.now() + 30_000; (await count()) < 2 && Date.now() < until;)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await count()).toBe(2);
        relay.cut();
        const result = await cli.done;
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/verifying items failed: the target database connection failed/);
        expect(result.stderr).not.toMatch(/internal error/);
      } finally {
        relay.close();
      }
    });
  });
}
