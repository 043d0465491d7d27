import type { CopyType, MappedType, UnsafeMapping } from '../copy-dialect.js';

const simple: Readonly<Record<string, CopyType>> = {
  boolean: { kind: 'boolean' },
  bool: { kind: 'boolean' },
  smallint: { kind: 'integer', bytes: 2 },
  int2: { kind: 'integer', bytes: 2 },
  integer: { kind: 'integer', bytes: 4 },
  int: { kind: 'integer', bytes: 4 },
  int4: { kind: 'integer', bytes: 4 },
  bigint: { kind: 'integer', bytes: 8 },
  int8: { kind: 'integer', bytes: 8 },
  real: { kind: 'float', bytes: 4 },
  float4: { kind: 'float', bytes: 4 },
  'double precision': { kind: 'float', bytes: 8 },
  float8: { kind: 'float', bytes: 8 },
  text: { kind: 'string' },
  bytea: { kind: 'binary' },
  date: { kind: 'date' },
  json: { kind: 'json' },
  jsonb: { kind: 'json' },
  uuid: { kind: 'uuid' },
};

/** The neutral type of a PostgreSQL type as format_type() spells it (or a common alias, for --cast). */
export function postgresTypeOf(declared: string): CopyType | null {
  const t = declared
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*\)/g, ')');
  const known = simple[t];
  if (known) return known;
  const args = /\(([\d,]+)\)/.exec(t)?.[1]?.split(',').map(Number) ?? [];
  const base = t.replace(/\([\d,]+\)/, '');
  if (base === 'numeric' || base === 'decimal')
    return args[0] === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: args[0], scale: args[1] ?? 0 };
  if (base === 'character varying' || base === 'varchar')
    return args[0] === undefined ? { kind: 'string' } : { kind: 'string', length: args[0] };
  if (base === 'character' || base === 'char' || base === 'bpchar')
    return { kind: 'string', length: args[0] ?? 1, fixed: true };
  const precision = Math.min(6, args[0] ?? 6);
  if (base === 'time' || base === 'time without time zone') return { kind: 'time', precision };
  if (base === 'timestamp' || base === 'timestamp without time zone')
    return { kind: 'timestamp', precision, timeZone: false };
  if (base === 'timestamptz' || base === 'timestamp with time zone')
    return { kind: 'timestamp', precision, timeZone: true };
  return null;
}

/** PostgreSQL's exact spelling of a neutral type (docs/copy.md lists it per pair). */
export function postgresDeclare(type: CopyType): MappedType | UnsafeMapping {
  const declared = spell(type);
  return typeof declared === 'string' ? { declared, type: postgresTypeOf(declared) ?? type } : declared;
}

function spell(type: CopyType): string | UnsafeMapping {
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      // The next wider type holds every unsigned value; bigint unsigned needs numeric(20).
      if (type.bytes <= 2) return type.unsigned && type.bytes === 2 ? 'integer' : 'smallint';
      if (type.bytes <= 4) return type.unsigned && type.bytes === 4 ? 'bigint' : 'integer';
      return type.unsigned ? 'numeric(20,0)' : 'bigint';
    case 'decimal':
      if (type.precision === undefined) return 'numeric';
      if (type.precision > 1000) return { unsafe: `numeric precision ${type.precision} exceeds PostgreSQL's 1000` };
      return `numeric(${type.precision},${type.scale ?? 0})`;
    case 'float':
      return type.bytes === 4 ? 'real' : 'double precision';
    case 'string':
      if (type.length === undefined || type.length > 10_485_760) return 'text';
      return type.fixed ? `character(${type.length})` : `character varying(${type.length})`;
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return `time(${type.precision}) without time zone`;
    case 'timestamp':
      return `timestamp(${type.precision}) ${type.timeZone ? 'with' : 'without'} time zone`;
    case 'json':
      return 'json';
    case 'uuid':
      return 'uuid';
  }
}

/** SQL that renders a column in the neutral text form for another engine. */
export function postgresRender(column: string, type: CopyType | null): string {
  if (type?.kind === 'boolean') return `(case when ${column} then '1' when not ${column} then '0' end)`;
  if (type?.kind === 'timestamp' && type.timeZone) return `(${column} at time zone 'UTC')`;
  return column;
}
