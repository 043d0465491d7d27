import type { CopyType, MappedType, UnsafeMapping } from '../copy-dialect.js';

const integerBytes: Readonly<Record<string, 1 | 2 | 3 | 4 | 8>> = {
  tinyint: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
};

/** The neutral type of a MySQL/MariaDB COLUMN_TYPE (or a --cast type), null when there is none. */
export function mysqlTypeOf(declared: string): CopyType | null {
  const t = declared.trim().toLowerCase().replace(/\s+/g, ' ');
  const base = /^[a-z ]+/.exec(t)?.[0]?.trim() ?? '';
  const args = /^[a-z ]+\(([^)]*)\)/.exec(t)?.[1];
  const nums = args?.split(',').map((a) => Number(a.trim())) ?? [];
  const unsigned = /\bunsigned\b/.test(t);
  if (/^tinyint\(1\)$/.test(t) || /^bit\(1\)$/.test(t) || base === 'boolean' || base === 'bool')
    return { kind: 'boolean' };
  const bytes = integerBytes[base];
  if (bytes) return { kind: 'integer', bytes, ...(unsigned ? { unsigned: true } : {}) };
  if (base === 'year') return { kind: 'integer', bytes: 2 };
  if (base === 'decimal' || base === 'numeric' || base === 'dec')
    return { kind: 'decimal', precision: nums[0] ?? 10, scale: nums[1] ?? 0 };
  if (base === 'float') return { kind: 'float', bytes: 4 };
  if (base === 'double' || base === 'double precision' || base === 'real') return { kind: 'float', bytes: 8 };
  if (base === 'char') return { kind: 'string', length: nums[0] ?? 1, fixed: true };
  if (base === 'varchar') return nums[0] === undefined ? null : { kind: 'string', length: nums[0] };
  if (['tinytext', 'text', 'mediumtext', 'longtext'].includes(base)) return { kind: 'string' };
  if (base === 'enum' || base === 'set') {
    const values = [...(args ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
    const length = base === 'enum' ? Math.max(1, ...values.map((v) => v.length)) : Math.max(1, values.join(',').length);
    return { kind: 'string', length };
  }
  if (base === 'binary') return { kind: 'binary', length: nums[0] ?? 1, fixed: true };
  if (base === 'varbinary') return nums[0] === undefined ? null : { kind: 'binary', length: nums[0] };
  if (['tinyblob', 'blob', 'mediumblob', 'longblob'].includes(base)) return { kind: 'binary' };
  if (base === 'date') return { kind: 'date' };
  const precision = Math.min(6, nums[0] ?? 0);
  if (base === 'time') return { kind: 'time', precision };
  if (base === 'datetime') return { kind: 'timestamp', precision, timeZone: false };
  if (base === 'timestamp') return { kind: 'timestamp', precision, timeZone: true };
  if (base === 'json') return { kind: 'json' };
  if (base === 'uuid') return { kind: 'uuid' };
  return null;
}

/** MySQL's exact spelling of a neutral type; `key` columns need a bounded type (InnoDB indexes no unbounded text). */
export function mysqlDeclare(type: CopyType, key = false): MappedType | UnsafeMapping {
  const declared = spell(type, key);
  return typeof declared === 'string' ? { declared, type: mysqlTypeOf(declared) ?? type } : declared;
}

function spell(type: CopyType, key: boolean): string | UnsafeMapping {
  switch (type.kind) {
    case 'boolean':
      return 'tinyint(1)';
    case 'integer': {
      const name = { 1: 'tinyint', 2: 'smallint', 3: 'mediumint', 4: 'int', 8: 'bigint' }[type.bytes];
      return type.unsigned ? `${name} unsigned` : name;
    }
    case 'decimal':
      if (type.precision === undefined)
        return {
          unsafe: 'numeric without a precision has no exact MySQL counterpart (DECIMAL holds at most 65 digits)',
        };
      if (type.precision > 65 || (type.scale ?? 0) > 30)
        return { unsafe: `numeric(${type.precision},${type.scale ?? 0}) exceeds MySQL's DECIMAL(65,30)` };
      return `decimal(${type.precision},${type.scale ?? 0})`;
    case 'float':
      return type.bytes === 4 ? 'float' : 'double';
    case 'string':
      if (type.fixed && type.length !== undefined && type.length <= 255) return `char(${type.length})`;
      if (type.length !== undefined && type.length <= 16_383) return `varchar(${type.length})`;
      if (key) return { unsafe: 'a key column of unbounded text has no MySQL counterpart (InnoDB keys need a length)' };
      return 'longtext';
    case 'binary':
      if (type.fixed && type.length !== undefined && type.length <= 255) return `binary(${type.length})`;
      if (type.length !== undefined && type.length <= 65_535) return `varbinary(${type.length})`;
      if (key)
        return { unsafe: 'a key column of unbounded binary has no MySQL counterpart (InnoDB keys need a length)' };
      return 'longblob';
    case 'date':
      return 'date';
    case 'time':
      return `time(${type.precision})`;
    case 'timestamp':
      // TIMESTAMP keeps the instant meaning (stored in UTC, shown in the session zone); its range is 1970..2038.
      return `${type.timeZone ? 'timestamp' : 'datetime'}(${type.precision})`;
    case 'json':
      return 'json';
    case 'uuid':
      return 'char(36)';
  }
}

/** One backslash, as a character expression (independent of NO_BACKSLASH_ESCAPES). */
const bs = 'char(92 using utf8mb4)';

/**
 * SQL that renders a column as one escaped COPY-text field. The reader uses it for the values
 * whose server text is not the field (booleans: `bit(1)` arrives as a raw byte; binary: as hex);
 * other columns are read plain and escaped by the client (mysql-copy-raw.ts), which costs the
 * server far less than a replace() chain per text value.
 */
export function mysqlRenderField(column: string, type: CopyType | null): string {
  const nullText = `concat(${bs}, 'N')`;
  let value: string;
  switch (type?.kind) {
    case 'binary':
      value = `concat(${bs}, ${bs}, 'x', lower(hex(${column})))`;
      break;
    case 'boolean':
      value = `cast(${column} + 0 as char)`;
      break;
    case 'string':
    case 'json':
    case 'uuid':
    case undefined:
      value = ['\\t:9', '\\n:10', '\\r:13'].reduce((text, pair) => {
        const [escape = '', code = ''] = pair.split(':');
        return `replace(${text}, char(${code} using utf8mb4), concat(${bs}, '${escape.slice(1)}'))`;
      }, `replace(convert(${column} using utf8mb4), ${bs}, concat(${bs}, ${bs}))`);
      break;
    default:
      value = `convert(${column} using utf8mb4)`;
  }
  return `ifnull(${value}, ${nullText})`;
}
