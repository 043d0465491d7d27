import { mysqlSplitterOptions } from 'dbgate-query-splitter';
import type { Knex } from 'knex';
import type { DatabaseErrorDetail, DialectAdapter, RunLock, ScriptStatement, ServerSession } from '../dialect-adapter.js';
import { queryRows } from '../raw-rows.js';
import { numericSessionId } from '../session-id.js';
import { sessionRunLock } from '../session-run-lock.js';
import { splitScriptWith } from '../split-script.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

const sessionColumns = `cast(p.ID as char) as id, p.USER as user, p.HOST as clientHost, p.COMMAND as program,
  p.STATE as state, p.INFO as query, p.TIME as seconds`;

/** Lock names are server-wide; the schema (a database on MySQL) makes them unique. */
export function mysqlLockName(schema: string): string {
  return `dmr:${schema}`.slice(0, 64);
}

/**
 * MySQL / MariaDB: GET_LOCK is owned by the session and freed when it ends; a schema is a database.
 * https://dev.mysql.com/doc/refman/8.0/en/locking-functions.html
 */
export class MysqlAdapter implements DialectAdapter {
  readonly name = 'mysql' as const;
  readonly capabilities = { schemas: true, insertReturning: false, transactionalDdl: false, cancelStatement: true } as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.mysql(name);
  }

  createSchemaSql(schema: string): string {
    return `create database if not exists ${this.quoteIdentifier(schema)}`;
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(mysqlSplitterOptions, script);
  }

  describeError(error: unknown): DatabaseErrorDetail {
    const e = error as { code?: string; errno?: number; sqlMessage?: string; message?: string };
    const message = String(e.sqlMessage ?? e.message ?? error);
    const line = /at line (\d+)/.exec(message)?.[1];
    return { code: e.code ?? (e.errno ? String(e.errno) : undefined), message, lineInStatement: line ? Number(line) : undefined };
  }

  runLock(knex: Knex, schema: string): RunLock {
    return sessionRunLock(knex, {
      acquire: 'select get_lock(?, 0) as ok, connection_id() as id',
      release: 'select release_lock(?)',
      bindings: [mysqlLockName(schema)],
      acquired: (row) => Number(row.ok) === 1,
    });
  }

  async currentSessionId(db: Knex | Knex.Transaction): Promise<string> {
    const [row] = await queryRows<{ id: number }>(db, 'select connection_id() as id');
    return String(row?.id);
  }

  async lockHolder(knex: Knex, schema: string): Promise<ServerSession | null> {
    const [row] = await queryRows<{ id: number | null }>(knex, 'select is_used_lock(?) as id', [mysqlLockName(schema)]);
    if (row?.id === null || row?.id === undefined) return null;
    return (await this.session(knex, String(row.id))) ?? { id: String(row.id) };
  }

  async session(knex: Knex, sessionId: string): Promise<ServerSession | null> {
    if (!/^\d+$/.test(sessionId)) return null;
    const rows = await queryRows<ServerSession>(knex, `select ${sessionColumns} from information_schema.PROCESSLIST p where p.ID = ?`, [Number(sessionId)]);
    return rows[0] ?? null;
  }

  async activeSessions(knex: Knex): Promise<ServerSession[]> {
    return queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from information_schema.PROCESSLIST p
       where p.DB = database() and p.USER = substring_index(current_user(), '@', 1) and p.ID <> connection_id() and p.COMMAND <> 'Sleep'`,
    );
  }

  async cancelStatement(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill query ${numericSessionId(sessionId)}`);
  }

  async terminateSession(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill ${numericSessionId(sessionId)}`);
  }
}
