import type Tedious from 'tedious';
import type { HeartbeatClient, HeartbeatStatement } from '../heartbeat-client.js';
import { lazyDriver } from '../lazy-driver.js';
import { describeMssqlError } from './mssql-errors.js';

const tediousDriver = lazyDriver<typeof Tedious>('tedious');

/** The range of a SQL Server int: knex binds integers outside it as bigint. */
const int4 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/**
 * The heartbeat's connection to SQL Server: one tedious connection with the configuration knex's
 * mssql client builds (`mssqlHeartbeatSettings`), requests sent and values typed as knex sends
 * them (`execSql`, @p0, @p1...; dates as datetime, integers as int). Only tedious, not the mssql
 * package, is loaded. https://tediousjs.github.io/tedious/api-connection.html
 */
export function createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient {
  return {
    async connect() {
      const { Connection } = tediousDriver();
      const connection = new Connection(settings as unknown as Tedious.ConnectionConfiguration);
      let usable = true;
      // A connection the server ends emits 'error': without a listener it would end the thread.
      connection.on('error', () => (usable = false));
      connection.on('end', () => (usable = false));
      try {
        await new Promise<void>((resolve, reject) =>
          connection.connect((error) => (error ? reject(error) : resolve())),
        );
      } catch (error) {
        connection.close();
        throw error;
      }
      return {
        get usable() {
          return usable;
        },
        // knex's update() ends with `select @@rowcount` and returns that row's value.
        async update(s) {
          const { rows, rowCount } = await execute(connection, s);
          const first = rows[0];
          return first ? Number(Object.values(first)[0]) : rowCount;
        },
        first: async (s) => (await execute(connection, s)).rows[0],
        close: () =>
          new Promise<void>((resolve) => {
            if (connection.closed) return resolve();
            connection.once('end', () => resolve());
            connection.close();
          }),
      };
    },
    describeError: describeMssqlError,
  };
}

function execute(
  connection: Tedious.Connection,
  s: HeartbeatStatement,
): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  const { Request, TYPES } = tediousDriver();
  return new Promise((resolve, reject) => {
    const rows: Record<string, unknown>[] = [];
    const request = new Request(s.sql, (error, rowCount) =>
      error ? reject(error) : resolve({ rows, rowCount: rowCount ?? 0 }),
    );
    request.on('row', (columns: { metadata: { colName: string }; value: unknown }[]) => {
      rows.push(Object.fromEntries(columns.map((c) => [c.metadata.colName, c.value])));
    });
    s.bindings.forEach((value, i) => request.addParameter(`p${i}`, typeOf(TYPES, value), value));
    connection.execSql(request);
  });
}

/** knex's mssql binding types for the values a heartbeat has (`_typeForBinding`). */
function typeOf(types: typeof Tedious.TYPES, value: unknown) {
  if (value instanceof Date) return types.DateTime;
  if (typeof value === 'boolean') return types.Bit;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return types.Float;
    return value < int4.min || value > int4.max ? types.BigInt : types.Int;
  }
  return types.NVarChar;
}
