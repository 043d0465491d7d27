import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { DialectName } from '../../config/dialect-name.js';
import type { CatalogColumn, CatalogTable, FieldRule, HashAlgorithm, HashSession, RowHashDialect, ValueCategory } from '../row-hash-dialect.js';
import { canonicalValue, encodeFields, keyHashOf, md5Hex, type SqliteValue } from './sqlite-row-hash-functions.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/** Declared type to category, by SQLite's own affinity rules (https://www.sqlite.org/datatype3.html) refined for dates and booleans. */
export function sqliteCategory(declared: string): { category: ValueCategory; precision?: number } {
  const t = declared.toUpperCase();
  const precision = /\((\d+)\)/.exec(t)?.[1];
  if (/DATETIME|TIMESTAMP/.test(t)) return { category: 'timestamp', precision: precision === undefined ? 6 : Number(precision) };
  if (/^DATE\b/.test(t)) return { category: 'date' };
  if (/BOOL|^TINYINT\(1\)/.test(t)) return { category: 'boolean' };
  if (/INT/.test(t)) return { category: 'integer' };
  if (/CHAR|CLOB|TEXT|UUID/.test(t)) return { category: 'string' };
  if (/BLOB|BINARY/.test(t)) return { category: 'binary' };
  if (/REAL|FLOA|DOUB/.test(t)) return { category: 'float' };
  if (/DEC|NUMERIC/.test(t)) return { category: 'decimal' };
  return { category: 'unsupported' };
}

/**
 * SQLite has no md5 and no fixed value formats, so canonicalisation and hashing run in
 * JavaScript functions registered on the connection (better-sqlite3 db.function()).
 */
export class SqliteRowHash implements RowHashDialect {
  readonly name = 'sqlite' as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.sqlite(name);
  }

  tableReference(_schema: string | undefined, table: string): string {
    return this.quoteIdentifier(table);
  }

  async currentSchema(): Promise<string | undefined> {
    return undefined;
  }

  async listTables(knex: Knex): Promise<string[]> {
    const rows = await knex.raw(`select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by name`);
    return (rows as { name: string }[]).map((r) => r.name);
  }

  async describeTable(knex: Knex, _schema: string | undefined, table: string): Promise<CatalogTable | null> {
    const rows = (await knex.raw('select name, type, pk from pragma_table_info(?)', [table])) as { name: string; type: string; pk: number }[];
    if (rows.length === 0) return null;
    const columns = rows.map((r): CatalogColumn => {
      const { category, precision } = sqliteCategory(r.type);
      return { name: r.name, dataType: r.type.toLowerCase(), category, ...(precision !== undefined ? { timestampPrecision: precision } : {}) };
    });
    const primaryKey = rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk).map((r) => r.name);
    return { name: table, columns, primaryKey };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    const spec = JSON.stringify({ ...rule, declaredBoolean: column.category === 'boolean' }).replace(/'/g, "''");
    return `dmr_canon('${spec}', ${c})`;
  }

  encodeFields(fields: readonly string[]): string {
    return `dmr_encode(${fields.join(', ')})`;
  }

  keyHash(fields: readonly string[]): string {
    return `dmr_key_hash(${this.encodeFields(fields)})`;
  }

  rowDigest(encoded: string): string {
    return `dmr_md5(${encoded})`;
  }

  digestParts(d: string): readonly [string, string] {
    return [`dmr_hex_int(${d}, 0)`, `dmr_hex_int(${d}, 8)`];
  }

  algorithmFor(_other: DialectName): HashAlgorithm {
    return 'portable';
  }

  /** Its own read-only connection to the file, so source and target (even the same file) and parallel tables never wait for knex's single pooled connection. */
  async session(knex: Knex): Promise<HashSession> {
    const config = knex.client as { config: { connection?: { filename?: string } }; acquireConnection(): Promise<BetterSqlite3.Database>; releaseConnection(c: unknown): Promise<void> };
    const filename = config.config.connection?.filename;
    let db: BetterSqlite3.Database;
    let release: () => Promise<void>;
    if (filename && filename !== ':memory:') {
      const { default: Database } = await import('better-sqlite3');
      db = new Database(filename, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      release = async () => void db.close();
    } else {
      db = await config.acquireConnection();
      release = () => config.releaseConnection(db);
    }
    registerFunctions(db);
    const prepare = (sql: string) => db.prepare(sql).safeIntegers(true);
    return {
      all: async (sql, bindings) => prepare(sql).all(...bindings) as Record<string, unknown>[],
      aggregate: async (sql) => prepare(sql).all() as Record<string, unknown>[],
      stream: (sql, bindings) => iterate(prepare(sql), bindings),
      release,
    };
  }
}

async function* iterate(statement: BetterSqlite3.Statement, bindings: readonly (string | number)[]): AsyncGenerator<Record<string, unknown>> {
  yield* statement.iterate(...bindings) as IterableIterator<Record<string, unknown>>;
}

const specs = new Map<string, FieldRule & { declaredBoolean: boolean }>();

function registerFunctions(db: BetterSqlite3.Database): void {
  const options = { deterministic: true, safeIntegers: true };
  db.function('dmr_canon', options, (spec: unknown, value: unknown) => {
    let rule = specs.get(String(spec));
    if (!rule) specs.set(String(spec), (rule = JSON.parse(String(spec)) as FieldRule & { declaredBoolean: boolean }));
    return canonicalValue(value as SqliteValue, rule, rule.declaredBoolean);
  });
  db.function('dmr_encode', { ...options, varargs: true }, (...fields: unknown[]) => encodeFields(fields as (string | null)[]));
  db.function('dmr_key_hash', options, (encoded: unknown) => BigInt(keyHashOf(String(encoded))));
  db.function('dmr_md5', options, (encoded: unknown) => md5Hex(String(encoded)));
  db.function('dmr_hex_int', options, (digest: unknown, from: unknown) => BigInt(parseInt(String(digest).slice(Number(from), Number(from) + 8), 16)));
}
