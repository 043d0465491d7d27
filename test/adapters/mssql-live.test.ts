import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyTable, KeyRange, LoadColumn } from '../../src/adapters/copy-dialect.js';
import { mssqlCopy } from '../../src/adapters/mssql/mssql-copy.js';
import { describeMssqlFailure, mssqlHashSession } from '../../src/adapters/mssql/mssql-row-hash-session.js';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase, type Database } from '../../src/core/database.js';
import { createTestDatabase, dialectsUnderTest, serverUrls, type TestDatabase } from '../support/databases.js';

// Live SQL Server: only with DMR_TEST_MSSQL_URL. They have not run yet (no SQL Server on the machine they were
// written on); the same paths are checked without a server in mssql-run-lock, mssql-cancel,
// verify-mssql-cancel and copy-mssql-cancel.test.ts.
const live = serverUrls.mssql
  ? await dialectsUnderTest(['mssql'])
  : (console.warn('skipping live SQL Server lock and cancel tests: set DMR_TEST_MSSQL_URL'), []);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitfor = "waitfor delay '00:00:30'";

describe.runIf(live.includes('mssql'))('SQL Server run lock and cancel, live', () => {
  let db: TestDatabase;
  let dmr: Database;
  beforeAll(async () => {
    db = await createTestDatabase('mssql', 'mslive');
    dmr = await openDatabase(await resolveConnection({ url: db.url }), { poolMax: 4 });
    await db.knex.raw('create table dbo.t (x int)');
  });
  afterAll(async () => {
    await dmr?.close().catch(() => undefined);
    await db?.drop();
  });

  /** Whether the server still has the session (polls a moment: a closed connection's session ends shortly after). */
  const sessionGone = async (id: string) => {
    for (let i = 0; i < 40; i++) {
      if (!(await dmr.adapter.session(db.knex, id))) return true;
      await sleep(50);
    }
    return false;
  };

  it('holds the applock on a session of its own, through churn and destruction of the pool', async () => {
    const other = await openDatabase(await resolveConnection({ url: db.url }), { poolMax: 3 });
    const lock = other.adapter.runLock(other.knex, 'App');
    expect(await lock.tryAcquire()).toBe(true);
    const holder = lock.sessionId ?? '';
    expect(holder).toMatch(/^\d+$/);
    // Every connection of knex's pool taken and given back, queries on each, then the pool destroyed.
    const taken = await Promise.all([1, 2, 3].map(() => other.knex.client.acquireConnection()));
    const pooled = await Promise.all(taken.map((c) => other.adapter.currentSessionId(other.knex, c)));
    expect(pooled).not.toContain(holder);
    for (const c of taken) await other.knex.client.releaseConnection(c);
    for (let i = 0; i < 20; i++) await other.knex.raw('select 1');
    await other.close();
    expect((await dmr.adapter.lockHolder(db.knex, 'App'))?.id).toBe(holder);
    const second = dmr.adapter.runLock(dmr.knex, 'App');
    expect(await second.tryAcquire()).toBe(false);
    await lock.release();
    expect(await dmr.adapter.lockHolder(db.knex, 'App')).toBeNull();
    expect(await sessionGone(holder)).toBe(true);
    expect(await second.tryAcquire()).toBe(true);
    await second.release();
  });

  it('cancels a running statement by the driver: ECANCEL within seconds, the session stays', async () => {
    const conn = await dmr.knex.client.acquireConnection();
    try {
      const id = await dmr.adapter.currentSessionId(dmr.knex, conn);
      const running = dmr.knex
        .raw(waitfor)
        .connection(conn)
        .then(
          () => null,
          (e: unknown) => e,
        );
      await sleep(300);
      const started = Date.now();
      await dmr.adapter.cancelStatement(dmr.knex, id, conn);
      expect(await running).toMatchObject({ code: 'ECANCEL' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await dmr.adapter.session(db.knex, id)).not.toBeNull();
      expect(await dmr.adapter.currentSessionId(dmr.knex, conn)).toBe(id);
    } finally {
      await dmr.knex.client.releaseConnection(conn);
    }
  });

  const stoppedTaskRollbackTitle =
    "a stopped task's transaction (rollback refused while the cancel is pending) is rolled back by the reset";
  it(stoppedTaskRollbackTitle, async () => {
    const conn = await dmr.knex.client.acquireConnection();
    try {
      const id = await dmr.adapter.currentSessionId(dmr.knex, conn);
      const trx: Knex.Transaction = await dmr.knex.transaction({ connection: conn });
      await trx.raw('insert into dbo.t values (1)');
      const running = trx.raw(waitfor).then(
        () => null,
        (e: unknown) => e,
      );
      await sleep(300);
      await dmr.adapter.cancelStatement(dmr.knex, id, conn);
      // As in the runner: the task's rollback comes before the server acknowledged the cancel.
      await trx.rollback().catch(() => undefined);
      await dmr.adapter.resetSession(dmr.knex, conn);
      expect(await running).toMatchObject({ code: 'ECANCEL' });
      expect(await db.knex('t').count({ n: '*' })).toEqual([{ n: 0 }]);
      expect(await dmr.adapter.currentSessionId(dmr.knex, conn)).toBe(id);
      // The connection takes a new transaction: tedious' transaction state matches the server's.
      await dmr.knex.transaction(async (t) => void (await t.raw('insert into dbo.t values (2)')), { connection: conn });
      expect(await db.knex('t').count({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      await dmr.knex.client.releaseConnection(conn);
      await db.knex.raw('delete from dbo.t');
    }
  });

  it("verify's hash session: cancel stops the query, the session stays and goes back to the pool", async () => {
    const session = await mssqlHashSession(dmr.knex);
    const [row] = await session.all('select @@spid as id');
    const id = String(row?.id);
    const query = session.all(`${waitfor}; select 1 as x`).then(
      () => null,
      (e: unknown) => e,
    );
    await sleep(300);
    const started = Date.now();
    await session.cancel();
    expect(describeMssqlFailure(await query).kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5_000);
    await session.release();
    expect(await dmr.adapter.session(db.knex, id)).not.toBeNull();
  });

  const copyCancelTitle =
    "copy's reader and writer cancel their own request by the driver: ECANCEL, both sessions stay and work on";
  it(copyCancelTitle, async () => {
    const table: CopyTable = {
      schema: 'dbo',
      name: 't',
      columns: [{ name: 'x', declared: 'int', type: { kind: 'integer', bytes: 4 }, nullable: true }],
      primaryKey: [],
      estimatedRows: null,
    };
    const key: LoadColumn[] = [{ name: 'x', declared: 'int', type: { kind: 'integer', bytes: 4 } }];
    const all: KeyRange = { kind: 'all', low: null, high: null };
    const range: KeyRange = { kind: 'range', low: ['1'], high: ['9'] };
    // Another session holds the table exclusively: the count (through an UPDLOCK read, blocked with or without
    // read committed snapshot) and the delete wait behind it until cancelled.
    const blocker = await db.knex.transaction();
    const reader = await mssqlCopy.openReader(dmr.knex);
    const writer = await mssqlCopy.openWriter(dmr.knex);
    try {
      await blocker.raw('select count(*) as n from dbo.t with (tablockx, holdlock)');
      const counting = reader.count(table, [], all, 'exists (select 1 from dbo.t u with (updlock, holdlock))').then(
        () => null,
        (e: unknown) => e,
      );
      await writer.begin();
      const deleting = writer.deleteRange('dbo', 't', key, range).then(
        () => null,
        (e: unknown) => e,
      );
      await sleep(300);
      const started = Date.now();
      await Promise.all([reader.cancel(), writer.cancel()]);
      expect(await counting).toMatchObject({ code: 'ECANCEL' });
      expect(await deleting).toMatchObject({ code: 'ECANCEL' });
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const id of [reader.sessionId, writer.sessionId])
        expect(await dmr.adapter.session(db.knex, id)).not.toBeNull();
      await writer.rollback();
      await blocker.rollback();
      expect(await reader.count(table, [], all)).toBe(0);
      await writer.begin();
      expect(await writer.deleteRange('dbo', 't', key, range)).toBe(0);
      await writer.commit();
    } finally {
      await blocker.rollback().catch(() => undefined);
      await reader.close(true);
      await writer.close(true);
    }
  });

  it("copy's table locks hold on a session of their own through churn and destruction of knex's pool", async () => {
    const other = await openDatabase(await resolveConnection({ url: db.url }), { poolMax: 2 });
    const locks = mssqlCopy.locks(other.knex, 'mslive');
    expect(await locks.tryAcquire('dbo.t')).toBe(true);
    const taken = await Promise.all([1, 2].map(() => other.knex.client.acquireConnection()));
    for (const c of taken) await other.knex.client.releaseConnection(c);
    for (let i = 0; i < 10; i++) await other.knex.raw('select 1');
    await other.close();
    const second = mssqlCopy.locks(dmr.knex, 'mslive');
    expect(await second.tryAcquire('dbo.t')).toBe(false);
    await locks.releaseAll();
    expect(await second.tryAcquire('dbo.t')).toBe(true);
    await second.releaseAll();
  });
});
