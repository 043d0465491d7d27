import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { CopyTable, LoadColumn } from '../../src/adapters/copy-dialect.js';
import { LineBatch } from '../../src/adapters/copy-line.js';
import { sessionCopyLocks } from '../../src/adapters/copy-locks.js';
import { mssqlCopy } from '../../src/adapters/mssql/mssql-copy.js';
import { mssqlReaderOn, mssqlWriterOn } from '../../src/adapters/mssql/mssql-copy-connection.js';
import { mssqlSelectSql } from '../../src/adapters/mssql/mssql-copy-io.js';
import { mssqlLockSession } from '../../src/adapters/mssql/mssql-lock-session.js';
import { mssqlCopyLockSql } from '../../src/adapters/mssql/mssql-sql.js';
import { FakeMssqlPool } from '../support/fake-mssql-pool.js';

// No SQL Server runs on this machine. These check, against a stand-in for a one-connection mssql pool
// (test/support/fake-mssql-pool.ts), that a signal reaches a copy reader's or writer's running request as
// the driver's cancel on that request (tedious then sends an ATTENTION on its own connection) and that no
// statement (no KILL) is sent for it, and where copy's table locks live. That SQL Server stops the statement
// and keeps the session is tested live (copy-mssql.test.ts and mssql-live.test.ts, with DMR_TEST_MSSQL_URL).

const table: CopyTable = {
  schema: 'dbo',
  name: 't',
  columns: [{ name: 'id', declared: 'int', type: { kind: 'integer', bytes: 4 }, nullable: false }],
  primaryKey: ['id'],
  estimatedRows: null,
};
const spec = { table, render: [null], key: ['id'], range: { kind: 'all' as const, low: null, high: null } };
const columns: LoadColumn[] = [{ name: 'id', declared: 'int', type: { kind: 'integer', bytes: 4 } }];

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

const failure = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

describe('dmr copy on SQL Server: a signal cancels the running request by the driver, never KILL', () => {
  it("a reader's streamed read: the request's own cancel, the read fails with ECANCEL, the session stays", async () => {
    const pool = new FakeMssqlPool({ holds: /^select .* from \[dbo\]\.\[t\]$/ });
    const reader = await mssqlReaderOn(pool);
    expect(reader.sessionId).toBe('61');
    const reading = failure(
      (async () => {
        for await (const _batch of reader.read(spec));
      })(),
    );
    await until(() => pool.busy === 1);
    await reader.cancel();
    expect(await reading).toMatchObject({ code: 'ECANCEL' });
    expect(pool.calls).toEqual(['cancel']);
    expect(pool.sent.map((s) => [s.sql, s.stream])).toEqual([
      ['select @@spid as id', false],
      [mssqlSelectSql(spec), true],
    ]);
    await reader.close(true);
    expect(pool.calls).toEqual(['cancel', 'close']);
  });

  it("a reader's count is cancelled the same way; with nothing running, cancel does nothing", async () => {
    const pool = new FakeMssqlPool({ holds: /count_big/ });
    const reader = await mssqlReaderOn(pool);
    await reader.cancel();
    expect(pool.calls).toEqual([]);
    const counting = failure(reader.count(table, ['id'], spec.range));
    await until(() => pool.busy === 1);
    await reader.cancel();
    expect(await counting).toMatchObject({ code: 'ECANCEL' });
    expect(pool.calls).toEqual(['cancel']);
    expect(pool.sent.map((s) => s.sql)).toEqual(['select @@spid as id', 'select count_big(*) as n from [dbo].[t]']);
    await reader.cancel();
    expect(pool.calls).toEqual(['cancel']);
  });

  const writerBulkLoadTitle =
    "a writer's bulk load in the chunk's transaction: its request is cancelled, then rolled back on the same session";
  it(writerBulkLoadTitle, async () => {
    const pool = new FakeMssqlPool({ holds: /^bulk / });
    const writer = await mssqlWriterOn(pool);
    await writer.begin();
    const load = writer.load('dbo', 't', columns);
    const writing = failure(load.write(LineBatch.of(['1', '2'])));
    await until(() => pool.busy === 1);
    // Before the cancel, mssql refuses the rollback: a request of the transaction is running.
    await writer.cancel();
    expect(await writing).toMatchObject({ code: 'ECANCEL' });
    // As copyChunk does once the load failed: abort, roll back, close the broken writer.
    await load.abort();
    await writer.rollback();
    await writer.close(true);
    expect(pool.calls).toEqual(['begin', 'cancel', 'rollback', 'close']);
    expect(pool.sent.map((s) => [s.kind, s.sql, s.inTransaction])).toEqual([
      ['query', 'select @@spid as id', false],
      ['bulk', 'bulk [dbo].[t]', true],
    ]);
  });

  it("a writer's delete of a range and its savepoints go through the same tracking", async () => {
    const pool = new FakeMssqlPool({ holds: /^delete / });
    const writer = await mssqlWriterOn(pool);
    await writer.begin();
    await writer.savepoint('dmr_copy');
    const deleting = failure(writer.deleteRange('dbo', 't', columns, { kind: 'range', low: ['1'], high: ['9'] }));
    await until(() => pool.busy === 1);
    await writer.cancel();
    expect(await deleting).toMatchObject({ code: 'ECANCEL' });
    await writer.rollback();
    expect(pool.calls).toEqual(['begin', 'cancel', 'rollback']);
    expect(pool.sent.map((s) => [s.kind, s.sql, s.inTransaction])).toEqual([
      ['query', 'select @@spid as id', false],
      ['batch', 'save transaction [dmr_copy]', true],
      ['query', 'delete from [dbo].[t] where [id] >= 1 and [id] < 9', true],
    ]);
  });

  it('the copy dialect has no cancel of a session by id (the KILL it sent is gone)', () => {
    expect('cancel' in mssqlCopy).toBe(false);
  });
});

