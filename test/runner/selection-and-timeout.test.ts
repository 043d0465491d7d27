import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, historyMessages, latestRun, stageStatuses, statusTable, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

describe.each(dialects)('--from and --task-timeout (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'select');
  });
  afterAll(async () => db?.drop());

  it('--task-timeout cancels the statement and errors the stage', async () => {
    const result = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      fixture('hang'),
      '--task-timeout',
      '1s',
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatch(/010_sleep .*ran longer than --task-timeout 1000 ms/);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 1 });
    expect(await latestRun(db)).toMatchObject({ JobStatus: 'Failed' });
  });

  it('--from rds runs rds and report only, once ods is success', async () => {
    const ods = await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 1).first();
    const result = await runCli(['migrate', ...target(db), '--sql-dir', fixture('slow'), '--from', 'rds', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).stages.map((s: { stage: string }) => s.stage)).toEqual(['rds', 'report']);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    const odsAfter = await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 1).first();
    expect(odsAfter.LastTriggerDate).toEqual(ods.LastTriggerDate);
    expect((await historyMessages(db)).filter((m) => m.startsWith('ods: processing'))).toHaveLength(1);
  });
});
