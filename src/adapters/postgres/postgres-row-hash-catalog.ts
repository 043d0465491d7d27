import type { Knex } from 'knex';
import type { CatalogColumn, CatalogTable, ListedTable, ValueCategory } from '../row-hash-dialect.js';
import { pickUniqueKeys } from '../row-hash-keys.js';
import { jsonReason } from '../row-hash-sql.js';

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
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'real',
  'double precision',
  'boolean',
  'date',
  'timestamp without time zone',
  'timestamp with time zone',
  'character varying',
  'text',
  'uuid',
  'bytea',
]);

const relation = `to_regclass(format('%I.%I', ?::text, ?::text))`;

/**
 * Columns as information_schema.columns describes them (data_type, udt_name, precision, scale),
 * read from pg_attribute (a dropped column has type 0), which shows every column whatever the role's privileges; plus
 * NOT NULL and whether the type's hash is exact (deterministic collation, hash_record_extended on 14+).
 */
const columnsSql = `
select a.attnum as num, a.attname as name, a.attnotnull as notnull,
  case when t.typtype = 'd' then
         case when bt.typelem <> 0 and bt.typlen = -1 then 'ARRAY'
              when bn.nspname = 'pg_catalog' then format_type(t.typbasetype, null) else 'USER-DEFINED' end
       when t.typelem <> 0 and t.typlen = -1 then 'ARRAY'
       when tn.nspname = 'pg_catalog' then format_type(a.atttypid, null) else 'USER-DEFINED' end as type,
  coalesce(bt.typname, t.typname) as udt,
  information_schema._pg_numeric_precision(
    information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*)) as p,
  information_schema._pg_numeric_scale(
    information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*)) as sc,
  information_schema._pg_datetime_precision(
    information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*)) as dp,
  coalesce(c.collisdeterministic, true) and current_setting('server_version_num')::int >= 140000 as exact
from pg_attribute a
join pg_type t on t.oid = a.atttypid
join pg_namespace tn on tn.oid = t.typnamespace
left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
left join pg_namespace bn on bn.oid = bt.typnamespace
left join pg_collation c on c.oid = a.attcollation
where a.attrelid = ${relation} and a.attnum > 0 and a.atttypid <> 0
order by a.attnum`;

/** Unique indexes (primary key first) without predicate or expression: key attribute numbers in order. */
const keysSql = `
select i.indisprimary as "primary", i.indkey::int2[] as attnums, i.indnkeyatts as n
from pg_index i
where i.indrelid = ${relation} and i.indisunique and i.indisvalid and i.indpred is null and i.indexprs is null
order by i.indisprimary desc, i.indnkeyatts, i.indexrelid`;

interface ColumnRow {
  num: number;
  name: string;
  notnull: boolean;
  type: string;
  udt: string;
  p: number | null;
  sc: number | null;
  dp: number | null;
  exact: boolean;
}

export async function listSchemas(knex: Knex): Promise<string[]> {
  const result = await knex.raw(
    `select nspname as name from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema' order by 1`,
  );
  return (result.rows as { name: string }[]).map((r) => r.name);
}

export async function schemaExists(knex: Knex, schema: string): Promise<boolean> {
  const result = await knex.raw('select 1 from pg_namespace where nspname = ?', [schema]);
  return result.rows.length > 0;
}

/** Tables and views from pg_class (information_schema hides what the role has no privilege on). */
export async function listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]> {
  const result = await knex.raw(
    `select c.relname as name,
            has_schema_privilege(n.oid, 'USAGE')
              and (has_table_privilege(c.oid, 'SELECT') or has_any_column_privilege(c.oid, 'SELECT')) as readable
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ? and c.relkind in ('r', 'p', 'v') order by 1`,
    [schema ?? 'public'],
  );
  return (result.rows as { name: string; readable: boolean }[]).map((r) => ({ name: r.name, readable: r.readable }));
}

/**
 * Columns, primary and unique keys from pg_catalog, which a SELECT-only role can read (information_schema's
 * constraint views hide them from it).
 */
export async function describeTable(
  knex: Knex,
  schema: string | undefined,
  table: string,
): Promise<CatalogTable | null> {
  const s = schema ?? 'public';
  const cols = (await knex.raw(columnsSql, [s, table])).rows as ColumnRow[];
  if (cols.length === 0) return null;
  const [keys, stats] = await Promise.all([
    knex.raw(keysSql, [s, table]),
    knex.raw(`select reltuples::float8 as n from pg_class where oid = ${relation}`, [s, table]),
  ]);
  const byNum = new Map(cols.map((c) => [c.num, c]));
  const indexes = (keys.rows as { primary: boolean; attnums: number[]; n: number }[]).map((k) => ({
    primary: k.primary,
    columns: k.attnums.slice(0, k.n).map((num) => byNum.get(num)),
  }));
  const columns = cols.map((r): CatalogColumn => {
    const key = r.type === 'USER-DEFINED' ? r.udt : r.type;
    const category = categories[key] ?? 'unsupported';
    return {
      name: r.name,
      dataType: category === 'decimal' && r.p !== null ? `numeric(${r.p},${r.sc ?? 0})` : key,
      category,
      notNull: r.notnull,
      ...(key === 'jsonb' ? { unsupportedReason: jsonReason } : {}),
      ...(category === 'timestamp' ? { timestampPrecision: r.dp ?? 6, instant: key.includes('with time zone') } : {}),
      ...(hashableTypes.has(key) && r.exact ? { hashable: true } : {}),
    };
  });
  const estimate = Number((stats.rows as { n: number | null }[])[0]?.n ?? -1);
  return {
    schema: s,
    name: table,
    columns,
    ...pickUniqueKeys(
      indexes.map((i) => ({
        primary: i.primary,
        columns: i.columns.map((c) => (c ? { name: c.name, notNull: c.notnull } : null)),
      })),
    ),
    ...(estimate >= 0 ? { estimatedRows: Math.round(estimate) } : {}),
  };
}
