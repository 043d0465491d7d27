import type { CopyColumn, CopyDialect } from '../copy-dialect.js';
import { sessionCopyLocks } from '../copy-locks.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { queryRows } from '../raw-rows.js';
import { mssqlReader, mssqlWriter } from './mssql-copy-connection.js';
import { mssqlRangeSql } from './mssql-copy-io.js';
import { mssqlDeclare, mssqlTypeOf } from './mssql-copy-types.js';
import { mssqlLockSession } from './mssql-lock-session.js';
import { mssqlPinnedPool } from './mssql-pool.js';
import { mssqlCopyLockSql } from './mssql-sql.js';

const q = quoteIdentifierFor.mssql;
const ref = (schema: string | undefined, table: string) => `${q(schema ?? 'dbo')}.${q(table)}`;

/**
 * SQL Server errors about a row's values or constraints:
 * https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors
 */
const refusalNumbers = new Set([515, 547, 2627, 2601, 8152, 2628, 8114, 8115, 241, 242, 245, 220, 232, 4712]);

/**
 * SQL Server for `dmr copy`: mssql's bulk API (Table + request.bulk), key in the CREATE; statements
 * cancelled by the driver on their own connection (`RunningRequests`), never by KILL.
 */
export const mssqlCopy: CopyDialect = {
  name: 'mssql',
  singleWriter: false,
  copiesUnmappedTypesToItself: false,
  primaryKeyAfterLoad: false,
  ledgerInTransaction: false,
  quoteIdentifier: q,
  tableReference: ref,

  async listTables(knex, schema) {
    const rows = await queryRows<{ name: string }>(
      knex,
      `select table_name as name from information_schema.tables where table_schema = coalesce(?, ` +
        `schema_name()) and table_type = 'BASE TABLE' order by 1`,
      [schema ?? null],
    );
    return rows.map((r) => r.name);
  },

  async describeTable(knex, schema, table) {
    const s = schema ?? 'dbo';
    const cols = await queryRows<{
      name: string;
      type: string;
      len: number | null;
      p: number | null;
      sc: number | null;
      dp: number | null;
      nullable: string;
    }>(
      knex,
      `select column_name as name, data_type as type, character_maximum_length as len, ` +
        `numeric_precision as p, numeric_scale as sc, datetime_precision as dp, is_nullable as ` +
        `nullable
         from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`,
      [s, table],
    );
    if (!cols.length) return null;
    const pk = await queryRows<{ name: string }>(
      knex,
      `select k.column_name as name from information_schema.table_constraints c join ` +
        `information_schema.key_column_usage k on k.constraint_name = c.constraint_name and ` +
        `k.table_schema = c.table_schema
        where c.constraint_type = 'PRIMARY KEY' and c.table_schema = ? and c.table_name = ? ` +
        `order by k.ordinal_position`,
      [s, table],
    );
    const columns = cols.map((c): CopyColumn => {
      const t = c.type.toLowerCase();
      const declared = ['decimal', 'numeric'].includes(t)
        ? `${t}(${c.p},${c.sc})`
        : ['char', 'varchar', 'nchar', 'nvarchar', 'binary', 'varbinary'].includes(t)
          ? `${t}(${c.len === -1 ? 'max' : c.len})`
          : ['datetime2', 'datetimeoffset', 'time'].includes(t)
            ? `${t}(${c.dp ?? 7})`
            : t;
      return { name: c.name, declared, type: mssqlTypeOf(declared), nullable: c.nullable === 'YES' };
    });
    return { schema: s, name: table, columns, primaryKey: pk.map((r) => r.name), estimatedRows: null };
  },

  typeOf: mssqlTypeOf,
  declare: mssqlDeclare,

  isDeclaredType(text) {
    return /^[a-z][a-z0-9]*(\(\s*(\d+|max)\s*(,\s*\d+\s*)?\))?$/i.test(text.trim());
  },

  rangeSql: mssqlRangeSql,

  createTableSql(schema, table, columns, primaryKey) {
    const defs = columns.map((c) => `${q(c.name)} ${c.declared}${c.nullable ? ' null' : ' not null'}`);
    if (primaryKey.length) defs.push(`primary key (${primaryKey.map(q).join(', ')})`);
    return `create table ${ref(schema, table)} (${defs.join(', ')})`;
  },

  addPrimaryKeySql: (schema, table, primaryKey) =>
    `alter table ${ref(schema, table)} add primary key (${primaryKey.map(q).join(', ')})`,
  truncateSql: (schema, table) => `truncate table ${ref(schema, table)}`,

  async tableExists(knex, schema, table) {
    return (
      (
        await queryRows(
          knex,
          'select 1 as x from information_schema.tables where table_schema = ? and table_name = ?',
          [schema ?? 'dbo', table],
        )
      ).length > 0
    );
  },

  openReader: mssqlReader,
  openWriter: mssqlWriter,

  rowRefusal(error) {
    const e = error as { number?: number; message?: string; originalError?: { info?: { number?: number } } };
    const number = e.number ?? e.originalError?.info?.number;
    if (number === undefined || !refusalNumbers.has(number)) return null;
    const field = /column '([^']+)'/i.exec(String(e.message))?.[1];
    return {
      code: String(number),
      message: String(e.message),
      ...(field ? { field } : {}),
      duplicate: number === 2627 || number === 2601,
    };
  },

  isConnectionLoss(error) {
    const e = error as { code?: string; message?: string };
    return (
      /ESOCKET|ECONNRESET|ECONNCLOSED|ETIMEOUT/.test(String(e.code)) ||
      /Connection lost|connection is closed/i.test(String(e.message))
    );
  },

  /**
   * The applocks on an mssql session of their own (`mssqlPinnedPool`, as the run lock's), not a connection
   * borrowed from knex's pool: nothing knex does with its pool can end the session that holds them.
   */
  locks(knex, database) {
    return sessionCopyLocks(
      mssqlLockSession(() => mssqlPinnedPool(knex)),
      mssqlCopyLockSql(database),
    );
  },
};
