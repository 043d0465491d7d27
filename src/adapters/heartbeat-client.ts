import type { DatabaseErrorDetail } from './dialect-adapter.js';

/**
 * One statement of the heartbeat, compiled by knex on the main thread (`toSQL().toNative()`): the
 * driver's SQL and its values, so that the heartbeat's thread runs it without loading knex.
 */
export interface HeartbeatStatement {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

/** The heartbeat's own connection, opened on its thread by the engine's driver. */
export interface HeartbeatConnection {
  /** False once the driver reported the connection ended or broken: the next beat opens a new one. */
  readonly usable: boolean;
  /** Runs an UPDATE; resolves to the number of rows it updated, as knex's update() counts them. */
  update(statement: HeartbeatStatement): Promise<number>;
  /** Runs a SELECT; resolves to its first row (column name to value), as knex's first() returns it. */
  first(statement: HeartbeatStatement): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

/** An engine's heartbeat driver: how to connect, and what the engine's errors mean. */
export interface HeartbeatClient {
  connect(): Promise<HeartbeatConnection>;
  /** The engine's error description (the same as its adapter's `describeError`). */
  describeError(error: unknown): DatabaseErrorDetail;
  /** The adapter's `isBusy`: the running task holds the database for now (SQLite), which is no failure. */
  isBusy?(error: unknown): boolean;
}

/**
 * What an engine's `<engine>-heartbeat-client.ts` exports. The heartbeat worker imports that one
 * module (and through it the engine's driver and error classification): not knex, not the registry
 * of dialects, which would cost the worker's isolate tens of MB.
 */
export interface HeartbeatClientModule {
  createHeartbeatClient(settings: Readonly<Record<string, unknown>>): HeartbeatClient;
}

/** What the Dialect gives the runner to start its heartbeat worker with. */
export interface HeartbeatClientSpec {
  /** The file URL of the engine's heartbeat client module (`HeartbeatClientModule`). */
  readonly module: string;
  /**
   * The driver's connection settings, as the run's own pool connects (dmr's defaults and program
   * name, the TLS choice that succeeded), password included; they are structured-cloned into the
   * thread, so functions in them (a knexfile's hooks) are left behind.
   */
  readonly settings: Record<string, unknown>;
  /**
   * The driver waits synchronously (better-sqlite3's busy_timeout blocks its thread while a task
   * holds the write lock): its heartbeat always gets a thread of its own, never the runner's.
   */
  readonly blocksItsThread?: boolean;
}

/** The URL of a module beside `from` (an `import.meta.url`): the compiled .js, or the .ts source under tsx (tests). */
export function moduleBeside(from: string, name: string): string {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from).href;
}
