import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, historyMessages, latestRun, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

/** Sessions still running the hang fixture's 60 s sleep, as the server sees them. */
async function sleeping(db: TestDatabase): Promise<number> {
  if (db.dialect === 'sqlite') return 0;
  const sql =
    db.dialect === 'postgres'
      ? 'select count(*) as n from pg_stat_activity where datname = current_database() and query ' +
        "like '%pg_sleep(60)%' and pid <> pg_backend_pid()"
      : 'select count(*) as n from information_schema.processlist ' +
        "where db = database() and info like '%sleep(60)%' and id <> connection_id()";
  const result = await db.knex.raw(sql);
  return Number((db.dialect === 'postgres' ? result.rows : result[0])[0].n);
}

/**
 * Every status write of the runner is a compare-and-set: after a forced reset mid-run the
 * runner stops, cancels its task and says so (exit 2), and the rows keep the reset's values.
 */
describe.each(dialects)('a forced reset during a run is never overwritten (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'cas');
  });
  afterAll(async () => db?.drop());

  it('reset --all --to initial --force mid-run: the runner stops and says why; the rows stay initial', async () => {
    const cli = startCli(['migrate', ...target(db), '--sql-dir', fixture('hang'), '--heartbeat', '300ms']);
    await cli.waitForOutput('rds: 010_sleep started');
    const reset = await runCli([
      'reset',
      '--all',
      '--to',
      'initial',
      '--reason',
      'operator took over',
      '--yes',
      '--force',
      ...target(db),
    ]);
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    const result = await cli.done;

    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toMatch(
      /run \d+ stopped itself: .*runner stopped: \w+ was changed by someone else \(expected \w+, found initial\)/,
    );
    expect(await stageStatuses(db)).toEqual({ 1: 1, 2: 1, 3: 1 });
    const run = await latestRun(db);
    expect(run).toMatchObject({ JobStatus: 'Failed' });
    expect(run?.FinishedAt).toBeTruthy();
    expect(String(run?.ErrorText)).toContain('was changed by someone else');
    const history = await historyMessages(db);
    const resets = history.filter((h) => h.startsWith('reset by'));
    expect(resets).toHaveLength(3);
    const after = history.slice(history.indexOf(resets[2] as string) + 1);
    expect(after.filter((h) => /^\w+: error:/.test(h))).toEqual([]);
    expect(
      after.some((h) => /^rds: stopped, status left initial: task 010_sleep .*was changed by someone else/.test(h)),
    ).toBe(true);
    expect(history.at(-1)).toMatch(
      // report was initial before the run, so the reset's value is also the one the run restores: nothing to note.
      /^run \d+ failed: .*rds left initial \(set by someone else during the run\)$/,
    );
    expect(await sleeping(db)).toBe(0);
  });
});
