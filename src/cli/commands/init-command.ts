import { ExitCode } from '../../core/errors.js';
import { acquireRunLock } from '../../core/runner/acquire-run-lock.js';
import { ensureStatusTables } from '../../core/status/ensure-status-tables.js';
import { defineCommand } from '../command.js';
import { withStore } from '../open-store.js';
import { hint } from '../hints.js';
import { out } from '../output.js';

export const initCommand = defineCommand<object>({
  command: 'init',
  describe: 'create the status tables that are missing (safe on a Generate database: never alters its tables)',
  builder: (y) => y,
  run: (args) =>
    withStore(args, async (store) => {
      const lock = await acquireRunLock(store, 0, () => undefined);
      try {
        const result = await ensureStatusTables(store);
        if (args.json) out.json(result);
        else {
          out.line(result.createdTables.length ? `created ${result.createdTables.join(', ')}` : 'all status tables already exist');
          if (result.seededRows.length) out.line(`added ${result.seededRows.join(', ')}`);
          for (const s of result.skipped) out.line(hint(`could not add ${s}: run \`dmr doctor\``));
        }
        return ExitCode.ok;
      } finally {
        await lock.release();
      }
    }),
});
