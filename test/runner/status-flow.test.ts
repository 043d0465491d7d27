import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { startCli } from '../support/cli.js';
import { fixture, historyMessages, latestRun, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

describe.each(dialects)('status flow seen from another connection (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'flow');
  });
  afterAll(async () => db?.drop());

  it('goes pending -> processing -> success, with a heartbeat that beats during a long statement', async () => {
    const cli = startCli(['migrate', ...target(db), '--sql-dir', fixture('slow'), '--heartbeat', '200ms']);
    await cli.waitForOutput('rds: 010_sleep started');

    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 3, 3: 2 });
    const first = await latestRun(db);
    expect(first).toMatchObject({
      JobStatus: 'Running',
      CurrentStage: 'rds',
      CurrentTask: '010_sleep',
      Pid: cli.child.pid,
    });
    expect(first?.DbSessionId).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 800));
    const second = await latestRun(db);
    expect(new Date(second?.HeartbeatAt as string).getTime()).toBeGreaterThan(
      new Date(first?.HeartbeatAt as string).getTime(),
    );

    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    const run = await latestRun(db);
    expect(run).toMatchObject({ JobStatus: 'Completed', ErrorText: null });
    expect(run?.FinishedAt).toBeTruthy();

    const history = await historyMessages(db);
    const at = (text: string) => history.findIndex((m) => m.includes(text));
    expect(at('started by')).toBeLessThan(at('ods: processing'));
    expect(at('rds: task 010_sleep started')).toBeLessThan(at('rds: task 010_sleep finished in'));
    expect(at('rds: success')).toBeLessThan(at('report: processing'));
    expect(history.at(-1)).toMatch(/^run \d+ completed$/);
  });

  it('records duration, trigger date, user and task list like Generate', async () => {
    const { statusTable } = await import('../support/status-rows.js');
    const rds = await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).first();
    expect(Number(rds.LastDurationInSeconds)).toBeGreaterThanOrEqual(2);
    expect(rds.DataMigrationTaskList).toBe('010_sleep,020_mark');
    expect(rds.UserName).toBeTruthy();
    expect(rds.LastTriggerDate).toBeTruthy();
  });
});
