import type Database from 'better-sqlite3';
import { lazyDriver } from '../lazy-driver.js';
import type { Knex } from 'knex';
import type {
  BulkLoad,
  CopyReader,
  CopyTable,
  CopyType,
  CopyWriter,
  KeyRange,
  LoadColumn,
  ReadSpec,
} from '../copy-dialect.js';
import { binaryFromText, binaryText, joinLine, LineBatch, splitLine } from '../copy-line.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

const sqliteDriver = lazyDriver<typeof Database>('better-sqlite3');

const q = quoteIdentifierFor.sqlite;
const batchRows = 2000;

/** A value SQLite's writer refused before the insert (it stores anything it is given, so dmr checks the form). */
export class SqliteValueRefusal extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export function sqliteFilename(knex: Knex): string {
  return String(
    (knex.client as { connectionSettings: { filename?: string } }).connectionSettings.filename ?? ':memory:',
  );
}

function open(knex: Knex, readonly: boolean): Database.Database {
  const db = new (sqliteDriver())(sqliteFilename(knex), { readonly, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  if (!readonly) db.pragma('foreign_keys = ON');
  return db;
}

/** The WHERE condition of a chunk and its bindings (integer bounds bound as BigInt). */
function sqliteRangeCondition(
  table: CopyTable,
  key: readonly string[],
  range: KeyRange,
): { sql: string; values: unknown[] } {
  const cols = key.map(q);
  const typed = (values: readonly string[]) =>
    values.map((v, i) =>
      table.columns.find((c) => c.name === key[i])?.type?.kind === 'integer' && /^-?\d+$/.test(v) ? BigInt(v) : v,
    );
  const parts: string[] = [];
  const values: unknown[] = [];
  const marks = key.map(() => '?').join(', ');
  const bound = (sql: string, bounds: readonly string[]) => {
    parts.push(sql);
    values.push(...typed(bounds));
  };
  if (range.kind === 'range') {
    if (range.low) bound(`${cols[0]} >= ?`, range.low);
    if (range.high) bound(`${cols[0]} < ?`, range.high);
  } else if (range.kind === 'exact' && range.low) {
    bound(`(${cols.join(', ')}) = (${marks})`, range.low);
  } else if (range.kind === 'keyset') {
    if (range.low) bound(`(${cols.join(', ')}) > (${marks})`, range.low);
    if (range.high) bound(`(${cols.join(', ')}) <= (${marks})`, range.high);
  }
  return { sql: parts.join(' and '), values };
}

/** The same condition with its values inlined, for dmr verify's --where. */
export function sqliteRangeSql(table: CopyTable, key: readonly string[], range: KeyRange): string {
  const { sql, values } = sqliteRangeCondition(table, key, range);
  let i = 0;
  return sql.replace(/\?/g, () => {
    const v = values[i++];
    return typeof v === 'bigint' ? v.toString() : `'${String(v).replace(/'/g, "''")}'`;
  });
}

function whereOf(condition: { sql: string }, where: string | undefined): string {
  const parts = [condition.sql, where ? `(${where})` : ''].filter(Boolean);
  return parts.length ? ` where ${parts.join(' and ')}` : '';
}

/** Epoch milliseconds (how knex stores a Date in SQLite) as neutral timestamp text. */
function epochText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** One stored SQLite value in the neutral text form of its column's type. */
function sqliteValueText(value: unknown, type: CopyType | null): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return type?.kind === 'binary' || !type ? binaryText(value) : value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (type?.kind === 'timestamp') return epochText(value);
    if (type?.kind === 'date') return epochText(value).slice(0, 10);
    return Number.isInteger(value) && Math.abs(value) < 1e21 && type?.kind !== 'float'
      ? value.toFixed(0)
      : String(value);
  }
  const text = String(value);
  if (type?.kind === 'boolean') return text === 'true' ? '1' : text === 'false' ? '0' : text;
  return text;
}

/**
 * Nothing to cancel on SQLite: better-sqlite3 runs each statement synchronously on this thread, so none
 * is running while the signal's handler runs; the chunk stops at its next signal check instead.
 */
const nothingToCancel = async (): Promise<void> => undefined;

