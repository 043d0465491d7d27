import type { Knex } from 'knex';
import type { DialectName } from '../dialect-name.js';
import type {
  CatalogColumn,
  CatalogTable,
  EncodedField,
  FieldRule,
  HashAlgorithm,
  HashSession,
  ListedTable,
  QueryFailure,
  RowHashDialect,
  ValueCategory,
} from '../row-hash-dialect.js';
import { pickUniqueKeys, type UniqueIndex } from '../row-hash-keys.js';
import { floatCanonicalSql, type FloatFunctions } from '../row-hash-float.js';
import { encodedFieldSql, jsonReason, pow10 } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { describeMssqlFailure, mssqlHashSession } from './mssql-row-hash-session.js';

const categories: Readonly<Record<string, ValueCategory>> = {
  tinyint: 'integer',
  smallint: 'integer',
  int: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  money: 'decimal',
  smallmoney: 'decimal',
  real: 'float',
  float: 'float',
  bit: 'boolean',
  datetime: 'timestamp',
  datetime2: 'timestamp',
  smalldatetime: 'timestamp',
  datetimeoffset: 'timestamp',
  date: 'date',
  char: 'string',
  varchar: 'string',
  nchar: 'string',
  nvarchar: 'string',
  text: 'string',
  ntext: 'string',
  uniqueidentifier: 'string',
  binary: 'binary',
  varbinary: 'binary',
  image: 'binary',
};

/** The canonical text as UTF-8 bytes (SQL Server 2019+ UTF-8 collation), so HASHBYTES matches md5 elsewhere. */
const utf8 = (text: string) => `cast(${text} collate Latin1_General_100_BIN2_UTF8 as varchar(max))`;

/**
 * SQL Server: HASHBYTES('MD5', ...) (https://learn.microsoft.com/sql/t-sql/functions/hashbytes-transact-sql)
 * of the UTF-8 canonical text; prefixes read by converting bytes to bigint.
 */
