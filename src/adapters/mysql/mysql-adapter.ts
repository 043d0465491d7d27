import { mysqlSplitterOptions } from 'dbgate-query-splitter';
import { describeMysqlError } from './mysql-errors.js';
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
import { pooledLockSession, sessionRunLock } from '../session-run-lock.js';
import { scriptSplitterWith, splitScriptWith } from '../split-script.js';
import { classifyByHead, mysqlHeadRules } from '../statement-class.js';
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
  readonly capabilities = {
    schemas: true,
    insertReturning: false,
    transactionalDdl: false,
    cancelStatement: true,
    schemaIsDatabase: true,
  } as const;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.mysql(name);
  }

  createSchemaSql(schema: string): string {
    return `create database if not exists ${this.quoteIdentifier(schema)}`;
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(mysqlSplitterOptions, script);
  }

  scriptSplitter(): ScriptSplitter {
    return scriptSplitterWith(mysqlSplitterOptions);
  }

  classifyStatement(sql: string): StatementFinding[] {
    return classifyByHead(sql, mysqlHeadRules);
  }

  async executeOn(connection: unknown, sql: string): Promise<void> {
    const conn = connection as { query(sql: string, cb: (error: Error | null) => void): void };
    await new Promise<void>((resolve, reject) => conn.query(sql, (error) => (error ? reject(error) : resolve())));
  }

  defaultSchema(knex: Knex): string {
    return (knex.client as { connectionSettings?: { database?: string } }).connectionSettings?.database || 'App';
  }

  /**
   * COM_RESET_CONNECTION (mysql2's reset()): session variables, read-only, temporary tables,
   * user locks, an open transaction. It keeps the current database, so USE goes back to the configured one.
   * https://dev.mysql.com/doc/c-api/8.0/en/mysql-reset-connection.html
   */
  async resetSession(knex: Knex, connection: unknown): Promise<void> {
    const conn = connection as { reset(cb: (error: Error | null) => void): void };
    await new Promise<void>((resolve, reject) => conn.reset((error) => (error ? reject(error) : resolve())));
    const database = (knex.client as { connectionSettings?: { database?: string } }).connectionSettings?.database;
    if (database) await queryRowsOn(knex, connection, `use ${this.quoteIdentifier(database)}`);
  }

  describeError(error: unknown): DatabaseErrorDetail {
    return describeMysqlError(error);
  }

  /**
   * mysql2's PROTOCOL_CONNECTION_LOST and socket errors; the server's shutdown and killed-connection
   * errors (ER_SERVER_SHUTDOWN 1053, ER_CONNECTION_KILLED 1927, CR_SERVER_GONE_ERROR 2006, CR_SERVER_LOST 2013).
   */
  isConnectionLost(error: unknown): boolean {
    const e = error as { code?: string; errno?: number; fatal?: boolean };
    const code = String(e.code ?? '');
    const lost = ['PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'];
    if (lost.includes(code)) return true;
    return [1053, 1927, 2006, 2013].includes(Number(e.errno));
  }

  runLock(knex: Knex, schema: string): RunLock {
    return sessionRunLock(pooledLockSession(knex), {
      acquire: 'select get_lock(?, 0) as ok, connection_id() as id',
      release: 'select release_lock(?)',
      bindings: [mysqlLockName(schema)],
      acquired: (row) => Number(row.ok) === 1,
    });
  }

  async currentSessionId(db: Knex | Knex.Transaction, connection?: unknown): Promise<string> {
    const sql = 'select connection_id() as id';
    const rows = connection
      ? queryRowsOn<{ id: number }>(db as Knex, connection, sql)
      : queryRows<{ id: number }>(db, sql);
    const [row] = await rows;
    return String(row?.id);
  }

  async lockHolder(knex: Knex, schema: string): Promise<ServerSession | null> {
    const [row] = await queryRows<{ id: number | null }>(knex, 'select is_used_lock(?) as id', [mysqlLockName(schema)]);
    if (row?.id === null || row?.id === undefined) return null;
    return (await this.session(knex, String(row.id))) ?? { id: String(row.id) };
  }

  async session(knex: Knex, sessionId: string): Promise<ServerSession | null> {
    if (!/^\d+$/.test(sessionId)) return null;
    const rows = await queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from information_schema.PROCESSLIST p where p.ID = ?`,
      [Number(sessionId)],
    );
    return rows[0] ?? null;
  }

  async activeSessions(knex: Knex): Promise<ServerSession[]> {
    return queryRows<ServerSession>(
      knex,
      `select ${sessionColumns} from information_schema.PROCESSLIST p
       where p.DB = database() and p.USER = substring_index(current_user(), '@', 1) and ` +
        `p.ID <> connection_id() and p.COMMAND <> 'Sleep'`,
    );
  }

  async cancelStatement(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill query ${numericSessionId(sessionId)}`);
  }

  async terminateSession(knex: Knex, sessionId: string): Promise<void> {
    await knex.raw(`kill ${numericSessionId(sessionId)}`);
  }
}
