import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { dmr, doctor, expectExit, fastDir, jsonOf, startSlowRun } from './doctor-support.js';

/** status --json, doctor and the job-control commands judge a killed runner on the same evidence. */
const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

interface StatusJson {
  readonly run: {
    runId: number;
    jobStatus: string;
    recordedJobStatus: string;
    liveness: string;
    deadBecause: string[];
  };
  readonly doctor: { healthy: boolean; findings: string[]; job: Record<string, unknown> };
}

describe.each(dialects)('one truth about a killed run (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'truth');
  });
  afterAll(async () => db?.drop());

  it('SIGKILLed runner: status --json and doctor agree it Died; only the repair is allowed', async () => {
    const run = await startSlowRun(db);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');

    const status = jsonOf<StatusJson>(await dmr(db, ['status', '--json']));
    const { report } = await doctor(db);
    const died = { status: 'Died', recordedStatus: 'Running', live: false, allowedActions: ['repair'] };
    expect(report.job).toMatchObject({ runId: status.run.runId, ...died });
    expect(status.doctor.job).toEqual(report.job);
    // The README's doctor --json example is this case (a stuck stage of a dead run): its job must say the same.
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const example = JSON.parse(`{${/^\s*("job": \{.*\}),$/m.exec(readme)?.[1] ?? ''}}`) as { job: object };
    expect(report.job).toMatchObject({ ...example.job, runId: report.job.runId });
    expect(status.run).toMatchObject({ jobStatus: 'Died', recordedJobStatus: 'Running', liveness: 'dead' });
    expect(status.run.deadBecause.join('; ')).toMatch(/lock session .* is gone|no longer holds the run lock/);
    expect(status.doctor.findings).toEqual(report.findings.map((f) => f.id));
    expect(report.findings.map((f) => f.id)).toContain('stuck:rds');

    const text = await dmr(db, ['status']);
    expect(text.stdout).toMatch(/run \d+ \(migrate\) Died, at rds\/010_slow: dead/);
    const doctorText = await dmr(db, ['doctor']);
    expect(doctorText.stdout).toMatch(/job: run \d+ Died \(recorded Running\); allowed: repair/);

    for (const command of ['stop', 'resume', 'restart']) {
      const refused = await dmr(db, [command, '--sql-dir', fastDir].slice(0, command === 'stop' ? 1 : 3));
      expectExit(refused, 2);
      expect(refused.stderr).toContain('is Died');
      // The suggestion carries the user's connection flags (--url, --schema) as given.
      expect(refused.stderr).toMatch(/allowed now: repair \(`dmr doctor --fix --yes[^`]*`\)/);
    }

    expectExit(await dmr(db, ['doctor', '--fix', '--yes']), 0);
    const after = jsonOf<StatusJson>(await dmr(db, ['status', '--json']));
    expect(after.run).toMatchObject({ jobStatus: 'Failed', recordedJobStatus: 'Failed', liveness: 'finished' });
    expect(after.doctor.job).toMatchObject({ status: 'Failed', allowedActions: ['start', 'resume', 'restart'] });
  });
});
