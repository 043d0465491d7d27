import type { CopyType, MappedType, UnsafeMapping } from '../copy-dialect.js';

/**
 * The neutral type of a declared SQLite type. SQLite enforces no width, so the declared name is
 * the only evidence: INTEGER is 64-bit (the rowid's type), a width-named integer keeps its width,
 * CHAR(n) is not padded (it maps like VARCHAR(n)).
 */
export function sqliteTypeOf(declared: string): CopyType | null {
  const t = declared.trim().toLowerCase().replace(/\s+/g, ' ');
  const nums =
    /\(([^)]*)\)/
      .exec(t)?.[1]
      ?.split(',')
      .map((a) => Number(a.trim())) ?? [];
  const base = t.replace(/\(.*?\)/, '').trim();
  if (/^(bool|boolean)$/.test(base) || t === 'tinyint(1)') return { kind: 'boolean' };
  if (base === 'tinyint') return { kind: 'integer', bytes: 1 };
  if (base === 'smallint' || base === 'int2') return { kind: 'integer', bytes: 2 };
  if (base === 'mediumint') return { kind: 'integer', bytes: 3 };
  if (base === 'int' || base === 'int4') return { kind: 'integer', bytes: 4 };
  if (/int/.test(base)) return { kind: 'integer', bytes: 8 };
  if (/^(decimal|numeric)$/.test(base))
    return nums[0] === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: nums[0], scale: nums[1] ?? 0 };
  if (/^(real|double|double precision|float)$/.test(base)) return { kind: 'float', bytes: 8 };
  if (/^timestamp with time zone$|^timestamptz$/.test(base))
    return { kind: 'timestamp', precision: Math.min(6, nums[0] ?? 6), timeZone: true };
  if (/^(datetime|timestamp)( without time zone)?$/.test(base))
    return { kind: 'timestamp', precision: Math.min(6, nums[0] ?? 6), timeZone: false };
  if (base === 'date') return { kind: 'date' };
  if (base === 'time') return { kind: 'time', precision: Math.min(6, nums[0] ?? 6) };
  if (/^json/.test(base)) return { kind: 'json' };
  if (base === 'uuid') return { kind: 'uuid' };
  if (/char|clob|text/.test(base))
    return nums[0] === undefined ? { kind: 'string' } : { kind: 'string', length: nums[0] };
  if (/blob|binary/.test(base)) return { kind: 'binary' };
  return null;
}

/**
 * SQLite's spelling of a neutral type. Declared names keep the meaning (and give the affinity
 * https://www.sqlite.org/datatype3.html); decimals wider than 15 digits have no exact storage.
 */
export function sqliteDeclare(type: CopyType): MappedType | UnsafeMapping {
  const declared = spell(type);
  return typeof declared === 'string' ? { declared, type } : declared;
}

function spell(type: CopyType): string | UnsafeMapping {
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      if (type.unsigned && type.bytes === 8)
        return { unsafe: "unsigned 64-bit integers do not fit SQLite's signed 64-bit integers" };
      if (type.unsigned) return { 1: 'smallint', 2: 'int', 3: 'int', 4: 'bigint', 8: 'bigint' }[type.bytes];
      return { 1: 'tinyint', 2: 'smallint', 3: 'mediumint', 4: 'int', 8: 'bigint' }[type.bytes];
    case 'decimal':
      if (type.precision === undefined || type.precision > 15) {
        return {
          unsafe:
            `SQLite stores numbers as 64-bit integers or doubles (15 significant digits), not ` +
            `${type.precision === undefined ? 'unbounded numeric' : `numeric(${type.precision},${type.scale ?? 0})`}`,
        };
      }
      return `decimal(${type.precision},${type.scale ?? 0})`;
    case 'float':
      return type.bytes === 4 ? 'float' : 'double';
    case 'string':
      return type.length === undefined ? 'text' : `${type.fixed ? 'char' : 'varchar'}(${type.length})`;
    case 'binary':
      return 'blob';
    case 'date':
      return 'date';
    case 'time':
      return `time(${type.precision})`;
    case 'timestamp':
      return type.timeZone ? `timestamptz(${type.precision})` : `datetime(${type.precision})`;
    case 'json':
      return 'json text';
    case 'uuid':
      return 'uuid';
  }
}
