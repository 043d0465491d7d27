import { mssqlSplitterOptions } from 'dbgate-query-splitter';
import type { Knex } from 'knex';
import type { DatabaseErrorDetail, DialectAdapter, RunLock, ScriptStatement, ServerSession } from '../dialect-adapter.js';
import { PinnedConnection } from '../pinned-connection.js';
import { queryRows, queryRowsOn } from '../raw-rows.js';
import { numericSessionId } from '../session-id.js';
import { splitScriptWith } from '../split-script.js';
import { mssqlLockResource, mssqlSql } from './mssql-sql.js';

/** SQL Server: session-owned application lock, sessions from sys.dm_exec_sessions/requests. */
export class MssqlAdapter implements DialectAdapter {
  readonly name = 'mssql' as const;
  readonly capabilities = { schemas: true, insertReturning: true, transactionalDdl: true, cancelStatement: true } as const;

  quoteIdentifier(name: string): string {
    return `[${name.replace(/]/g, ']]')}]`;
  }

  createSchemaSql(schema: string): string {
    const literal = schema.replace(/'/g, "''");
    return `if schema_id(N'${literal}') is null exec(N'create schema ${this.quoteIdentifier(schema).replace(/'/g, "''")}')`;
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(mssqlSplitterOptions, script);
  }

  describeError(error: unknown): DatabaseErrorDetail {
    const e = error as { number?: number; code?: string; lineNumber?: number; message?: string; originalError?: { info?: { number?: number; lineNumber?: number } } };
    const number = e.number ?? e.originalError?.info?.number;
    const line = e.lineNumber ?? e.originalError?.info?.lineNumber;
    return { code: number !== undefined ? String(number) : e.code, message: String(e.message ?? error), lineInStatement: line };
  }

  runLock(knex: Knex, schema: string): RunLock {
    const pinned = new PinnedConnection(knex);
    const resource = mssqlLockResource(schema);
    let sessionId: string | null = null;
    return {
      get sessionId() {
        return sessionId;
      },
      async tryAcquire() {
        const conn = await pinned.acquire();
        const [row] = await queryRowsOn<{ result: number; id: number }>(knex, conn, mssqlSql.acquireLock, [resource]);
        if (row && row.result >= 0) {
          sessionId = String(row.id);
          return true;
        }
        await pinned.release();
        return false;
      },
      async release() {
        const conn = pinned.current;
        if (!conn) return;
        try {
          await queryRowsOn(knex, conn, mssqlSql.releaseLock, [resource]);
        } finally {
          sessionId = null;
          await pinned.release();
        }
      },
    };
  }

  async currentSessionId(db: Knex | Knex.Transaction): Promise<string> {
    const [row] = await queryRows<{ id: number }>(db, mssqlSql.currentSession);
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
