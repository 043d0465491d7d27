import { once } from 'node:events';
import type { Knex } from 'knex';
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';
import { lazyDriver } from '../lazy-driver.js';
import type PgCopyStreams from 'pg-copy-streams';
import type { BulkLoad, CopyReader, CopyTable, CopyWriter, KeyRange, ReadSpec } from '../copy-dialect.js';
import { countLines, LineBatch } from '../copy-line.js';
import { endStream, writeBounded } from '../copy-stream.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { postgresRender } from './postgres-copy-types.js';
import { onSideClient } from './postgres-side-client.js';

const copyStreams = lazyDriver<typeof PgCopyStreams>('pg-copy-streams');

const q = quoteIdentifierFor.postgres;
const ref = (schema: string | undefined, table: string) => (schema ? `${q(schema)}.${q(table)}` : q(table));

/**
 * Session settings that make value texts neutral: instants in UTC, ISO dates, shortest exact
 * floats, hex bytea, standard strings (literals below are built for them).
 */
const sessionSettings = `set TimeZone = 'UTC'; set DateStyle = 'ISO, YMD'; set extra_float_digits = 1;
  set bytea_output = 'hex'; set standard_conforming_strings = on; set client_encoding = 'UTF8'`;

/** A dedicated pg client with dmr's connection settings (its lifecycle is the chunk's, not the pool's). */
async function postgresClient(knex: Knex): Promise<pg.Client> {
  const settings = (knex.client as { connectionSettings: pg.ClientConfig }).connectionSettings;
  const client = new (pgDriver().Client)(settings);
  client.on('error', () => undefined);
  await client.connect();
  await client.query(sessionSettings);
  return client;
}

/** Ends a client; one left in the middle of a COPY is cut off instead (it would wait for the rest). */
async function closeClient(client: pg.Client, broken = false): Promise<void> {
  if (broken) (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  else await client.end().catch(() => undefined);
}

/**
 * Cancels the statement running on a copy client: pg_cancel_backend of its backend, sent from a client of
 * its own (not knex's pool, whose connections the ledger may hold). The COPY or query fails with 57014.
 * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL
 */
async function cancelBackend(knex: Knex, client: pg.Client): Promise<void> {
  const pid = (client as unknown as { processID: number | null }).processID;
  if (pid) await onSideClient(knex, 'select pg_cancel_backend($1)', [pid]);
}

/** A text literal for inlined key bounds (COPY takes no parameters); numbers stay bare when they are integers. */
function literal(value: string, declared: string): string {
  return `'${value.replace(/'/g, "''")}'::${declared}`;
}

/** The WHERE condition of a chunk: half-open integer ranges, (key) > (last) for keyset pages. */
export function postgresRangeCondition(table: CopyTable, key: readonly string[], range: KeyRange): string {
  const declared = (name: string) => table.columns.find((c) => c.name === name)?.declared ?? 'text';
  const cols = key.map(q);
  const tuple = (values: readonly string[]) => values.map((v, i) => literal(v, declared(key[i] ?? ''))).join(', ');
  const parts: string[] = [];
  if (range.kind === 'range') {
    if (range.low) parts.push(`${cols[0]} >= ${tuple(range.low)}`);
    if (range.high) parts.push(`${cols[0]} < ${tuple(range.high)}`);
  } else if (range.kind === 'exact' && range.low) {
    parts.push(`(${cols.join(', ')}) = (${tuple(range.low)})`);
  } else if (range.kind === 'keyset') {
    if (range.low) parts.push(`(${cols.join(', ')}) > (${tuple(range.low)})`);
    if (range.high) parts.push(`(${cols.join(', ')}) <= (${tuple(range.high)})`);
  }
  return parts.join(' and ');
}

function selectSql(spec: ReadSpec): string {
  const columns = spec.table.columns.map((c, i) => postgresRender(q(c.name), spec.render[i] ?? null));
  const conditions = [
    postgresRangeCondition(spec.table, spec.key, spec.range),
    spec.where ? `(${spec.where})` : '',
  ].filter(Boolean);
  const order = spec.range.kind === 'keyset' ? ` order by ${spec.key.map(q).join(', ')}` : '';
  const limit = spec.limit !== undefined ? ` limit ${Math.trunc(spec.limit)}` : '';
  return (
    `select ${columns.join(', ')} from ${ref(spec.table.schema, spec.table.name)}` +
    `${conditions.length ? ` where ${conditions.join(' and ')}` : ''}${order}${limit}`
  );
}

/** Reads chunks with COPY (query) TO STDOUT: the server writes the text format itself. */
export async function postgresReader(knex: Knex): Promise<CopyReader> {
  const client = await postgresClient(knex);
  const sessionId = String((client as unknown as { processID: number }).processID);
  return {
    sessionId,
    async *read(spec) {
      const stream = client.query(copyStreams().to(`copy (${selectSql(spec)}) to stdout`));
      // The server's bytes are the lines already: cut at the last line end, carry the rest.
      let rest: Buffer | null = null;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const all: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
        const cut = all.lastIndexOf(10);
        if (cut < 0) {
          rest = all;
          continue;
        }
        rest = cut + 1 < all.length ? all.subarray(cut + 1) : null;
        const data = all.subarray(0, cut + 1);
        yield new LineBatch(data, countLines(data));
      }
      if (rest?.length) yield new LineBatch(Buffer.concat([rest, Buffer.from('\n')]), 1);
    },
    async bounds(spec) {
      const where = spec.where ? ` where ${spec.where}` : '';
      const k = q(spec.key[0] ?? '');
      const { rows } = await client.query(
        `select count(*)::text as n, min(${k})::text as lo, max(${k})::text as hi from ` +
          `${ref(spec.table.schema, spec.table.name)}${where}`,
      );
      const row = rows[0] as { n: string; lo: string | null; hi: string | null };
      return { rows: Number(row.n), low: row.lo, high: row.hi };
    },
    async count(table, key, range, where) {
      const conditions = [postgresRangeCondition(table, key, range), where ? `(${where})` : ''].filter(Boolean);
      const { rows } = await client.query(
        `select count(*)::text as n from ${ref(table.schema, table.name)}` +
          `${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`,
      );
      return Number((rows[0] as { n: string }).n);
    },
    cancel: () => cancelBackend(knex, client),
    close: (broken) => closeClient(client, broken),
  };
}

