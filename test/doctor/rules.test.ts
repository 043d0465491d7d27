import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mysqlLockName } from '../../src/adapters/mysql/mysql-adapter.js';
import { fnv31 } from '../../src/adapters/raw-rows.js';
import { SqliteFileLock } from '../../src/adapters/sqlite/sqlite-file-lock.js';
import { adminKnex, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { deadPid, dmr, doctor, expectExit, fastDir, ids, setStage, table } from './doctor-support.js';

/** Every rule: the state is made with plain SQL, doctor must name it and exit accordingly. */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe.each(dialects)('doctor rules on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'rules');
    expectExit(await dmr(db, ['init']), 0);
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(async () => {
    await table(db, 'DataMigrationRuns').delete();
    await table(db, 'DataMigrationHistories').delete();
    for (const typeId of [1, 2, 3])
      await setStage(db, typeId, 1, { LastTriggerDate: null, LastDurationInSeconds: null });
  });

  it('healthy after init: exit 0, no findings', async () => {
    const { code, report } = await doctor(db);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      healthy: true,
      problems: 0,
      warnings: 0,
      findings: [],
      job: { runId: null, status: 'NotStarted' },
    });
  });

  it('stuck: a run record whose runner is dead', async () => {
    await setStage(db, 1, 5, { LastTriggerDate: hoursAgo(1) });
    await setStage(db, 2, 3, { LastTriggerDate: hoursAgo(1) });
    await table(db, 'DataMigrationRuns').insert({
      Command: 'migrate',
      JobStatus: 'Running',
      Stages: 'ods,rds,report',
      StartedAt: hoursAgo(1),
      HeartbeatAt: hoursAgo(1),
      HeartbeatIntervalMs: 5000,
      Host: os.hostname(),
      Pid: deadPid,
      UserName: 'alice',
      DbSessionId: dialect === 'sqlite' ? `${os.hostname()}:${deadPid}` : '999999',
      StopRequested: 0,
      PriorStatuses: '{}',
    });
    const { code, report, result } = await doctor(db);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(['stuck:rds']);
    const stuck = report.findings[0];
    expect(stuck?.message).toContain(`pid ${deadPid}`);
    expect(stuck?.evidence.liveness).toMatchObject({
      live: false,
      heartbeatStale: true,
      sessionAlive: false,
      holdsLock: false,
      processAlive: false,
    });
    expect(result.stdout).not.toBe('');
    const status = await dmr(db, ['status']);
    expect(status.stdout).toMatch(/doctor: 1 problem: run `dmr doctor --url \S+ --schema \S+`/);
  });

  it('stuck: Generate set the status, no run record, no busy session, triggered hours ago', async () => {
    await setStage(db, 2, 3, { LastTriggerDate: hoursAgo(3) });
    const { code, report } = await doctor(db);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(['stuck:rds']);
    expect(report.findings[0]?.evidence).toMatchObject({
      run: null,
      sessions: [],
      triggerAgeSeconds: expect.any(Number),
    });
    await setStage(db, 2, 3, { LastTriggerDate: new Date(Date.now() - 10_000) });
    const recent = await doctor(db);
    expect(recent.code).toBe(0);
    expect(ids(recent.report)).toEqual([]);
  });

  it('failed: a stage in error, with the last error from history', async () => {
    await setStage(db, 1, 5);
    await setStage(db, 2, 4);
    await table(db, 'DataMigrationHistories').insert({
      DataMigrationHistoryDate: new Date(),
      DataMigrationTypeId: 2,
      DataMigrationHistoryMessage:
        'rds: error: task 020_load failed at sql/rds/020_load.sql:3: [42P01] relation "x" does not exist',
    });
    const { code, report } = await doctor(db);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(['failed:rds']);
    expect(report.findings[0]?.message).toContain('relation "x" does not exist');
    expect(report.findings[0]?.action).toBe('dmr resume');
  });

  it('order: a later stage success while an earlier one is error; stale reports are a warning', async () => {
    await setStage(db, 1, 4);
    await setStage(db, 2, 5, { LastTriggerDate: hoursAgo(2) });
    const broken = await doctor(db);
    expect(broken.code).toBe(1);
    expect(ids(broken.report)).toEqual(['failed:ods', 'order:rds']);
    await setStage(db, 1, 5, { LastTriggerDate: hoursAgo(1) });
    const stale = await doctor(db);
    expect(stale.code).toBe(0);
    expect(stale.report.findings.map((f) => [f.id, f.severity])).toEqual([['order:stale:rds', 'warning']]);
  });

  it('schema: missing and unknown status codes, missing rows and stages', async () => {
    const success = await table(db, 'DataMigrationStatuses').where('DataMigrationStatusCode', 'success').first();
    await table(db, 'DataMigrationStatuses').where('DataMigrationStatusCode', 'success').delete();
    await setStage(db, 2, 9);
    const report3 = await table(db, 'DataMigrations').where('DataMigrationTypeId', 3).first();
    await table(db, 'DataMigrations').where('DataMigrationTypeId', 3).delete();
    try {
      const { code, report } = await doctor(db);
      expect(code).toBe(1);
      expect(ids(report)).toEqual([
        'schema:missing-row:report',
        'schema:missing-status:success',
        'schema:unknown-status:rds',
      ]);
      expect(report.findings.every((f) => f.severity === 'problem' && f.rule === 'schema')).toBe(true);
    } finally {
      await table(db, 'DataMigrationStatuses').insert(success);
      await table(db, 'DataMigrations').insert(report3);
    }
  });

  it('orphaned-lock: the run lock held by a session with no live run', async () => {
    const release = await holdRunLock(db);
    try {
      const { code, report } = await doctor(db);
      expect(code).toBe(1);
      expect(ids(report)).toEqual(['orphaned-lock']);
      expect(report.findings[0]?.action).toBe('dmr doctor --fix --yes --force');
      const withoutForce = await dmr(db, ['doctor', '--fix', '--yes']);
      expectExit(withoutForce, 1);
      expect(withoutForce.stdout).toContain('terminating a session needs --force');
      const forced = await dmr(db, ['doctor', '--fix', '--yes', '--force']);
      if (dialect === 'sqlite') {
        expectExit(forced, 1);
        expect(forced.stdout).toContain('could not terminate it');
      } else {
        expectExit(forced, 0);
        expect(forced.stdout).toMatch(/terminate server session \d+/);
        expect(ids((await doctor(db)).report)).toEqual([]);
      }
    } finally {
      await release();
    }
  });

  it('healthy after a real run: exit 0, no findings', async () => {
    expectExit(await dmr(db, ['migrate', '--sql-dir', fastDir]), 0);
    const { code, report } = await doctor(db);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
  });
});

/** Takes dmr's run lock the way a stray client or a pooler would, and returns how to let it go. */
async function holdRunLock(db: TestDatabase): Promise<() => Promise<void>> {
  if (db.dialect === 'sqlite') {
    const lock = new SqliteFileLock(`${db.url.slice('sqlite:'.length)}.dmr-lock`);
    expect(lock.tryAcquire()).toBe(true);
    return async () => lock.release();
  }
  const dialect = db.dialect as 'postgres' | 'mysql';
  const knex = adminKnex(dialect, db.url);
  const sql =
    dialect === 'postgres'
      ? `select pg_try_advisory_lock(${0x646d72}, ${fnv31(db.schema)}) as ok`
      : `select get_lock('${mysqlLockName(db.schema)}', 0) as ok`;
  const conn = await knex.client.acquireConnection();
  await knex.raw(sql).connection(conn);
  return async () => {
    await knex.client.releaseConnection(conn).catch(() => undefined);
    await knex.destroy().catch(() => undefined);
  };
}
