import type { Knex } from 'knex';
import type { DialectName } from '../../config/dialect-name.js';
import type { CatalogColumn, CatalogTable, FieldRule, HashAlgorithm, HashSession, RowHashDialect, ValueCategory } from '../row-hash-dialect.js';
import { floatCanonicalSql, pow10, prefixedField, type FloatFunctions } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

const categories: Readonly<Record<string, ValueCategory>> = {
  tinyint: 'integer', smallint: 'integer', int: 'integer', bigint: 'integer',
  decimal: 'decimal', numeric: 'decimal', money: 'decimal', smallmoney: 'decimal',
  real: 'float', float: 'float', bit: 'boolean',
  datetime: 'timestamp', datetime2: 'timestamp', smalldatetime: 'timestamp', datetimeoffset: 'timestamp', date: 'date',
  char: 'string', varchar: 'string', nchar: 'string', nvarchar: 'string', text: 'string', ntext: 'string', uniqueidentifier: 'string',
  binary: 'binary', varbinary: 'binary', image: 'binary',
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

  async listTables(knex: Knex, schema: string | undefined): Promise<string[]> {
    const rows = (await knex.raw('select table_name as name from information_schema.tables where table_schema = ? order by 1', [schema ?? 'dbo'])) as { name: string }[];
    return rows.map((r) => r.name);
  }

  async describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    const s = schema ?? 'dbo';
    const cols = (await knex.raw(
      'select column_name as name, data_type as type, datetime_precision as dp, numeric_precision as p, numeric_scale as sc from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
      [s, table],
    )) as { name: string; type: string; dp: number | null; p: number | null; sc: number | null }[];
    if (cols.length === 0) return null;
    const pk = (await knex.raw(
      `select k.column_name as name from information_schema.table_constraints c join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema
        where c.constraint_type = 'PRIMARY KEY' and c.table_schema = ? and c.table_name = ? order by k.ordinal_position`,
      [s, table],
    )) as { name: string }[];
    const columns = cols.map((r): CatalogColumn => {
      const category = categories[r.type.toLowerCase()] ?? 'unsupported';
      const dataType = category === 'decimal' ? `${r.type}(${r.p},${r.sc})` : r.type;
      return { name: r.name, dataType, category, ...(category === 'timestamp' ? { timestampPrecision: Math.min(6, r.dp ?? 3), instant: r.type === 'datetimeoffset' } : {}) };
    });
    return { schema: s, name: table, columns, primaryKey: pk.map((r) => r.name) };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `convert(varchar(40), convert(bigint, ${c}))`;
      case 'decimal': {
        const s = `convert(varchar(60), convert(decimal(38, 10), ${c}))`;
        return `(case when ${c} is null then null when ${c} = 0 then '0' else replace(rtrim(replace(replace(rtrim(replace(${s}, '0', ' ')), ' ', '0'), '.', ' ')), ' ', '.') end)`;
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

  encodeFields(fields: readonly string[]): string {
    const length = (f: string) => `convert(varchar(20), len(${f} + N'.') - 1)`;
    return `concat(${fields.map((f) => prefixedField(f, '', () => `(${length(f)} + N':' + ${f})`)).join(', ')})`;
  }

  keyHash(fields: readonly string[]): string {
    return `(convert(bigint, 0x00 + substring(hashbytes('MD5', ${utf8(this.encodeFields(fields))}), 1, 7)) / 16)`;
  }

  rowDigest(encoded: string): string {
    return `hashbytes('MD5', ${utf8(encoded)})`;
  }

  digestParts(d: string): readonly [string, string] {
    return [`convert(bigint, 0x00000000 + substring(${d}, 1, 4))`, `convert(bigint, 0x00000000 + substring(${d}, 5, 4))`];
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `((convert(bigint, ${key}) - (${lo})) / ${width})`;
  }

  algorithmFor(_other: DialectName): HashAlgorithm {
    return 'portable';
  }

  async session(knex: Knex): Promise<HashSession> {
    return {
      all: async (sql, bindings) => (await knex.raw(sql, [...bindings])) as Record<string, unknown>[],
      aggregate: async (sql) => (await knex.raw(sql)) as Record<string, unknown>[],
      stream: (sql, bindings) => knex.raw(sql, [...bindings]).stream() as AsyncIterable<Record<string, unknown>>,
      release: async () => undefined,
    };
  }
}

const mssqlFloatFunctions: FloatFunctions = {
  log10: 'log10',
  pow: 'power',
  ten: 'convert(float, 10)',
  len: 'len',
  toInt: (x) => `convert(varchar(30), convert(bigint, ${x}))`,
  rtrimZeros: (t) => `replace(rtrim(replace(${t}, '0', ' ')), ' ', '0')`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  specials: '',
};
