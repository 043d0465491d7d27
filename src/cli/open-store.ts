import os from 'node:os';
import { resolveConnection } from '../config/resolve-connection.js';
import { openDatabase } from '../core/database.js';
import { assertIdentifier } from '../core/identifiers.js';
import { StatusStore } from '../core/status/status-store.js';
import type { GlobalArgs } from './command.js';

/** How a command opens the status database. */
export interface StoreOptions {
  readonly poolMax?: number;
  /** Commands that only read (status, doctor without --fix --yes): no database file is ever created. */
  readonly readOnly?: boolean;
}

/** Resolves the connection from the global flags and opens the status store. */
export async function openStore(args: GlobalArgs, options: StoreOptions = {}): Promise<StatusStore> {
  if (args.schema !== undefined) assertIdentifier(args.schema, '--schema');
  const connection = await resolveConnection({ url: args.url, env: args.env, knexfile: args.knexfile });
  const database = await openDatabase(connection, { poolMax: options.poolMax ?? 5, readOnly: options.readOnly ?? false });
  try {
    return new StatusStore(database, args.schema ?? database.defaultSchema ?? 'App');
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Runs `fn` with an open store and always closes it. */
export async function withStore<T>(
  args: GlobalArgs,
  fn: (store: StatusStore) => Promise<T>,
  options: StoreOptions | number = {},
): Promise<T> {
  const store = await openStore(args, typeof options === 'number' ? { poolMax: options } : options);
  try {
    return await fn(store);
  } finally {
    await store.database.close();
  }
}

/** user@host as written in history lines. */
export function whoAmI(): { user: string; host: string } {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { user, host: os.hostname() };
}
