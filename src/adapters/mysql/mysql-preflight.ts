import type { Knex } from 'knex';
import { answer, type PreflightProbe, type PrivilegeAnswer } from '../preflight-probe.js';
import { queryRows } from '../raw-rows.js';

const one = async <T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T> =>
  (await queryRows<Record<string, T>>(knex, sql, bindings))[0]?.v as T;

/** The grantee as information_schema spells it: 'user'@'host'. */
const grantee =
  "concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''')";

/** A global privilege (https://mariadb.com/kb/en/information-schema-user_privileges-table/). */
async function hasGlobal(knex: Knex, privileges: readonly string[]): Promise<boolean> {
  const marks = privileges.map(() => '?').join(', ');
  const sql =
    `select count(*) as v from information_schema.USER_PRIVILEGES ` +
    `where grantee = ${grantee} and privilege_type in (${marks})`;
  return Number(await one(knex, sql, [...privileges])) > 0;
}

/** A database-level privilege; table_schema may be a LIKE pattern such as `app\_%`. */
async function hasOnDatabase(knex: Knex, privilege: string, database: string): Promise<boolean> {
  const sql =
    `select count(*) as v from information_schema.SCHEMA_PRIVILEGES ` +
    `where grantee = ${grantee} and privilege_type = ? and ? like table_schema`;
  return Number(await one(knex, sql, [privilege, database])) > 0;
}

/**
 * MySQL / MariaDB: privileges from information_schema (roles are not followed: a privilege held
 * only through a role reads as missing). GET_LOCK needs none
 * (https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html); PROCESSLIST shows other
 * users' threads with PROCESS; KILL of another user's thread needs CONNECTION ADMIN or SUPER.
 */
export const mysqlPreflight: PreflightProbe = {
  missingDatabase: () => null,
  serverVersion: (knex) => one<string>(knex, 'select version() as v'),
  serverEpochMs: async (knex) => Number(await one(knex, 'select unix_timestamp(now(6)) * 1000 as v')),
  currentUser: (knex) => one<string>(knex, 'select current_user() as v'),
  defaultSchema: async (knex) => (await one<string | null>(knex, 'select database() as v')) ?? '',
  schemaExists: async (knex, schema) =>
    Number(await one(knex, 'select count(*) as v from information_schema.SCHEMATA where schema_name = ?', [schema])) >
    0,
  async createInSchema(knex, schema, exists) {
    const granted = (await hasGlobal(knex, ['CREATE'])) || (await hasOnDatabase(knex, 'CREATE', schema));
    return answer(granted, exists ? `CREATE on database ${schema}` : `CREATE (to create database ${schema})`);
  },
  runLock: async () => ({ state: 'granted', detail: 'GET_LOCK needs no privilege' }),
  sessionViews: async (knex) =>
    answer(await hasGlobal(knex, ['PROCESS']), "PROCESS (other users' threads in PROCESSLIST)"),
  endSessions: async (knex) =>
    answer(
      await hasGlobal(knex, ['SUPER', 'CONNECTION ADMIN', 'CONNECTION_ADMIN']),
      "CONNECTION ADMIN or SUPER (KILL of other users' threads)",
    ),
  readTables: (knex, schema) => tablePrivilege(knex, schema, 'SELECT'),
  writeTables: (knex, schema) => tablePrivilege(knex, schema, 'INSERT'),
};

/** `privilege` on the whole database `schema`; with table grants only, MySQL hides the rest and it is unknown. */
async function tablePrivilege(knex: Knex, schema: string, privilege: 'SELECT' | 'INSERT'): Promise<PrivilegeAnswer> {
  const granted = (await hasGlobal(knex, [privilege])) || (await hasOnDatabase(knex, privilege, schema));
  if (granted) return { state: 'granted', detail: `${privilege} on ${schema}` };
  const tables = Number(
    await one(
      knex,
      `select count(*) as v from information_schema.TABLE_PRIVILEGES where grantee = ${grantee} and ` +
        'table_schema = ? and privilege_type = ?',
      [schema, privilege],
    ),
  );
  return tables > 0
    ? { state: 'unknown', detail: `${privilege} granted on some tables of ${schema} only` }
    : { state: 'missing', detail: `${privilege} on ${schema}` };
}
