import type { Knex } from 'knex';
import { answer, type PreflightProbe, type PrivilegeAnswer } from '../preflight-probe.js';
import { queryRows } from '../raw-rows.js';

const one = async <T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T> =>
  (await queryRows<Record<string, T>>(knex, sql, bindings))[0]?.v as T;

/**
 * SQL Server: HAS_PERMS_BY_NAME
 * (https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql); the run lock is
 * sp_getapplock
 * (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-getapplock-transact-sql).
 */
export const mssqlPreflight: PreflightProbe = {
  missingDatabase: () => null,
  serverVersion: (knex) => one<string>(knex, "select cast(serverproperty('ProductVersion') as nvarchar(128)) as v"),
  serverEpochMs: async (knex) =>
    Number(await one(knex, "select datediff_big(millisecond, '1970-01-01', sysutcdatetime()) as v")),
  currentUser: (knex) => one<string>(knex, 'select suser_sname() as v'),
  defaultSchema: (knex) => one<string>(knex, 'select schema_name() as v'),
  schemaExists: async (knex, schema) =>
    Number(await one(knex, 'select count(*) as v from sys.schemas where name = ?', [schema])) > 0,
  async createInSchema(knex, schema, exists) {
    if (!exists) {
      return answer(
        await one(knex, "select has_perms_by_name(db_name(), 'DATABASE', 'CREATE SCHEMA') as v"),
        'CREATE SCHEMA',
      );
    }
    const sql = "select has_perms_by_name(null, null, 'CREATE TABLE') & has_perms_by_name(?, 'SCHEMA', 'ALTER') as v";
    return answer(await one(knex, sql, [schema]), `CREATE TABLE and ALTER on schema ${schema}`);
  },
  runLock: async (knex) =>
    answer(
      await one(knex, "select has_perms_by_name('sys.sp_getapplock', 'OBJECT', 'EXECUTE') as v"),
      'EXECUTE on sp_getapplock',
    ),
  sessionViews: async (knex) =>
    answer(await one(knex, "select has_perms_by_name(null, null, 'VIEW SERVER STATE') as v"), 'VIEW SERVER STATE'),
  endSessions: async (knex) =>
    answer(
      await one(knex, "select has_perms_by_name(null, null, 'ALTER ANY CONNECTION') as v"),
      'ALTER ANY CONNECTION (KILL)',
    ),
  readTables: (knex, schema) => tablePrivilege(knex, schema, 'SELECT'),
  writeTables: (knex, schema) => tablePrivilege(knex, schema, 'INSERT'),
};

/** `privilege` on every table of `schema`, counting the tables without it. */
async function tablePrivilege(knex: Knex, schema: string, privilege: 'SELECT' | 'INSERT'): Promise<PrivilegeAnswer> {
  const sql =
    'select count(*) as v from sys.tables t join sys.schemas s on s.schema_id = t.schema_id ' +
    `where s.name = ? and has_perms_by_name(quotename(s.name) + '.' + quotename(t.name), 'OBJECT', '${privilege}') = 0`;
  const missing = Number(await one(knex, sql, [schema]));
  return missing
    ? { state: 'missing', detail: `${privilege} on ${missing} tables of ${schema}` }
    : { state: 'granted', detail: `${privilege} on ${schema}` };
}
