import type { Knex } from 'knex';
import type { DialectName } from '../../config/dialect-name.js';
import type { CatalogColumn, CatalogTable, FieldRule, HashAlgorithm, HashSession, RowHashDialect, ValueCategory } from '../row-hash-dialect.js';
import { floatCanonicalSql, pow10, prefixedField, type FloatFunctions } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

const categories: Readonly<Record<string, ValueCategory>> = {
  tinyint: 'integer', smallint: 'integer', mediumint: 'integer', int: 'integer', bigint: 'integer', year: 'integer',
  decimal: 'decimal', float: 'float', double: 'float',
  datetime: 'timestamp', timestamp: 'timestamp', date: 'date',
  char: 'string', varchar: 'string', tinytext: 'string', text: 'string', mediumtext: 'string', longtext: 'string', enum: 'string', set: 'string', uuid: 'string',
  binary: 'binary', varbinary: 'binary', tinyblob: 'binary', blob: 'binary', mediumblob: 'binary', longblob: 'binary',
};

type ColumnRow = { name: string; type: string; ctype: string; dp: number | null };

/**
 * MySQL and MariaDB: MD5() (https://mariadb.com/kb/en/md5/) of the utf8mb4 canonical text,
 * prefixes read with CONV(). No faster hash is shared with other engines, so pairs of
 * MySQL servers use the same portable hash.
 */
export class MysqlRowHash implements RowHashDialect {
  readonly name = 'mysql' as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.mysql(name);
  }

  tableReference(schema: string | undefined, table: string): string {
    return schema ? `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(table)}` : this.quoteIdentifier(table);
  }

  async currentSchema(knex: Knex): Promise<string | undefined> {
    const [rows] = await knex.raw('select database() as s');
    return ((rows as { s: string | null }[])[0]?.s ?? undefined) || undefined;
  }

  async listTables(knex: Knex, schema: string | undefined): Promise<string[]> {
    const [rows] = await knex.raw('select table_name as name from information_schema.tables where table_schema = coalesce(?, database()) order by 1', [schema ?? null]);
    return (rows as { name: string }[]).map((r) => r.name);
  }

  async describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    const [cols] = await knex.raw(
      `select column_name as name, data_type as type, column_type as ctype, datetime_precision as dp
         from information_schema.columns where table_schema = coalesce(?, database()) and table_name = ? order by ordinal_position`,
      [schema ?? null, table],
    );
    if ((cols as unknown[]).length === 0) return null;
    const [pk] = await knex.raw(
      `select column_name as name from information_schema.key_column_usage
        where table_schema = coalesce(?, database()) and table_name = ? and constraint_name = 'PRIMARY' order by ordinal_position`,
      [schema ?? null, table],
    );
    const columns = (cols as ColumnRow[]).map((r): CatalogColumn => {
      const type = r.type.toLowerCase();
      const ctype = r.ctype.toLowerCase();
      const category: ValueCategory = /^tinyint\(1\)/.test(ctype) ? 'boolean' : categories[type] ?? 'unsupported';
      return {
        name: r.name,
        dataType: ctype,
        category,
        ...(category === 'timestamp' ? { timestampPrecision: Number(r.dp ?? 0), instant: type === 'timestamp' } : {}),
      };
    });
    return { ...(schema ? { schema } : {}), name: table, columns, primaryKey: (pk as { name: string }[]).map((r) => r.name) };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    if (rule.passthrough && rule.category !== 'string') return `cast(${c} as char)`;
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `cast(${c} as char)`;
      case 'decimal': {
        const s = `cast(${c} as char)`;
        return `(case when ${c} is null then null when ${c} = 0 then '0' when locate('.', ${s}) > 0 then trim(trailing '.' from trim(trailing '0' from ${s})) else ${s} end)`;
      }
      case 'float':
        return floatCanonicalSql(`cast(${c} as double)`, rule.floatDigits, mysqlFloatFunctions);
      case 'timestamp': {
        const micros = column.instant ? `cast(unix_timestamp(${c}) * 1000000 as signed)` : `timestampdiff(microsecond, '1970-01-01 00:00:00', ${c})`;
        if (rule.timestampPrecision >= 6) return `cast(${micros} as char)`;
        const b = pow10(6 - rule.timestampPrecision);
        return `cast((${micros} - mod(mod(${micros}, ${b}) + ${b}, ${b})) div ${b} as char)`;
      }
      case 'date':
        return `date_format(${c}, '%Y-%m-%d')`;
      case 'binary':
        return `lower(hex(${c}))`;
      case 'string': {
        let text = `convert(${c} using utf8mb4)`;
        if (rule.trimTrailingSpaces) text = `trim(trailing ' ' from ${text})`;
        if (rule.ignoreCase) text = `lower(${text})`;
        return text;
      }
    }
  }

  encodeFields(fields: readonly string[]): string {
    return `concat(${fields.map((f) => prefixedField(f, 'char_length', (p) => `concat(${p.join(', ')})`)).join(', ')})`;
  }

  keyHash(fields: readonly string[]): string {
    return `cast(conv(substring(md5(${this.encodeFields(fields)}), 1, 13), 16, 10) as unsigned)`;
  }

  rowDigest(encoded: string): string {
    return `md5(${encoded})`;
  }

  /** One use of the digest: MariaDB merges the derived table and would compute MD5 once per use. */
  digestParts(d: string): readonly [string, string] {
    return ['0', `cast(conv(substring(${d}, 1, 16), 16, 10) as unsigned)`];
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `((${key} - (${lo})) div ${width})`;
  }

  algorithmFor(_other: DialectName): HashAlgorithm {
    return 'portable';
  }

  async session(knex: Knex): Promise<HashSession> {
    return {
      all: async (sql, bindings) => (await knex.raw(sql, [...bindings]))[0] as Record<string, unknown>[],
      aggregate: async (sql) => (await knex.raw(sql))[0] as Record<string, unknown>[],
      stream: (sql, bindings) => knex.raw(sql, [...bindings]).stream() as AsyncIterable<Record<string, unknown>>,
      release: async () => undefined,
    };
  }
}

const mysqlFloatFunctions: FloatFunctions = {
  log10: 'log10',
  pow: 'pow',
  ten: '10e0',
  len: 'char_length',
  toInt: (x) => `cast(${x} as signed)`,
  rtrimZeros: (t) => `trim(trailing '0' from ${t})`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  specials: '',
};
