import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import {
  dmr,
  doctor,
  expectExit,
  fastDir,
  historyMessages,
  latestRun,
  stageStatuses,
  startSlowRun,
} from './doctor-support.js';

/** SIGKILL the CLI inside a slow rds task; doctor must call it stuck, fix it, and resume must finish. */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

describe.each(dialects)('crash recovery on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'crash');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('detects the dead runner, fixes it with an audit line, and resumes to success', async () => {
    const run = await startSlowRun(db, ['--heartbeat', '200ms']);
    const pid = run.child.pid;
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');

    const before = await doctor(db);
    expect(before.code).toBe(1);
    const stuck = before.report.findings.find((f) => f.id === 'stuck:rds');
    expect(stuck, JSON.stringify(before.report, null, 2)).toBeDefined();
    expect(stuck?.severity).toBe('problem');
    expect(stuck?.message).toContain(`pid ${pid}`);
    expect(stuck?.action).toBe('dmr doctor --fix --yes');
    expect((stuck?.evidence.liveness as { processAlive: boolean }).processAlive).toBe(false);
    const died = { status: 'Died', recordedStatus: 'Running', live: false, allowedActions: ['repair'] };
    expect(before.report.job).toMatchObject(died);

    const refused = await dmr(db, ['resume', '--sql-dir', fastDir]);
    expectExit(refused, 2);
    expect(refused.stderr).toContain('doctor --fix --yes');

    const dryRun = await dmr(db, ['doctor', '--fix']);
    expectExit(dryRun, 1);
    expect(dryRun.stdout).toContain('rds processing -> error: runner died: heartbeat stale since');
    expect(await stageStatuses(db)).toMatchObject({ rds: 'processing' });

    await new Promise((resolve) => setTimeout(resolve, 1600)); // past 2 x 200 ms + 1 s
    const stale = await doctor(db);
    expect(
      (stale.report.findings.find((f) => f.id === 'stuck:rds')?.evidence.liveness as { heartbeatStale: boolean })
        .heartbeatStale,
    ).toBe(true);

    const fixed = await dmr(db, ['doctor', '--fix', '--yes']);
    expectExit(fixed, 0);
    const statuses = await stageStatuses(db);
    expect(statuses).toEqual({ ods: 'success', rds: 'error', report: 'initial' });
    const history = await historyMessages(db);
    expect(
      history.some((h) =>
        /^doctor --fix by \S+@\S+: rds processing -> error: runner died: heartbeat stale since \d{4}-/.test(h),
      ),
    ).toBe(true);
    expect(history.some((h) => /^doctor --fix by \S+@\S+: run \d+ Running -> Failed: runner died/.test(h))).toBe(true);
    const record = await latestRun(db);
    expect(record.JobStatus).toBe('Failed');
    expect(String(record.ErrorText)).toMatch(/^runner died: heartbeat stale since /);
    expect(record.FinishedAt).not.toBeNull();

    const after = await doctor(db);
    expect(after.report.findings.map((f) => f.id)).toEqual(['failed:rds']);
    expect(after.report.job).toMatchObject({
      status: 'Failed',
      live: false,
      allowedActions: ['start', 'resume', 'restart'],
    });

    const resumed = await dmr(db, ['resume', '--sql-dir', fastDir]);
    expectExit(resumed, 0);
    expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'success', report: 'success' });
    const healthy = await doctor(db);
    expect(healthy.code).toBe(0);
    expect(healthy.report.findings).toEqual([]);
  });
});