export async function sqliteReader(knex: Knex): Promise<CopyReader> {
  const db = open(knex, true);
  const table = (t: CopyTable) => q(t.name);
  return {
    sessionId: String(process.pid),
    async *read(spec: ReadSpec) {
      const condition = sqliteRangeCondition(spec.table, spec.key, spec.range);
      const order = spec.range.kind === 'keyset' ? ` order by ${spec.key.map(q).join(', ')}` : '';
      const limit = spec.limit !== undefined ? ` limit ${Math.trunc(spec.limit)}` : '';
      const sql =
        `select ${spec.table.columns.map((c) => q(c.name)).join(', ')} from ${table(spec.table)}` +
        `${whereOf(condition, spec.where)}${order}${limit}`;
      const types = spec.table.columns.map((c) => c.type);
      let batch: string[] = [];
      for (const row of db
        .prepare(sql)
        .raw(true)
        .safeIntegers(true)
        .iterate(...condition.values) as IterableIterator<unknown[]>) {
        batch.push(joinLine(row.map((v, i) => sqliteValueText(v, types[i] ?? null))));
        if (batch.length >= batchRows) {
          yield LineBatch.of(batch);
          batch = [];
        }
      }
      if (batch.length) yield LineBatch.of(batch);
    },
    async bounds(spec) {
      const k = q(spec.key[0] ?? '');
      const row = db
        .prepare(
          `select count(*), min(${k}), max(${k}) from ${table(spec.table)}${spec.where ? ` where ${spec.where}` : ''}`,
        )
        .raw(true)
        .safeIntegers(true)
        .get() as unknown[];
      const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
      return { rows: Number(row[0]), low: text(row[1]), high: text(row[2]) };
    },
    async count(t, key, range, where) {
      const condition = sqliteRangeCondition(t, key, range);
      const row = db
        .prepare(`select count(*) from ${table(t)}${whereOf(condition, where)}`)
        .raw(true)
        .get(...condition.values) as unknown[];
      return Number(row[0]);
    },
    cancel: nothingToCancel,
    close: async () => void db.close(),
  };
}

const checks: Partial<Record<CopyType['kind'], RegExp>> = {
  integer: /^-?\d+$/,
  decimal: /^-?\d+(\.\d+)?$/,
  date: /^\d{4}-\d\d-\d\d$/,
  time: /^\d\d:\d\d:\d\d(\.\d{1,6})?$/,
  timestamp: /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?$/,
};

/** Neutral text to the value SQLite stores; a text of the wrong form is refused, never stored as is. */
function sqliteValue(text: string | null, column: LoadColumn): unknown {
  if (text === null) return null;
  const refuse = (what: string) =>
    new SqliteValueRefusal(
      `invalid ${what} value for column ${column.name}: ${JSON.stringify(text.slice(0, 60))}`,
      column.name,
    );
  const kind = column.type.kind;
  const check = checks[kind];
  if (check && !check.test(text)) throw refuse(kind);
  switch (kind) {
    case 'integer':
      return BigInt(text);
    case 'boolean':
      if (/^(1|t|true)$/i.test(text)) return 1;
      if (/^(0|f|false)$/i.test(text)) return 0;
      throw refuse('boolean');
    case 'float': {
      const n = Number(text);
      if (Number.isNaN(n)) throw refuse('float (SQLite stores NaN as NULL)');
      return n;
    }
    case 'binary': {
      const bytes = binaryFromText(text);
      if (!bytes) throw refuse('binary');
      return bytes;
    }
    default:
      return text;
  }
}

/** Prepared inserts inside the chunk's transaction (BEGIN IMMEDIATE: the write lock up front). */
export async function sqliteWriter(knex: Knex): Promise<CopyWriter> {
  const db = open(knex, false);
  const exec = async (sql: string) => {
    db.exec(sql);
  };
  return {
    sessionId: String(process.pid),
    connection: db,
    begin: () => exec('begin immediate'),
    commit: () => exec('commit'),
    rollback: async () => {
      if (db.inTransaction) db.exec('rollback');
    },
    savepoint: (name) => exec(`savepoint ${q(name)}`),
    rollbackTo: (name) => exec(`rollback to ${q(name)}`),
    release: (name) => exec(`release ${q(name)}`),
    load(_schema, table, columns): BulkLoad {
      const insert = db.prepare(
        `insert into ${q(table)} (${columns.map((c) => q(c.name)).join(', ')}) values (` +
          `${columns.map(() => '?').join(', ')})`,
      );
      let rows = 0;
      return {
        async write(batch) {
          for (const line of batch.lines()) {
            const fields = splitLine(line);
            insert.run(...columns.map((c, i) => sqliteValue(fields[i] ?? null, c)));
            rows += 1;
          }
        },
        end: async () => rows,
        abort: async () => undefined,
      };
    },
    async deleteRange(_schema, table, key, range) {
      const fake: CopyTable = {
        name: table,
        columns: key.map((k) => ({ name: k.name, declared: k.declared, type: k.type, nullable: false })),
        primaryKey: [],
        estimatedRows: null,
      };
      const condition = sqliteRangeCondition(
        fake,
        key.map((k) => k.name),
        range,
      );
      return db.prepare(`delete from ${q(table)}${whereOf(condition, undefined)}`).run(...condition.values).changes;
    },
    cancel: nothingToCancel,
    close: async () => void db.close(),
  };
}
