import { postgreSplitterOptions } from 'dbgate-query-splitter';
import { queryDiscarding } from './postgres-batch.js';
import { describePostgresError } from './postgres-errors.js';
import { onSideClient } from './postgres-side-client.js';
import type { Knex } from 'knex';
import type {
  DatabaseErrorDetail,
  DialectAdapter,
  RunLock,
  ScriptSplitter,
  ScriptStatement,
  ServerSession,
  StatementFinding,
} from '../dialect-adapter.js';
import { fnv31, queryRows, queryRowsOn } from '../raw-rows.js';
import { numericSessionId } from '../session-id.js';
import { pooledLockSession, sessionRunLock } from '../session-run-lock.js';
import { scriptSplitterWith, splitScriptWith } from '../split-script.js';
import { classifyByHead, postgresHeadRules } from '../statement-class.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/** First key of dmr's two-key advisory locks: 'dmr' in ASCII. */
const lockClass = 0x646d72;

const sessionColumns = `a.pid::text as id, a.usename as "user", host(a.client_addr) as "clientHost",
  a.application_name as program, a.backend_start as "startedAt", a.state, a.query`;

/**
 * PostgreSQL: session-level advisory lock (released by the server when the session ends),
 * sessions from pg_stat_activity.
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
export class PostgresAdapter implements DialectAdapter {
  readonly name = 'postgres' as const;
  readonly capabilities = {
    schemas: true,
    insertReturning: true,
    transactionalDdl: true,
    cancelStatement: true,
    schemaIsDatabase: false,
  } as const;

  defaultSchema(): string {
    return 'App';
  }

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.postgres(name);
  }

  createSchemaSql(schema: string): string {
    return `create schema if not exists ${this.quoteIdentifier(schema)}`;
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(postgreSplitterOptions, script);
  }

  scriptSplitter(): ScriptSplitter {
    return scriptSplitterWith(postgreSplitterOptions);
  }

  classifyStatement(sql: string): StatementFinding[] {
    return classifyByHead(sql, postgresHeadRules);
  }

  async executeOn(connection: unknown, sql: string): Promise<void> {
    await (connection as { query(text: string): Promise<unknown> }).query(sql);
  }

  /**
   * The simple-query protocol runs the statements of one message in order and stops at the
   * first error; each completed statement answers CommandComplete, which tells how far it got.
   * The newline before the closing `;` ends a trailing `--` comment.
   */
  async executeBatchOn(connection: unknown, statements: string): Promise<void> {
    await queryDiscarding(connection, `${statements}\n;`);
  }

  /** DISCARD ALL: settings (search_path, read-only), temp tables, prepared statements, session locks. */
  async resetSession(knex: Knex, connection: unknown): Promise<void> {
    try {
      await queryRowsOn(knex, connection, 'discard all');
    } catch (error) {
      // 25001: a no-transaction task left a transaction open; it ends here, as at the end of psql -f.
      if ((error as { code?: string }).code !== '25001') throw error;
      await queryRowsOn(knex, connection, 'rollback');
      await queryRowsOn(knex, connection, 'discard all');
    }
  }

  describeError(error: unknown): DatabaseErrorDetail {
    return describePostgresError(error);
  }

  /**
   * Class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now), the
   * socket errors, and pg's "Connection terminated" for a socket that closed under it.
   * https://www.postgresql.org/docs/current/errcodes-appendix.html
   */
  isConnectionLost(error: unknown): boolean {
    const e = error as { code?: string; message?: string };
    const code = String(e.code ?? '');
    if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) return true;
    const message = String(e.message ?? '');
    return /Connection terminated|terminating connection|Client has encountered a connection error/i.test(message);
  }

  runLock(knex: Knex, schema: string): RunLock {
    return sessionRunLock(pooledLockSession(knex), {
      acquire: 'select pg_try_advisory_lock(?, ?) as ok, pg_backend_pid() as id',
      release: 'select pg_advisory_unlock(?, ?)',
      bindings: [lockClass, fnv31(schema)],
      acquired: (row) => row.ok === true,
    });
  }

  async currentSessionId(db: Knex | Knex.Transaction, connection?: unknown): Promise<string> {
    const sql = 'select pg_backend_pid() as id';
    const rows = connection
      ? queryRowsOn<{ id: number }>(db as Knex, connection, sql)
      : queryRows<{ id: number }>(db, sql);
    const [row] = await rows;
    return String(row?.id);
  }

  async lockHolder(knex: Knex, schema: string): Promise<ServerSession | null> {
    const rows = await queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.classid = ? and l.objid = ? and l.objsubid = 2 and l.granted
         and l.database = (select oid from pg_database where datname = current_database())`,
      [lockClass, fnv31(schema)],
    );
    return rows[0] ?? null;
  }

  async session(knex: Knex, sessionId: string): Promise<ServerSession | null> {
    if (!/^\d+$/.test(sessionId)) return null;
    const rows = await queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from pg_stat_activity a where a.pid = ?`,
      [Number(sessionId)],
    );
    return rows[0] ?? null;
  }

  async activeSessions(knex: Knex): Promise<ServerSession[]> {
    return queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from pg_stat_activity a
       where a.datname = current_database() and a.usename = current_user and a.pid <> ` +
        `pg_backend_pid() and a.backend_type = 'client backend'
         and a.state is distinct from 'idle'`,
    );
  }

  /**
   * pg_cancel_backend on a client of its own:
   * https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL
   */
  async cancelStatement(knex: Knex, sessionId: string): Promise<void> {
    await onSideClient(knex, 'select pg_cancel_backend($1)', [numericSessionId(sessionId)]);
  }

  async terminateSession(knex: Knex, sessionId: string): Promise<void> {
    await onSideClient(knex, 'select pg_terminate_backend($1)', [numericSessionId(sessionId)]);
  }
}
