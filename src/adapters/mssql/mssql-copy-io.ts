import type { Knex } from 'knex';
import type Mssql from 'mssql';
import type {
  BulkLoad,
  CopyLine,
  CopyReader,
  CopyTable,
  CopyWriter,
  KeyRange,
  LoadColumn,
  ReadSpec,
} from '../copy-dialect.js';
import { binaryFromText, joinLine, LineBatch, splitLine } from '../copy-line.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { mssqlRender } from './mssql-copy-types.js';
import { mssqlDriver as driver, mssqlPool } from './mssql-pool.js';

const q = quoteIdentifierFor.mssql;
const ref = (schema: string | undefined, table: string) => `${q(schema ?? 'dbo')}.${q(table)}`;
const batchRows = 2000;
/** Rows per request.bulk call inside the chunk's transaction (mssql builds each batch in memory). */
const bulkRows = 5000;

/**
 * An inlined literal (T-SQL): numbers bare for a numeric column, everything else as N'...'. A
 * text key that looks like a number ('007') stays text: compared as a number, SQL Server would
 * convert the column and order keys unlike the ORDER BY of the keyset pages.
 */
export function mssqlLiteral(value: string, numeric = true): string {
  return literal(value, numeric);
}

function literal(value: string, numeric: boolean): string {
  return numeric && /^-?\d{1,19}(\.\d+)?$/.test(value) ? value : `N'${value.replace(/'/g, "''")}'`;
}

const numericKinds = new Set(['integer', 'decimal', 'float']);

/** The WHERE condition of a chunk; T-SQL has no row-value comparison, so keyset bounds expand to an OR chain. */
export function mssqlRangeSql(table: CopyTable, key: readonly string[], range: KeyRange): string {
  const cols = key.map(q);
  const numeric = key.map((k) => numericKinds.has(table.columns.find((c) => c.name === k)?.type?.kind ?? 'integer'));
  const lit = (value: string, i: number) => literal(value, numeric[i] ?? true);
  const after = (values: readonly string[], strict: boolean) =>
    `(${cols
      .map((_, i) => {
        const eq = cols.slice(0, i).map((c, j) => `${c} = ${lit(values[j] ?? '', j)}`);
        const last = i === cols.length - 1;
        const op = strict ? '>' : last ? '<=' : '<';
        return [...eq, `${cols[i]} ${op} ${lit(values[i] ?? '', i)}`].join(' and ');
      })
      .map((p) => `(${p})`)
      .join(' or ')})`;
  const parts: string[] = [];
  if (range.kind === 'range') {
    if (range.low) parts.push(`${cols[0]} >= ${lit(range.low[0] ?? '', 0)}`);
    if (range.high) parts.push(`${cols[0]} < ${lit(range.high[0] ?? '', 0)}`);
  } else if (range.kind === 'exact' && range.low) {
    parts.push(cols.map((c, i) => `${c} = ${lit(range.low?.[i] ?? '', i)}`).join(' and '));
  } else if (range.kind === 'keyset') {
    if (range.low) parts.push(after(range.low, true));
    if (range.high) parts.push(after(range.high, false));
  }
  return parts.join(' and ');
}

export function mssqlSelectSql(spec: ReadSpec): string {
  const columns = spec.table.columns.map(
    (c, i) => `${mssqlRender(q(c.name), spec.render[i] ?? c.type)} as ${q(`c${i}`)}`,
  );
  const conditions = [mssqlRangeSql(spec.table, spec.key, spec.range), spec.where ? `(${spec.where})` : ''].filter(
    Boolean,
  );
  const top = spec.limit !== undefined ? `top (${Math.trunc(spec.limit)}) ` : '';
  const order = spec.range.kind === 'keyset' ? ` order by ${spec.key.map(q).join(', ')}` : '';
  return `select ${top}${columns.join(', ')} from ${ref(spec.table.schema, spec.table.name)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}${order}`;
}

