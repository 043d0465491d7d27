import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { stageStatuses, statusTable, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

async function columns(db: TestDatabase, table: string): Promise<string[]> {
  const info = await statusTable(db, table).columnInfo();
  return Object.entries(info)
    .map(([name, c]) => `${name}:${(c as { type: string }).type}`)
    .sort();
}

describe.each(dialects)('dmr init on a database that already has Generate tables (%s)', (dialect) => {
  let db: TestDatabase;
  const schemaOf = (d: TestDatabase) => (d.dialect === 'sqlite' ? d.knex.schema : d.knex.schema.withSchema(d.schema));
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'generate');
    if (dialect === 'postgres') await db.knex.raw(`create schema "${db.schema}"`);
    if (dialect === 'mysql') await db.knex.raw(`create database \`${db.schema}\``);
    await schemaOf(db).createTable('DataMigrationStatuses', (t) => {
      t.integer('DataMigrationStatusId').primary();
      t.string('DataMigrationStatusCode', 50);
      t.string('DataMigrationStatusName', 50);
    });
    await schemaOf(db).createTable('DataMigrationTypes', (t) => {
      t.integer('DataMigrationTypeId').primary();
      t.string('DataMigrationTypeCode', 50);
      t.string('DataMigrationTypeName', 50);
      t.string('GenerateOnlyColumn', 10);
    });
    await schemaOf(db).createTable('DataMigrations', (t) => {
      t.increments('DataMigrationId');
      t.integer('DataMigrationStatusId');
      t.integer('DataMigrationTypeId');
      t.integer('LastDurationInSeconds');
      t.datetime('LastTriggerDate');
      t.string('UserName', 256);
      t.string('DataMigrationTaskList', 2000);
    });
    await schemaOf(db).createTable('DataMigrationHistories', (t) => {
      t.increments('DataMigrationHistoryId');
      t.datetime('DataMigrationHistoryDate');
      t.integer('DataMigrationTypeId');
      t.string('DataMigrationHistoryMessage', 4000);
    });
    await statusTable(db, 'DataMigrationStatuses').insert(
      [1, 2, 3, 4].map((id) => ({
        DataMigrationStatusId: id,
        DataMigrationStatusCode: ['initial', 'pending', 'processing', 'error'][id - 1],
        DataMigrationStatusName: 'x',
      })),
    );
    await statusTable(db, 'DataMigrationTypes').insert(
      [1, 2, 3].map((id) => ({
        DataMigrationTypeId: id,
        DataMigrationTypeCode: ['ods', 'rds', 'report'][id - 1],
        DataMigrationTypeName: 'x',
        GenerateOnlyColumn: 'keep',
      })),
    );
    await statusTable(db, 'DataMigrations').insert([
      { DataMigrationStatusId: 4, DataMigrationTypeId: 1, UserName: 'generate' },
      { DataMigrationStatusId: 1, DataMigrationTypeId: 2 },
    ]);
  });
  afterAll(async () => db?.drop());

  it('adds only what is missing and never alters Generate columns or rows', async () => {
    const before = await Promise.all(
      ['DataMigrationStatuses', 'DataMigrationTypes', 'DataMigrations', 'DataMigrationHistories'].map((t) =>
        columns(db, t),
      ),
    );
    const result = await runCli(['init', ...target(db), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.createdTables).toEqual(['DataMigrationRuns', 'DataMigrationVerifications', 'DataMigrationTaskRuns']);
    expect(report.seededRows).toEqual(['status success', 'DataMigrations row for report']);
    const after = await Promise.all(
      ['DataMigrationStatuses', 'DataMigrationTypes', 'DataMigrations', 'DataMigrationHistories'].map((t) =>
        columns(db, t),
      ),
    );
    expect(after).toEqual(before);
    expect(await stageStatuses(db)).toEqual({ 1: 4, 2: 1, 3: 1 });
    expect(await statusTable(db, 'DataMigrationTypes').pluck('GenerateOnlyColumn')).toEqual(['keep', 'keep', 'keep']);

    const again = await runCli(['init', ...target(db), '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ createdTables: [], seededRows: [], skipped: [] });
  });
});
