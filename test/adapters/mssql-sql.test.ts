import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { MssqlAdapter } from '../../src/adapters/mssql/mssql-adapter.js';
import { mssqlLockResource, mssqlSql } from '../../src/adapters/mssql/mssql-sql.js';
import type { Database } from '../../src/core/database.js';
import { StatusStore } from '../../src/core/status/status-store.js';
import { TableName, tableDefinitions } from '../../src/core/status/status-tables.js';

// No SQL Server runs on this machine: these check the T-SQL dmr sends. Live tests run when DMR_TEST_MSSQL_URL is set.
const knex = knexFactory({ client: 'mssql' });
const adapter = new MssqlAdapter();
const store = new StatusStore(
  { dialect: 'mssql', knex, adapter, display: 'mssql://test', close: async () => undefined } satisfies Database,
  'App',
);

describe('SQL Server SQL text', () => {
  it('creates the schema only when missing', () => {
    expect(adapter.createSchemaSql('App')).toBe("if schema_id(N'App') is null exec(N'create schema [App]')");
    expect(adapter.quoteIdentifier('we]ird')).toBe('[we]]ird]');
  });

  it('creates Generate tables with its column names in schema App', () => {
    const sql = store.schemaBuilder().createTable(TableName.migrations, tableDefinitions.migrations).toString();
    expect(sql).toContain('CREATE TABLE [App].[DataMigrations]');
    for (const column of [
      'DataMigrationId',
      'DataMigrationStatusId',
      'DataMigrationTypeId',
      'LastDurationInSeconds',
      'LastTriggerDate',
      'UserName',
      'DataMigrationTaskList',
    ]) {
      expect(sql).toContain(`[${column}]`);
    }
    expect(sql).toMatch(/\[DataMigrationId\] int identity\(1,1\) not null primary key/i);
    const runs = store.schemaBuilder().createTable(TableName.runs, tableDefinitions.runs).toString();
    expect(runs).toContain('CREATE TABLE [App].[DataMigrationRuns]');
    expect(runs).toMatch(/\[HeartbeatAt\] datetime2 null/);
  });

  it('takes a session-owned application lock without waiting, and releases it on the same session', () => {
    expect(mssqlSql.acquireLock).toMatch(
      /sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0/,
    );
    expect(mssqlSql.acquireLock).toContain('select @result as result, @@spid as id');
    expect(mssqlSql.releaseLock).toMatch(/sp_releaseapplock @Resource = @p0, @LockOwner = 'Session'/);
    expect(mssqlLockResource('App')).toBe('dmr:App');
    expect(mssqlSql.lockHolder).toContain("resource_type = 'APPLICATION'");
    expect(mssqlSql.lockHolder).toContain("request_owner_type = 'SESSION'");
  });

  it('writes status updates and history to the qualified tables', () => {
    const update = store
      .table('migrations')
      .whereIn('DataMigrationTypeId', [2])
      .update({ DataMigrationStatusId: 3 })
      .toQuery();
    expect(update).toBe(
      'update [App].[DataMigrations] set [DataMigrationStatusId] = 3 where [DataMigrationTypeId] ' +
        'in (2);select @@rowcount',
    );
    const insert = store
      .table('histories')
      .insert({ DataMigrationTypeId: 2, DataMigrationHistoryMessage: "rds: it's done" })
      .toQuery();
    expect(insert).toBe(
      'insert into [App].[DataMigrationHistories] ([DataMigrationHistoryMessage], ' +
        "[DataMigrationTypeId]) values ('rds: it''s done', 2)",
    );
  });

  it('splits task scripts into GO batches with their start lines', () => {
    const statements = adapter.splitScript('create table a (x int);\ninsert into a values (1);\nGO\n\nselect 1\ngo\n');
    expect(statements.map((s) => s.line)).toEqual([1, 5]);
    expect(statements[0]?.sql).toContain('insert into a');
  });

  it('reads error number and line from a driver error', () => {
    expect(adapter.describeError({ number: 208, lineNumber: 3, message: "Invalid object name 'x'." })).toEqual({
      code: '208',
      lineInStatement: 3,
      message: "Invalid object name 'x'.",
    });
  });

  it('refuses a session id that is not a number before it reaches KILL', async () => {
    await expect(adapter.terminateSession(knex, '1; drop table x')).rejects.toThrow(/not a server session id/);
  });
});
