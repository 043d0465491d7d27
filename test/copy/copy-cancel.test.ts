import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyTable, KeyRange, LoadColumn } from '../../src/adapters/copy-dialect.js';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

// A copy reader's and writer's cancel() on live servers: the statement running on its own connection stops
// with the server's cancel error within seconds, and the connection works on (PostgreSQL: pg_cancel_backend
// from a client of its own; MySQL/MariaDB: KILL QUERY). SQL Server's is in mssql-live.test.ts (needs
// DMR_TEST_MSSQL_URL); SQLite has nothing to cancel.
const servers = await dialectsUnderTest(['postgres', 'mysql']);

/** The server's answer to a cancelled statement: PostgreSQL 57014, MySQL/MariaDB ER_QUERY_INTERRUPTED (1317). */
const cancelled = /canceling statement due to user request|Query execution was interrupted/;
/** A condition that keeps a statement running for 30 s. */
const slow = { postgres: 'pg_sleep(30) is not null', mysql: 'sleep(30) = 0' } as const;

const table: CopyTable = {
  name: 't',
  columns: [{ name: 'id', declared: 'integer', type: { kind: 'integer', bytes: 4 }, nullable: false }],
  primaryKey: ['id'],
  estimatedRows: null,
};
const key: LoadColumn[] = [{ name: 'id', declared: 'integer', type: { kind: 'integer', bytes: 4 } }];
const all: KeyRange = { kind: 'all', low: null, high: null };
const range: KeyRange = { kind: 'range', low: ['1'], high: ['9'] };
const settled = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

describe.each(servers as ('postgres' | 'mysql')[])('copy cancel on %s, live', (dialect) => {
  let db: TestDatabase;
  const copy = dialectNamed(dialect).copy;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'ccancel');
    await db.knex.raw('create table t (id integer primary key)');
    await db.knex.raw('insert into t values (5)');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("a reader's running query stops with the server's cancel error; the reader counts again after", async () => {
    const reader = await copy.openReader(db.knex);
    try {
      const counting = settled(reader.count(table, [], all, slow[dialect]));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await reader.cancel();
      expect(String((await counting) as Error)).toMatch(cancelled);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await reader.count(table, [], all)).toBe(1);
    } finally {
      await reader.close();
    }
  });

  const writerLockWaitTitle =
    "a writer's statement waiting for a row lock stops; its transaction rolls back and the writer works on";
  it(writerLockWaitTitle, async () => {
    const writer = await copy.openWriter(db.knex);
    const holder = await db.knex.transaction();
    try {
      await holder.raw('select id from t where id = 5 for update');
      await writer.begin();
      const deleting = settled(writer.deleteRange(undefined, 't', key, range));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await writer.cancel();
      expect(String((await deleting) as Error)).toMatch(cancelled);
      expect(Date.now() - started).toBeLessThan(5_000);
      await writer.rollback();
      await holder.rollback();
      await writer.begin();
      expect(await writer.deleteRange(undefined, 't', key, range)).toBe(1);
      await writer.rollback();
    } finally {
      await holder.rollback().catch(() => undefined);
      await writer.close(true);
    }
  });
});
