import type { Knex } from 'knex';
import type { CatalogColumn, CatalogTable, ListedTable, ValueCategory } from '../row-hash-dialect.js';
import { pickUniqueKeys, type UniqueIndex } from '../row-hash-keys.js';
import { jsonReason } from '../row-hash-sql.js';

const categories: Readonly<Record<string, ValueCategory>> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  bigint: 'integer',
  year: 'integer',
  decimal: 'decimal',
  float: 'float',
  double: 'float',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  date: 'date',
  char: 'string',
  varchar: 'string',
  tinytext: 'string',
  text: 'string',
  mediumtext: 'string',
  longtext: 'string',
  enum: 'string',
  set: 'string',
  uuid: 'string',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
};

type ColumnRow = { name: string; type: string; ctype: string; dp: number | null; nullable: string; cs: string | null };
type KeyRow = { idx: string; name: string | null; nullable: string };

const rows = async <T>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> =>
  (await knex.raw(sql, [...bindings]))[0] as T[];

export async function listSchemas(knex: Knex): Promise<string[]> {
  const found = await rows<{ name: string }>(
    knex,
    `select schema_name as name from information_schema.schemata
      where schema_name not in ('information_schema', 'performance_schema', 'mysql', 'sys') order by 1`,
  );
  return found.map((r) => r.name);
}

/** A database the role has no privilege on is invisible to it: it "does not exist" as far as verify can tell. */
export async function schemaExists(knex: Knex, schema: string): Promise<boolean> {
  return (await rows(knex, 'select 1 from information_schema.schemata where schema_name = ?', [schema])).length > 0;
}

/** information_schema lists only tables the role has a privilege on; those it lists can be read with SELECT. */
export async function listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]> {
  const found = await rows<{ name: string }>(
    knex,
    'select table_name as name from information_schema.tables where table_schema = coalesce(?, database()) order by 1',
    [schema ?? null],
  );
  return found.map((r) => ({ name: r.name, readable: true }));
}

/**
 * MariaDB's JSON is LONGTEXT with a json_valid() check (https://mariadb.com/kb/en/json-data-type/), the text as
 * written; MySQL 8 has a JSON type (stored normalized) and no TABLE_NAME in CHECK_CONSTRAINTS.
 */
async function jsonColumns(knex: Knex, schema: string | undefined, table: string): Promise<Set<string>> {
  try {
    const checks = await rows<{ clause: string }>(
      knex,
      `select check_clause as clause from information_schema.check_constraints
        where constraint_schema = coalesce(?, database()) and table_name = ?`,
      [schema ?? null, table],
    );
    return new Set(
      checks
        .map((c) => /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(c.clause.trim())?.[1]?.replace(/``/g, '`'))
        .filter((n): n is string => Boolean(n)),
    );
  } catch {
    return new Set();
  }
}

/**
 * Columns from information_schema.columns, keys from information_schema.statistics (SHOW KEYS), both visible to
 * a SELECT-only role.
 */
export async function describeTable(
  knex: Knex,
  schema: string | undefined,
  table: string,
): Promise<CatalogTable | null> {
  const cols = await rows<ColumnRow>(
    knex,
    `select column_name as name, data_type as type, column_type as ctype, datetime_precision as dp,
            is_nullable as nullable, character_set_name as cs
       from information_schema.columns
      where table_schema = coalesce(?, database()) and table_name = ? order by ordinal_position`,
    [schema ?? null, table],
  );
  if (cols.length === 0) return null;
  const [keys, json, stats] = await Promise.all([
    rows<KeyRow>(
      knex,
      `select index_name as idx, column_name as name, nullable from information_schema.statistics
        where table_schema = coalesce(?, database()) and table_name = ? and non_unique = 0
        order by index_name = 'PRIMARY' desc, index_name, seq_in_index`,
      [schema ?? null, table],
    ),
    jsonColumns(knex, schema, table),
    rows<{ n: number | null }>(
      knex,
      `select table_rows as n from information_schema.tables
        where table_schema = coalesce(?, database()) and table_name = ?`,
      [schema ?? null, table],
    ),
  ]);
  const columns = cols.map((r): CatalogColumn => {
    const type = r.type.toLowerCase();
    const ctype = r.ctype.toLowerCase();
    // MySQL's JSON type is stored normalized (binary); MariaDB's JSON is the text written, in a LONGTEXT.
    const normalizedJson = type === 'json';
    const category: ValueCategory = normalizedJson
      ? 'unsupported'
      : /^tinyint\(1\)/.test(ctype)
        ? 'boolean'
        : (categories[type] ?? 'unsupported');
    return {
      name: r.name,
      dataType: normalizedJson || json.has(r.name) ? 'json' : ctype,
      category,
      notNull: r.nullable !== 'YES',
      // A string's bytes, what the same-engine hash reads, depend on its character set.
      ...(r.cs ? { nativeType: `${ctype} character set ${r.cs.toLowerCase()}` } : {}),
      ...(normalizedJson ? { unsupportedReason: jsonReason } : {}),
      ...(category === 'timestamp' ? { timestampPrecision: Number(r.dp ?? 0), instant: type === 'timestamp' } : {}),
    };
  });
  const indexes = new Map<string, UniqueIndex['columns'][number][]>();
  for (const k of keys)
    indexes.set(k.idx, [
      ...(indexes.get(k.idx) ?? []),
      k.name === null ? null : { name: k.name, notNull: k.nullable !== 'YES' },
    ]);
  const estimate = stats[0]?.n;
  return {
    ...(schema ? { schema } : {}),
    name: table,
    columns,
    ...pickUniqueKeys([...indexes].map(([idx, columns]) => ({ primary: idx === 'PRIMARY', columns }))),
    ...(estimate !== null && estimate !== undefined ? { estimatedRows: Number(estimate) } : {}),
  };
}
