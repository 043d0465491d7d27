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
import { encodedFieldSql } from '../row-hash-sql.js';
import { mysqlCanonicalField } from './mysql-row-hash-canonical.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { describeTable, listSchemas, listTables, schemaExists } from './mysql-row-hash-catalog.js';
import { nativeDigest, nativeHashSupport, nativeKeyHash, nativeRowText } from './mysql-row-hash-native.js';
import { describeMysqlFailure, mysqlHashSession } from './mysql-row-hash-session.js';

/**
 * MySQL and MariaDB: MD5() (https://mariadb.com/kb/en/md5/) of the utf8mb4 canonical text, prefixes read with
 * CONV(), for cross-engine pairs. A pair of MySQL-family servers that both have CRC32C (MariaDB 10.8+) hashes the
 * engine's own rendering of the row instead (see mysql-row-hash-native.ts).
 */
export class MysqlRowHash implements RowHashDialect {
  readonly name = 'mysql' as const;
  /** MySQL and MariaDB run a query on one thread: two key-range halves of the first scan use two cores. */
  readonly scanSessions = 2;
  readonly clusteredByPrimaryKey = true;

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
    return mysqlCanonicalField(c, column, rule);
  }

  encodeFields(fields: readonly EncodedField[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return nativeRowText(fields);
    const join = (pieces: string[]) => `concat(${pieces.join(', ')})`;
    // A NOT NULL field's pieces go straight into the row's concat (one function call less per field).
    const length = (x: string) => `char_length(${x})`;
    const parts = fields.map((f) => encodedFieldSql(f, length, (p) => (f.notNull ? p.join(', ') : join(p))));
    return join(parts);
  }

  keyHash(fields: readonly EncodedField[], algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return nativeKeyHash(fields);
    return `cast(conv(substring(md5(${this.encodeFields(fields, 'portable')}), 1, 13), 16, 10) as unsigned)`;
  }

  sharedRows(name: string, sql: string): string {
    return `${name} as (${sql})`;
  }

  rowDigest(encoded: string, algorithm: HashAlgorithm): string {
    return algorithm === 'native' ? nativeDigest(encoded) : `md5(${encoded})`;
  }

  /** One use of the digest: MariaDB merges the derived table and would compute the hash once per use. */
  digestParts(d: string, algorithm: HashAlgorithm): readonly [string, string] {
    return ['0', algorithm === 'native' ? d : `cast(conv(substring(${d}, 1, 15), 16, 10) as unsigned)`];
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
    return nativeHashSupport(knex);
  }

  session(knex: Knex): Promise<HashSession> {
    return mysqlHashSession(knex);
  }
}
