import path from 'node:path';
import type { Knex } from 'knex';
import { projectRoot } from './cli.js';
import type { TestDatabase } from './databases.js';

/** A status table of the test database, schema-qualified where the dialect has schemas. */
export function statusTable(db: TestDatabase, table: string, knex: Knex = db.knex): Knex.QueryBuilder {
  const qb = knex(table);
  return db.dialect === 'sqlite' ? qb : qb.withSchema(db.schema);
}

/** {typeId: statusId} of App.DataMigrations. */
export async function stageStatuses(db: TestDatabase): Promise<Record<number, number>> {
  const rows = await statusTable(db, 'DataMigrations').select('DataMigrationTypeId', 'DataMigrationStatusId');
  return Object.fromEntries(
    rows.map((r: Record<string, unknown>) => [Number(r.DataMigrationTypeId), Number(r.DataMigrationStatusId)]),
  );
}

export async function historyMessages(db: TestDatabase): Promise<string[]> {
  const rows = await statusTable(db, 'DataMigrationHistories')
    .select('DataMigrationHistoryMessage')
    .orderBy('DataMigrationHistoryId');
  return rows.map((r: Record<string, unknown>) => String(r.DataMigrationHistoryMessage));
}

export async function latestRun(db: TestDatabase): Promise<Record<string, unknown> | undefined> {
  return statusTable(db, 'DataMigrationRuns').orderBy('RunId', 'desc').first();
}

export function fixture(name: string): string {
  return path.join(projectRoot, 'test/fixtures/runner', name);
}

/** Common CLI arguments pointing at a test database. */
export function target(db: TestDatabase): string[] {
  return ['--url', db.url, '--schema', db.schema];
}
