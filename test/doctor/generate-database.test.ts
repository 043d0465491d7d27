import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { dmr, doctor, expectExit, historyMessages, ids, stageStatuses, table } from './doctor-support.js';

/**
 * A database shaped like CEDS Generate: its four tables made by plain SQL (no dmr tables, no run
 * records), a stage left processing for hours. doctor must judge it by LastTriggerDate and the
 * server's sessions, and `reset --all --to success` must be the audited form of the manual reset.
 */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

const ddl = {
  sqlite: { id: 'integer primary key autoincrement', ts: 'text', text: 'text' },
  postgres: { id: 'serial primary key', ts: 'timestamptz', text: 'text' },
  mysql: { id: 'int auto_increment primary key', ts: 'datetime(3)', text: 'text' },
} as const;

async function createGenerateTables(db: TestDatabase): Promise<void> {
  const d = ddl[db.dialect as keyof typeof ddl];
  const c = (name: string) => (db.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const q = (name: string) =>
    db.dialect === 'sqlite'
      ? `"${name}"`
      : db.dialect === 'mysql'
        ? `\`${db.schema}\`.\`${name}\``
        : `"${db.schema}"."${name}"`;
  if (db.dialect === 'postgres') await db.knex.raw(`create schema "${db.schema}"`);
  if (db.dialect === 'mysql') await db.knex.raw(`create database \`${db.schema}\``);
  await db.knex.raw(
    `create table ${q('DataMigrationStatuses')} (${c('DataMigrationStatusId')} int primary key, ` +
      `${c('DataMigrationStatusCode')} varchar(50) not null, ${c('DataMigrationStatusName')} ` +
      `varchar(100) not null)`,
  );
  await db.knex.raw(
    `create table ${q('DataMigrationTypes')} (${c('DataMigrationTypeId')} int primary key, ` +
      `${c('DataMigrationTypeCode')} varchar(50) not null, ${c('DataMigrationTypeName')} ` +
      `varchar(100) not null)`,
  );
  await db.knex.raw(
    `create table ${q('DataMigrations')} (${c('DataMigrationId')} ${d.id}, ` +
      `${c('DataMigrationStatusId')} int not null, ${c('DataMigrationTypeId')} int not null, ` +
      `${c('LastDurationInSeconds')} int null, ${c('LastTriggerDate')} ${d.ts} null, ` +
      `${c('UserName')} varchar(100) null, ${c('DataMigrationTaskList')} ${d.text} null)`,
  );
  await db.knex.raw(
    `create table ${q('DataMigrationHistories')} (${c('DataMigrationHistoryId')} ${d.id}, ` +
      `${c('DataMigrationHistoryDate')} ${d.ts} not null, ${c('DataMigrationTypeId')} int null, ` +
      `${c('DataMigrationHistoryMessage')} ${d.text} not null)`,
  );
  await table(db, 'DataMigrationStatuses').insert(
    ['initial', 'pending', 'processing', 'error', 'success'].map((code, i) => ({
      DataMigrationStatusId: i + 1,
      DataMigrationStatusCode: code,
      DataMigrationStatusName: code,
    })),
  );
  await table(db, 'DataMigrationTypes').insert(
    ['ods', 'rds', 'report'].map((code, i) => ({
      DataMigrationTypeId: i + 1,
      DataMigrationTypeCode: code,
      DataMigrationTypeName: code.toUpperCase(),
    })),
  );
  const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000);
  const at = (date: Date) => (db.dialect === 'sqlite' ? date.getTime() : date);
  await table(db, 'DataMigrations').insert([
    {
      DataMigrationStatusId: 5,
      DataMigrationTypeId: 1,
      LastDurationInSeconds: 120,
      LastTriggerDate: at(new Date(threeHoursAgo.getTime() - 200_000)),
      UserName: 'generate',
    },
    {
      DataMigrationStatusId: 3,
      DataMigrationTypeId: 2,
      LastDurationInSeconds: 600,
      LastTriggerDate: at(threeHoursAgo),
      UserName: 'generate',
    },
    {
      DataMigrationStatusId: 2,
      DataMigrationTypeId: 3,
      LastDurationInSeconds: 300,
      LastTriggerDate: null,
      UserName: 'generate',
    },
  ]);
}

