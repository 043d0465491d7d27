import { openStatusStore, type DatabaseOptions } from '../api/database-options.js';
import type { StatusStore } from '../core/status/status-store.js';
import type { GlobalArgs } from './command.js';
import { databaseOptions } from './database-args.js';

/** How a command opens the status database. */
export interface StoreOptions {
  readonly poolMax?: number;
  /** Commands that only read (status, doctor without --fix --yes): no database file is ever created. */
  readonly readOnly?: boolean;
  /** Commands that change only existing status tables: no database file is created either. */
  readonly mustExist?: boolean;
}

/** Resolves the connection from the global flags and opens the status store. */
export function openStore(args: GlobalArgs, options: StoreOptions = {}): Promise<StatusStore> {
  const o: DatabaseOptions = databaseOptions(args);
  return openStatusStore(o, options);
}
