import os from 'node:os';
import { resolveConnection, type ResolvedConnection } from '../config/resolve-connection.js';
import { openDatabase } from '../core/database.js';
import type { UserFlags } from '../core/hints/user-flags.js';
import { assertIdentifier } from '../core/identifiers.js';
import { StatusStore } from '../core/status/status-store.js';

/** Where the status tables are: the same choices as the CLI's global flags. */
export interface DatabaseOptions {
  /** A connection URL (postgres://, mysql://, mssql://, sqlite:PATH); wins over everything else. */
  readonly url?: string;
  /** A knexfile environment name (default: $DMR_ENV, then development). */
  readonly env?: string;
  /** Path to the knexfile (default: knexfile.ts in `cwd`). */
  readonly knexfile?: string;
  /** Folder where the knexfile and relative SQLite paths are looked up (default: the process's). */
  readonly cwd?: string;
  /** Schema of dmr's tables (ignored on SQLite). Default `App`; on MySQL/MariaDB the URL's database. */
  readonly schema?: string;
}

/** The status schema where the database has no default of its own (MySQL/MariaDB: the URL's database). */
export const defaultSchema = 'App';

/** Resolves --url / --env / DMR_DATABASE_URL / knexfile into a connection. */
export function resolveStatusConnection(o: DatabaseOptions): Promise<ResolvedConnection> {
  return resolveConnection({ url: o.url, env: o.env, knexfile: o.knexfile, cwd: o.cwd });
}

/** How a command opens the status store; `readOnly` and `mustExist` never create a database file. */
interface StoreOpenOptions {
  readonly readOnly?: boolean;
  readonly mustExist?: boolean;
  readonly poolMax?: number;
}

/** Opens the status store; `readOnly` and `mustExist` never create a database file. */
export async function openStatusStore(o: DatabaseOptions, open: StoreOpenOptions = {}): Promise<StatusStore> {
  if (o.schema !== undefined) assertIdentifier(o.schema, '--schema');
  const database = await openDatabase(await resolveStatusConnection(o), {
    poolMax: open.poolMax ?? 5,
    readOnly: open.readOnly ?? false,
    mustExist: open.mustExist ?? false,
  });
  try {
    return new StatusStore(database, o.schema ?? database.defaultSchema ?? defaultSchema);
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Runs `fn` with an open status store and always closes it. */
export async function withStatusStore<T>(
  o: DatabaseOptions,
  fn: (store: StatusStore) => Promise<T>,
  open: StoreOpenOptions = {},
): Promise<T> {
  const store = await openStatusStore(o, open);
  try {
    return await fn(store);
  } finally {
    await store.database.close();
  }
}

/** user and host as written in history lines and run records. */
export function whoAmI(): { user: string; host: string } {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { user, host: os.hostname() };
}

/** The flags suggested commands carry: those of the options, unless the caller says which were given. */
export function suggestionFlags(o: DatabaseOptions & { readonly sqlDir?: string }, given?: UserFlags): UserFlags {
  if (given) return given;
  return {
    ...(o.url ? { url: o.url } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.knexfile ? { knexfile: o.knexfile } : {}),
    ...(o.schema ? { schema: o.schema } : {}),
    ...(o.sqlDir ? { sqlDir: o.sqlDir } : {}),
  };
}