describe.each(dialects)('a Generate-shaped database on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'generate');
    await createGenerateTables(db);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.skipIf(dialect === 'sqlite')(
    'a busy session of the user in the database means Generate is still working: overdue, not stuck',
    async () => {
      // Busy for longer than doctor can take to start on a loaded machine; ended as soon as doctor has looked.
      const busy = db.knex
        .raw(dialect === 'postgres' ? 'select pg_sleep(60)' : 'select sleep(60)')
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { code, report } = await doctor(db);
      await endBusySession(db);
      await busy;
      expect(code, JSON.stringify(report.findings, null, 1)).toBe(0);
      expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['overdue:rds', 'warning']]);
      expect((report.findings[0]?.evidence.sessions as unknown[]).length).toBeGreaterThan(0);
    },
  );

  it('doctor reports the stuck stages; reset --all --to success repairs them with an audit trail', async () => {
    const { code, report } = await doctor(db);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(['stuck:rds', 'stuck:report']);
    expect(report.job).toMatchObject({ runId: null, status: 'NotStarted' });
    expect(report.findings.find((f) => f.id === 'stuck:rds')?.evidence).toMatchObject({
      run: null,
      sessions: [],
      status: 'processing',
    });

    const dryRun = await dmr(db, ['reset', '--all', '--to', 'success']);
    expectExit(dryRun, 0);
    expect(dryRun.stdout).toContain('rds processing -> success');
    expect(dryRun.stderr).toContain('dmr verify');
    expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'processing', report: 'pending' });

    const applied = await dmr(db, ['reset', '--all', '--to', 'success', '--reason', 'ticket 42', '--yes']);
    expectExit(applied, 0);
    expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'success', report: 'success' });
    const history = await historyMessages(db);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(/^reset by \S+@\S+: rds processing -> success: ticket 42$/);
    expect(history[1]).toMatch(/^reset by \S+@\S+: report pending -> success: ticket 42$/);
    const dates = await table(db, 'DataMigrationHistories').select('DataMigrationHistoryDate', 'DataMigrationTypeId');
    expect(dates.map((r: Record<string, unknown>) => Number(r.DataMigrationTypeId)).sort()).toEqual([2, 3]);

    const healthy = await doctor(db);
    expect(healthy.code).toBe(0);
    expect(healthy.report.findings).toEqual([]);
  });

  it('schema: a duplicate status code (no unique index here) is a problem', async () => {
    await table(db, 'DataMigrationStatuses').insert({
      DataMigrationStatusId: 6,
      DataMigrationStatusCode: 'error',
      DataMigrationStatusName: 'Error again',
    });
    const { code, report } = await doctor(db);
    expect(code).toBe(1);
    expect(ids(report)).toEqual(['schema:duplicate-status:error']);
    await table(db, 'DataMigrationStatuses').where('DataMigrationStatusId', 6).delete();
  });
});

/** Ends the test's own sleeping statement (it runs in the test database, from the test's pool). */
async function endBusySession(db: TestDatabase): Promise<void> {
  if (db.dialect === 'postgres') {
    await db.knex.raw(
      'select pg_cancel_backend(pid) from pg_stat_activity where datname = current_database() and ' +
        "query = 'select pg_sleep(60)'",
    );
    return;
  }
  const rows = (
    await db.knex.raw(
      "select id from information_schema.processlist where db = database() and info = 'select sleep(60)'",
    )
  )[0] as {
    id: number;
  }[];
  for (const { id } of rows) await db.knex.raw(`kill query ${Number(id)}`);
}
