import { acquireRunLock } from '../core/runner/acquire-run-lock.js';
import { ensureStatusTables, type InitResult } from '../core/status/ensure-status-tables.js';
import { withStatusStore, type DatabaseOptions } from './database-options.js';

/** `dmr init --json`: the tables created, the rows added, and rows that could not be added. */
export type InitDocument = InitResult;

/** Creates the status tables that are missing, under the run lock; never alters Generate's tables (`dmr init`). */
export async function init(options: DatabaseOptions = {}): Promise<InitDocument> {
  return withStatusStore(options, async (store) => {
    const lock = await acquireRunLock(store, 0, () => undefined);
    try {
      return await ensureStatusTables(store);
    } finally {
      await lock.release();
    }
  });
}
