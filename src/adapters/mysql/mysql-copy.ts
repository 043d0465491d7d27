import { createHash } from 'node:crypto';
import type { CopyColumn, CopyDialect } from '../copy-dialect.js';
import { sessionCopyLocks } from '../copy-locks.js';
import { pooledLockSession } from '../session-run-lock.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { queryRows } from '../raw-rows.js';
import { LoadDataWarning, mysqlRangeSql, mysqlReader, mysqlWriter } from './mysql-copy-io.js';
import { mysqlDeclare, mysqlTypeOf } from './mysql-copy-types.js';

const q = quoteIdentifierFor.mysql;
const ref = (schema: string | undefined, table: string) => (schema ? `${q(schema)}.${q(table)}` : q(table));

/**
 * Server errors that mean "this row's value or constraint", not the connection:
 * https://mariadb.com/kb/en/mariadb-error-code-reference/
 */
const refusalErrnos = new Set([
  1048, 1062, 1263, 1264, 1265, 1292, 1366, 1406, 1411, 1452, 1451, 3819, 4025, 4078, 1690, 1367, 1261, 1262,
]);

/**
 * MySQL and MariaDB for `dmr copy`: server-built lines read, LOAD DATA LOCAL INFILE from a stream, key in the CREATE
 * (InnoDB clusters by it).
 */
export const mysqlCopy: CopyDialect = {
  name: 'mysql',
  ledgerInTransaction: true,
  singleWriter: false,
  copiesUnmappedTypesToItself: false,
  primaryKeyAfterLoad: false,
  quoteIdentifier: q,
  tableReference: ref,

  async listTables(knex, schema) {
    const rows = await queryRows<{ name: string }>(
      knex,
      `select table_name as name from information_schema.tables where table_schema = coalesce(?, ` +
        `database()) and table_type = 'BASE TABLE' order by 1`,
      [schema ?? null],
    );
    return rows.map((r) => r.name);
  },

  async describeTable(knex, schema, table) {
    const [info] = await queryRows<{ db: string; estimate: number | null }>(
      knex,
      `select table_schema as db, table_rows as estimate from information_schema.tables where ` +
        `table_schema = coalesce(?, database()) and table_name = ?`,
      [schema ?? null, table],
    );
    if (!info) return null;
    const cols = await queryRows<{ name: string; ctype: string; nullable: string }>(
      knex,
      `select column_name as name, column_type as ctype, is_nullable as nullable from information_schema.columns
        where table_schema = ? and table_name = ? order by ordinal_position`,
      [info.db, table],
    );
    const pk = await queryRows<{ name: string }>(
      knex,
      `select column_name as name from information_schema.key_column_usage where table_schema = ? ` +
        `and table_name = ? and constraint_name = 'PRIMARY' order by ordinal_position`,
      [info.db, table],
    );
    // MariaDB's JSON is LONGTEXT with a json_valid() check.
    const checks = await queryRows<{ clause: string }>(
      knex,
      `select check_clause as clause from information_schema.check_constraints where ` +
        `constraint_schema = ? and table_name = ?`,
      [info.db, table],
    ).catch(() => []);
    const json = new Set(checks.map((c) => /^json_valid\(`(.+)`\)$/.exec(c.clause)?.[1]).filter(Boolean));
    const columns = cols.map((c): CopyColumn => {
      const declared = json.has(c.name) && /text$/.test(c.ctype) ? 'json' : c.ctype;
      return { name: c.name, declared, type: mysqlTypeOf(declared), nullable: c.nullable === 'YES' };
    });
    return {
      schema: info.db,
      name: table,
      columns,
      primaryKey: pk.map((r) => r.name),
      estimatedRows: info.estimate === null ? null : Number(info.estimate),
    };
  },

  typeOf: mysqlTypeOf,
  declare: mysqlDeclare,

  isDeclaredType(text) {
    return /^[a-z][a-z ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?( unsigned)?$/i.test(text.trim());
  },

  rangeSql: (_table, key, range) => mysqlRangeSql(key, range),

  createTableSql(schema, table, columns, primaryKey) {
    const defs = columns.map((c) => `${q(c.name)} ${c.declared}${c.nullable ? ' null' : ' not null'}`);
    if (primaryKey.length) defs.push(`primary key (${primaryKey.map(q).join(', ')})`);
    return `create table ${ref(schema, table)} (${defs.join(', ')}) default character set utf8mb4`;
  },

  addPrimaryKeySql(schema, table, primaryKey) {
    return `alter table ${ref(schema, table)} add primary key (${primaryKey.map(q).join(', ')})`;
  },

  truncateSql: (schema, table) => `truncate table ${ref(schema, table)}`,

  async tableExists(knex, schema, table) {
    const rows = await queryRows(
      knex,
      'select 1 from information_schema.tables where table_schema = coalesce(?, database()) and table_name = ?',
      [schema ?? null, table],
    );
    return rows.length > 0;
  },

  openReader: mysqlReader,
  openWriter: mysqlWriter,

  rowRefusal(error) {
    if (error instanceof LoadDataWarning) {
      const field = /column [`']?([^`'\s]+)[`']?/i.exec(error.message)?.[1];
      return {
        code: error.code,
        message: error.message,
        ...(field ? { field } : {}),
        duplicate: error.code === '1062',
      };
    }
    const e = error as { errno?: number; code?: string; sqlMessage?: string; message?: string };
    if (e.errno === undefined || !refusalErrnos.has(e.errno)) return null;
    const message = String(e.sqlMessage ?? e.message ?? error);
    const field = /column [`']?([^`'\s]+)[`']?/i.exec(message)?.[1];
    return { code: e.code ?? String(e.errno), message, ...(field ? { field } : {}), duplicate: e.errno === 1062 };
  },

  isConnectionLoss(error) {
    const e = error as { code?: string; errno?: number; fatal?: boolean; message?: string };
    if (e.fatal) return true;
    if (e.errno === 1927 || e.errno === 1053 || e.errno === 2013 || e.errno === 2006) return true;
    return /PROTOCOL_CONNECTION_LOST|ECONNRESET|EPIPE|closed state|Connection lost/i.test(
      `${e.code ?? ''} ${e.message ?? ''}`,
    );
  },

  locks(knex, database) {
    // GET_LOCK names are server-wide and at most 64 characters.
    const lockName = (name: string) => `dmr-copy:${createHash('md5').update(`${database}/${name}`).digest('hex')}`;
    return sessionCopyLocks(pooledLockSession(knex), {
      acquire: 'select get_lock(?, 0) as ok',
      release: 'select release_lock(?)',
      bindings: (name) => [lockName(name)],
      acquired: (row) => Number(row.ok) === 1,
    });
  },
};
