import os from 'node:os';
import { sqliteSplitterOptions } from 'dbgate-query-splitter';
import { describeSqliteError, isSqliteBusy } from './sqlite-errors.js';
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
import { discardConnection } from '../pinned-connection.js';
import { scriptSplitterWith, splitScriptWith } from '../split-script.js';
import { classifyByHead, sqliteHeadRules } from '../statement-class.js';
import { SqliteFileLock } from './sqlite-file-lock.js';
import { quoteIdentifierFor } from '../quote-identifier.js';

/**
 * SQLite: no server, so a "session" is the process (host:pid); the run lock is an OS file lock
 * on a sidecar file (see SqliteFileLock). better-sqlite3 is synchronous: a running statement
 * cannot be cancelled, signals and timeouts take effect between statements.
 */
export class SqliteAdapter implements DialectAdapter {
  readonly name = 'sqlite' as const;
  readonly capabilities = {
    schemas: false,
    insertReturning: false,
    transactionalDdl: true,
    cancelStatement: false,
    schemaIsDatabase: false,
  } as const;

  defaultSchema(): string {
    return 'App';
  }

  constructor(private readonly filename: string) {}

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.sqlite(name);
  }

  createSchemaSql(): null {
    return null;
  }

  splitScript(script: string): ScriptStatement[] {
    return splitScriptWith(sqliteSplitterOptions, script);
  }

  scriptSplitter(): ScriptSplitter {
    return scriptSplitterWith(sqliteSplitterOptions);
  }

  classifyStatement(sql: string): StatementFinding[] {
    return classifyByHead(sql, sqliteHeadRules);
  }

  /** As knex runs it: one prepared statement, read with all() when it returns rows, else run(). */
  async executeOn(connection: unknown, sql: string): Promise<void> {
    const db = connection as { prepare(sql: string): { reader: boolean; all(): unknown; run(): unknown } };
    const statement = db.prepare(sql);
    if (statement.reader) statement.all();
    else statement.run();
  }

  /**
   * A file database gets a fresh connection (the pool closes this one): pragmas such as
   * query_only, attached databases and temp tables go with it. A :memory: database would be
   * lost that way, so there only query_only is switched back off.
   */
  async resetSession(_knex: Knex, connection: unknown): Promise<void> {
    const db = connection as { inTransaction?: boolean; exec(sql: string): unknown; pragma(sql: string): unknown };
    if (db.inTransaction) db.exec('rollback');
    if (this.filename !== ':memory:') discardConnection(connection);
    else db.pragma('query_only = 0');
  }

  describeError(error: unknown): DatabaseErrorDetail {
    return describeSqliteError(error, this.filename);
  }

  isBusy(error: unknown): boolean {
    return isSqliteBusy(error);
  }

  runLock(): RunLock {
    const lock = this.fileLock();
    let held = false;
    return {
      get sessionId() {
        return held ? `${os.hostname()}:${process.pid}` : null;
      },
      async tryAcquire() {
        held = lock.tryAcquire();
        return held;
      },
      async release() {
        lock.release();
        held = false;
      },
    };
  }

  async currentSessionId(): Promise<string> {
    return `${os.hostname()}:${process.pid}`;
  }

  async lockHolder(): Promise<ServerSession | null> {
    const holder = this.fileLock().holder();
    if (!holder) return null;
    return {
      id: `${holder.host}:${holder.pid}`,
      clientHost: holder.host,
      startedAt: holder.since ? new Date(holder.since) : undefined,
      program: 'dmr',
    };
  }

  /** A process on this host is alive when signal 0 reaches it; another host's cannot be checked. */
  async session(_knex: Knex, sessionId: string): Promise<ServerSession | null> {
    const [host, pidText] = sessionId.split(':');
    const pid = Number(pidText);
    if (host !== os.hostname()) return { id: sessionId, clientHost: host, state: 'unknown (other host)' };
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      process.kill(pid, 0);
      return { id: sessionId, clientHost: host, state: 'alive' };
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
        ? { id: sessionId, clientHost: host, state: 'alive' }
        : null;
    }
  }

  async activeSessions(): Promise<ServerSession[]> {
    return [];
  }

  async cancelStatement(): Promise<void> {
    // Not possible with a synchronous driver: the runner stops between statements instead.
  }

  async terminateSession(): Promise<void> {
    throw new Error('SQLite has no server sessions to terminate; its run lock ends with the process');
  }

  /** SQLite has no schemas, so one lock per database file whatever --schema says. */
  private fileLock(): SqliteFileLock {
    const base = this.filename === ':memory:' ? `${os.tmpdir()}/dmr-memory-${process.pid}` : this.filename;
    return new SqliteFileLock(`${base}.dmr-lock`);
  }
}
