import type mysql from 'mysql2';
import type { HeartbeatClient, HeartbeatStatement } from '../heartbeat-client.js';
import { lazyDriver } from '../lazy-driver.js';
import { describeMysqlError } from './mysql-errors.js';

const mysqlDriver = lazyDriver<typeof mysql>('mysql2');

/**
 * The heartbeat's connection to MySQL/MariaDB: one mysql2 connection, opened and queried as knex's
 * mysql2 client does (`createConnection(settings)`, callback `query(sql, values)`), without knex.
 * Loaded only by the heartbeat worker.
 */
export function createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient {
  return {
    async connect() {
      const connection = mysqlDriver().createConnection(settings as mysql.ConnectionOptions);
      let usable = true;
      // A connection the server ends emits 'error' (fatal): without a listener it would end the thread.
      connection.on('error', () => (usable = false));
      connection.on('end', () => (usable = false));
      try {
        await new Promise<void>((resolve, reject) =>
          connection.connect((error) => (error ? reject(error) : resolve())),
        );
      } catch (error) {
        connection.destroy();
        throw error;
      }
      const query = <T>(s: HeartbeatStatement) =>
        new Promise<T>((resolve, reject) =>
          connection.query({ sql: s.sql }, [...s.bindings], (error, result) =>
            error ? reject(error) : resolve(result as T),
          ),
        );
      return {
        get usable() {
          return usable;
        },
        update: async (s) => (await query<mysql.ResultSetHeader>(s)).affectedRows,
        first: async (s) => (await query<Record<string, unknown>[]>(s))[0],
        close: () =>
          new Promise<void>((resolve) =>
            connection.end(() => {
              connection.destroy();
              resolve();
            }),
          ),
      };
    },
    describeError: describeMysqlError,
  };
}
