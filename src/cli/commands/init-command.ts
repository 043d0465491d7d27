import { init } from '../../api/init.js';
import { ExitCode } from '../../core/errors.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { hint } from '../hints.js';
import { out } from '../output.js';

export const initCommand = defineCommand<object>({
  command: 'init',
  describe: 'create the status tables that are missing (safe on a Generate database: never alters its tables)',
  builder: (y) => y,
  run: async (args) => {
    const result = await init(databaseOptions(args));
    if (args.json) out.json(result);
    else {
      out.line(
        result.createdTables.length ? `created ${result.createdTables.join(', ')}` : 'all status tables already exist',
      );
      if (result.seededRows.length) out.line(`added ${result.seededRows.join(', ')}`);
      for (const s of result.skipped) out.line(hint(`could not add ${s}: run \`dmr doctor\``));
    }
    return ExitCode.ok;
  },
});
