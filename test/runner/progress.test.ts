import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { fixture, statusTable, target } from '../support/status-rows.js';

/**
 * Progress without a terminal is plain lines: task k of n, and an ETA per stage from what the
 * previous run took (dmr's task history, else Generate's LastDurationInSeconds).
 */
describe('run progress: task k of n and a stage ETA from earlier runs (sqlite)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'progress');
  });
  afterAll(async () => db?.drop());

  const migrate = () => runCli(['migrate', ...target(db), '--sql-dir', fixture('slow')]);

  it('first run: positions without an ETA; second run: ETA from the task history', async () => {
    const first = await migrate();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('rds: processing (2 tasks)\n');
    expect(first.stderr).toContain('rds: 010_sleep started (task 1 of 2)\n');
    expect(first.stderr).toContain('rds: 020_mark started (task 2 of 2)\n');

    const second = await migrate();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/rds: processing \(2 tasks, took ~\d+s last time\)\n/);
    expect(second.stderr).toMatch(/rds: 010_sleep started \(task 1 of 2, stage ETA ~\d+s\)\n/);
    expect(second.stderr).toMatch(/rds: 020_mark started \(task 2 of 2, stage ETA ~\d+s\)\n/);
    expect(second.stderr).toMatch(/ods: processing \(1 task, took ~\d+s last time\)\n/);
  });

  it("a database Generate ran (no task history): LastDurationInSeconds spread over the stage's tasks", async () => {
    await statusTable(db, 'DataMigrationTaskRuns').delete();
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ LastDurationInSeconds: 40 });
    const run = await migrate();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('rds: processing (2 tasks, took ~40s last time)\n');
    expect(run.stderr).toContain('rds: 010_sleep started (task 1 of 2, stage ETA ~40s)\n');
    expect(run.stderr).toContain('rds: 020_mark started (task 2 of 2, stage ETA ~20s)\n');
  });
});
