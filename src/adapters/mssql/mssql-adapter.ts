import { mssqlSplitterOptions } from 'dbgate-query-splitter';
import { messageWithCause } from '../error-cause.js';
import { classifyMssqlError } from './mssql-errors.js';
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
import { mssqlLockSession } from './mssql-lock-session.js';
import { mssqlPinnedPool } from './mssql-pool.js';
import { mssqlLockResource, mssqlRunLockSql, mssqlSql } from './mssql-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/**
 * SQL Server: session-owned application lock on a connection of its own (an mssql pool of one),
 * sessions from sys.dm_exec_sessions/requests.
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
    return `if schema_id(N'${literal}') is null exec(N'create schema ${this.quoteIdentifier(schema).replace(/'/g, "''")}')`;
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

  /**
   * tedious's reset(): the next request carries the RESETCONNECTION flag, which runs
   * sp_reset_connection on the server (settings, temp tables, open transaction).
   * https://learn.microsoft.com/openspecs/windows_protocols/ms-tds/ (RESETCONNECTION)
   */
  async resetSession(_knex: Knex, connection: unknown): Promise<void> {
    const conn = connection as { reset(cb: (error?: Error | null) => void): void };
    await new Promise<void>((resolve, reject) => conn.reset((error) => (error ? reject(error) : resolve())));
  }

  describeError(error: unknown): DatabaseErrorDetail {
    const e = error as {
      number?: number;
      code?: string;
      lineNumber?: number;
      message?: string;
      originalError?: { info?: { number?: number; lineNumber?: number } };
    };
    const number = e.number ?? e.originalError?.info?.number;
    const line = e.lineNumber ?? e.originalError?.info?.lineNumber;
    const cause = classifyMssqlError(error);
    const message = messageWithCause(
      cause,
      [number !== undefined ? `error ${number}` : e.code],
      String(e.message ?? error),
    );
    return { code: number !== undefined ? String(number) : e.code, message, lineInStatement: line, cause };
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

  /** T-SQL cannot cancel another session's statement without ending it: KILL rolls it back. */
  async cancelStatement(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill ${numericSessionId(sessionId)}`);
  }

  async terminateSession(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill ${numericSessionId(sessionId)}`);
  }
}
