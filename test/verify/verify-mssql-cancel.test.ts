import { describe, expect, it } from 'vitest';
import { describeMssqlFailure, mssqlHashSession } from '../../src/adapters/mssql/mssql-row-hash-session.js';
import { FakeTedious, recordingKnex } from '../support/fake-tedious.js';

// No SQL Server runs on this machine. These check which connection verify's queries go to and how a cancel
// reaches the server, against a stand-in for tedious's Connection (test/support/fake-tedious.ts). That the
// server stops the query and keeps the session is tested live (mssql-live.test.ts, with DMR_TEST_MSSQL_URL).

describe('verify on SQL Server: one pinned connection, cancelled by the driver', () => {
  it('cancel stops the running query with ATTENTION, rolls its transaction back and keeps the connection', async () => {
    const conn = new FakeTedious();
    const { knex, sent, transactions, released } = recordingKnex(conn);
    const session = await mssqlHashSession(knex);
    const query = session.all('select slow').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await session.cancel();
    const error = await query;
    expect(describeMssqlFailure(error).kind).toBe('cancelled');
    await expect(session.all('select next')).rejects.toMatchObject({ code: 'DMR_CANCELLED' });
    await session.release();
    expect(conn.calls[0]).toBe('cancel');
    expect(sent).toEqual(['select slow', 'rollback']);
    expect(transactions).toEqual([conn]);
    expect(released).toEqual([conn]);
    expect((conn as { __knex__disposed?: unknown }).__knex__disposed).toBeUndefined();
  });

  it('every query of a session runs on the same connection', async () => {
    const { knex, transactions, released } = recordingKnex();
    const conn = {};
    (knex.client as unknown as { acquireConnection: () => Promise<unknown> }).acquireConnection = async () => conn;
    const session = await mssqlHashSession(knex);
    await session.all('select 1');
    await session.aggregate('select 2');
    for await (const _row of session.stream('select 3', 10));
    await session.release();
    expect(transactions).toEqual([conn, conn, conn]);
    expect(released).toEqual([conn]);
  });

  it('a stream left unread has its request cancelled before the rollback', async () => {
    const conn = new FakeTedious();
    const { knex, sent } = recordingKnex(conn);
    const session = await mssqlHashSession(knex);
    for await (const row of session.stream('select rows', 10)) {
      expect(row).toEqual({ n: 1 });
      break;
    }
    expect(conn.calls).toEqual(['cancel']);
    expect(sent).toEqual(['select rows', 'rollback']);
    expect(conn.state.name).toBe('LoggedIn');
    await session.release();
  });
});
