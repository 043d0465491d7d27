import type { Knex } from 'knex';

/** Whether the connected user holds a privilege dmr needs. */
export interface PrivilegeAnswer {
  /** not-applicable: the engine has no such thing (SQLite has no server sessions); unknown: could not tell. */
  readonly state: 'granted' | 'missing' | 'unknown' | 'not-applicable';
  /** What was checked, in the engine's terms (role, privilege, function), for the message. */
  readonly detail: string;
}

/** A database that does not exist yet and that dmr would create on first write (a SQLite file). */
interface MissingDatabase {
  /** True when migrate or init could create it (the folder is writable). */
  readonly creatable: boolean;
  readonly detail: string;
}

/**
 * The per-engine questions `dmr check` asks before anything runs. Every query reads only; none
 * takes a lock or creates anything. Each engine answers them in `<engine>-preflight.ts`.
 */
export interface PreflightProbe {
  /** The database of a read-only connection config that does not exist yet, or null (servers: always null). */
  missingDatabase(config: Knex.Config): MissingDatabase | null;
  serverVersion(knex: Knex): Promise<string>;
  /** The server's clock in milliseconds since 1970 UTC (heartbeat ages are measured by it). */
  serverEpochMs(knex: Knex): Promise<number>;
  /** The user the server sees. */
  currentUser(knex: Knex): Promise<string>;
  /** The schema (MySQL: database) unqualified names resolve to. */
  defaultSchema(knex: Knex): Promise<string>;
  schemaExists(knex: Knex, schema: string): Promise<boolean>;
  /** Create tables in `schema`, or create the schema itself when it does not exist (init, migrate). */
  createInSchema(knex: Knex, schema: string, exists: boolean): Promise<PrivilegeAnswer>;
  /** Take and release dmr's run lock (migrate, resume, restart, init, doctor --fix --yes, reset --yes). */
  runLock(knex: Knex, schema: string): Promise<PrivilegeAnswer>;
  /** See other users' sessions and what they run (doctor's liveness of Generate's sessions and of lock holders). */
  sessionViews(knex: Knex): Promise<PrivilegeAnswer>;
  /** Cancel or end other users' sessions (doctor --fix --yes --force on an orphaned lock). */
  endSessions(knex: Knex): Promise<PrivilegeAnswer>;
  /** Read every table of `schema` (verify, copy source). */
  readTables(knex: Knex, schema: string): Promise<PrivilegeAnswer>;
  /** Insert into every table of `schema` (copy target: a copy into existing tables needs nothing else there). */
  writeTables(knex: Knex, schema: string): Promise<PrivilegeAnswer>;
}

/** One boolean-ish row value as a PrivilegeAnswer. */
export function answer(granted: unknown, detail: string): PrivilegeAnswer {
  const yes = granted === true || granted === 1 || granted === '1' || granted === 't' || granted === 'true';
  return { state: yes ? 'granted' : 'missing', detail };
}
