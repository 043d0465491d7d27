import type { Knex } from 'knex';
import type { DialectName } from './dialect-name.js';
import type { ErrorCause } from './error-cause.js';
import type { StatementFinding } from './statement-class.js';

export type { DialectName, ErrorCause, StatementFinding };

/** One statement of a task script, with where it starts in the file. */
export interface ScriptStatement {
  readonly sql: string;
  /** 1-based line in the file where the statement's text starts. */
  readonly line: number;
  /** Character offset in the script where `sql` starts (`script.slice(offset, offset + sql.length) === sql`). */
  readonly offset?: number;
}

/** Splits a script that arrives in pieces: statements come out as soon as they are complete. */
export interface ScriptSplitter {
  /** Adds text; returns the statements it completed (their offsets count from the first text pushed). */
  push(text: string): ScriptStatement[];
  /** The input has ended: returns the last statements. */
  end(): ScriptStatement[];
}

/** What the database said about a failed statement, normalised. */
export interface DatabaseErrorDetail {
  /** Driver or server code: SQLSTATE, ER_*, SQL Server error number. */
  readonly code?: string;
  readonly message: string;
  /** 1-based line inside the statement, when the server reports one (SQL Server, MySQL). */
  readonly lineInStatement?: number;
  /** 1-based character offset inside the statement (PostgreSQL reports this instead of a line). */
  readonly positionInStatement?: number;
  /** What happened, when the engine tells (session ended by the server, timeout, deadlock, TLS...). */
  readonly cause?: ErrorCause;
}

/** A database session as the server itself sees it. */
export interface ServerSession {
  readonly id: string;
  readonly user?: string;
  readonly clientHost?: string;
  readonly program?: string;
  readonly startedAt?: Date;
  readonly state?: string;
  readonly query?: string;
}

/** Session-scoped run lock, held on one pinned connection. */
export interface RunLock {
  /** Tries once, without waiting; true when this process now holds it. */
  tryAcquire(): Promise<boolean>;
  /** Releases it and returns the pinned connection. Safe to call twice. */
  release(): Promise<void>;
  /** Server session id of the connection holding the lock for us (null before acquiring). */
  readonly sessionId: string | null;
}

/** Capability flags: what differs between dialects that core must know about. */
interface DialectCapabilities {
  /** Schemas exist (SQLite: no; status tables then live in the main database). */
  readonly schemas: boolean;
  /** DDL inside a transaction is rolled back with it (not MySQL/MariaDB). */
  readonly transactionalDdl: boolean;
  /** INSERT ... RETURNING / OUTPUT gives back generated ids (MySQL and SQLite return the last id instead). */
  readonly insertReturning: boolean;
  /** A running statement can be cancelled from another connection (not SQLite: its driver is synchronous). */
  readonly cancelStatement: boolean;
  /**
   * A schema is a database of the server (MySQL/MariaDB): a fixed default like `App` would be shared by every
   * project on the server, so dmr's tables default to the connection's own database instead.
   */
  readonly schemaIsDatabase: boolean;
}

/** Everything that really differs between database engines; core holds no dialect `if`s. */
export interface DialectAdapter {
  readonly name: DialectName;
  readonly capabilities: DialectCapabilities;
  /**
   * Where dmr's tables (status, run, verification records, copy ledger) go without --schema: `App`, or
   * on MySQL/MariaDB the database the connection names (`App` when it names none).
   */
  defaultSchema(knex: Knex): string;
  /** Quotes an identifier for this dialect (callers validate names first). */
  quoteIdentifier(name: string): string;
  /** Statement that creates the schema when missing; null where schemas do not exist. */
  createSchemaSql(schema: string): string | null;
  /** Splits a task script into statements (T-SQL: GO batches; PostgreSQL: dollar quoting). */
  splitScript(script: string): ScriptStatement[];
  /** An incremental splitter for large task files (same statements as splitScript, with offsets). */
  scriptSplitter(): ScriptSplitter;
  /**
   * What a top-level statement does to the task's transaction (COMMIT, BEGIN, savepoints, MySQL's
   * implicit commits); empty for ordinary statements.
   */
  classifyStatement(sql: string): StatementFinding[];
  /**
   * Runs one statement of a task script on a connection taken from the pool, by the driver's own
   * call: a large task runs hundreds of thousands of them and knex's work per query doubles the
   * time. Optional: without it a task's statements go through knex.
   */
  executeOn?(connection: unknown, sql: string): Promise<void>;
  /**
   * Runs consecutive statements of a transactional task, as one text, in one round trip, so a
   * file of many small statements does not pay a round trip each. It stops at the first error
   * and rejects with a StatementBatchError saying how many statements had completed, so the
   * runner names the failing one (a syntax error, found before any statement runs, carries its
   * position in the text instead). Absent where the engine does not stop at a batch's first error.
   */
  executeBatchOn?(connection: unknown, statements: string): Promise<void>;
  /**
   * Returns a task's connection to a clean session after the task (settings, search path,
   * read-only, temporary objects, open transaction). Throws when it cannot; the caller then
   * discards the connection instead of returning it to the pool.
   */
  resetSession(knex: Knex, connection: unknown): Promise<void>;
  /** Normalises a driver error (code, message, line in statement). */
  describeError(error: unknown): DatabaseErrorDetail;
  /**
   * True for an error that only means another connection of this process holds a lock for now
   * (SQLite's single writer: a task's write transaction delays the heartbeat), not a lost database.
   */
  isBusy?(error: unknown): boolean;
  /**
   * True for an error that means the connection to the server is gone or cannot be made (server
   * shut down or restarting, session terminated, network lost), as opposed to a refused statement.
   * The runner then retries its status writes for --db-retry and never assumes its lock survived.
   */
  isConnectionLost?(error: unknown): boolean;
  /** The run lock for `schema`, on a connection pinned from `knex`'s pool. */
  runLock(knex: Knex, schema: string): RunLock;
  /** Server session id of the connection the query runs on, or of `connection` when given (for cancel and liveness). */
  currentSessionId(db: Knex | Knex.Transaction, connection?: unknown): Promise<string>;
  /** Server session currently holding the run lock of `schema`, if any. */
  lockHolder(knex: Knex, schema: string): Promise<ServerSession | null>;
  /** The server's view of a session, or null when it no longer exists. */
  session(knex: Knex, sessionId: string): Promise<ServerSession | null>;
  /**
   * Other sessions of the current user in the current database that are running a statement
   * (Generate-only liveness; SQL Server: a request running App.Migrate_Data).
   */
  activeSessions(knex: Knex): Promise<ServerSession[]>;
  /**
   * Cancels the statement running on a session, leaving the session open. `connection` is the
   * pooled connection the statement runs on, when this process holds it: SQL Server cancels by the
   * driver on that connection (T-SQL has no cancel of another session's statement, only KILL,
   * which ends the session); the other engines cancel by session id from another connection.
   */
  cancelStatement(knex: Knex, sessionId: string, connection?: unknown): Promise<void>;
  /** Ends a session (doctor --fix --force on an orphaned lock). */
  terminateSession(knex: Knex, sessionId: string): Promise<void>;
}

/** A batch of statements failed: the driver's error, and how many statements completed before it. */
export class StatementBatchError extends Error {
  constructor(
    readonly error: unknown,
    readonly completed: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}
