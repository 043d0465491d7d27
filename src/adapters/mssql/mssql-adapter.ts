import { mssqlSplitterOptions } from 'dbgate-query-splitter';
import { describeMssqlError } from './mssql-errors.js';
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
import { queryRows, queryRowsOn } from '../raw-rows.js';
import { numericSessionId } from '../session-id.js';
import { sessionRunLock } from '../session-run-lock.js';
import { scriptSplitterWith, splitScriptWith } from '../split-script.js';
import { classifyTsqlBatch } from '../statement-class.js';
import { cancelRequest, resetConnection, type TediousConnection } from './mssql-connection.js';
import { mssqlLockSession } from './mssql-lock-session.js';
import { mssqlPinnedPool } from './mssql-pool.js';
import { mssqlLockResource, mssqlRunLockSql, mssqlSql } from './mssql-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/**
 * SQL Server: session-owned application lock on a connection of its own (an mssql pool of one),
 * statements cancelled by tedious's ATTENTION, sessions from sys.dm_exec_sessions/requests.
 */
export class MssqlAdapter implements DialectAdapter {
  readonly name = 'mssql' as const;
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
    return quoteIdentifierFor.mssql(name);
  }

  createSchemaSql(schema: string): string {
    const literal = schema.replace(/'/g, "''");
    return (
      `if schema_id(N'${literal}') is null exec(N'create schema ` +
      `${this.quoteIdentifier(schema).replace(/'/g, "''")}')`
    );
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(mssqlSplitterOptions, script);
  }

  scriptSplitter(): ScriptSplitter {
    return scriptSplitterWith(mssqlSplitterOptions);
  }

  classifyStatement(sql: string): StatementFinding[] {
    return classifyTsqlBatch(sql);
  }

  /** Settles the connection, rolls back what a stopped task left open, resets it (`resetConnection`). */
  async resetSession(_knex: Knex, connection: unknown): Promise<void> {
    await resetConnection(connection as TediousConnection);
  }

  describeError(error: unknown): DatabaseErrorDetail {
    return describeMssqlError(error);
  }

  /**
   * sp_getapplock on a session of its own (`mssqlLockSession`), not a connection borrowed from knex's
   * pool: the lock lives exactly as long as that session, which only `release()` (or the process
   * ending) closes.
   */
  runLock(knex: Knex, schema: string): RunLock {
    return sessionRunLock(
      mssqlLockSession(() => mssqlPinnedPool(knex)),
      mssqlRunLockSql(schema),
    );
  }

  async currentSessionId(db: Knex | Knex.Transaction, connection?: unknown): Promise<string> {
    const sql = mssqlSql.currentSession;
    const rows = connection
      ? queryRowsOn<{ id: number }>(db as Knex, connection, sql)
      : queryRows<{ id: number }>(db, sql);
    const [row] = await rows;
    return String(row?.id);
  }

  async lockHolder(knex: Knex, schema: string): Promise<ServerSession | null> {
    const [row] = await queryRows<{ id: string }>(knex, mssqlSql.lockHolder, [`[${mssqlLockResource(schema)}]`]);
    if (!row) return null;
    return (await this.session(knex, row.id)) ?? { id: row.id };
  }

  async session(knex: Knex, sessionId: string): Promise<ServerSession | null> {
    const rows = await queryRows<ServerSession>(knex, mssqlSql.session, [numericSessionId(sessionId)]);
    return rows[0] ?? null;
  }

  async activeSessions(knex: Knex): Promise<ServerSession[]> {
    return queryRows<ServerSession>(knex, mssqlSql.activeSessions);
  }

  /**
   * Cancels by the driver on the connection the statement runs on (tedious sends an ATTENTION): the
   * session stays open, and the task's transaction is rolled back before its connection goes back to
   * the pool (`resetSession`). T-SQL has no cancel of another session's statement, only KILL, which
   * ends the session (and needs ALTER ANY CONNECTION): without the connection there is nothing to
   * cancel with.
   */
  async cancelStatement(_knex: Knex, sessionId: string, connection?: unknown): Promise<void> {
    if (!connection) {
      throw new Error(
        `SQL Server statements are cancelled on their own connection, which this process does not ` +
          `hold (session ${numericSessionId(sessionId)})`,
      );
    }
    cancelRequest(connection as TediousConnection);
  }

  /**
   * KILL, kept for the one case where a session must end: doctor --fix --force on the session of a
   * dead runner that still holds the run lock
   * (https://learn.microsoft.com/sql/t-sql/language-elements/kill-transact-sql).
   */
  async terminateSession(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill ${numericSessionId(sessionId)}`);
  }
}
