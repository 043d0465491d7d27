import type BetterSqlite3 from 'better-sqlite3';
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
import { isSessionCancelled, SessionGuard } from '../row-hash-session.js';
import { jsonReason } from '../row-hash-sql.js';
import {
  canonicalValue,
  encodeFields,
  fieldSpec,
  keyHashOf,
  md5Hex,
  type SqliteValue,
} from './sqlite-row-hash-functions.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/**
 * Declared type to category, by SQLite's own affinity rules (https://www.sqlite.org/datatype3.html) refined for
 * dates and booleans.
 */
export function sqliteCategory(declared: string): { category: ValueCategory; precision?: number } {
  const t = declared.toUpperCase();
  const precision = /\((\d+)\)/.exec(t)?.[1];
  // JSON text is kept as written only with TEXT affinity (`json text`); plain JSON has NUMERIC affinity, which
  // rewrites scalar documents ('1.0' is stored as 1), and JSONB is SQLite's binary normal form.
  if (/JSON/.test(t)) return { category: /JSONB/.test(t) || !/CHAR|CLOB|TEXT/.test(t) ? 'unsupported' : 'string' };
  if (/DATETIME|TIMESTAMP/.test(t))
    return { category: 'timestamp', precision: precision === undefined ? 6 : Number(precision) };
  if (/^DATE\b/.test(t)) return { category: 'date' };
  if (/BOOL|^TINYINT\(1\)/.test(t)) return { category: 'boolean' };
  if (/INT/.test(t)) return { category: 'integer' };
  if (/CHAR|CLOB|TEXT|UUID/.test(t)) return { category: 'string' };
  if (/BLOB|BINARY/.test(t)) return { category: 'binary' };
  if (/REAL|FLOA|DOUB/.test(t)) return { category: 'float' };
  if (/DEC|NUMERIC/.test(t)) return { category: 'decimal' };
  return { category: 'unsupported' };
}

