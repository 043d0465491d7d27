import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const servers = dialects.filter(
  (d): d is Exclude<DialectName, 'sqlite' | 'mssql'> => d === 'postgres' || d === 'mysql',
);

async function createTables(db: TestDatabase, changed: boolean): Promise<void> {
  await db.knex.raw('create table items (id integer primary key, name varchar(40), qty integer)');
  await db.knex.raw('create table codes (code varchar(20) not null, label varchar(40), unique (code))');
  await db.knex.raw('create table secret (id integer primary key, v integer)');
  await db.knex('items').insert(
    Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      name: changed && i + 1 === 5 ? 'alicia-target' : `name${i + 1}`,
      qty: i,
    })),
  );
  await db
    .knex('codes')
    .insert(
      Array.from({ length: 5 }, (_, i) => ({ code: `c${i}`, label: changed && i === 3 ? 'changed' : `label ${i}` })),
    );
  await db.knex('secret').insert({ id: 1, v: changed ? 2 : 1 });
}

/** A role that may only SELECT items and codes (and connect): the usual verification account. */
async function createReader(db: TestDatabase, name: string): Promise<string> {
  const u = new URL(db.url);
  if (db.dialect === 'postgres') {
    await db.knex.raw(`create role ${name} login password 'pw'`);
    await db.knex.raw(`grant connect on database "${u.pathname.slice(1)}" to ${name}`);
    await db.knex.raw(`grant usage on schema public to ${name}`);
    await db.knex.raw(`grant select on items, codes to ${name}`);
  } else {
    await db.knex.raw(`create user '${name}'@'%' identified by 'pw'`);
    for (const table of ['items', 'codes'])
      await db.knex.raw(`grant select on \`${u.pathname.slice(1)}\`.${table} to '${name}'@'%'`);
  }
  u.username = name;
  u.password = 'pw';
  return u.toString();
}

async function dropReader(db: TestDatabase, name: string): Promise<void> {
  if (db.dialect === 'postgres') {
    await db.knex.raw(`drop owned by ${name}`);
    await db.knex.raw(`drop role if exists ${name}`);
  } else await db.knex.raw(`drop user if exists '${name}'@'%'`);
}

for (const dialect of servers) {
  describe(`verify with a SELECT-only role (${dialect})`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    const reader = `dmr_ro_${randomBytes(3).toString('hex')}`;
    let sourceUrl: string;
    let targetUrl: string;
    beforeAll(async () => {
      source = await createTestDatabase(dialect, 'vperm_src');
      target = await createTestDatabase(dialect, 'vperm_tgt');
      await createTables(source, false);
      await createTables(target, true);
      sourceUrl = await createReader(source, `${reader}s`);
      targetUrl = await createReader(target, `${reader}t`);
    });
    afterAll(async () => {
      if (source) await dropReader(source, `${reader}s`).catch(() => undefined);
      if (target) await dropReader(target, `${reader}t`).catch(() => undefined);
      await source?.drop();
      await target?.drop();
    });

    it('reads the primary key of a keyed table and finds the changed row with both values', async () => {
      const run = await runCli(['verify', '--source', sourceUrl, '--target', targetUrl, '--table', 'items', '--json']);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(1);
      const items = JSON.parse(run.stdout).tables[0];
      expect(items).toMatchObject({
        table: 'items',
        comparison: 'key',
        key_columns: ['id'],
        difference_count: 1,
        missing_in_target: [],
        extra_in_target: [],
      });
      expect(items.changed).toEqual([{ key: { id: '5' }, columns: { name: ['name5', 'alicia-target'] } }]);
    });

    it('reads a unique NOT NULL key of a table without primary key', async () => {
      const run = await runCli(['verify', '--source', sourceUrl, '--target', targetUrl, '--table', 'codes', '--json']);
      expect(run.code).toBe(1);
      const codes = JSON.parse(run.stdout).tables[0];
      expect(codes).toMatchObject({
        comparison: 'key',
        key_columns: ['code'],
        changed: [{ key: { code: 'c3' }, columns: { label: ['label 3', 'changed'] } }],
      });
    });

    it('whole schema: a table the role cannot read is never silently left out', async () => {
      const run = await runCli(['verify', '--source', sourceUrl, '--target', targetUrl, '--json']);
      expect(run.code).toBe(1);
      const doc = JSON.parse(run.stdout);
      const names = doc.tables.map((t: { table: string }) => t.table);
      expect(names).toContain('items');
      expect(names).toContain('codes');
      if (dialect === 'postgres') {
        // PostgreSQL lists every table of the schema; MySQL shows a role only the tables it has a privilege on.
        expect(doc.tables.find((t: { table: string }) => t.table === 'secret')).toMatchObject({
          status: 'skipped',
          reason: 'no SELECT privilege on the source table',
        });
        expect(doc.tables_skipped).toBe(1);
      }
    });

    it("a table named with --table that the role cannot read: exit 2 with the database's reason, no SQL", async () => {
      const run = await runCli(['verify', '--source', sourceUrl, '--target', targetUrl, '--table', 'secret']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        dialect === 'postgres' ? /permission denied for table secret/ : /table "secret" not found/,
      );
      expect(run.stderr).not.toMatch(/select .* from/i);
    });
  });
}

for (const dialect of servers) {
  describe(`verify runs its queries read-only: --where cannot write (${dialect})`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vro');
      await db.knex.raw('create table items (id integer primary key, v integer)');
      await db.knex('items').insert([
        { id: 1, v: 1 },
        { id: 2, v: 2 },
      ]);
      await db.knex.raw('create table touched (id integer)');
      if (dialect === 'postgres') await db.knex.raw('create sequence dmr_seq');
      else
        await db.knex.raw(
          'create function dmr_touch() returns int modifies sql data ' +
            'begin insert into touched values (1); return 1; end',
        );
    });
    afterAll(async () => db?.drop());

    it('a writing --where is refused by the database and leaves nothing behind', async () => {
      const where = dialect === 'postgres' ? "nextval('dmr_seq') > 0" : 'dmr_touch() = 1';
      const run = await runCli([
        'verify',
        '--source',
        db.url,
        '--target',
        db.url,
        '--table',
        'items',
        '--where',
        where,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(dialect === 'postgres' ? /read-only transaction/ : /READ ONLY transaction/i);
      expect(run.stderr).toMatch(/on table items/);
      if (dialect === 'postgres') {
        const seq = await db.knex.raw('select is_called from dmr_seq');
        expect(seq.rows[0].is_called).toBe(false);
      }
      expect((await db.knex('touched').count('* as n'))[0]).toMatchObject({ n: dialect === 'postgres' ? '0' : 0 });
    });
  });
}
