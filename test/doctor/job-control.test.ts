import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import {
  dmr,
  doctor,
  expectExit,
  fastDir,
  jsonOf,
  latestRun,
  setStage,
  stageStatuses,
  startSlowRun,
  table,
} from './doctor-support.js';

/**
 * A live runner mid-task: doctor sees it as live, fixes and resets refuse, stop/resume/restart follow the job status.
 */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

describe.each(dialects)('job control on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'jobs');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('doctor, stop, resume and restart around a live run', async () => {
    expectExit(await dmr(db, ['init']), 0);
    await setStage(db, 2, 1, { LastDurationInSeconds: 1 });
    const run = await startSlowRun(db, ['--heartbeat', '300ms']);
    const slowSince = Date.now();

    const live = await doctor(db);
    expect(live.code, live.result.stdout).toBe(0);
    expect(live.report.findings.filter((f) => f.rule === 'stuck')).toEqual([]);
    expect(live.report.job).toMatchObject({ status: 'Running', live: true, allowedActions: ['stop'] });
    const status = jsonOf<{ doctor: { healthy: boolean; job: { live: boolean } } }>(
      await dmr(db, ['status', '--json']),
    );
    expect(status.doctor).toMatchObject({ healthy: true, job: { live: true } });

    const resumeRefused = await dmr(db, ['resume', '--sql-dir', fastDir]);
    expectExit(resumeRefused, 3);
    expect(resumeRefused.stderr).toContain('allowed now: stop');
    expectExit(await dmr(db, ['restart', '--sql-dir', fastDir]), 3);
    const fixRefused = await dmr(db, ['doctor', '--fix', '--yes']);
    expectExit(fixRefused, 3);
    expect(fixRefused.stderr).toContain('is live and holds the run lock');
    expectExit(await dmr(db, ['reset', '--stage', 'rds', '--to', 'error', '--yes']), 3);
    expect(await stageStatuses(db)).toMatchObject({ rds: 'processing' });

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3500 - (Date.now() - slowSince))));
    const overdue = await doctor(db);
    expect(overdue.code).toBe(0);
    expect(overdue.report.findings.map((f) => [f.id, f.severity])).toEqual([['overdue:rds', 'warning']]);

    const stop = await dmr(db, ['stop', '--timeout', '20s']);
    expectExit(stop, 0);
    expect(stop.stdout).toMatch(/run \d+ Stopped: task 010_slow .*cancelled by dmr stop/);
    const ended = await run.done;
    expect(ended.code).toBe(1);
    const stopped = await latestRun(db);
    expect(stopped).toMatchObject({ JobStatus: 'Stopped' });
    expect(String(stopped.StopRequestedBy)).toMatch(/\S+@\S+/);
    expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'error', report: 'initial' });

    const stopAgain = await dmr(db, ['stop']);
    expectExit(stopAgain, 2);
    expect(stopAgain.stderr).toMatch(
      new RegExp(
        /allowed now: start \(`dmr migrate --url [^`]+`\), resume \(`dmr resume --url /.source +
          /[^`]+`\), restart \(`dmr restart --url [^`]+`\)/.source,
      ),
    );

    expectExit(await dmr(db, ['resume', '--sql-dir', fastDir, '--from-task', '020_after']), 0);
    const rds = await table(db, 'DataMigrations').where('DataMigrationTypeId', 2).first();
    expect(rds.DataMigrationTaskList).toBe('020_after');
    expect(await stageStatuses(db)).toEqual({ ods: 'success', rds: 'success', report: 'success' });

    const nothing = await dmr(db, ['resume', '--sql-dir', fastDir]);
    expectExit(nothing, 2);
    expect(nothing.stderr).toContain('cannot resume: run');
    expect(nothing.stderr).toContain('Completed');

    expectExit(await dmr(db, ['restart', '--sql-dir', fastDir]), 0);
    expect(await latestRun(db)).toMatchObject({ Command: 'restart', JobStatus: 'Completed', Stages: 'ods,rds,report' });
    const healthy = await doctor(db);
    expect(healthy.code).toBe(0);
  });
});
