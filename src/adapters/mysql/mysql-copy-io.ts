import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type mysql from 'mysql2';
import { lazyDriver } from '../lazy-driver.js';
import type { BulkLoad, CopyReader, CopyTable, CopyWriter, KeyRange, ReadSpec } from '../copy-dialect.js';
import { forLoadData, needsLoadDataRewrite } from '../copy-line.js';
import { endStream, writeBounded } from '../copy-stream.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { numericSessionId } from '../session-id.js';
import { rawLines, type RawField } from './mysql-copy-raw.js';
import { mysqlRenderField } from './mysql-copy-types.js';

const mysqlDriver = lazyDriver<typeof mysql>('mysql2');

const q = quoteIdentifierFor.mysql;
const ref = (schema: string | undefined, table: string) => (schema ? `${q(schema)}.${q(table)}` : q(table));

/** Strict values (an INSERT refuses, never truncates), instants in UTC, utf8mb4. */
const sessionSettings = `set names utf8mb4, time_zone = '+00:00',
  sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'`;

type Connection = mysql.Connection;

/** A dedicated mysql2 connection with dmr's connection settings and LOCAL INFILE allowed. */
async function mysqlConnection(knex: Knex): Promise<Connection> {
  const settings = (knex.client as { connectionSettings: mysql.ConnectionOptions }).connectionSettings;
  const connection = mysqlDriver().createConnection({
    ...settings,
    password: settings.password,
    rowsAsArray: true,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  connection.on('error', () => undefined);
  await run(connection, sessionSettings);
  return connection;
}

function run<T = unknown>(
  connection: Connection,
  sql: string | mysql.QueryOptions,
  values: readonly unknown[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    connection.query(sql as mysql.QueryOptions, values as unknown[], (error, result) =>
      error ? reject(error) : resolve(result as T),
    );
  });
}

/**
 * Cancels the statement running on a copy connection: KILL QUERY of its thread from another connection
 * (knex's pool); the statement fails with ER_QUERY_INTERRUPTED and the connection stays.
 * https://mariadb.com/kb/en/kill/
 */
async function killQuery(knex: Knex, connection: Connection): Promise<void> {
  await knex.raw(`kill query ${numericSessionId(String(connection.threadId))}`);
}

/** An integer bound, checked before it is inlined. */
function integer(value: string): string {
  if (!/^-?\d{1,20}$/.test(value)) throw new Error(`not an integer key bound: ${JSON.stringify(value)}`);
  return value;
}

/** The WHERE condition of a chunk and its bindings. */
function mysqlRangeCondition(key: readonly string[], range: KeyRange): { sql: string; values: string[] } {
  const cols = key.map(q);
  const parts: string[] = [];
  const values: string[] = [];
  if (range.kind === 'range') {
    if (range.low) parts.push(`${cols[0]} >= ${integer(range.low[0] ?? '')}`);
    if (range.high) parts.push(`${cols[0]} < ${integer(range.high[0] ?? '')}`);
  } else if (range.kind === 'exact' && range.low) {
    parts.push(`(${cols.join(', ')}) = (${key.map(() => '?').join(', ')})`);
    values.push(...range.low);
  } else if (range.kind === 'keyset') {
    const marks = key.map(() => '?').join(', ');
    if (range.low) {
      parts.push(`(${cols.join(', ')}) > (${marks})`);
      values.push(...range.low);
    }
    if (range.high) {
      parts.push(`(${cols.join(', ')}) <= (${marks})`);
      values.push(...range.high);
    }
  }
  return { sql: parts.join(' and '), values };
}

/** The same condition with its values inlined (escaped by mysql2), for dmr verify's --where. */
export function mysqlRangeSql(key: readonly string[], range: KeyRange): string {
  const { sql, values } = mysqlRangeCondition(key, range);
  let i = 0;
  return sql.replace(/\?/g, () => mysqlDriver().escape(values[i++]));
}

function whereOf(condition: { sql: string }, where: string | undefined): string {
  const parts = [condition.sql, where ? `(${where})` : ''].filter(Boolean);
  return parts.length ? ` where ${parts.join(' and ')}` : '';
}

/**
 * The chunk's SELECT: plain columns where the server's text is the field already (numbers,
 * dates, times; 4-byte floats widened to double) or needs only escaping (text, escaped by the
 * client byte by byte); booleans and binary values rendered by the server (`bit(1)` arrives as a
 * raw byte, binary as hex).
 */
function mysqlSelectSql(spec: ReadSpec): { sql: string; values: string[]; fields: RawField[] } {
  const fields: RawField[] = [];
  const list = spec.table.columns.map((c, i) => {
    const type = spec.render[i] ?? c.type;
    const plain = type?.kind !== 'binary' && type?.kind !== 'boolean';
    fields.push(plain && (type === null || ['string', 'json', 'uuid'].includes(type.kind)) ? 'escape' : 'verbatim');
    // A 4-byte FLOAT prints with 6 significant digits (16777216 as 16777200): read it as the double it
    // widens to exactly, whose text parses back to the same float on every target.
    const float4 = c.type?.kind === 'float' && c.type.bytes === 4;
    if (float4 && plain) return `cast(${q(c.name)} as double)`;
    return plain ? q(c.name) : mysqlRenderField(q(c.name), type);
  });
  const condition = mysqlRangeCondition(spec.key, spec.range);
  const order = spec.range.kind === 'keyset' ? ` order by ${spec.key.map(q).join(', ')}` : '';
  const limit = spec.limit !== undefined ? ` limit ${Math.trunc(spec.limit)}` : '';
  const sql =
    `select ${list.join(', ')} from ${ref(spec.table.schema, spec.table.name)}` +
    `${whereOf(condition, spec.where)}${order}${limit}`;
  return { sql, values: condition.values, fields };
}

/** Reads chunks as raw row packets turned into COPY lines without a JavaScript value per field. */
export async function mysqlReader(knex: Knex): Promise<CopyReader> {
  const connection = await mysqlConnection(knex);
  return {
    sessionId: String(connection.threadId),
    read(spec) {
      const { sql, values, fields } = mysqlSelectSql(spec);
      return rawLines(connection, sql, values, fields);
    },
    async bounds(spec) {
      const k = q(spec.key[0] ?? '');
      const rows = await run<[string, string | null, string | null][]>(
        connection,
        `select count(*), cast(min(${k}) as char), cast(max(${k}) as char) from ` +
          `${ref(spec.table.schema, spec.table.name)}${spec.where ? ` where ${spec.where}` : ''}`,
      );
      const [n, low, high] = rows[0] ?? ['0', null, null];
      return { rows: Number(n), low, high };
    },
    async count(table: CopyTable, key, range, where) {
      const condition = mysqlRangeCondition(key, range);
      const rows = await run<[string][]>(
        connection,
        `select count(*) from ${ref(table.schema, table.name)}${whereOf(condition, where)}`,
        condition.values,
      );
      return Number(rows[0]?.[0] ?? 0);
    },
    cancel: () => killQuery(knex, connection),
    close: async (broken) => {
      if (broken) connection.destroy();
      else await new Promise<void>((resolve) => connection.end(() => resolve()));
    },
  };
}

/** A LOAD DATA that stored what it was sent but said something: with LOCAL the server coerces instead of failing. */
export class LoadDataWarning extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Loads with LOAD DATA LOCAL INFILE fed from a stream (mysql2's infileStreamFactory). LOCAL
 * makes the server ignore bad values with a warning, so any warning fails the load (the
 * chunk's transaction then rolls back and its rows are loaded one by one to find the refused ones).
 */
export async function mysqlWriter(knex: Knex): Promise<CopyWriter> {
  const connection = await mysqlConnection(knex);
  const exec = async (sql: string) => {
    await run(connection, sql);
  };
  return {
    sessionId: String(connection.threadId),
    connection,
    begin: () => exec('start transaction'),
    commit: () => exec('commit'),
    rollback: () => exec('rollback'),
    savepoint: (name) => exec(`savepoint ${q(name)}`),
    rollbackTo: (name) => exec(`rollback to savepoint ${q(name)}`),
    release: (name) => exec(`release savepoint ${q(name)}`),
    load(schema, table, columns): BulkLoad {
      const input = new PassThrough({ highWaterMark: 1 << 20 });
      let sent = 0;
      const targets = columns.map((c, i) => (c.type.kind === 'binary' ? `@v${i}` : q(c.name)));
      const sets = columns.flatMap((c, i) =>
        c.type.kind === 'binary' ? [`${q(c.name)} = unhex(substring(@v${i}, 3))`] : [],
      );
      const sql =
        `load data local infile 'dmr-copy' into table ${ref(schema, table)} character set utf8mb4 ` +
        `fields terminated by '\\t' escaped by '\\\\' lines terminated by '\\n' (` +
        `${targets.join(', ')})${sets.length ? ` set ${sets.join(', ')}` : ''}`;
      const done = run<mysql.ResultSetHeader>(connection, {
        sql,
        infileStreamFactory: () => input,
      } as mysql.QueryOptions);
      done.catch(() => undefined);
      return {
        async write(batch) {
          if (!batch.count) return;
          sent += batch.count;
          // Escapes LOAD DATA reads differently (\f, \v, \b, octal) are rare: only then the text is rewritten.
          await writeBounded(
            input,
            needsLoadDataRewrite(batch.data) ? forLoadData(batch.data.toString('utf8')) : batch.data,
          );
        },
        async end() {
          await endStream(input);
          const result = await done;
          if (result.warningStatus > 0 || result.affectedRows !== sent) {
            const warnings = await run<[string, number, string][]>(connection, 'show warnings limit 1').catch(() => []);
            const [, code, message] = warnings[0] ?? [
              '',
              0,
              `${sent - result.affectedRows} of ${sent} rows were not stored`,
            ];
            throw new LoadDataWarning(message, String(code || 'LOAD_DATA'));
          }
          return result.affectedRows;
        },
        async abort() {
          // Ending the file (not destroying it) works whether or not the server has asked for it yet.
          if (!input.writableEnded) input.end();
          await done.catch(() => undefined);
        },
      };
    },
    async deleteRange(schema, table, key, range) {
      const condition = mysqlRangeCondition(
        key.map((k) => k.name),
        range,
      );
      const result = await run<mysql.ResultSetHeader>(
        connection,
        `delete from ${ref(schema, table)}${whereOf(condition, undefined)}`,
        condition.values,
      );
      return result.affectedRows;
    },
    cancel: () => killQuery(knex, connection),
    close: async (broken) => {
      if (broken) connection.destroy();
      else await new Promise<void>((resolve) => connection.end(() => resolve()));
    },
  };
}
