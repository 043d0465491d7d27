import type { CopyColumn, CopyDialect, CopyLocks } from '../copy-dialect.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { fnv31 } from '../raw-rows.js';
import { SqliteFileLock } from './sqlite-file-lock.js';
import { SqliteValueRefusal, sqliteFilename, sqliteRangeSql, sqliteReader, sqliteWriter } from './sqlite-copy-io.js';
import { sqliteDeclare, sqliteTypeOf } from './sqlite-copy-types.js';

const q = quoteIdentifierFor.sqlite;

/** SQLite for `dmr copy`: prepared inserts in one transaction per chunk; no schemas, no server to cancel. */
export const sqliteCopy: CopyDialect = {
  name: 'sqlite',
  ledgerInTransaction: true,
  singleWriter: true,
  copiesUnmappedTypesToItself: false,
  primaryKeyAfterLoad: false,
  quoteIdentifier: q,
  tableReference: (_schema, table) => q(table),

  async listTables(knex) {
    const rows = (await knex.raw(
      `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`,
    )) as { name: string }[];
    return rows.map((r) => r.name);
  },

  async describeTable(knex, _schema, table) {
    const rows = (await knex.raw('select name, type, "notnull" as nn, pk from pragma_table_info(?)', [table])) as {
      name: string;
      type: string;
      nn: number;
      pk: number;
    }[];
    if (rows.length === 0) return null;
    const columns = rows.map((r): CopyColumn => ({
      name: r.name,
      declared: r.type || 'blob',
      type: sqliteTypeOf(r.type),
      nullable: !r.nn && !r.pk,
    }));
    const primaryKey = rows
      .filter((r) => r.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((r) => r.name);
    return { name: table, columns, primaryKey, estimatedRows: null };
  },

  typeOf: sqliteTypeOf,
  declare: sqliteDeclare,

  isDeclaredType(text) {
    return /^[a-z][a-z0-9 ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?( with(out)? time zone)?$/i.test(text.trim());
  },

  rangeSql: sqliteRangeSql,

  createTableSql(_schema, table, columns, primaryKey) {
    const defs = columns.map((c) => `${q(c.name)} ${c.declared}${c.nullable ? '' : ' not null'}`);
    if (primaryKey.length) defs.push(`primary key (${primaryKey.map(q).join(', ')})`);
    return `create table ${q(table)} (${defs.join(', ')})`;
  },

  addPrimaryKeySql() {
    throw new Error('SQLite cannot add a primary key to an existing table; it is declared in CREATE TABLE');
  },

  truncateSql: (_schema, table) => `delete from ${q(table)}`,

  async tableExists(knex, _schema, table) {
    const rows = (await knex.raw(`select 1 from sqlite_master where type = 'table' and name = ?`, [
      table,
    ])) as unknown[];
    return rows.length > 0;
  },

  openReader: sqliteReader,
  openWriter: sqliteWriter,

  rowRefusal(error) {
    if (error instanceof SqliteValueRefusal) return { code: 'DMR_VALUE', message: error.message, field: error.field };
    const e = error as { code?: string; message?: string };
    if (!e.code || !/^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(e.code)) return null;
    const field = /failed: \w+\.(\w+)/.exec(String(e.message))?.[1];
    return {
      code: e.code,
      message: String(e.message),
      ...(field ? { field } : {}),
      duplicate: /PRIMARYKEY|UNIQUE/.test(e.code),
    };
  },

  isConnectionLoss: () => false,

  /** better-sqlite3 is synchronous: a statement ends before a signal is handled. */
  locks(knex): CopyLocks {
    const base = sqliteFilename(knex);
    const held: SqliteFileLock[] = [];
    return {
      async tryAcquire(name) {
        const lock = new SqliteFileLock(`${base}.dmr-copy-${fnv31(name)}.lock`);
        if (!lock.tryAcquire()) return false;
        held.push(lock);
        return true;
      },
      async releaseAll() {
        for (const lock of held.splice(0)) lock.release();
      },
    };
  },
};
