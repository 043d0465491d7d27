import type { Knex } from 'knex';

/** Table names: Generate's four, then dmr's own (Generate's columns are never altered). */
export const TableName = {
  statuses: 'DataMigrationStatuses',
  types: 'DataMigrationTypes',
  migrations: 'DataMigrations',
  histories: 'DataMigrationHistories',
  runs: 'DataMigrationRuns',
  verifications: 'DataMigrationVerifications',
  taskRuns: 'DataMigrationTaskRuns',
} as const;

export type TableKey = keyof typeof TableName;

type Build = (t: Knex.CreateTableBuilder) => void;

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { useTz: true, precision: 3 });

/** Column layouts; Generate's match its SQL Server tables column for column. */
export const tableDefinitions: Readonly<Record<TableKey, Build>> = {
  statuses: (t) => {
    t.integer('DataMigrationStatusId').primary();
    t.string('DataMigrationStatusCode', 50).notNullable().unique();
    t.string('DataMigrationStatusName', 100).notNullable();
  },
  types: (t) => {
    t.integer('DataMigrationTypeId').primary();
    t.string('DataMigrationTypeCode', 50).notNullable().unique();
    t.string('DataMigrationTypeName', 100).notNullable();
  },
  migrations: (t) => {
    t.increments('DataMigrationId').primary();
    t.integer('DataMigrationStatusId').notNullable();
    t.integer('DataMigrationTypeId').notNullable();
    t.integer('LastDurationInSeconds').nullable();
    ts(t, 'LastTriggerDate').nullable();
    t.string('UserName', 100).nullable();
    t.text('DataMigrationTaskList').nullable();
  },
  histories: (t) => {
    t.increments('DataMigrationHistoryId').primary();
    ts(t, 'DataMigrationHistoryDate').notNullable();
    t.integer('DataMigrationTypeId').nullable();
    t.text('DataMigrationHistoryMessage').notNullable();
  },
  runs: (t) => {
    t.increments('RunId').primary();
    t.string('Command', 20).notNullable();
    t.string('JobStatus', 20).notNullable();
    t.string('Stages', 200).notNullable();
    t.string('CurrentStage', 50).nullable();
    t.string('CurrentTask', 400).nullable();
    ts(t, 'StartedAt').notNullable();
    ts(t, 'HeartbeatAt').nullable();
    ts(t, 'FinishedAt').nullable();
    t.integer('HeartbeatIntervalMs').notNullable();
    t.string('Host', 255).notNullable();
    t.integer('Pid').notNullable();
    t.string('UserName', 100).notNullable();
    t.string('DbSessionId', 100).nullable();
    t.integer('StopRequested').notNullable().defaultTo(0);
    t.string('StopRequestedBy', 255).nullable();
    t.text('PriorStatuses').nullable();
    t.text('ErrorText').nullable();
  },
  verifications: (t) => {
    t.increments('VerificationId').primary();
    ts(t, 'VerifiedAt').notNullable();
    t.string('SourceDisplay', 500).notNullable();
    t.string('TargetDisplay', 500).notNullable();
    t.string('Mode', 20).notNullable();
    t.integer('TablesCompared').notNullable();
    t.integer('TablesDiffering').notNullable();
    t.string('Status', 20).notNullable();
    t.text('Summary').nullable();
    t.string('UserName', 100).nullable();
    t.string('Host', 255).nullable();
  },
  // One row per task execution: the sha256 of the file it ran, so resume can tell when an already-run task changed.
  taskRuns: (t) => {
    t.increments('TaskRunId').primary();
    t.integer('RunId').notNullable();
    t.string('StageCode', 50).notNullable();
    t.string('TaskName', 400).notNullable();
    t.string('TaskFile', 1000).notNullable();
    t.string('Checksum', 64).notNullable();
    t.string('Outcome', 20).notNullable();
    t.integer('Transactional').notNullable();
    ts(t, 'StartedAt').notNullable();
    ts(t, 'FinishedAt').notNullable();
    t.index(['StageCode', 'RunId'], 'IX_DataMigrationTaskRuns_Stage');
  },
};

/** Creation order; the first four belong to Generate. */
export const tableOrder: readonly TableKey[] = [
  'statuses',
  'types',
  'migrations',
  'histories',
  'runs',
  'verifications',
  'taskRuns',
];
/** Tables added after databases were first set up: created by the next init or run, read only where present. */
export const laterTables: ReadonlySet<TableKey> = new Set(['taskRuns']);
export const generateTables: ReadonlySet<TableKey> = new Set(['statuses', 'types', 'migrations', 'histories']);
