import knexFactory from 'knex';
import type Mssql from 'mssql';
import { describe, expect, it } from 'vitest';
import { mssqlLockSession } from '../../src/adapters/mssql/mssql-lock-session.js';
import { mssqlPoolConfig, pinnedPoolConfig } from '../../src/adapters/mssql/mssql-pool.js';
import { mssqlRunLockSql, mssqlSql } from '../../src/adapters/mssql/mssql-sql.js';
import { sessionRunLock } from '../../src/adapters/session-run-lock.js';

// No SQL Server runs on this machine: these check how the run lock's session is built and what it is sent.
// That SQL Server grants and keeps the lock is tested live (mssql-live.test.ts, with DMR_TEST_MSSQL_URL).

const knex = knexFactory({
  client: 'mssql',
  connection: {
    server: 'sqlhost',
    port: 1444,
    user: 'etl',
    password: 's3cret',
    database: 'generate',
    requestTimeout: 0,
    options: { appName: 'dmr migrate', encrypt: true },
  },
});

/** An mssql pool stand-in: records the inputs and text of every request, answers the acquire with `result`. */
function recordingPool(result: number) {
  const sent: { pool: number; inputs: [string, unknown][]; sql: string }[] = [];
  const closed: number[] = [];
  let pools = 0;
  const open = async () => {
    const pool = ++pools;
    return {
      request() {
        const inputs: [string, unknown][] = [];
        const request = {
          input(name: string, value: unknown) {
            inputs.push([name, value]);
            return request;
          },
          async query(sql: string) {
            sent.push({ pool, inputs, sql });
            return { recordset: sql === mssqlSql.acquireLock ? [{ result, id: 60 + pool }] : [] };
          },
        };
        return request as unknown as Mssql.Request;
      },
      async close() {
        closed.push(pool);
      },
    };
  };
  return { open, sent, closed };
}

describe('SQL Server run lock on a pinned mssql session', () => {
  it('the pinned pool holds exactly one connection, never reaped or validated away, with knex settings', () => {
    const config = pinnedPoolConfig(knex);
    expect(config.pool).toEqual({ min: 1, max: 1, idleTimeoutMillis: 2 ** 31 - 1 });
    expect(config.validateConnection).toBe(false);
    expect(config).toMatchObject({
      server: 'sqlhost',
      port: 1444,
      user: 'etl',
      database: 'generate',
      requestTimeout: 0,
      options: { appName: 'dmr migrate', encrypt: true },
    });
  });

  it('copies the password knex hides from enumeration (a spread of its settings drops it)', () => {
    expect({ ...knex.client.connectionSettings }.password).toBeUndefined();
    expect(mssqlPoolConfig(knex, { max: 1 }).password).toBe('s3cret');
    expect(pinnedPoolConfig(knex).password).toBe('s3cret');
  });

  it('acquires and releases on the same pinned pool, binding the resource as @p0, then closes it', async () => {
    const { open, sent, closed } = recordingPool(0);
    const lock = sessionRunLock(mssqlLockSession(open), mssqlRunLockSql('App'));
    expect(await lock.tryAcquire()).toBe(true);
    expect(lock.sessionId).toBe('61');
    expect(closed).toEqual([]);
    await lock.release();
    expect(sent).toEqual([
      { pool: 1, inputs: [['p0', 'dmr:App']], sql: mssqlSql.acquireLock },
      { pool: 1, inputs: [['p0', 'dmr:App']], sql: mssqlSql.releaseLock },
    ]);
    expect(closed).toEqual([1]);
  });

  it('sp_getapplock answering -1 (timeout: held by another session) closes the pool at once', async () => {
    const { open, sent, closed } = recordingPool(-1);
    const lock = sessionRunLock(mssqlLockSession(open), mssqlRunLockSql('App'));
    expect(await lock.tryAcquire()).toBe(false);
    expect(lock.sessionId).toBeNull();
    expect(sent.map((s) => s.sql)).toEqual([mssqlSql.acquireLock]);
    expect(closed).toEqual([1]);
  });

  it('sp_getapplock answering 1 (granted after waiting) counts as held', () => {
    const { acquired } = mssqlRunLockSql('App');
    expect([1, 0, -1, -2, -3, -999].map((result) => acquired({ result }))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
