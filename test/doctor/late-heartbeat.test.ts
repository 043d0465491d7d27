import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlLockName } from '../../src/adapters/mysql/mysql-adapter.js';
import { fnv31 } from '../../src/adapters/raw-rows.js';
import { SqliteFileLock } from '../../src/adapters/sqlite/sqlite-file-lock.js';
import { adminKnex, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { dmr, doctor, expectExit, historyMessages, ids, setStage, stageStatuses, table } from './doctor-support.js';

/**
 * A run whose session holds the run lock and whose process is alive is live, whatever its
 * heartbeat: an hour-old heartbeat is a warning, and neither doctor --fix nor reset touches the
 * run without --force.
 */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

describe.each(dialects)('a late heartbeat is a warning, not a death (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'late');
    expectExit(await dmr(db, ['init']), 0);
  });
  afterAll(async () => db?.drop());

  it('lock held by the run session, process alive, heartbeat an hour old: live; fixes refused', async () => {
    const { sessionId, release } = await holdRunLock(db);
    try {
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await setStage(db, 1, 5, { LastTriggerDate: anHourAgo });
      await setStage(db, 2, 3, { LastTriggerDate: anHourAgo });
      await setStage(db, 3, 2);
      await table(db, 'DataMigrationRuns').insert({
        Command: 'migrate',
        JobStatus: 'Running',
        Stages: 'ods,rds,report',
        CurrentStage: 'rds',
        CurrentTask: '010_busy',
        StartedAt: anHourAgo,
        HeartbeatAt: anHourAgo,
        HeartbeatIntervalMs: 1000,
        Host: os.hostname(),
        Pid: process.pid,
        UserName: 'alice',
        DbSessionId: sessionId,
        StopRequested: 0,
        PriorStatuses: '{}',
      });

      const { code, report } = await doctor(db);
      expect(code).toBe(0);
      expect(ids(report)).toEqual([expect.stringMatching(/^late-heartbeat:run-\d+$/)]);
      expect(report.findings[0]).toMatchObject({ severity: 'warning', stage: 'rds' });
      expect(report.findings[0]?.evidence.liveness).toMatchObject({
        live: true,
        heartbeatStale: true,
        holdsLock: true,
        processAlive: true,
        deadBecause: [],
      });
      expect(report.job).toMatchObject({ status: 'Running', live: true, allowedActions: ['stop'] });

      const fix = await dmr(db, ['doctor', '--fix', '--yes']);
      expectExit(fix, 3);
      const reset = await dmr(db, ['reset', '--stage', 'rds', '--to', 'error', '--yes']);
      expectExit(reset, 3);
      expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'processing', report: 'pending' });
      expect((await historyMessages(db)).filter((h) => /^(doctor|reset)/.test(h))).toEqual([]);
      const open = await table(db, 'DataMigrationRuns').whereNull('FinishedAt').first();
      expect(open).toMatchObject({ JobStatus: 'Running' });
    } finally {
      await release();
    }
  });
});

/** Takes dmr's run lock on a connection of the test's own and returns its server session id. */
async function holdRunLock(db: TestDatabase): Promise<{ sessionId: string; release: () => Promise<void> }> {
  if (db.dialect === 'sqlite') {
    const lock = new SqliteFileLock(`${db.url.slice('sqlite:'.length)}.dmr-lock`);
    expect(lock.tryAcquire()).toBe(true);
    return { sessionId: `${os.hostname()}:${process.pid}`, release: async () => lock.release() };
  }
  const dialect = db.dialect as 'postgres' | 'mysql';
  const knex = adminKnex(dialect, db.url);
  const sql =
    dialect === 'postgres'
      ? `select pg_try_advisory_lock(${0x646d72}, ${fnv31(db.schema)}) as ok, pg_backend_pid() as id`
      : `select get_lock('${mysqlLockName(db.schema)}', 0) as ok, connection_id() as id`;
  const conn = await knex.client.acquireConnection();
  const result = await knex.raw(sql).connection(conn);
  const row = dialect === 'postgres' ? result.rows[0] : result[0][0];
  return {
    sessionId: String(row.id),
    release: async () => {
      await knex.client.releaseConnection(conn).catch(() => undefined);
      await knex.destroy().catch(() => undefined);
    },
  };
}
