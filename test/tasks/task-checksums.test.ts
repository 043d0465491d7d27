import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MssqlAdapter } from '../../src/adapters/mssql/mssql-adapter.js';
import type { Database } from '../../src/core/database.js';
import { StatusStore } from '../../src/core/status/status-store.js';
import { TableName, tableDefinitions } from '../../src/core/status/status-tables.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, stageStatuses, statusTable, target } from '../support/status-rows.js';
import { taskDir } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe.each(dialects)('task checksums and resume (%s)', (dialect) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'sums');
    dir = taskDir({
      'ods/010_load.sql': 'create table ck (x int);\ninsert into ck values (1);\n',
      'ods/020_more.sql': 'insert into ck values (2);\n',
      'rds/010_broken.sql': 'insert into ck values (3);\nselect * from not_there_yet;\n',
      'report/010_report.sql': 'insert into ck values (4);\n',
    });
  });
  afterAll(async () => db?.drop());

  it('records the sha256 of every task file it ran, failed ones too', async () => {
    const result = await runCli(['migrate', ...target(db), '--sql-dir', dir]);
    expect(result.code).toBe(1);
    const rows = await statusTable(db, 'DataMigrationTaskRuns')
      .select('RunId', 'StageCode', 'TaskName', 'TaskFile', 'Checksum', 'Outcome', 'Transactional')
      .orderBy('TaskRunId');
    expect(
      rows.map((r: Record<string, unknown>) => ({
        ...r,
        RunId: Number(r.RunId),
        Transactional: Number(r.Transactional),
      })),
    ).toEqual([
      {
        RunId: 1,
        StageCode: 'ods',
        TaskName: '010_load',
        TaskFile: 'ods/010_load.sql',
        Checksum: sha256(path.join(dir, 'ods/010_load.sql')),
        Outcome: 'success',
        Transactional: 1,
      },
      {
        RunId: 1,
        StageCode: 'ods',
        TaskName: '020_more',
        TaskFile: 'ods/020_more.sql',
        Checksum: sha256(path.join(dir, 'ods/020_more.sql')),
        Outcome: 'success',
        Transactional: 1,
      },
      {
        RunId: 1,
        StageCode: 'rds',
        TaskName: '010_broken',
        TaskFile: 'rds/010_broken.sql',
        Checksum: sha256(path.join(dir, 'rds/010_broken.sql')),
        Outcome: 'failed',
        Transactional: 1,
      },
    ]);
  });

  const resumeRefusesTitle =
    'resume refuses when a task that already ran changed, was removed or added, naming each with both checksums';
  it(resumeRefusesTitle, async () => {
    writeFileSync(path.join(dir, 'rds/010_broken.sql'), 'insert into ck values (3);\n');
    const old = sha256(path.join(dir, 'ods/010_load.sql'));
    writeFileSync(path.join(dir, 'ods/010_load.sql'), 'create table ck (x int);\ninsert into ck values (10);\n');
    const removed = sha256(path.join(dir, 'ods/020_more.sql'));
    rmSync(path.join(dir, 'ods/020_more.sql'));
    writeFileSync(path.join(dir, 'ods/030_new.sql'), 'insert into ck values (5);\n');
    const history = await historyMessages(db);

    const result = await runCli(['resume', ...target(db), '--sql-dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot resume: 3 tasks of already-run work changed since it ran`);
    expect(result.stderr).toContain(
      `ods/010_load.sql changed: sha256 ${old} ran in run 1, now ${sha256(path.join(dir, 'ods/010_load.sql'))}`,
    );
    expect(result.stderr).toContain(`ods/020_more.sql removed (sha256 ${removed} ran in run 1)`);
    expect(result.stderr).toContain(
      `ods/030_new.sql added (sha256 ${sha256(path.join(dir, 'ods/030_new.sql'))}; not run)`,
    );
    expect(result.stderr).toMatch(/`dmr restart[^`]*`/);
    expect(result.stderr).toContain('--allow-changed-tasks');
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 1 });
    expect(await historyMessages(db)).toEqual(history);

    const status = await runCli(['status', '--verbose', '--json', ...target(db), '--sql-dir', dir]);
    expect(status.code).toBe(0);
    const drift = JSON.parse(status.stdout).taskDrift;
    expect(drift.unrecorded).toEqual([]);
    expect(
      drift.drift.map((d: { stage: string; task: string; change: string }) => `${d.stage}/${d.task}:${d.change}`),
    ).toEqual(['ods/010_load:changed', 'ods/020_more:removed', 'ods/030_new:added']);
    expect(drift.drift[0]).toEqual({
      stage: 'ods',
      task: '010_load',
      change: 'changed',
      recorded: { file: 'ods/010_load.sql', checksum: old, runId: 1 },
      current: { file: 'ods/010_load.sql', checksum: sha256(path.join(dir, 'ods/010_load.sql')) },
    });
    const text = await runCli(['status', '--verbose', ...target(db), '--sql-dir', dir]);
    expect(text.stdout).toMatch(/ods: ods\/010_load\.sql changed: sha256/);
  });

  it('--allow-changed-tasks resumes, and says so in the history', async () => {
    const result = await runCli(['resume', ...target(db), '--sql-dir', dir, '--allow-changed-tasks']);
    expect(result.code, result.stderr).toBe(0);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    expect(
      (await historyMessages(db)).some((m) =>
        /^run 2 continues with changed tasks \(--allow-changed-tasks\): ods\/010_load\.sql changed/.test(m),
      ),
    ).toBe(true);
    // The stages that ran now match the files; ods still records what ran in run 1.
    const drift = JSON.parse((await runCli(['status', '--verbose', '--json', ...target(db), '--sql-dir', dir])).stdout)
      .taskDrift.drift;
    expect(drift.map((d: { stage: string }) => d.stage)).toEqual(['ods', 'ods', 'ods']);
  });
});

/**
 * Issue 12 point 5: the checksum is that of the file that ran (the dialect variant, not the generic file beside it),
 * and `dmr check` shows the drift as `status --verbose` does.
 */
describe.each(dialects)('the checksum of the variant that ran, and the drift in check (%s)', (dialect) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'sumvar');
    dir = taskDir({
      'ods/010_load.sql': 'select nothing_here_runs;\n',
      [`ods/010_load.${dialect}.sql`]: 'create table ckv (x int);\n',
      'rds/010_broken.sql': 'select * from not_there_yet;\n',
      'report/010_report.sql': 'select 1;\n',
    });
  });
  afterAll(async () => db?.drop());

  it('records the variant file and its sha256; check warns when it changed, naming both checksums', async () => {
    expect((await runCli(['migrate', ...target(db), '--sql-dir', dir])).code).toBe(1);
    const variant = path.join(dir, `ods/010_load.${dialect}.sql`);
    const ran = sha256(variant);
    const [row] = await statusTable(db, 'DataMigrationTaskRuns')
      .select('TaskFile', 'Checksum')
      .where({ StageCode: 'ods' });
    expect(row).toEqual({ TaskFile: `ods/010_load.${dialect}.sql`, Checksum: ran });

    const clean = JSON.parse((await runCli(['check', ...target(db), '--sql-dir', dir, '--json'])).stdout);
    expect(clean.tasks.items.filter((i: { id: string }) => i.id === 'task-drift')).toEqual([]);
    // The generic file is not the one that ran: changing it is no drift.
    writeFileSync(path.join(dir, 'ods/010_load.sql'), 'select still_nothing;\n');
    const generic = JSON.parse((await runCli(['check', ...target(db), '--sql-dir', dir, '--json'])).stdout);
    expect(generic.tasks.items.filter((i: { id: string }) => i.id === 'task-drift')).toEqual([]);

    writeFileSync(variant, 'create table ckv (x int, y int);\n');
    const result = await runCli(['check', ...target(db), '--sql-dir', dir, '--json']);
    const drift = JSON.parse(result.stdout).tasks.items.filter((i: { id: string }) => i.id === 'task-drift');
    expect(drift).toEqual([
      expect.objectContaining({
        state: 'warning',
        message: expect.stringContaining(
          `ods/010_load.${dialect}.sql changed: sha256 ${ran} ran in run 1, now ${sha256(variant)}`,
        ),
      }),
    ]);
    const text = await runCli(['check', ...target(db), '--sql-dir', dir]);
    expect(text.stdout).toContain(`ods/010_load.${dialect}.sql changed`);
    expect(text.stdout).toContain('refuses');
  });
});

describe('DataMigrationTaskRuns on SQL Server', () => {
  it('is created in the status schema with its index', () => {
    const knex = knexFactory({ client: 'mssql' });
    const store = new StatusStore(
      {
        dialect: 'mssql',
        knex,
        adapter: new MssqlAdapter(),
        display: 'mssql://test',
        close: async () => undefined,
      } satisfies Database,
      'App',
    );
    const sql = store.schemaBuilder().createTable(TableName.taskRuns, tableDefinitions.taskRuns).toString();
    expect(sql).toContain(
      'CREATE TABLE [App].[DataMigrationTaskRuns] ([TaskRunId] int identity(1,1) not null primary key',
    );
    expect(sql).toContain('[Checksum] nvarchar(64) not null');
    expect(sql).toContain('[StartedAt] datetime2 not null');
    expect(sql).toMatch(
      new RegExp(
        /CREATE INDEX \[IX_DataMigrationTaskRuns_Stage\] ON /.source +
          /\[App\]\.\[DataMigrationTaskRuns\] \(\[StageCode\], \[RunId\]\)/.source,
      ),
    );
  });
});

describe.each(dialects)('resume --from-task compares the tasks it skips (%s)', (dialect) => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  const fromTaskRefusesTitle =
    'refuses when a task before --from-task changed; once it is back, records it as skipped with its checksum';
  it(fromTaskRefusesTitle, async () => {
    db = await createTestDatabase(dialect, 'fromtask');
    const first = 'create table ft (x int);\ninsert into ft values (1);\n';
    const dir = taskDir({
      'ods/010_ok.sql': 'select 1;\n',
      'rds/010_first.sql': first,
      'rds/020_second.sql': 'insert into ft values (2);\nselect * from not_there;\n',
      'report/010_ok.sql': 'select 1;\n',
    });
    expect((await runCli(['migrate', ...target(db), '--sql-dir', dir])).code).toBe(1);
    writeFileSync(path.join(dir, 'rds/020_second.sql'), 'insert into ft values (2);\n');
    writeFileSync(path.join(dir, 'rds/010_first.sql'), 'create table ft (x int);\ninsert into ft values (100);\n');
    const refused = await runCli(['resume', ...target(db), '--sql-dir', dir, '--from-task', '020_second']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/rds\/010_first\.sql changed: sha256 [0-9a-f]{64} ran in run 1, now [0-9a-f]{64}/);

    writeFileSync(path.join(dir, 'rds/010_first.sql'), first);
    const resumed = await runCli(['resume', ...target(db), '--sql-dir', dir, '--from-task', '020_second']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const rows = await statusTable(db, 'DataMigrationTaskRuns')
      .where('StageCode', 'rds')
      .where('RunId', 2)
      .orderBy('TaskRunId')
      .select('TaskName', 'Outcome', 'Checksum');
    expect(rows).toEqual([
      { TaskName: '020_second', Outcome: 'success', Checksum: sha256(path.join(dir, 'rds/020_second.sql')) },
      { TaskName: '010_first', Outcome: 'skipped', Checksum: sha256(path.join(dir, 'rds/010_first.sql')) },
    ]);
  });
});
