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
} from '../row-hash-dialect.js';
import { floatCanonicalSql, type FloatFunctions } from '../row-hash-float.js';
import { pow10, prefixedField } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { describeTable, listSchemas, listTables, schemaExists } from './mysql-row-hash-catalog.js';
import { hasCrc32c, nativeDigest, nativeKeyHash, nativeRowText } from './mysql-row-hash-native.js';
import { describeMysqlFailure, mysqlHashSession } from './mysql-row-hash-session.js';

/**
 * MySQL and MariaDB: MD5() (https://mariadb.com/kb/en/md5/) of the utf8mb4 canonical text, prefixes read with
 * CONV(), for cross-engine pairs. A pair of MySQL-family servers that both have CRC32C (MariaDB 10.8+) hashes the
 * engine's own rendering of the row instead (see mysql-row-hash-native.ts).
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

  schemaExists(knex: Knex, schema: string): Promise<boolean> {
    return schemaExists(knex, schema);
  }

  listSchemas(knex: Knex): Promise<string[]> {
    return listSchemas(knex);
  }

  listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]> {
    return listTables(knex, schema);
  }

  describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    return describeTable(knex, schema, table);
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    // The column itself: concat_ws and the session (which reads every value as text) render it. An instant's
    // text depends on the session's time zone: its epoch form does not.
    if (rule.passthrough && !column.instant) return c;
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `cast(${c} as char)`;
      case 'decimal': {
        const s = `cast(${c} as char)`;
        return `(case when ${c} is null then null when ${c} = 0 then '0' when locate('.', ${s}) > 0 then trim(trailing '.' from trim(trailing '0' from ${s})) else ${s} end)`;
      }
      case 'float':
        return floatCanonicalSql(/^double/.test(column.dataType) ? c : `cast(${c} as double)`, rule.floatDigits, mysqlFloatFunctions);
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

  encodeFields(fields: readonly EncodedField[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return nativeRowText(fields);
    const parts = fields.map((f) => prefixedField(f.sql, 'char_length', (p) => `concat(${p.join(', ')})`));
    return `concat(${parts.join(', ')})`;
  }

  keyHash(fields: readonly EncodedField[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return nativeKeyHash(fields);
    return `cast(conv(substring(md5(${this.encodeFields(fields, 'portable')}), 1, 13), 16, 10) as unsigned)`;
  }

  rowDigest(encoded: string, algorithm: HashAlgorithm): string {
    return algorithm === 'native' ? nativeDigest(encoded) : `md5(${encoded})`;
  }

  /** One use of the digest: MariaDB merges the derived table and would compute the hash once per use. */
  digestParts(d: string, algorithm: HashAlgorithm): readonly [string, string] {
    return ['0', algorithm === 'native' ? d : `cast(conv(substring(${d}, 1, 16), 16, 10) as unsigned)`];
  }

  digestKeyHash(d: string, algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return `(${d} & 4503599627370495)`;
    return `cast(conv(substring(${d}, 1, 13), 16, 10) as unsigned)`;
  }

  describeFailure(error: unknown): QueryFailure {
    return describeMysqlFailure(error);
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `((${key} - (${lo})) div ${width})`;
  }

  algorithmFor(other: DialectName): HashAlgorithm {
    return other === 'mysql' ? 'native' : 'portable';
  }

  nativeHashAvailable(knex: Knex): Promise<boolean> {
    return hasCrc32c(knex);
  }

  session(knex: Knex): Promise<HashSession> {
    return mysqlHashSession(knex);
  }
}

/** One log10 in the near-integer test (MariaDB evaluates a subexpression once per use). */
const mysqlFloatFunctions: FloatFunctions = {
  log10: (x) => `log10(${x})`,
  pow10: (j) => `pow(10e0, ${j})`,
  num: (literal) => literal,
  toInt: (x) => `cast(${x} as signed)`,
  odd: (x) => `mod(${x}, 2) = 1`,
  round: (x) => `round(${x})`,
  nearInteger: (t, eps) => `abs(mod(abs(${t}), 1e0) - 5e-1) >= 5e-1 - ${eps}`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  specials: '',
};
