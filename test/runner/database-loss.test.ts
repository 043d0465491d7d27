import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { PostgresAdapter } from '../../src/adapters/postgres/postgres-adapter.js';
import { postgresBinDir, startPgInstance, type PgInstance } from '../support/pg-instance.js';
import { openTcpGate } from '../support/tcp-gate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const haveBinaries = postgresBinDir() !== null;
if (!haveBinaries) console.warn('skipping database-loss tests: no PostgreSQL binaries under /usr/lib/postgresql');

function taskDir(sleepSql: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-dbloss-'));
  for (const [stage, sql] of [
    ['ods', 'select 1;'],
    ['rds', sleepSql],
    ['report', 'select 1;'],
  ] as const) {
    mkdirSync(path.join(dir, stage));
    writeFileSync(path.join(dir, stage, `010_${stage === 'rds' ? 'slow' : stage}.sql`), `${sql}\n`);
  }
  return dir;
}

/**
 * A PostgreSQL of the test's own, shut down with `pg_ctl stop -m immediate` while an rds task
 * runs: back within --db-retry, the run records what happened (stage error with the real cause,
 * unreached stages back, run closed, exit 2) and the next migrate is free; back too late, exit 2
 * naming the last known state, and doctor repairs it.
 */
describe.runIf(haveBinaries)('the database goes away during a run (own PostgreSQL)', () => {
  let pg: PgInstance;
  let slowDir: string;
  let fastDir: string;
  let knex: Knex;
  let url: string;
  const rows = async (table: string) => knex(table).withSchema('App').select('*');
  const statuses = async () =>
    Object.fromEntries(
      (await rows('DataMigrations')).map((r) => [Number(r.DataMigrationTypeId), Number(r.DataMigrationStatusId)]),
    );
  const history = async () =>
    (await knex('DataMigrationHistories')
      .withSchema('App')
      .orderBy('DataMigrationHistoryId')
      .pluck('DataMigrationHistoryMessage')) as string[];
  const latestRun = async () => knex('DataMigrationRuns').withSchema('App').orderBy('RunId', 'desc').first();

  beforeAll(async () => {
    pg = await startPgInstance();
    const admin = knexFactory({ client: 'pg', connection: pg.url() });
    await admin.raw('create database dmr_loss');
    await admin.destroy();
    url = pg.url('dmr_loss');
    knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    slowDir = taskDir('select pg_sleep(30);');
    fastDir = taskDir('select 1;');
  }, 120_000);
  afterAll(async () => {
    await knex?.destroy();
    pg?.destroy();
    for (const dir of [slowDir, fastDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('back within --db-retry: stage error with the cause, run closed, exit 2; the next migrate is free', async () => {
    const cli = startCli(['migrate', '--url', url, '--sql-dir', slowDir, '--heartbeat', '1s', '--db-retry', '60s']);
    await cli.waitForOutput('rds: 010_slow started');
    const before = String((await latestRun()).DbSessionId);
    await sleep(300);
    pg.stopImmediate();
    await sleep(1000);
    pg.start();
    const result = await cli.done;

    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('the database connection was lost');
    // The driver's words for the server going away, after the cause dmr names: PostgreSQL's 57P01, or pg's
    // "Connection terminated" when the socket closed first; never the ROLLBACK that failed after it.
    expect(result.stdout).toMatch(
      new RegExp(
        'run \\d+ stopped itself: task 010_slow failed at .*010_slow\\.sql:1: ' +
          '.*(57P01.*terminating connection|Connection terminated unexpectedly)',
      ),
    );
    // ... and the cause named first: the server shutting down (57P01's words, or a new connection refused).
    expect(result.stdout).toMatch(/010_slow\.sql:1: the server is shutting down or restarting/);
    await knex.destroy();
    knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    expect(await statuses()).toEqual({ 1: 5, 2: 4, 3: 1 });
    const run = await latestRun();
    expect(run).toMatchObject({ JobStatus: 'Failed' });
    expect(run.FinishedAt).not.toBeNull();
    // The lock was not assumed to have survived the restart: it was taken again, on a new session.
    expect(String(run.DbSessionId)).not.toBe(before);
    expect(String(run.ErrorText)).toMatch(/57P01.*terminating connection|Connection terminated unexpectedly/);
    expect(String(run.ErrorText)).toContain('the server is shutting down or restarting');
    const lines = await history();
    expect(lines.some((h) => /^rds: error: task 010_slow failed at .*(57P01|Connection terminated)/.test(h))).toBe(
      true,
    );
    expect(lines.some((h) => h.includes('ROLLBACK'))).toBe(false);

    const next = await runCli(['migrate', '--url', url, '--sql-dir', fastDir]);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(await statuses()).toEqual({ 1: 5, 2: 5, 3: 5 });
  });

  it('back after --db-retry ran out: exit 2 naming the last known state; doctor --fix repairs it', async () => {
    const cli = startCli(['migrate', '--url', url, '--sql-dir', slowDir, '--heartbeat', '1s', '--db-retry', '2s']);
    await cli.waitForOutput('rds: 010_slow started');
    await sleep(300);
    pg.stopImmediate();
    const result = await cli.done;
    pg.start();

    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /the database could not be reached for 2 s .*Last known state: ods success, rds processing, report pending/,
    );
    expect(result.stderr).toContain('dmr doctor --fix --yes');
    await knex.destroy();
    knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    expect(await statuses()).toEqual({ 1: 5, 2: 3, 3: 2 });

    const report = await runCli(['doctor', '--json', '--url', url]);
    expect(report.code).toBe(1);
    const doctor = JSON.parse(report.stdout) as { findings: { id: string }[]; job: { status: string } };
    expect(doctor.findings.map((f) => f.id)).toContain('stuck:rds');
    expect(doctor.job.status).toBe('Died');
    const fixed = await runCli(['doctor', '--fix', '--yes', '--url', url]);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(await statuses(), fixed.stdout).toEqual({ 1: 5, 2: 4, 3: 5 });
    expect(await latestRun()).toMatchObject({ JobStatus: 'Failed' });
  });

  it('another session takes the run lock while the database is away: the runner stops, exit 2', async () => {
    // The runner reaches the server through a gate the test shuts for the outage, so the other session is sure
    // to take the lock on the restarted server before the runner can reconnect.
    const gate = await openTcpGate(pg.port);
    const gated = `postgres://postgres@127.0.0.1:${gate.port}/dmr_loss`;
    const cli = startCli(['migrate', '--url', gated, '--sql-dir', slowDir, '--heartbeat', '1s', '--db-retry', '60s']);
    await cli.waitForOutput('rds: 010_slow started');
    const before = String((await latestRun()).DbSessionId);
    await sleep(300);
    await gate.close();
    pg.stopImmediate();
    pg.start();
    await knex.destroy();
    knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    const other = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    const lock = new PostgresAdapter().runLock(other, 'App');
    try {
      expect(await lock.tryAcquire()).toBe(true);
      await sleep(1500);
      await gate.open();
      const result = await cli.done;

      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain(
        'another session took the run lock while the database was away: this run records nothing more',
      );
      expect(result.stderr).toMatch(/check it with `dmr status .*` and `dmr doctor /);
      // Nothing was written without the lock: rds still as the runner left it, the run record untouched (its
      // session not replaced, not closed), no history line after the task started.
      expect(await statuses()).toEqual({ 1: 5, 2: 3, 3: 2 });
      const run = await latestRun();
      expect(run).toMatchObject({ JobStatus: 'Running', FinishedAt: null, DbSessionId: before });
      expect((await history()).at(-1)).toBe('rds: task 010_slow started');
      // ... and status does not call it running: the lock session and the process are gone.
      const status = await runCli(['status', '--json', '--url', url]);
      const job = (JSON.parse(status.stdout) as { run: { jobStatus: string; deadBecause: string[] } }).run;
      expect(job.jobStatus).toBe('Died');
      expect(job.deadBecause).toContain(`lock session ${before} is gone`);
    } finally {
      await lock.release();
      await other.destroy();
      await gate.close();
    }
  });
});
