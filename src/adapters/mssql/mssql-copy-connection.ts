import type { Knex } from 'knex';
import type Mssql from 'mssql';
import type { BulkLoad, CopyLine, CopyReader, CopyTable, CopyWriter } from '../copy-dialect.js';
import { joinLine, LineBatch, splitLine } from '../copy-line.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { mssqlBulkType, mssqlBulkValue, mssqlRangeSql, mssqlSelectSql } from './mssql-copy-io.js';
import { mssqlDriver as driver, mssqlPool } from './mssql-pool.js';
import { RunningRequests } from './mssql-running-requests.js';

const q = quoteIdentifierFor.mssql;
const ref = (schema: string | undefined, table: string) => `${q(schema ?? 'dbo')}.${q(table)}`;
const batchRows = 2000;
/** Rows per request.bulk call inside the chunk's transaction (mssql builds each batch in memory). */
const bulkRows = 5000;

/**
 * What a copy reader or writer uses of its mssql pool (`mssqlPool`: one connection of its own, so its
 * requests, and a cancel of them, are on one session). Tests pass a stand-in.
 */
export type CopyPool = Pick<Mssql.ConnectionPool, 'request' | 'transaction' | 'close'>;

async function sessionOf(pool: CopyPool): Promise<string> {
  const [session] = (await pool.request().query<{ id: number }>('select @@spid as id')).recordset;
  return String(session?.id);
}

export async function mssqlReader(knex: Knex): Promise<CopyReader> {
  return mssqlReaderOn(await mssqlPool(knex));
}

/** Reads chunks as a streamed request; a signal cancels the request by the driver (`RunningRequests`). */
export async function mssqlReaderOn(pool: CopyPool): Promise<CopyReader> {
  const requests = new RunningRequests();
  const query = <T>(sql: string) => requests.track(pool.request(), (r) => r.query<T>(sql));
  return {
    sessionId: await sessionOf(pool),
    async *read(spec) {
      const request = pool.request();
      request.stream = true;
      const rows: CopyLine[][] = [];
      let batch: CopyLine[] = [];
      let done = false;
      let failure: unknown = null;
      let wake: (() => void) | null = null;
      const notify = () => wake?.();
      request.on('row', (row: Record<string, string | null>) => {
        batch.push(joinLine(spec.table.columns.map((_, i) => row[`c${i}`] ?? null)));
        if (batch.length >= batchRows) {
          rows.push(batch);
          batch = [];
          if (rows.length > 4) request.pause();
          notify();
        }
      });
      request.on('error', (error) => {
        failure = error;
        notify();
      });
      request.on('done', () => {
        done = true;
        notify();
      });
      const untrack = requests.add(request);
      try {
        void request.query(mssqlSelectSql(spec));
        for (;;) {
          const next = rows.shift();
          if (next) {
            if (rows.length <= 1) request.resume();
            yield LineBatch.of(next);
            continue;
          }
          if (failure) throw failure;
          if (done) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        untrack();
      }
      if (batch.length) yield LineBatch.of(batch);
    },
    async bounds(spec) {
      const k = q(spec.key[0] ?? '');
      const where = spec.where ? ` where ${spec.where}` : '';
      const { recordset } = await query<{ n: string; lo: string | null; hi: string | null }>(
        `select count_big(*) as n, convert(varchar(40), min(${k})) as lo, convert(varchar(40), max(` +
          `${k})) as hi from ${ref(spec.table.schema, spec.table.name)}${where}`,
      );
      const row = recordset[0];
      return { rows: Number(row?.n), low: row?.lo ?? null, high: row?.hi ?? null };
    },
    async count(table, key, range, where) {
      const conditions = [mssqlRangeSql(table, key, range), where ? `(${where})` : ''].filter(Boolean);
      const { recordset } = await query<{ n: string }>(
        `select count_big(*) as n from ${ref(table.schema, table.name)}` +
          `${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`,
      );
      return Number(recordset[0]?.n);
    },
    cancel: async () => requests.cancel(),
    close: () => pool.close(),
  };
}

export async function mssqlWriter(knex: Knex): Promise<CopyWriter> {
  return mssqlWriterOn(await mssqlPool(knex));
}

/**
 * Loads with mssql's bulk API inside the writer's transaction; a signal cancels the running request
 * (a bulk batch, a delete) by the driver (`RunningRequests`), and the rollback that follows runs on the
 * same session.
 */
export async function mssqlWriterOn(pool: CopyPool): Promise<CopyWriter> {
  const requests = new RunningRequests();
  let transaction: Mssql.Transaction | null = null;
  const request = () => (transaction ? transaction.request() : pool.request());
  const exec = async (sql: string) => {
    await requests.track(request(), (r) => r.batch(sql));
  };
  return {
    sessionId: await sessionOf(pool),
    get connection() {
      return transaction;
    },
    async begin() {
      transaction = pool.transaction();
      await transaction.begin();
    },
    async commit() {
      await transaction?.commit();
      transaction = null;
    },
    async rollback() {
      const t = transaction;
      transaction = null;
      await t?.rollback().catch(() => undefined);
    },
    savepoint: (name) => exec(`save transaction ${q(name)}`),
    rollbackTo: (name) => exec(`rollback transaction ${q(name)}`),
    release: async () => undefined,
    load(schema, table, columns): BulkLoad {
      let rows = 0;
      const flush = async (lines: readonly CopyLine[]) => {
        const t = new (driver().Table)(`${q(schema ?? 'dbo')}.${q(table)}`);
        t.create = false;
        for (const c of columns) t.columns.add(c.name, mssqlBulkType(c), { nullable: true });
        for (const line of lines) {
          const fields = splitLine(line);
          t.rows.add(
            ...columns.map(
              (c, i) => mssqlBulkValue(fields[i] ?? null, c) as string | number | boolean | Date | Buffer | null,
            ),
          );
        }
        const result = await requests.track(request(), (r) => r.bulk(t));
        rows += result.rowsAffected;
      };
      return {
        async write(batch) {
          const lines = batch.lines();
          for (let i = 0; i < lines.length; i += bulkRows) await flush(lines.slice(i, i + bulkRows));
        },
        end: async () => rows,
        // Each bulk request finished before write returned: nothing is left open.
        abort: async () => undefined,
      };
    },
    async deleteRange(schema, table, key, range) {
      const fake: CopyTable = { name: table, columns: [], primaryKey: [], estimatedRows: null };
      const condition = mssqlRangeSql(
        fake,
        key.map((k) => k.name),
        range,
      );
      const result = await requests.track(request(), (r) =>
        r.query(`delete from ${ref(schema, table)}${condition ? ` where ${condition}` : ''}`),
      );
      return result.rowsAffected[0] ?? 0;
    },
    cancel: async () => requests.cancel(),
    close: () => pool.close(),
  };
}
