import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, historyMessages, latestRun, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const beatOf = (run: Record<string, unknown> | undefined) => new Date(run?.HeartbeatAt as string).getTime();

/**
 * A .js task that blocks the runner's event loop for 15 s, with --heartbeat 1s: the heartbeat
 * runs on a worker thread with its own connection, so it keeps beating; doctor calls the run
 * live, and `doctor --fix --yes` (no --force) changes nothing.
 */
describe.each(dialects)('a CPU-bound task cannot fool liveness (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'busy');
  });
  afterAll(async () => db?.drop());

  it('heartbeat beats during 15 s of synchronous work; doctor --fix --yes changes nothing; the run ends', async () => {
    const cli = startCli(['migrate', ...target(db), '--sql-dir', fixture('busy'), '--heartbeat', '1s']);
    await cli.waitForOutput('rds: 010_busy started');
    await sleep(500);
    const first = await latestRun(db);
    await sleep(3500);
    const second = await latestRun(db);
    // Past 2 x 1 s + 1 s of synchronous work, the heartbeat is still fresh.
    expect(beatOf(second) - beatOf(first)).toBeGreaterThanOrEqual(2500);

    const [report, fix] = await Promise.all([
      runCli(['doctor', '--json', ...target(db)]),
      runCli(['doctor', '--fix', '--yes', ...target(db)]),
    ]);
    expect(report.code, report.stdout + report.stderr).toBe(0);
    const json = JSON.parse(report.stdout) as { findings: { id: string }[]; job: { status: string; live: boolean } };
    expect(json.findings.map((f) => f.id)).toEqual([]);
    expect(json.job).toMatchObject({ status: 'Running', live: true });

    expect(fix.code, fix.stdout + fix.stderr).toBe(3);
    expect(fix.stderr).toContain('is live and holds the run lock: nothing was changed');
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 3, 3: 2 });

    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    const run = await latestRun(db);
    expect(run).toMatchObject({ JobStatus: 'Completed', ErrorText: null });
    const history = await historyMessages(db);
    expect(history.filter((h) => h.startsWith('doctor') || h.includes('runner died'))).toEqual([]);
    expect(history.at(-1)).toMatch(/^run \d+ completed$/);
  });
});