/** Loads with COPY ... FROM STDIN in text format, inside the writer's transaction. */
export async function postgresWriter(knex: Knex): Promise<CopyWriter> {
  const client = await postgresClient(knex);
  // When the server ends the session, the socket error (EPIPE) comes first; the server's reason is the client's error.
  let serverError: Error | null = null;
  client.on('error', (error) => (serverError ??= error));
  const explain = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw serverError ?? error;
    }
  };
  const run = async (sql: string) => {
    await client.query(sql);
  };
  return {
    sessionId: String((client as unknown as { processID: number }).processID),
    connection: client,
    begin: () => run('begin'),
    commit: () => run('commit'),
    rollback: () => run('rollback'),
    savepoint: (name) => run(`savepoint ${q(name)}`),
    rollbackTo: (name) => run(`rollback to savepoint ${q(name)}`),
    release: (name) => run(`release savepoint ${q(name)}`),
    load(schema, table, columns): BulkLoad {
      const stream = client.query(
        copyStreams().from(`copy ${ref(schema, table)} (${columns.map((c) => q(c.name)).join(', ')}) from stdin`),
      );
      // An error the server sent (a cancel, a refused row) ends the COPY without marking the stream destroyed.
      let failed = false;
      stream.on('error', () => (failed = true));
      return {
        write: (batch) => explain(() => (batch.count ? writeBounded(stream, batch.data) : Promise.resolve())),
        end: () =>
          explain(async () => {
            await endStream(stream);
            return stream.rowCount;
          }),
        async abort() {
          if (failed || stream.destroyed || stream.writableFinished) return;
          const closed = once(stream, 'close');
          stream.destroy(new Error('dmr copy abandoned this chunk'));
          await closed;
        },
      };
    },
    async deleteRange(schema, table, key, range) {
      const fake: CopyTable = {
        name: table,
        columns: key.map((k) => ({ name: k.name, declared: k.declared, type: k.type, nullable: false })),
        primaryKey: [],
        estimatedRows: null,
      };
      const condition = postgresRangeCondition(
        fake,
        key.map((k) => k.name),
        range,
      );
      const result = await client.query(`delete from ${ref(schema, table)}${condition ? ` where ${condition}` : ''}`);
      return result.rowCount ?? 0;
    },
    cancel: () => cancelBackend(knex, client),
    close: (broken) => closeClient(client, broken),
  };
}