describe("dmr copy's table locks on SQL Server: one mssql session of their own", () => {
  const sql = mssqlCopyLockSql('mssql://sa@db/shop');

  const applockTitle =
    'each applock is taken on the same pinned pool with the resource as @p0, released there, then the pool closed';
  it(applockTitle, async () => {
    const pools: FakeMssqlPool[] = [];
    const open = async () => {
      const pool = new FakeMssqlPool({ answer: [{ ok: 1 }] });
      pools.push(pool);
      return pool;
    };
    const locks = sessionCopyLocks(mssqlLockSession(open), sql);
    expect(await locks.tryAcquire('sales.orders')).toBe(true);
    expect(await locks.tryAcquire('sales.items')).toBe(true);
    expect(pools).toHaveLength(1);
    expect(pools[0]?.calls).toEqual([]);
    await locks.releaseAll();
    const resource = (name: string) => [['p0', `dmr-copy:mssql://sa@db/shop/${name}`]];
    expect(pools[0]?.sent.map((s) => [s.sql, s.inputs])).toEqual([
      [sql.acquire, resource('sales.orders')],
      [sql.acquire, resource('sales.items')],
      [sql.release, resource('sales.orders')],
      [sql.release, resource('sales.items')],
    ]);
    expect(pools[0]?.calls).toEqual(['close']);
    await locks.releaseAll();
    expect(pools).toHaveLength(1);
  });

  const lockHeldTitle =
    'a lock held by another session is refused; release then sends nothing for it and closes the session';
  it(lockHeldTitle, async () => {
    const pool = new FakeMssqlPool({ answer: [{ ok: 0 }] });
    const locks = sessionCopyLocks(
      mssqlLockSession(async () => pool),
      sql,
    );
    expect(await locks.tryAcquire('t')).toBe(false);
    await locks.releaseAll();
    expect(pool.sent.map((s) => s.sql)).toEqual([sql.acquire]);
    expect(pool.calls).toEqual(['close']);
  });

  it('the T-SQL: an exclusive session applock, never waiting, bound as @p0 and cut to 255 characters', () => {
    expect(sql.acquire).toBe(
      "declare @r int; exec @r = sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', " +
        "@LockOwner = 'Session', @LockTimeout = 0; select case when @r >= 0 then 1 else 0 end as ok",
    );
    expect(sql.release).toBe("exec sp_releaseapplock @Resource = @p0, @LockOwner = 'Session'");
    expect(sql.bindings('sales.orders')).toEqual(['dmr-copy:mssql://sa@db/shop/sales.orders']);
    expect(String(sql.bindings('x'.repeat(300))[0])).toHaveLength(255);
    expect([1, '1', 0, -1].map((ok) => sql.acquired({ ok }))).toEqual([true, true, false, false]);
  });

  it("mssqlCopy.locks connects a session of its own and never borrows one of knex's pool", async () => {
    const borrowed: unknown[] = [];
    const knex = {
      client: {
        connectionSettings: {
          server: '127.0.0.1',
          port: 1,
          user: 'sa',
          password: 'x',
          database: 'shop',
          options: { encrypt: false, connectTimeout: 3000 },
        },
        acquireConnection: async () => void borrowed.push('acquire'),
        releaseConnection: async () => undefined,
      },
      raw: async () => void borrowed.push('raw'),
    } as unknown as Knex;
    const locks = mssqlCopy.locks(knex, 'mssql://sa@127.0.0.1:1/shop');
    await expect(locks.tryAcquire('t')).rejects.toThrow(/127\.0\.0\.1:1|ECONNREFUSED/);
    await locks.releaseAll();
    expect(borrowed).toEqual([]);
  });
});
