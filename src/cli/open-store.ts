import os from 'node:os';
import { resolveConnection } from '../config/resolve-connection.js';
import { openDatabase } from '../core/database.js';
import { assertIdentifier } from '../core/identifiers.js';
import { StatusStore } from '../core/status/status-store.js';
import type { GlobalArgs } from './command.js';

/** Resolves the connection from the global flags and opens the status store. */
export async function openStore(args: GlobalArgs, poolMax = 5): Promise<StatusStore> {
  if (args.schema !== undefined) assertIdentifier(args.schema, '--schema');
  const connection = await resolveConnection({ url: args.url, env: args.env, knexfile: args.knexfile });
  const database = await openDatabase(connection, { poolMax });
  try {
    return new StatusStore(database, args.schema ?? database.defaultSchema ?? 'App');
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Runs `fn` with an open store and always closes it. */
export async function withStore<T>(args: GlobalArgs, fn: (store: StatusStore) => Promise<T>, poolMax = 5): Promise<T> {
  const store = await openStore(args, poolMax);
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
