import type { Knex } from 'knex';
import type { DialectName } from '../../config/dialect-name.js';
import type { CatalogColumn, CatalogTable, FieldRule, HashAlgorithm, HashSession, RowHashDialect, ValueCategory } from '../row-hash-dialect.js';
import { floatCanonicalSql, pow10, prefixedField, type FloatFunctions } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

const categories: Readonly<Record<string, ValueCategory>> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  numeric: 'decimal',
  real: 'float',
  'double precision': 'float',
  boolean: 'boolean',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamp',
  date: 'date',
  'character varying': 'string',
  character: 'string',
  text: 'string',
  uuid: 'string',
  citext: 'string',
  json: 'string',
  bytea: 'binary',
};

/**
 * Types whose extended hash is equal exactly when the values are equal (numeric 1.0 = 1.00 and
 * float -0 = 0 hash alike, as their canonical forms are). Not character(n): its hash ignores
 * padding; not citext: its hash ignores case.
 */
const hashableTypes: ReadonlySet<string> = new Set([
  'smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision', 'boolean', 'date',
  'timestamp without time zone', 'timestamp with time zone', 'character varying', 'text', 'uuid', 'bytea',
]);

/**
 * PostgreSQL: md5 (https://www.postgresql.org/docs/current/functions-string.html) for
 * cross-engine pairs; hashtextextended (the hash behind hash indexes and partitioning) of the
 * row's record text for PostgreSQL-to-PostgreSQL pairs.
 */
export class PostgresRowHash implements RowHashDialect {
  readonly name = 'postgres' as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.postgres(name);
  }

  tableReference(schema: string | undefined, table: string): string {
    return schema ? `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(table)}` : this.quoteIdentifier(table);
  }

  async currentSchema(knex: Knex): Promise<string | undefined> {
    const result = await knex.raw('select current_schema() as s');
    return (result.rows[0] as { s: string }).s;
  }

  async listTables(knex: Knex, schema: string | undefined): Promise<string[]> {
    const result = await knex.raw(
      `select table_name as name from information_schema.tables where table_schema = ? and table_type in ('BASE TABLE', 'VIEW') order by 1`,
      [schema ?? 'public'],
    );
    return (result.rows as { name: string }[]).map((r) => r.name);
  }

  async describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    const s = schema ?? 'public';
    const cols = await knex.raw(
      `select column_name as name, data_type as type, udt_name as udt, numeric_precision as p, numeric_scale as sc, datetime_precision as dp
         from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`,
      [s, table],
    );
    if (cols.rows.length === 0) return null;
    // Deterministic collation (equal strings are equal bytes) on a server with hash_record_extended (14+); a dropped column has type 0.
    const exact = await knex.raw(
      `select a.attname as name, coalesce(c.collisdeterministic, true) and current_setting('server_version_num')::int >= 140000 as exact
         from pg_attribute a left join pg_collation c on c.oid = a.attcollation
        where a.attrelid = to_regclass(format('%I.%I', ?::text, ?::text)) and a.attnum > 0 and a.atttypid <> 0`,
      [s, table],
    );
    const hashable = new Set((exact.rows as { name: string; exact: boolean }[]).filter((r) => r.exact).map((r) => r.name));
    const pk = await knex.raw(
      `select k.column_name as name from information_schema.table_constraints c
         join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema and k.table_name = c.table_name
        where c.constraint_type = 'PRIMARY KEY' and c.table_schema = ? and c.table_name = ? order by k.ordinal_position`,
      [s, table],
    );
    const columns = (cols.rows as { name: string; type: string; udt: string; p: number | null; sc: number | null; dp: number | null }[]).map((r): CatalogColumn => {
      const key = r.type === 'USER-DEFINED' ? r.udt : r.type;
      const category = categories[key] ?? 'unsupported';
      return {
        name: r.name,
        dataType: category === 'decimal' && r.p !== null ? `numeric(${r.p},${r.sc ?? 0})` : key,
        category,
        ...(category === 'timestamp' ? { timestampPrecision: r.dp ?? 6, instant: key.includes('with time zone') } : {}),
        ...(hashableTypes.has(key) && hashable.has(r.name) ? { hashable: true } : {}),
      };
    });
    return { schema: s, name: table, columns, primaryKey: (pk.rows as { name: string }[]).map((r) => r.name) };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    if (rule.passthrough) return `(${c})::text`;
    if (column.category === 'boolean') return `(${c})::int::text`;
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `(${c})::text`;
      case 'decimal':
        return `trim_scale((${c})::numeric)::text`;
      case 'float':
        return floatCanonicalSql(`(${c})::float8`, rule.floatDigits, postgresFloatFunctions);
      case 'timestamp':
        return `floor(extract(epoch from ${c}) * ${pow10(rule.timestampPrecision)})::bigint::text`;
      case 'date':
        return `to_char(${c}, 'YYYY-MM-DD')`;
      case 'binary':
        return `encode(${c}, 'hex')`;
      case 'string': {
        let text = `(${c})::text`;
        if (rule.trimTrailingSpaces) text = `rtrim(${text}, ' ')`;
        if (rule.ignoreCase) text = `lower(${text})`;
        return text;
      }
    }
  }

  encodeFields(fields: readonly string[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return `(row(${fields.join(', ')}))::text`;
    return `concat(${fields.map((f) => prefixedField(f, 'length', (p) => `(${p.join(' || ')})`)).join(', ')})`;
  }

  keyHash(fields: readonly string[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') {
      const text = fields.length === 1 ? `coalesce(${fields[0]}, '')` : `concat_ws(chr(1), ${fields.join(', ')})`;
      return `(hashtextextended(${text}, 0) & 4503599627370495)`;
    }
    return `('x' || lpad(substr(md5(convert_to(${this.encodeFields(fields, 'portable')}, 'UTF8')), 1, 13), 16, '0'))::bit(64)::bigint`;
  }

  derivedTableFence(algorithm: HashAlgorithm): string {
    return algorithm === 'portable' ? ' offset 0' : '';
  }

  rowDigest(encoded: string, algorithm: HashAlgorithm): string {
    return algorithm === 'native' ? `hashtextextended(${encoded}, 1)` : `md5(convert_to(${encoded}, 'UTF8'))`;
  }

  digestParts(d: string, algorithm: HashAlgorithm): readonly [string, string] {
    if (algorithm === 'native') return [d, '0'];
    const part = (from: number) => `('x' || lpad(substr(${d}, ${from}, 8), 16, '0'))::bit(64)::bigint`;
    return [part(1), part(9)];
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `(((${key})::bigint - (${lo})) / ${width})`;
  }

  recordText(table: string): string {
    return `(${table})::text`;
  }

  /** hash_record_extended (PostgreSQL 14+, https://www.postgresql.org/docs/current/functions-comparison.html): each column's extended hash, combined. */
  recordDigest(table: string): string {
    return `hash_record_extended(${table}, 1)`;
  }

  algorithmFor(other: DialectName): HashAlgorithm {
    return other === 'postgres' ? 'native' : 'portable';
  }

  async session(knex: Knex): Promise<HashSession> {
    return {
      all: async (sql, bindings) => (await knex.raw(sql, [...bindings])).rows as Record<string, unknown>[],
      aggregate: (sql) => knex.transaction(async (trx) => {
        await trx.raw(aggregateSettings);
        return (await trx.raw(sql)).rows as Record<string, unknown>[];
      }),
      stream: (sql, bindings, batch) => cursorRows(knex, sql, bindings, batch),
      release: async () => undefined,
    };
  }
}

