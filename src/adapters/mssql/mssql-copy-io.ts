import type Mssql from 'mssql';
import type { CopyTable, KeyRange, LoadColumn, ReadSpec } from '../copy-dialect.js';
import { binaryFromText } from '../copy-line.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { mssqlRender } from './mssql-copy-types.js';
import { mssqlDriver as driver } from './mssql-pool.js';

const q = quoteIdentifierFor.mssql;
const ref = (schema: string | undefined, table: string) => `${q(schema ?? 'dbo')}.${q(table)}`;

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
  return (
    `select ${top}${columns.join(', ')} from ${ref(spec.table.schema, spec.table.name)}` +
    `${conditions.length ? ` where ${conditions.join(' and ')}` : ''}${order}`
  );
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
