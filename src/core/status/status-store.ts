import type { Knex } from 'knex';
import type { Database } from '../database.js';
import { assertIdentifier } from '../identifiers.js';
import { toDate } from '../time.js';
import { statusCodeOf, type StatusCode } from './status-codes.js';
import { TableName, type TableKey } from './status-tables.js';

/** One row of App.DataMigrations joined with its type and status codes. */
export interface StageState {
  readonly migrationId: number;
  readonly typeId: number;
  /** ods, rds, report (null when the type row is missing). */
  readonly stage: string | null;
  readonly statusId: number;
  /** null when the status id is not one of Generate's five. */
  readonly status: StatusCode | null;
  readonly lastDurationInSeconds: number | null;
  readonly lastTriggerDate: Date | null;
  readonly userName: string | null;
  readonly taskList: string | null;
}

export interface HistoryLine {
  readonly id: number;
  readonly date: Date | null;
  readonly typeId: number | null;
  readonly message: string;
}

type Db = Knex | Knex.Transaction;

/** Reads and writes Generate's status tables in one schema. */
export class StatusStore {
  readonly schema: string;

  constructor(
    readonly database: Database,
    schema: string,
  ) {
    this.schema = assertIdentifier(schema, '--schema');
  }

  get knex(): Knex {
    return this.database.knex;
  }

  /** A query on one of the tables, schema-qualified where the dialect has schemas. */
  table(key: TableKey, db: Db = this.knex): Knex.QueryBuilder {
    const qb = db(TableName[key]);
    return this.database.adapter.capabilities.schemas ? qb.withSchema(this.schema) : qb;
  }

  schemaBuilder(db: Db = this.knex): Knex.SchemaBuilder {
    return this.database.adapter.capabilities.schemas ? db.schema.withSchema(this.schema) : db.schema;
  }

  async hasTable(key: TableKey): Promise<boolean> {
    return this.schemaBuilder().hasTable(TableName[key]);
  }

  async stages(db: Db = this.knex): Promise<StageState[]> {
    const [migrations, types] = await Promise.all([
      this.table('migrations', db).select('*').orderBy('DataMigrationTypeId').orderBy('DataMigrationId'),
      this.table('types', db).select('DataMigrationTypeId', 'DataMigrationTypeCode'),
    ]);
    const codeById = new Map<number, string>(
      types.map((t: Record<string, unknown>) => [Number(t.DataMigrationTypeId), String(t.DataMigrationTypeCode)]),
    );
    return migrations.map((m: Record<string, unknown>) => ({
      migrationId: Number(m.DataMigrationId),
      typeId: Number(m.DataMigrationTypeId),
      stage: codeById.get(Number(m.DataMigrationTypeId)) ?? null,
      statusId: Number(m.DataMigrationStatusId),
      status: statusCodeOf(Number(m.DataMigrationStatusId)) ?? null,
      lastDurationInSeconds:
        m.LastDurationInSeconds === null || m.LastDurationInSeconds === undefined
          ? null
          : Number(m.LastDurationInSeconds),
      lastTriggerDate: toDate(m.LastTriggerDate),
      userName: (m.UserName as string | null) ?? null,
      taskList: (m.DataMigrationTaskList as string | null) ?? null,
    }));
  }

  /** Stage codes in order (DataMigrationTypes by id). */
  async stageTypes(db: Db = this.knex): Promise<{ id: number; code: string }[]> {
    const rows = await this.table('types', db)
      .select('DataMigrationTypeId', 'DataMigrationTypeCode')
      .orderBy('DataMigrationTypeId');
    return rows.map((r: Record<string, unknown>) => ({
      id: Number(r.DataMigrationTypeId),
      code: String(r.DataMigrationTypeCode),
    }));
  }

  async setStatus(
    typeIds: readonly number[],
    statusId: number,
    extra: Record<string, unknown> = {},
    db: Db = this.knex,
  ): Promise<void> {
    if (typeIds.length === 0) return;
    await this.table('migrations', db)
      .whereIn('DataMigrationTypeId', [...typeIds])
      .update({ DataMigrationStatusId: statusId, ...extra });
  }

  async addHistory(typeId: number | null, message: string, db: Db = this.knex): Promise<void> {
    await this.table('histories', db).insert({
      DataMigrationHistoryDate: new Date(),
      DataMigrationTypeId: typeId,
      DataMigrationHistoryMessage: message.slice(0, 4000),
    });
  }

  async history(limit: number, db: Db = this.knex): Promise<HistoryLine[]> {
    const rows = await this.table('histories', db).select('*').orderBy('DataMigrationHistoryId', 'desc').limit(limit);
    return rows.map((r: Record<string, unknown>) => ({
      id: Number(r.DataMigrationHistoryId),
      date: toDate(r.DataMigrationHistoryDate),
      typeId: r.DataMigrationTypeId === null ? null : Number(r.DataMigrationTypeId),
      message: String(r.DataMigrationHistoryMessage),
    }));
  }
}
