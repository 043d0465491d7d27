import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import {
  adminKnex,
  createTestDatabase,
  dialectsUnderTest,
  serverUrls,
  type TestDatabase,
} from '../support/databases.js';
import { historyMessages, latestRun, stageStatuses } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['postgres']);

/**
 * The runner's role loses UPDATE on the run table mid-run: the heartbeat cannot be written, and
 * after a whole stale interval the runner cancels its task, records what it still can (stage
 * error, history) and exits 2.
 */
describe.each(dialects)('a runner that cannot write its heartbeat stops itself (%s)', () => {
  let db: TestDatabase;
  let dir: string;
  const role = `dmr_hb_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'hbloss');
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-hbloss-'));
    const task = (stage: string, name: string, sql: string) => {
      mkdirSync(path.join(dir, stage), { recursive: true });
      writeFileSync(path.join(dir, stage, name), sql);
    };
    task('ods', '010_first.sql', 'select 1;\n');
    task('rds', '010_sleep.sql', 'select pg_sleep(30);\n');
    task('report', '010_last.sql', 'select 1;\n');
    expect((await runCli(['init', '--url', db.url, '--schema', db.schema])).code).toBe(0);
    await db.knex.raw(`create role ${role} login`);
    await db.knex.raw(`grant usage on schema "App" to ${role}`);
    await db.knex.raw(`grant select, insert, update, delete on all tables in schema "App" to ${role}`);
    await db.knex.raw(`grant usage, select on all sequences in schema "App" to ${role}`);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
    const knex = adminKnex('postgres', serverUrls.postgres as string);
    await knex.raw(`drop role if exists ${role}`).finally(() => knex.destroy());
  });

  it('heartbeat privilege revoked mid-run: task cancelled, stage error with the reason, exit 2', async () => {
    const url = new URL(db.url);
    url.username = role;
    const cli = startCli([
      'migrate',
      '--url',
      url.toString(),
      '--schema',
      db.schema,
      '--sql-dir',
      dir,
      '--heartbeat',
      '300ms',
    ]);
    await cli.waitForOutput('rds: 010_sleep started');
    await db.knex.raw(`revoke update on "App"."DataMigrationRuns" from ${role}`);
    const result = await cli.done;

    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toMatch(/run \d+ stopped itself: .*the heartbeat could not be written/);
    expect(result.stderr, result.stderr).toContain('heartbeat failed: permission denied for table DataMigrationRuns');
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 1 });
    const history = await historyMessages(db);
    expect(
      history.some(
        (h) => h.startsWith('rds: error:') && h.includes('runner stopped itself: the heartbeat could not be written'),
      ),
    ).toBe(true);
    // The role may not close the run record any more: it stays open for doctor to judge (its runner is gone).
    expect(await latestRun(db)).toMatchObject({ FinishedAt: null });
    const sleeping = await db.knex.raw(
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and ' +
        "query like '%pg_sleep(30)%' and pid <> pg_backend_pid()",
    );
    expect(sleeping.rows[0].n).toBe(0);
  });
});