export class MssqlRowHash implements RowHashDialect {
  readonly name = 'mssql' as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.mssql(name);
  }

  tableReference(schema: string | undefined, table: string): string {
    return `${this.quoteIdentifier(schema ?? 'dbo')}.${this.quoteIdentifier(table)}`;
  }

  async currentSchema(knex: Knex): Promise<string | undefined> {
    const rows = (await knex.raw('select schema_name() as s')) as { s: string }[];
    return rows[0]?.s;
  }

  async schemaExists(knex: Knex, schema: string): Promise<boolean> {
    const rows = (await knex.raw('select schema_id(?) as id', [schema])) as { id: number | null }[];
    return rows[0]?.id !== null && rows[0]?.id !== undefined;
  }

  async listSchemas(knex: Knex): Promise<string[]> {
    const rows = (await knex.raw(
      `select name from sys.schemas
        where name not in ('sys', 'INFORMATION_SCHEMA', 'guest') and name not like 'db[_]%' order by 1`,
    )) as { name: string }[];
    return rows.map((r) => r.name);
  }

  async listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]> {
    const rows = (await knex.raw(
      `select o.name, has_perms_by_name(quotename(s.name) + '.' + quotename(o.name), 'OBJECT', 'SELECT') as readable
         from sys.objects o join sys.schemas s on s.schema_id = o.schema_id
        where s.name = ? and o.type in ('U', 'V') order by 1`,
      [schema ?? 'dbo'],
    )) as { name: string; readable: number | boolean }[];
    return rows.map((r) => ({ name: r.name, readable: Boolean(r.readable) }));
  }

  /**
   * Keys from sys.indexes
   * (https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-indexes-transact-sql),
   * visible with SELECT on the table.
   */
  async describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    const s = schema ?? 'dbo';
    const cols = (await knex.raw(
      `select column_name as name, data_type as type, datetime_precision as dp, numeric_precision as p,
              numeric_scale as sc, is_nullable as nullable
         from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`,
      [s, table],
    )) as { name: string; type: string; dp: number | null; p: number | null; sc: number | null; nullable: string }[];
    if (cols.length === 0) return null;
    const object = `object_id(quotename(?) + '.' + quotename(?))`;
    const keys = (await knex.raw(
      `select i.name as idx, i.is_primary_key as pk, c.name as col, c.is_nullable as nullable from sys.indexes i
         join sys.index_columns ic
           on ic.object_id = i.object_id and ic.index_id = i.index_id and ic.is_included_column = 0
         join sys.columns c on c.object_id = ic.object_id and c.column_id = ic.column_id
        where i.object_id = ${object} and i.is_unique = 1 and i.has_filter = 0 and i.is_disabled = 0
        order by i.is_primary_key desc, i.name, ic.key_ordinal`,
      [s, table],
    )) as { idx: string; pk: number | boolean; col: string; nullable: number | boolean }[];
    const stats = (await knex.raw(
      `select sum(rows) as n from sys.partitions where object_id = ${object} and index_id in (0, 1)`,
      [s, table],
    )) as { n: number | null }[];
    const columns = cols.map((r): CatalogColumn => {
      const type = r.type.toLowerCase();
      const category = categories[type] ?? 'unsupported';
      const dataType = category === 'decimal' ? `${r.type}(${r.p},${r.sc})` : r.type;
      return {
        name: r.name,
        dataType,
        category,
        notNull: r.nullable === 'NO',
        ...(type === 'json' ? { unsupportedReason: jsonReason } : {}),
        ...(category === 'timestamp'
          ? { timestampPrecision: Math.min(6, r.dp ?? 3), instant: r.type === 'datetimeoffset' }
          : {}),
      };
    });
    const indexes = new Map<string, { primary: boolean; columns: UniqueIndex['columns'][number][] }>();
    for (const k of keys) {
      const index = indexes.get(k.idx) ?? { primary: Boolean(k.pk), columns: [] };
      index.columns.push({ name: k.col, notNull: !k.nullable });
      indexes.set(k.idx, index);
    }
    const estimate = stats[0]?.n;
    return {
      schema: s,
      name: table,
      columns,
      ...pickUniqueKeys([...indexes.values()]),
      ...(estimate !== null && estimate !== undefined ? { estimatedRows: Number(estimate) } : {}),
    };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `convert(varchar(40), convert(bigint, ${c}))`;
      case 'decimal': {
        const s = `convert(varchar(60), convert(decimal(38, 10), ${c}))`;
        return (
          `(case when ${c} is null then null when ${c} = 0 then '0' else ` +
          `replace(rtrim(replace(replace(rtrim(replace(${s}, '0', ' ')), ' ', '0'), '.', ' ')), ' ', ` +
          `'.') end)`
        );
      }
      case 'float':
        return floatCanonicalSql(`convert(float, ${c})`, rule.floatDigits, mssqlFloatFunctions);
      case 'timestamp': {
        const utc = column.instant ? `convert(datetime2(7), switchoffset(${c}, 0))` : `convert(datetime2(7), ${c})`;
        const micros = `(convert(bigint, datediff_big(microsecond, '1970-01-01', ${utc})))`;
        const b = pow10(6 - Math.min(6, rule.timestampPrecision));
        return `convert(varchar(30), (${micros} - ((${micros} % ${b}) + ${b}) % ${b}) / ${b})`;
      }
      case 'date':
        return `convert(char(10), ${c}, 23)`;
      case 'binary':
        return `lower(convert(varchar(max), convert(varbinary(max), ${c}), 2))`;
      case 'string': {
        let text = `convert(nvarchar(max), ${c})`;
        if (rule.trimTrailingSpaces) text = `rtrim(${text})`;
        if (rule.ignoreCase) text = `lower(${text})`;
        return text;
      }
    }
  }

  encodeFields(encoded: readonly EncodedField[]): string {
    const length = (f: string) => `convert(varchar(20), len(${f} + N'.') - 1)`;
    const join = (pieces: string[]) => `(${pieces.join(' + ')})`;
    return `concat(${encoded.map((f) => encodedFieldSql(f, length, join, (t) => `N'${t}'`)).join(', ')})`;
  }

  keyHash(fields: readonly EncodedField[]): string {
    return `(convert(bigint, 0x00 + substring(hashbytes('MD5', ${utf8(this.encodeFields(fields))}), 1, 7)) / 16)`;
  }

  rowDigest(encoded: string): string {
    return `hashbytes('MD5', ${utf8(encoded)})`;
  }

  /**
   * The digest's first 60 bits as its first 28 and next 32 (a bigint sum of 60-bit numbers would overflow):
   * S1 * 2^32 + S2 is the sum of the 60-bit numbers, as on the other engines.
   */
  digestParts(d: string): readonly [string, string] {
    return [
      `(convert(bigint, 0x00 + substring(${d}, 1, 4)) / 16)`,
      `((convert(bigint, 0x00 + substring(${d}, 4, 5)) / 16) & 4294967295)`,
    ];
  }

  digestKeyHash(d: string): string {
    return `(convert(bigint, 0x00 + substring(${d}, 1, 7)) / 16)`;
  }

  describeFailure(error: unknown): QueryFailure {
    return describeMssqlFailure(error);
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `((convert(bigint, ${key}) - (${lo})) / ${width})`;
  }

  algorithmFor(_other: DialectName): HashAlgorithm {
    return 'portable';
  }

  session(knex: Knex): Promise<HashSession> {
    return mssqlHashSession(knex);
  }
}

const mssqlFloatFunctions: FloatFunctions = {
  log10: (x) => `log10(${x})`,
  pow10: (j) => `power(convert(float, 10), ${j})`,
  num: (literal) => literal,
  toInt: (x) => `convert(varchar(30), convert(bigint, ${x}))`,
  odd: (x) => `convert(bigint, ${x}) % 2 = 1`,
  round: (x) => `round(${x}, 0)`,
  nearInteger: (t, eps) => `abs(${t} - round(${t}, 0)) <= ${eps}`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  specials: '',
};
