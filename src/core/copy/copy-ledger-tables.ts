import type { Knex } from 'knex';

/** dmr's copy ledger, beside the status tables in the status schema (Generate's tables are never touched). */
export const LedgerTable = {
  copies: 'DataMigrationCopies',
  chunks: 'DataMigrationCopyChunks',
  rejects: 'DataMigrationCopyRejects',
} as const;

export type LedgerKey = keyof typeof LedgerTable;

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { useTz: true, precision: 3 });

/** One row per copy job (a source table into a target table); a rerun of an unfinished job resumes it. */
export const ledgerDefinitions: Readonly<Record<LedgerKey, (t: Knex.CreateTableBuilder) => void>> = {
  copies: (t) => {
    t.increments('CopyId').primary();
    t.string('JobKey', 64).notNullable().index();
    t.string('SourceDisplay', 500).notNullable();
    t.string('SourceTable', 300).notNullable();
    t.string('TargetTable', 300).notNullable();
    t.string('KeyColumns', 1000).notNullable();
    t.string('ChunkKind', 10).notNullable();
    t.string('Mode', 10).notNullable();
    t.string('Status', 20).notNullable();
    t.bigInteger('TargetRowsBefore').notNullable().defaultTo(0);
    t.integer('PrimaryKeyPending').notNullable().defaultTo(0);
    t.bigInteger('RowsCopied').nullable();
    t.bigInteger('RowsRejected').nullable();
    ts(t, 'StartedAt').notNullable();
    ts(t, 'FinishedAt').nullable();
    t.string('UserName', 100).nullable();
    t.string('Host', 255).nullable();
    t.integer('Pid').nullable();
    t.text('ErrorText').nullable();
  },
  chunks: (t) => {
    t.integer('CopyId').notNullable();
    t.integer('ChunkNo').notNullable();
    t.primary(['CopyId', 'ChunkNo']);
    t.text('LowKey').nullable();
    t.text('HighKey').nullable();
    t.string('Status', 20).notNullable();
    t.bigInteger('Rows').notNullable().defaultTo(0);
    t.integer('Rejected').notNullable().defaultTo(0);
    t.integer('Attempts').notNullable().defaultTo(0);
    t.string('SessionId', 100).nullable();
    t.string('Host', 255).nullable();
    t.integer('Pid').nullable();
    ts(t, 'StartedAt').nullable();
    ts(t, 'FinishedAt').nullable();
    t.text('ErrorText').nullable();
  },
  rejects: (t) => {
    t.increments('RejectId').primary();
    t.integer('CopyId').notNullable().index();
    t.integer('ChunkNo').notNullable();
    t.string('Component', 300).notNullable();
    t.text('ReferenceId').notNullable();
    t.string('Field', 200).nullable();
    t.text('Message').notNullable();
    t.text('RowData').nullable();
    t.string('Status', 20).notNullable();
    ts(t, 'CreatedAt').notNullable();
  },
};

export const ledgerOrder: readonly LedgerKey[] = ['copies', 'chunks', 'rejects'];
