import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { MssqlAdapter } from '../../src/adapters/mssql/mssql-adapter.js';
import { resetConnection, settleConnection } from '../../src/adapters/mssql/mssql-connection.js';
import type { Database } from '../../src/core/database.js';
import { RunStop } from '../../src/core/runner/run-stop.js';
import { FakeTedious, recordingKnex } from '../support/fake-tedious.js';

// No SQL Server runs on this machine. These check which path a task's cancel takes and what is sent, against
// a stand-in for tedious's Connection (test/support/fake-tedious.ts). That the server stops the statement and
// keeps the session is tested live (mssql-live.test.ts, with DMR_TEST_MSSQL_URL).

const adapter = new MssqlAdapter();

describe('SQL Server cancel by the driver, not KILL', () => {
  it("cancels a task's statement with tedious's cancel on its connection and sends no SQL", async () => {
    const { knex, sent } = recordingKnex();
    const conn = new FakeTedious();
    const running = conn.run();
    await adapter.cancelStatement(knex, '53', conn);
    expect(conn.calls).toEqual(['cancel']);
    expect(sent).toEqual([]);
    await expect(running).rejects.toMatchObject({ code: 'ECANCEL' });
    expect(conn.state.name).toBe('LoggedIn');
  });

  it('without the connection there is nothing to cancel with: it says so and sends no KILL', async () => {
    const { knex, sent } = recordingKnex();
    await expect(adapter.cancelStatement(knex, '53')).rejects.toThrow(/cancelled on their own connection/);
    expect(sent).toEqual([]);
  });

  it("a stop hands the task's connection to the adapter: the runner's stop path cancels by the driver", async () => {
    const { knex, sent } = recordingKnex();
    const conn = new FakeTedious();
    const warnings: string[] = [];
    const db = { adapter, knex } as unknown as Database;
    const stop = new RunStop(
      db,
      (event) => void (event.type === 'warning' && warnings.push(event.message)),
      () => undefined,
    );
    stop.running.sessionId = '53';
    stop.running.connection = conn;
    const running = conn.run();
    stop.request('signal', 'cancelled by signal SIGINT');
    await expect(running).rejects.toMatchObject({ code: 'ECANCEL' });
    expect(conn.calls).toEqual(['cancel']);
    expect(sent).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("KILL stays for doctor --force ending a dead runner's session, and never takes a non-number", async () => {
    const { knex, sent } = recordingKnex();
    await adapter.terminateSession(knex, '53');
    expect(sent).toEqual(['kill 53']);
    await expect(adapter.terminateSession(knex, '1; drop table x')).rejects.toThrow(/not a server session id/);
    expect(sent).toEqual(['kill 53']);
  });
});

describe("a stopped task's connection is settled before it goes back to the pool", () => {
  it('an idle connection outside a transaction is only reset', async () => {
    const conn = new FakeTedious();
    await adapter.resetSession({} as Knex, conn);
    expect(conn.calls).toEqual(['reset']);
  });

  const pendingCancelTitle =
    'a cancel not yet acknowledged is waited for, the open transaction rolled back, then the session reset';
  it(pendingCancelTitle, async () => {
    const conn = new FakeTedious(50);
    conn.inTransaction = true;
    void conn.run();
    conn.cancel();
    await resetConnection(conn);
    expect(conn.calls).toEqual(['cancel', 'rollback', 'reset']);
    expect(conn.inTransaction).toBe(false);
  });

  it('a statement still running (a stop that came between statements) is cancelled first', async () => {
    const conn = new FakeTedious();
    void conn.run();
    await resetConnection(conn);
    expect(conn.calls).toEqual(['cancel', 'reset']);
  });

  it('a closed connection or an unanswered cancel is refused, so the caller discards the connection', async () => {
    const closed = new FakeTedious();
    closed.state = { name: 'Final' };
    await expect(resetConnection(closed)).rejects.toThrow(/tedious state Final/);
    expect(closed.calls).toEqual([]);
    const unanswered = new FakeTedious(null);
    void unanswered.run();
    await expect(settleConnection(unanswered, 60)).rejects.toThrow(/still runs a request after 60 ms/);
    expect(unanswered.calls).toEqual(['cancel']);
  });
});
