import type { Knex } from 'knex';
import { answer, type PreflightProbe } from '../preflight-probe.js';
import { queryRows } from '../raw-rows.js';

const more = (n: number) => (n > 0 ? ` and ${n} more` : '');

const one = async <T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T> =>
  (await queryRows<Record<string, T>>(knex, sql, bindings))[0]?.v as T;

/** Superuser, or member of a predefined role (https://www.postgresql.org/docs/current/predefined-roles.html). */
const superOr = (role: string) =>
  `select pg_has_role(current_user, '${role}', 'MEMBER') ` +
  `or (select rolsuper from pg_roles where rolname = current_user) as v`;

/**
 * PostgreSQL: privilege functions (https://www.postgresql.org/docs/current/functions-info.html),
 * advisory lock functions (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
 */
export const postgresPreflight: PreflightProbe = {
  missingDatabase: () => null,
  serverVersion: (knex) => one<string>(knex, "select current_setting('server_version') as v"),
  serverEpochMs: async (knex) => Number(await one(knex, 'select extract(epoch from clock_timestamp()) * 1000 as v')),
  currentUser: (knex) => one<string>(knex, 'select current_user as v'),
  defaultSchema: (knex) => one<string>(knex, 'select current_schema() as v'),
  schemaExists: async (knex, schema) =>
    Boolean(await one(knex, 'select exists (select 1 from pg_namespace where nspname = ?) as v', [schema])),
  async createInSchema(knex, schema, exists) {
    if (exists)
      return answer(
        await one(knex, "select has_schema_privilege(?, 'CREATE') as v", [schema]),
        `CREATE on schema ${schema}`,
      );
    return answer(
      await one(knex, "select has_database_privilege(current_database(), 'CREATE') as v"),
      'CREATE on the database (to create the schema)',
    );
  },
  async runLock(knex) {
    const sql =
      "select has_function_privilege('pg_try_advisory_lock(integer, integer)', 'EXECUTE') " +
      "and has_function_privilege('pg_advisory_unlock(integer, integer)', 'EXECUTE') as v";
    return answer(
      await one(knex, sql),
      'EXECUTE on pg_try_advisory_lock(integer, integer) and pg_advisory_unlock(integer, integer)',
    );
  },
  sessionViews: async (knex) =>
    answer(
      await one(knex, superOr('pg_read_all_stats')),
      "role pg_read_all_stats (other users' queries in pg_stat_activity)",
    ),
  endSessions: async (knex) =>
    answer(
      await one(knex, superOr('pg_signal_backend')),
      "role pg_signal_backend (pg_terminate_backend of other users' sessions)",
    ),
  readTables: (knex, schema) => tablePrivilege(knex, schema, 'SELECT', "'r', 'p', 'v', 'm'"),
  writeTables: (knex, schema) => tablePrivilege(knex, schema, 'INSERT', "'r', 'p'"),
};

/** `privilege` on every relation of those kinds in `schema`, naming the first ones without it. */
async function tablePrivilege(knex: Knex, schema: string, privilege: 'SELECT' | 'INSERT', kinds: string) {
  if (!(await one(knex, "select has_schema_privilege(?, 'USAGE') as v", [schema])))
    return answer(false, `USAGE on schema ${schema}`);
  const rows = await queryRows<{ relname: string }>(
    knex,
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ? and c.relkind in (${kinds})
       and not has_table_privilege(c.oid, '${privilege}') order by 1`,
    [schema],
  );
  const missing = rows.map((r) => r.relname);
  return missing.length
    ? answer(false, `${privilege} on ${missing.slice(0, 5).join(', ')}${more(missing.length - 5)} in ${schema}`)
    : answer(true, `${privilege} on every table of ${schema}`);
}