/** JSONB is a normal form; a column declared plain JSON has NUMERIC affinity (https://www.sqlite.org/datatype3.html) */
function sqliteJsonReason(declared: string): string {
  if (/JSONB/i.test(declared)) return jsonReason;
  return (
    "a column declared JSON has NUMERIC affinity, which rewrites scalar documents ('1.0' is stored as 1); " +
    "declare it 'json text' to keep the text written, which is then compared as its text"
  );
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

  async schemaExists(): Promise<boolean> {
    return true;
  }

  async listSchemas(): Promise<string[]> {
    return ['main'];
  }

  /** Every table of the file can be read by whoever can open it. */
  async listTables(knex: Knex): Promise<ListedTable[]> {
    const rows = await knex.raw(
      `select name from sqlite_master
        where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by name`,
    );
    return (rows as { name: string }[]).map((r) => ({ name: r.name, readable: true }));
  }

  /**
   * Columns from pragma table_info, unique keys from pragma index_list / index_info
   * (https://www.sqlite.org/pragma.html).
   */
  async describeTable(knex: Knex, _schema: string | undefined, table: string): Promise<CatalogTable | null> {
    type ColumnRow = { name: string; type: string; pk: number; nn: number };
    const rows = (await knex.raw('select name, type, pk, "notnull" as nn from pragma_table_info(?)', [
      table,
    ])) as ColumnRow[];
    if (rows.length === 0) return null;
    const columns = rows.map((r): CatalogColumn => {
      const { category, precision } = sqliteCategory(r.type);
      return {
        name: r.name,
        dataType: r.type.toLowerCase(),
        category,
        // INTEGER PRIMARY KEY is the rowid: never NULL, whatever the declaration says.
        notNull: r.nn === 1 || (r.pk > 0 && /^integer$/i.test(r.type.trim()) && rows.filter((x) => x.pk).length === 1),
        ...(/JSON/i.test(r.type) && category === 'unsupported' ? { unsupportedReason: sqliteJsonReason(r.type) } : {}),
        ...(precision !== undefined ? { timestampPrecision: precision } : {}),
      };
    });
    const primaryKey = rows
      .filter((r) => r.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((r) => r.name);
    const parts = (await knex.raw(
      `select il.name as idx, ii.name as col from pragma_index_list(?) il join pragma_index_info(il.name) ii
        where il."unique" = 1 and il.partial = 0 and il.origin <> 'pk' order by il.name, ii.seqno`,
      [table],
    )) as { idx: string; col: string | null }[];
    const notNull = new Map(rows.map((r) => [r.name, r.nn === 1]));
    const indexes = new Map<string, UniqueIndex['columns'][number][]>();
    for (const p of parts) {
      const column = p.col === null ? null : { name: p.col, notNull: notNull.get(p.col) ?? false };
      indexes.set(p.idx, [...(indexes.get(p.idx) ?? []), column]);
    }
    const { uniqueKeys } = pickUniqueKeys([...indexes.values()].map((c) => ({ primary: false, columns: c })));
    return { name: table, columns, primaryKey, uniqueKeys };
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    const spec = JSON.stringify({ ...rule, declaredBoolean: column.category === 'boolean' }).replace(/'/g, "''");
    return `dmr_canon('${spec}', ${c})`;
  }

  encodeFields(fields: readonly EncodedField[]): string {
    return `dmr_encode('${fieldSpec(fields)}', ${fields.map((f) => f.sql).join(', ')})`;
  }

  keyHash(fields: readonly EncodedField[]): string {
    return `dmr_key_hash(${this.encodeFields(fields)})`;
  }

  rowDigest(encoded: string): string {
    return `dmr_md5(${encoded})`;
  }

  digestParts(d: string): readonly [string, string] {
    // The first 60 bits as their first 28 and next 32: SQLite's sum() refuses to overflow 64 bits.
    return [`dmr_hex_int(${d}, 0, 7)`, `dmr_hex_int(${d}, 7, 8)`];
  }

  digestKeyHash(d: string): string {
    return `dmr_digest_key(${d})`;
  }

  describeFailure(error: unknown): QueryFailure {
    const e = (error ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const unopenable = code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB';
    const kind = isSessionCancelled(error) ? 'cancelled' : unopenable ? 'lost' : 'refused';
    return { message: String(e.message ?? error), ...(code ? { code } : {}), kind };
  }

  algorithmFor(_other: DialectName): HashAlgorithm {
    return 'portable';
  }

  /**
   * Its own read-only connection to the file, so source and target (even the same file) and
   * parallel tables never wait for knex's single pooled connection, and --where cannot write.
   * A statement cannot be cancelled (the driver is synchronous): cancel stops at the next one.
   */
  async session(knex: Knex): Promise<HashSession> {
    const config = knex.client as {
      config: { connection?: { filename?: string } };
      acquireConnection(): Promise<BetterSqlite3.Database>;
      releaseConnection(c: unknown): Promise<void>;
    };
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
      db.pragma('query_only = 1');
      release = () => {
        db.pragma('query_only = 0');
        return config.releaseConnection(db);
      };
    }
    registerFunctions(db);
    const guard = new SessionGuard(async () => undefined);
    const prepare = (sql: string) => db.prepare(sql).safeIntegers(true);
    return {
      all: (sql) => guard.run(async () => prepare(sql).all() as Record<string, unknown>[]),
      aggregate: (sql) => guard.run(async () => prepare(sql).all() as Record<string, unknown>[]),
      stream: (sql) => iterate(() => prepare(sql), guard),
      cancel: () => guard.cancel(),
      release,
    };
  }
}

/** Rows one at a time, giving the event loop a turn now and then so that a signal can stop the download. */
async function* iterate(
  statement: () => BetterSqlite3.Statement,
  guard: SessionGuard,
): AsyncGenerator<Record<string, unknown>> {
  guard.check();
  let n = 0;
  for (const row of statement().iterate() as IterableIterator<Record<string, unknown>>) {
    yield row;
    if (++n % 2000 === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      guard.check();
    }
  }
}

const specs = new Map<string, FieldRule & { declaredBoolean: boolean }>();

function registerFunctions(db: BetterSqlite3.Database): void {
  const options = { deterministic: true, safeIntegers: true };
  db.function('dmr_canon', options, (spec: unknown, value: unknown) => {
    let rule = specs.get(String(spec));
    if (!rule) specs.set(String(spec), (rule = JSON.parse(String(spec)) as FieldRule & { declaredBoolean: boolean }));
    return canonicalValue(value as SqliteValue, rule, rule.declaredBoolean);
  });
  db.function('dmr_encode', { ...options, varargs: true }, (spec: unknown, ...fields: unknown[]) =>
    encodeFields(String(spec), fields as (string | null)[]),
  );
  db.function('dmr_key_hash', options, (encoded: unknown) => BigInt(keyHashOf(String(encoded))));
  db.function('dmr_md5', options, (encoded: unknown) => md5Hex(String(encoded)));
  db.function('dmr_digest_key', options, (digest: unknown) => BigInt(parseInt(String(digest).slice(0, 13), 16)));
  db.function('dmr_hex_int', options, (digest: unknown, from: unknown, length: unknown) =>
    BigInt(`0x${String(digest).slice(Number(from), Number(from) + Number(length))}`),
  );
}