/**
 * Planner settings for one segment aggregate (https://www.postgresql.org/docs/current/runtime-config-query.html):
 * the planner takes every row for a group, so it would sort the whole table; no sort makes it
 * hash (one small hash table per parallel worker), and JIT compilation per worker costs more than it saves.
 */
const aggregateSettings = `select set_config('enable_sort', 'off', true), set_config('jit', 'off', true), set_config('parallel_tuple_cost', '0', true), set_config('work_mem', '64MB', true)`;

/** Streams a query through a server-side cursor (no extra package, memory bounded by `batch`). */
async function* cursorRows(knex: Knex, sql: string, bindings: readonly (string | number)[], batch: number): AsyncGenerator<Record<string, unknown>> {
  const trx = await knex.transaction();
  try {
    // A cursor is planned for its first 10% of rows by default: an index scan filtering the whole
    // table instead of index range scans and a sort of the rows asked for.
    await trx.raw(`select set_config('cursor_tuple_fraction', '1', true)`);
    await trx.raw(`declare dmr_verify_cursor no scroll cursor for ${sql}`, [...bindings]);
    for (;;) {
      const rows = (await trx.raw(`fetch ${batch} from dmr_verify_cursor`)).rows as Record<string, unknown>[];
      yield* rows;
      if (rows.length < batch) break;
    }
  } finally {
    await trx.rollback().catch(() => undefined);
  }
}

const postgresFloatFunctions: FloatFunctions = {
  log10: 'log',
  pow: 'power',
  ten: '10::float8',
  len: 'length',
  toInt: (x) => `(${x})::bigint::text`,
  rtrimZeros: (t) => `rtrim(${t}, '0')`,
  concat: (parts) => parts.join(' || '),
  specials: `when x = 'NaN'::float8 then 'nan' when x = 'Infinity'::float8 then 'inf' when x = '-Infinity'::float8 then '-inf'`,
};
