import { describe, expect, it } from 'vitest';
import { MssqlAdapter } from '../../src/adapters/mssql/mssql-adapter.js';
import { MysqlAdapter } from '../../src/adapters/mysql/mysql-adapter.js';
import { PostgresAdapter } from '../../src/adapters/postgres/postgres-adapter.js';
import { SqliteAdapter } from '../../src/adapters/sqlite/sqlite-adapter.js';

/** Driver errors as the drivers shape them; the causes each engine's classification names. */
const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? '')), fields);

describe('error causes per engine, with SQLSTATE / errno, never the ROLLBACK that failed after', () => {
  it('PostgreSQL: by SQLSTATE, and by message where one code covers several causes', () => {
    const pg = new PostgresAdapter();
    const cases: [Record<string, unknown>, string | undefined, RegExp][] = [
      [
        { code: '57P01', message: 'terminating connection due to administrator command' },
        'session-terminated',
        /^the server ended the session \(SQLSTATE 57P01\)/,
      ],
      [
        { code: '57P01', message: 'terminating connection due to immediate shutdown command' },
        'server-shutdown',
        /^the server is shutting down or restarting \(SQLSTATE 57P01\)/,
      ],
      [
        { code: '57P02', message: 'terminating connection because of crash of another server process' },
        'server-shutdown',
        /shutting down/,
      ],
      [{ code: '57P03', message: 'the database system is shutting down' }, 'server-shutdown', /shutting down/],
      [
        { code: '57014', message: 'canceling statement due to statement timeout' },
        'statement-timeout',
        /statement timeout/,
      ],
      [{ code: '57014', message: 'canceling statement due to lock timeout' }, 'lock-timeout', /lock timeout/],
      [{ code: '57014', message: 'canceling statement due to user request' }, 'canceled', /cancelled/],
      [
        { code: '40P01', message: 'deadlock detected' },
        'deadlock',
        /^deadlock: .*\(SQLSTATE 40P01\): deadlock detected$/,
      ],
      [
        { message: 'ROLLBACK - Connection terminated unexpectedly' },
        'connection-lost',
        /^the connection to the server was lost: Connection terminated unexpectedly$/,
      ],
      [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'connection-lost', /lost \(ECONNRESET\)/],
      [{ message: 'The server does not support SSL connections' }, 'tls-unavailable', /does not offer TLS/],
      [
        { code: '28000', message: 'no pg_hba.conf entry for host "1.2.3.4", user "u", database "d", no encryption' },
        'tls-required',
        /requires TLS/,
      ],
      [{ code: '42P01', message: 'relation "x" does not exist' }, undefined, /^relation "x" does not exist$/],
    ];
    for (const [fields, cause, message] of cases) {
      const detail = pg.describeError(err(fields));
      expect(detail.cause, String(fields.message)).toBe(cause);
      expect(detail.message).toMatch(message);
    }
  });

  it('MySQL/MariaDB: by errno, with errno and SQLSTATE in the message', () => {
    const my = new MysqlAdapter();
    const cases: [Record<string, unknown>, string][] = [
      [
        { errno: 1927, code: 'ER_CONNECTION_KILLED', sqlState: '70100', sqlMessage: 'Connection was killed' },
        'session-terminated',
      ],
      [
        { errno: 1053, code: 'ER_SERVER_SHUTDOWN', sqlState: '08S01', sqlMessage: 'Server shutdown in progress' },
        'server-shutdown',
      ],
      [
        {
          errno: 1969,
          code: 'ER_STATEMENT_TIMEOUT',
          sqlState: '70100',
          sqlMessage: 'Query execution was interrupted (max_statement_time exceeded)',
        },
        'statement-timeout',
      ],
      [
        {
          errno: 3024,
          code: 'ER_QUERY_TIMEOUT',
          sqlState: 'HY000',
          sqlMessage: 'maximum statement execution time exceeded',
        },
        'statement-timeout',
      ],
      [
        { errno: 1317, code: 'ER_QUERY_INTERRUPTED', sqlState: '70100', sqlMessage: 'Query execution was interrupted' },
        'canceled',
      ],
      [{ errno: 1213, code: 'ER_LOCK_DEADLOCK', sqlState: '40001', sqlMessage: 'Deadlock found' }, 'deadlock'],
      [
        { errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT', sqlState: 'HY000', sqlMessage: 'Lock wait timeout exceeded' },
        'lock-timeout',
      ],
      [
        { code: 'PROTOCOL_CONNECTION_LOST', message: 'Connection lost: The server closed the connection.' },
        'connection-lost',
      ],
      [{ code: 'HANDSHAKE_NO_SSL_SUPPORT', message: 'Server does not support secure connection' }, 'tls-unavailable'],
    ];
    for (const [fields, cause] of cases) {
      const detail = my.describeError(err(fields));
      expect(detail.cause, String(fields.code)).toBe(cause);
      if (fields.errno)
        expect(detail.message).toContain(
          `(errno ${String(fields.errno)}, SQLSTATE ${String(fields.sqlState)}): ${String(fields.sqlMessage)}`,
        );
    }
  });

  it('SQL Server: by error number or tedious code', () => {
    const ms = new MssqlAdapter();
    const cases: [Record<string, unknown>, string][] = [
      [{ number: 1205, message: 'Transaction (Process ID 52) was deadlocked' }, 'deadlock'],
      [{ number: 1222, message: 'Lock request time out period exceeded.' }, 'lock-timeout'],
      [
        { number: 596, message: 'Cannot continue the execution because the session is in the kill state.' },
        'session-terminated',
      ],
      [{ number: 6005, message: 'SHUTDOWN is in progress.' }, 'server-shutdown'],
      [{ code: 'ETIMEOUT', message: 'Timeout: Request failed to complete in 15000ms' }, 'statement-timeout'],
      [{ code: 'ECANCEL', message: 'Canceled.' }, 'canceled'],
      [{ code: 'ESOCKET', message: 'Connection lost - read ECONNRESET' }, 'connection-lost'],
    ];
    for (const [fields, cause] of cases) {
      const detail = ms.describeError(err(fields));
      expect(detail.cause, String(fields.message)).toBe(cause);
      expect(detail.message).toContain(String(fields.message));
    }
    expect(ms.describeError(err({ number: 1205, message: 'x' })).message).toMatch(/^deadlock: .*\(error 1205\): x$/);
  });

  it('SQLite: busy is a lock wait, interrupt a cancel', () => {
    const lite = new SqliteAdapter(':memory:');
    expect(lite.describeError(err({ code: 'SQLITE_BUSY', message: 'database is locked' })).cause).toBe('lock-timeout');
    expect(lite.describeError(err({ code: 'SQLITE_INTERRUPT', message: 'interrupted' })).cause).toBe('canceled');
    expect(lite.describeError(err({ code: 'SQLITE_ERROR', message: 'no such table: x' }))).toEqual({
      code: 'SQLITE_ERROR',
      message: 'no such table: x',
      cause: undefined,
    });
  });
});
