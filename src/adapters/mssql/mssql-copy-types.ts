import type { CopyType, MappedType, UnsafeMapping } from '../copy-dialect.js';

const integers: Readonly<Record<string, 1 | 2 | 4 | 8>> = { tinyint: 1, smallint: 2, int: 4, bigint: 8 };

/** The neutral type of a SQL Server type (as `type(args)`, e.g. decimal(12,2), nvarchar(max), datetime2(3)). */
export function mssqlTypeOf(declared: string): CopyType | null {
  const t = declared.trim().toLowerCase().replace(/\s+/g, ' ');
  const base = t.replace(/\(.*\)$/, '').trim();
  const args =
    /\(([^)]*)\)/
      .exec(t)?.[1]
      ?.split(',')
      .map((a) => a.trim()) ?? [];
  const n = args[0] === undefined || args[0] === 'max' ? undefined : Number(args[0]);
  if (base === 'bit') return { kind: 'boolean' };
  // tinyint is unsigned (0..255): it needs a 2-byte signed integer elsewhere.
  if (base === 'tinyint') return { kind: 'integer', bytes: 1, unsigned: true };
  const bytes = integers[base];
  if (bytes) return { kind: 'integer', bytes };
  if (base === 'decimal' || base === 'numeric')
    return { kind: 'decimal', precision: n ?? 18, scale: Number(args[1] ?? 0) };
  if (base === 'money') return { kind: 'decimal', precision: 19, scale: 4 };
  if (base === 'smallmoney') return { kind: 'decimal', precision: 10, scale: 4 };
  if (base === 'real') return { kind: 'float', bytes: 4 };
  if (base === 'float') return { kind: 'float', bytes: n !== undefined && n <= 24 ? 4 : 8 };
  if (base === 'char' || base === 'nchar') return { kind: 'string', length: n ?? 1, fixed: true };
  if (base === 'varchar' || base === 'nvarchar')
    return n === undefined ? { kind: 'string' } : { kind: 'string', length: n };
  if (base === 'text' || base === 'ntext') return { kind: 'string' };
  if (base === 'binary') return { kind: 'binary', length: n ?? 1, fixed: true };
  if (base === 'varbinary') return n === undefined ? { kind: 'binary' } : { kind: 'binary', length: n };
  if (base === 'image') return { kind: 'binary' };
  if (base === 'date') return { kind: 'date' };
  if (base === 'time') return { kind: 'time', precision: Math.min(6, n ?? 7) };
  if (base === 'datetime2') return { kind: 'timestamp', precision: Math.min(6, n ?? 7), timeZone: false };
  // DATETIME is precise to 1/300 s: three digits hold it, rounded as SQL Server shows it.
  if (base === 'datetime') return { kind: 'timestamp', precision: 3, timeZone: false };
  if (base === 'smalldatetime') return { kind: 'timestamp', precision: 0, timeZone: false };
  if (base === 'datetimeoffset') return { kind: 'timestamp', precision: Math.min(6, n ?? 7), timeZone: true };
  if (base === 'uniqueidentifier') return { kind: 'uuid' };
  if (base === 'json') return { kind: 'json' };
  return null;
}

/** SQL Server's exact spelling of a neutral type. */
export function mssqlDeclare(type: CopyType, key = false): MappedType | UnsafeMapping {
  const declared = spell(type, key);
  return typeof declared === 'string' ? { declared, type } : declared;
}

function spell(type: CopyType, key: boolean): string | UnsafeMapping {
  switch (type.kind) {
    case 'boolean':
      return 'bit';
    case 'integer':
      if (type.unsigned)
        return type.bytes === 1 ? 'tinyint' : type.bytes === 8 ? 'decimal(20,0)' : type.bytes <= 2 ? 'int' : 'bigint';
      return type.bytes === 1 ? 'smallint' : type.bytes === 2 ? 'smallint' : type.bytes <= 4 ? 'int' : 'bigint';
    case 'decimal':
      if (type.precision === undefined || type.precision > 38)
        return {
          unsafe:
            `${type.precision === undefined ? 'numeric without a precision' : `numeric(${type.precision})`}` +
            ` exceeds SQL Server's decimal(38)`,
        };
      return `decimal(${type.precision},${type.scale ?? 0})`;
    case 'float':
      return type.bytes === 4 ? 'real' : 'float';
    case 'string':
      if (type.length !== undefined && type.length <= 4000)
        return `${type.fixed ? 'nchar' : 'nvarchar'}(${type.length})`;
      if (key)
        return {
          unsafe: 'a key column of unbounded text has no SQL Server counterpart (index keys are at most 1700 bytes)',
        };
      return 'nvarchar(max)';
    case 'binary':
      if (type.length !== undefined && type.length <= 8000)
        return `${type.fixed ? 'binary' : 'varbinary'}(${type.length})`;
      if (key) return { unsafe: 'a key column of unbounded binary has no SQL Server counterpart' };
      return 'varbinary(max)';
    case 'date':
      return 'date';
    case 'time':
      return `time(${type.precision})`;
    case 'timestamp':
      return `${type.timeZone ? 'datetimeoffset' : 'datetime2'}(${type.precision})`;
    case 'json':
      return 'nvarchar(max)';
    case 'uuid':
      return 'uniqueidentifier';
  }
}

/** T-SQL that renders a column in the neutral text form (ISO 8601 with a space, 1/0 bits, 0x-less hex). */
export function mssqlRender(column: string, type: CopyType | null): string {
  switch (type?.kind) {
    case 'timestamp':
      return type.timeZone
        ? `convert(varchar(40), convert(datetime2(7), switchoffset(${column}, '+00:00')), 121)`
        : `convert(varchar(40), ${column}, 121)`;
    case 'date':
      return `convert(varchar(10), ${column}, 23)`;
    case 'binary':
      return `'\\x' + lower(convert(varchar(max), ${column}, 2))`;
    case 'boolean':
      return `convert(varchar(1), ${column})`;
    case 'float':
      return `convert(varchar(40), ${column}, 3)`;
    default:
      return `convert(nvarchar(max), ${column})`;
  }
}
