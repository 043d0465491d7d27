import type { CopyColumn, CopyDialect, CopyTable } from '../copy-dialect.js';
import { sessionCopyLocks } from '../copy-locks.js';
import { pooledLockSession } from '../session-run-lock.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { fnv31, queryRows } from '../raw-rows.js';
import { postgresRangeCondition, postgresReader, postgresWriter } from './postgres-copy-io.js';
import { postgresDeclare, postgresTypeOf } from './postgres-copy-types.js';

const q = quoteIdentifierFor.postgres;
const ref = (schema: string | undefined, table: string) => (schema ? `${q(schema)}.${q(table)}` : q(table));
/** First key of copy-table advisory locks ('dmc'); the run lock uses 'dmr'. */
const copyLockClass = 0x646d63;

/** PostgreSQL for `dmr copy`: COPY both ways (pg-copy-streams), primary key built after the load. */
export const postgresCopy: CopyDialect = {
  name: 'postgres',
  ledgerInTransaction: true,
  singleWriter: false,
  copiesUnmappedTypesToItself: true,
  primaryKeyAfterLoad: true,
  quoteIdentifier: q,
  tableReference: ref,

  async listTables(knex, schema) {
    const rows = await queryRows<{ name: string }>(
      knex,
      `select table_name as name from information_schema.tables where table_schema = coalesce(?, ` +
        `current_schema()) and table_type = 'BASE TABLE' order by 1`,
      [schema ?? null],
    );
    return rows.map((r) => r.name);
  },

  async describeTable(knex, schema, table) {
    const [rel] = await queryRows<{ oid: number; schema: string; estimate: number }>(
      knex,
      `select c.oid, n.nspname as schema, c.reltuples::float8 as estimate from pg_class c join ` +
        `pg_namespace n on n.oid = c.relnamespace
        where c.relname = ? and n.nspname = coalesce(?, current_schema()) and c.relkind in ('r', 'p')`,
      [table, schema ?? null],
    );
    if (!rel) return null;
    const cols = await queryRows<{ name: string; declared: string; notnull: boolean; builtin: boolean }>(
      knex,
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as declared, a.attnotnull ` +
        `as notnull, t.typnamespace = 'pg_catalog'::regnamespace as builtin
         from pg_attribute a join pg_type t on t.oid = a.atttypid
        where a.attrelid = ? and a.attnum > 0 and not a.attisdropped order by a.attnum`,
      [rel.oid],
    );
    const pk = await queryRows<{ name: string }>(
      knex,
      `select a.attname as name from pg_index i cross join lateral unnest(i.indkey) with ordinality k(attnum, n)
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
        where i.indrelid = ? and i.indisprimary order by k.n`,
      [rel.oid],
    );
    const columns = cols.map((c): CopyColumn => ({
      name: c.name,
      declared: c.declared,
      type: c.builtin ? postgresTypeOf(c.declared) : null,
      nullable: !c.notnull,
    }));
    const estimate = Number(rel.estimate);
    return {
      schema: rel.schema,
      name: table,
      columns,
      primaryKey: pk.map((r) => r.name),
      estimatedRows: estimate >= 0 ? estimate : null,
    } satisfies CopyTable;
  },

  typeOf: postgresTypeOf,
  declare: postgresDeclare,

  isDeclaredType(text) {
    return /^[a-z][a-z0-9 ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?( with(out)? time zone)?(\[\])?$/i.test(text.trim());
  },

  rangeSql: postgresRangeCondition,

  createTableSql(schema, table, columns, primaryKey) {
    const defs = columns.map((c) => `${q(c.name)} ${c.declared}${c.nullable ? '' : ' not null'}`);
    if (primaryKey.length) defs.push(`primary key (${primaryKey.map(q).join(', ')})`);
    return `create table ${ref(schema, table)} (${defs.join(', ')})`;
  },

  addPrimaryKeySql(schema, table, primaryKey) {
    return `alter table ${ref(schema, table)} add primary key (${primaryKey.map(q).join(', ')})`;
  },

  truncateSql: (schema, table) => `truncate table ${ref(schema, table)}`,

  async tableExists(knex, schema, table) {
    const rows = await queryRows(
      knex,
      `select 1 from information_schema.tables where table_schema = coalesce(?, current_schema()) and table_name = ?`,
      [schema ?? null, table],
    );
    return rows.length > 0;
  },

  openReader: postgresReader,
  openWriter: postgresWriter,

  /**
   * Data exceptions (class 22) and integrity violations (class 23):
   * https://www.postgresql.org/docs/current/errcodes-appendix.html
   */
  rowRefusal(error) {
    const e = error as { code?: string; message?: string; column?: string; where?: string };
    if (!e.code || !/^2[23]/.test(e.code)) return null;
    const field = e.column ?? /column (\w+)/.exec(e.where ?? '')?.[1];
    return {
      code: e.code,
      message: String(e.message ?? error),
      ...(field ? { field } : {}),
      duplicate: e.code === '23505',
    };
  },

  isConnectionLoss(error) {
    const e = error as { code?: string; message?: string };
    if (e.code && /^(08|57P)/.test(e.code)) return true;
    return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|not queryable|Client was closed/i.test(
      String(e.message ?? ''),
    );
  },

  locks(knex, database) {
    return sessionCopyLocks(pooledLockSession(knex), {
      acquire: 'select pg_try_advisory_lock(?, ?) as ok',
      release: 'select pg_advisory_unlock(?, ?)',
      bindings: (name) => [copyLockClass, fnv31(`${database}/${name}`)],
      acquired: (row) => row.ok === true,
    });
  },
};
