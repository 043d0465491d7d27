import { StatusId, defaultStages, statusCodes, statusNames } from './status-codes.js';
import type { StatusStore } from './status-store.js';
import { TableName, laterTables, tableDefinitions, tableOrder } from './status-tables.js';

export interface InitResult {
  readonly createdTables: readonly string[];
  readonly seededRows: readonly string[];
  /** Rows that could not be added to existing Generate tables (doctor reports them). */
  readonly skipped: readonly string[];
}

/**
 * Creates what is missing, idempotently: the schema, the tables, the five status codes, the
 * three stage types and one DataMigrations row per stage. Existing tables are never altered,
 * so it is safe on a real Generate database. Callers hold the run lock.
 */
export async function ensureStatusTables(store: StatusStore): Promise<InitResult> {
  const { adapter, knex } = store.database;
  const createSchema = adapter.createSchemaSql(store.schema);
  // Only when something is missing: `create schema if not exists` needs CREATE on the database,
  // which a runner role may lack.
  if (createSchema && !(await statusTablesExist(store))) await knex.raw(createSchema);

  const createdTables: string[] = [];
  for (const key of tableOrder) {
    if (await store.hasTable(key)) continue;
    await store.schemaBuilder().createTable(TableName[key], tableDefinitions[key]);
    createdTables.push(TableName[key]);
  }

  const seededRows: string[] = [];
  const skipped: string[] = [];
  const trySeed = async (label: string, insert: () => Promise<unknown>, fromExistingTable: boolean) => {
    try {
      await insert();
      seededRows.push(label);
    } catch (error) {
      if (!fromExistingTable) throw error;
      skipped.push(`${label}: ${adapter.describeError(error).message}`);
    }
  };

  const statusesExisted = !createdTables.includes(TableName.statuses);
  const codes = new Set(
    (await store.table('statuses').select('DataMigrationStatusCode')).map((r: Record<string, unknown>) =>
      String(r.DataMigrationStatusCode),
    ),
  );
  for (const code of statusCodes.filter((c) => !codes.has(c))) {
    await trySeed(
      `status ${code}`,
      () =>
        store.table('statuses').insert({
          DataMigrationStatusId: StatusId[code],
          DataMigrationStatusCode: code,
          DataMigrationStatusName: statusNames[code],
        }),
      statusesExisted,
    );
  }

  const typesExisted = !createdTables.includes(TableName.types);
  const types = new Set(
    (await store.table('types').select('DataMigrationTypeCode')).map((r: Record<string, unknown>) =>
      String(r.DataMigrationTypeCode),
    ),
  );
  for (const stage of defaultStages.filter((s) => !types.has(s.code))) {
    await trySeed(
      `stage ${stage.code}`,
      () =>
        store.table('types').insert({
          DataMigrationTypeId: stage.id,
          DataMigrationTypeCode: stage.code,
          DataMigrationTypeName: stage.name,
        }),
      typesExisted,
    );
  }

  const migrationsExisted = !createdTables.includes(TableName.migrations);
  const withRows = new Set(
    (await store.table('migrations').select('DataMigrationTypeId')).map((r: Record<string, unknown>) =>
      Number(r.DataMigrationTypeId),
    ),
  );
  for (const type of await store.stageTypes()) {
    if (withRows.has(type.id)) continue;
    await trySeed(
      `DataMigrations row for ${type.code}`,
      () => store.table('migrations').insert({ DataMigrationTypeId: type.id, DataMigrationStatusId: StatusId.initial }),
      migrationsExisted,
    );
  }
  return { createdTables, seededRows, skipped };
}

/** True when every table exists (commands that only read use it to avoid creating anything). */
export async function statusTablesExist(store: StatusStore): Promise<boolean> {
  for (const key of tableOrder) {
    if (laterTables.has(key)) continue;
    if (!(await store.hasTable(key))) return false;
  }
  return true;
}