export async function mssqlReader(knex: Knex): Promise<CopyReader> {
  const pool = await mssqlPool(knex);
  const [session] = (await pool.request().query<{ id: number }>('select @@spid as id')).recordset;
  return {
    sessionId: String(session?.id),
    async *read(spec) {
      const request = pool.request();
      request.stream = true;
      const rows: CopyLine[][] = [];
      let batch: CopyLine[] = [];
      let done = false;
      let failure: unknown = null;
      let wake: (() => void) | null = null;
      const notify = () => wake?.();
      request.on('row', (row: Record<string, string | null>) => {
        batch.push(joinLine(spec.table.columns.map((_, i) => row[`c${i}`] ?? null)));
        if (batch.length >= batchRows) {
          rows.push(batch);
          batch = [];
          if (rows.length > 4) request.pause();
          notify();
        }
      });
      request.on('error', (error) => {
        failure = error;
        notify();
      });
      request.on('done', () => {
        done = true;
        notify();
      });
      void request.query(mssqlSelectSql(spec));
      for (;;) {
        const next = rows.shift();
        if (next) {
          if (rows.length <= 1) request.resume();
          yield LineBatch.of(next);
          continue;
        }
        if (failure) throw failure;
        if (done) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (batch.length) yield LineBatch.of(batch);
    },
    async bounds(spec) {
      const k = q(spec.key[0] ?? '');
      const where = spec.where ? ` where ${spec.where}` : '';
      const { recordset } = await pool
        .request()
        .query(
          `select count_big(*) as n, convert(varchar(40), min(${k})) as lo, convert(varchar(40), max(${k})) as hi from ${ref(spec.table.schema, spec.table.name)}${where}`,
        );
      const row = recordset[0] as { n: string; lo: string | null; hi: string | null };
      return { rows: Number(row.n), low: row.lo, high: row.hi };
    },
    async count(table, key, range, where) {
      const conditions = [mssqlRangeSql(table, key, range), where ? `(${where})` : ''].filter(Boolean);
      const { recordset } = await pool
        .request()
        .query(
          `select count_big(*) as n from ${ref(table.schema, table.name)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`,
        );
      return Number((recordset[0] as { n: string }).n);
    },
    close: () => pool.close(),
  };
}

/** The mssql column type for a bulk Table column. */
export function mssqlBulkType(column: LoadColumn): Mssql.ISqlType | (() => Mssql.ISqlType) {
  const mssql = driver();
  const t = column.type;
  switch (t.kind) {
    case 'boolean':
      return mssql.Bit;
    case 'integer':
      return t.bytes === 8
        ? mssql.BigInt
        : t.bytes === 1 && t.unsigned
          ? mssql.TinyInt
          : t.bytes <= 2
            ? mssql.SmallInt
            : mssql.Int;
    case 'decimal':
      return mssql.Decimal(t.precision ?? 38, t.scale ?? 0);
    case 'float':
      return t.bytes === 4 ? mssql.Real : mssql.Float;
    case 'binary':
      return mssql.VarBinary(t.length ?? mssql.MAX);
    case 'date':
      return mssql.Date;
    case 'time':
      return mssql.Time(t.precision);
    case 'timestamp':
      return t.timeZone ? mssql.DateTimeOffset(t.precision) : mssql.DateTime2(t.precision);
    case 'uuid':
      return mssql.UniqueIdentifier;
    default:
      return mssql.NVarChar(t.kind === 'string' && t.length !== undefined ? t.length : mssql.MAX);
  }
}

/** Neutral text to the JavaScript value mssql sends for the column. */
export function mssqlBulkValue(text: string | null, column: LoadColumn): unknown {
  if (text === null) return null;
  switch (column.type.kind) {
    case 'boolean':
      return /^(1|t|true)$/i.test(text) ? true : /^(0|f|false)$/i.test(text) ? false : text;
    case 'integer':
      return column.type.bytes === 8 ? text : Number(text);
    case 'float':
      return Number(text);
    case 'binary':
      return binaryFromText(text) ?? text;
    case 'timestamp':
    case 'date':
      return new Date(`${text.replace(' ', 'T')}${column.type.kind === 'timestamp' ? 'Z' : ''}`);
    default:
      return text;
  }
}

export async function mssqlWriter(knex: Knex): Promise<CopyWriter> {
  const pool = await mssqlPool(knex);
  const [session] = (await pool.request().query<{ id: number }>('select @@spid as id')).recordset;
  let transaction: Mssql.Transaction | null = null;
  const request = () => (transaction ? new (driver().Request)(transaction) : pool.request());
  const exec = async (sql: string) => {
    await request().batch(sql);
  };
  return {
    sessionId: String(session?.id),
    get connection() {
      return transaction;
    },
    async begin() {
      transaction = new (driver().Transaction)(pool);
      await transaction.begin();
    },
    async commit() {
      await transaction?.commit();
      transaction = null;
    },
    async rollback() {
      const t = transaction;
      transaction = null;
      await t?.rollback().catch(() => undefined);
    },
    savepoint: (name) => exec(`save transaction ${q(name)}`),
    rollbackTo: (name) => exec(`rollback transaction ${q(name)}`),
    release: async () => undefined,
    load(schema, table, columns): BulkLoad {
      let rows = 0;
      const flush = async (lines: readonly CopyLine[]) => {
        const t = new (driver().Table)(`${q(schema ?? 'dbo')}.${q(table)}`);
        t.create = false;
        for (const c of columns) t.columns.add(c.name, mssqlBulkType(c), { nullable: true });
        for (const line of lines) {
          const fields = splitLine(line);
          t.rows.add(
            ...columns.map(
              (c, i) => mssqlBulkValue(fields[i] ?? null, c) as string | number | boolean | Date | Buffer | null,
            ),
          );
        }
        const result = await request().bulk(t);
        rows += result.rowsAffected;
      };
      return {
        async write(batch) {
          const lines = batch.lines();
          for (let i = 0; i < lines.length; i += bulkRows) await flush(lines.slice(i, i + bulkRows));
        },
        end: async () => rows,
        // Each bulk request finished before write returned: nothing is left open.
        abort: async () => undefined,
      };
    },
    async deleteRange(schema, table, key, range) {
      const fake: CopyTable = { name: table, columns: [], primaryKey: [], estimatedRows: null };
      const condition = mssqlRangeSql(
        fake,
        key.map((k) => k.name),
        range,
      );
      const result = await request().query(
        `delete from ${ref(schema, table)}${condition ? ` where ${condition}` : ''}`,
      );
      return result.rowsAffected[0] ?? 0;
    },
    close: () => pool.close(),
  };
}
