import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, historyMessages, latestRun, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

describe.each(dialects)('a failing rds task (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'fail');
  });
  afterAll(async () => db?.drop());

  it('errors rds, restores report to its prior status and leaves nothing pending or processing', async () => {
    const before = await runCli(['migrate', ...target(db), '--sql-dir', fixture('fail'), '--only', 'ods,report']);
    expect(before.code).toBe(0);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 1, 3: 5 });

    const result = await runCli(['migrate', ...target(db), '--sql-dir', fixture('fail'), '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.outcome).toBe('failed');
    expect(summary.stages.map((s: { status: string }) => s.status)).toEqual(['success', 'error', 'not-run']);
    expect(summary.error).toMatch(/010_broken\.sql:\d+/);
    expect(summary.error).toMatch(/no_such_table/);

    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 5 });
    const history = await historyMessages(db);
    expect(
      history.some((m) => m.startsWith('rds: error: task 010_broken failed at') && m.includes('no_such_table')),
    ).toBe(true);
    expect(history.some((m) => m.startsWith('rds: task 010_broken failed after'))).toBe(true);
    const run = await latestRun(db);
    expect(run).toMatchObject({ JobStatus: 'Failed' });
    expect(String(run?.ErrorText)).toContain('no_such_table');

    // ods re-created the table; the rds insert before the error was rolled back with its task.
    const marks = await db.knex('fixture_marker').select('stage');
    expect(marks.map((m: { stage: string }) => m.stage)).toEqual(['ods']);
  });

  it.runIf(dialect === 'postgres')('points at the exact line PostgreSQL reports', async () => {
    const run = await latestRun(db);
    expect(String(run?.ErrorText)).toMatch(/010_broken\.sql:5: \[42P01\]/);
  });
});
