import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, statusTable, target } from '../support/status-rows.js';
import { taskDir } from '../tasks/task-support.js';

/**
 * A copy task in a stage, SIGKILLed mid-chunk: doctor reports the chunk left processing (and the
 * stuck stage), --fix --yes resets both, and dmr resume finishes the stage without copying the
 * finished chunks again. A trigger sleeps on one row so the kill surely lands inside a chunk.
 */
const rows = 20_000;
const slowId = 11_000;
const servers = await dialectsUnderTest(['postgres']);

interface ChunkRow {
  ChunkNo: number;
  Status: string;
  Rows: string | number;
  Attempts: number;
  FinishedAt: Date | null;
  LowKey: string | null;
  HighKey: string | null;
}

async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

describe.runIf(servers.length > 0)('a copy task killed mid-way: doctor, --fix --yes, resume (postgres)', () => {
  let db: TestDatabase;
  let sourceDir: string;
  let source: string;
  let dir: string;
  const chunks = async () =>
    (await statusTable(db, 'DataMigrationCopyChunks').select('*').orderBy('ChunkNo')) as ChunkRow[];
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'copydoctor');
    sourceDir = mkdtempSync(path.join(os.tmpdir(), 'dmr-copy-doctor-'));
    source = path.join(sourceDir, 'legacy.db');
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: source }, useNullAsDefault: true });
    await knex.raw('create table people (id integer not null primary key, name varchar(40) not null)');
    await knex.raw(`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${rows})
      insert into people select i, 'person ' || i from n`);
    await knex.destroy();
    await db.knex.raw('create table ods_people (id integer primary key, name varchar(40) not null)');
    await db.knex.raw(`create function slow_row() returns trigger language plpgsql as $$
      begin if new.id = ${slowId} then perform pg_sleep(3); end if; return new; end $$`);
    await db.knex.raw('create trigger slow_row before insert on ods_people for each row execute function slow_row()');
    const task = { source: `sqlite:${source}`, tables: ['people=ods_people'], chunkRows: 2000, parallel: 1 };
    dir = taskDir({ 'ods/010_people.copy.json': JSON.stringify(task), 'rds/': null, 'report/': null });
  });
  afterAll(async () => {
    await db?.drop();
    for (const d of [sourceDir, dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const doctorChunkTitle =
    'doctor reports the chunk with its evidence; --fix --yes resets it; resume copies only what was not done';
  it(`${doctorChunkTitle}`, async () => {
    const run = startCli(['migrate', '--sql-dir', dir, '--heartbeat', '200ms', ...target(db)]);
    const sleeping = async () => {
      const r = await db.knex.raw(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`,
      );
      return r.rows[0].n > 0;
    };
    await until(sleeping);
    const pid = run.child.pid;
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // The server ends the killed client's busy session once its sleep is over and it finds the socket closed.
    await until(async () => !(await sleeping()));
    await db.knex.raw('drop trigger slow_row on ods_people');

    const before = await chunks();
    const processing = before.filter((c) => c.Status === 'processing');
    expect(processing).toHaveLength(1);
    const killed = processing[0] as ChunkRow;
    expect(Number(JSON.parse(killed.LowKey as string)[0])).toBeLessThanOrEqual(slowId);
    expect(Number(JSON.parse(killed.HighKey as string)[0])).toBeGreaterThan(slowId);
    const done = before.filter((c) => c.Status === 'success');
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(before.filter((c) => c.Status === 'pending').length).toBe(before.length - done.length - 1);
    const landedBefore = await db.knex('ods_people').count({ n: '*' });
    expect(Number(landedBefore[0]?.n)).toBe(done.reduce((n, c) => n + Number(c.Rows), 0));

    const report = await runCli(['doctor', '--json', ...target(db)]);
    expect(report.code).toBe(1);
    const findings = JSON.parse(report.stdout).findings as {
      id: string;
      rule: string;
      severity: string;
      message: string;
      evidence: Record<string, unknown>;
    }[];
    // The stages after ods are pending under the dead run too: stuck like ods.
    expect(findings.map((f) => f.id).sort()).toEqual([
      `copy-chunk:1:${killed.ChunkNo}`,
      'stuck:ods',
      'stuck:rds',
      'stuck:report',
    ]);
    const chunk = findings.find((f) => f.rule === 'copy-ledger');
    expect(chunk).toMatchObject({ severity: 'problem', stage: 'ods' });
    expect(chunk?.message).toMatch(
      new RegExp(
        `^copy 1 chunk ${killed.ChunkNo} \\(people -> ods_people, keys \\[\\d+, \\d+\\)\\) is ` +
          `processing but its copy died: process ${pid} on \\S+ is gone$`,
      ),
    );
    expect(chunk?.evidence).toMatchObject({
      copyId: 1,
      chunkNo: killed.ChunkNo,
      sourceTable: 'people',
      targetTable: 'ods_people',
      chunkKind: 'range',
      lowKey: JSON.parse(killed.LowKey as string),
      highKey: JSON.parse(killed.HighKey as string),
      attempts: 1,
      pid,
      host: os.hostname(),
      processAlive: false,
      run: expect.objectContaining({ pid, currentStage: 'ods', currentTask: '010_people' }),
    });

    const fixed = await runCli(['doctor', '--fix', '--yes', ...target(db)]);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`copy 1 chunk ${killed.ChunkNo} (people -> ods_people) processing -> pending`);
    const reset = (await chunks()).find((c) => c.ChunkNo === killed.ChunkNo);
    expect(reset).toMatchObject({ Status: 'pending', Attempts: 1 });
    const history = await historyMessages(db);
    expect(history).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^doctor --fix by \\S+@\\S+: copy 1 chunk ${killed.ChunkNo} \\(people -> ods_people\\) ` +
            `processing -> pending: copy died: process ${pid} on \\S+ is gone$`,
        ),
      ),
    );
    expect(history).toContainEqual(
      expect.stringMatching(/^doctor --fix by \S+@\S+: ods processing -> error: runner died/),
    );
    const after = await runCli(['doctor', '--json', ...target(db)]);
    expect(JSON.parse(after.stdout).findings.map((f: { id: string }) => f.id)).toEqual(['failed:ods']);

    const resumed = await runCli(['resume', '--sql-dir', dir, ...target(db)]);
    expect(resumed.stderr).not.toMatch(/internal error/);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(
      `copy people -> ods_people: ${before.length} range chunk(s), ${done.length} already copied`,
    );
    const final = await chunks();
    expect(final.every((c) => c.Status === 'success')).toBe(true);
    expect(final.reduce((n, c) => n + Number(c.Rows), 0)).toBe(rows);
    for (const c of final) {
      const was = before.find((b) => b.ChunkNo === c.ChunkNo) as ChunkRow;
      if (was.Status === 'success') {
        // Not copied again: the same attempt, finished at the same moment as before the kill.
        expect(c.Attempts).toBe(1);
        expect(c.FinishedAt?.getTime()).toBe(was.FinishedAt?.getTime());
      } else expect(c.Attempts).toBe(c.ChunkNo === killed.ChunkNo ? 2 : 1);
    }
    expect(Number((await db.knex('ods_people').count({ n: '*' }))[0]?.n)).toBe(rows);
    const verify = await runCli([
      'verify',
      '--source',
      `sqlite:${source}`,
      '--target',
      db.url,
      '--table',
      'people=ods_people',
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const healthy = await runCli(['doctor', '--json', ...target(db)]);
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout).findings).toEqual([]);
  }, 240_000);
});
