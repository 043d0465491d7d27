import { readStatus } from '../../core/status/read-status.js';
import { defineCommand } from '../command.js';
import { withStore } from '../open-store.js';
import { out } from '../output.js';
import { renderStatusText } from '../render/status-text.js';

export const statusCommand = defineCommand<object>({
  command: 'status',
  describe: 'show the stages as App.DataMigrations has them, the current or last run, and recent history',
  builder: (y) => y,
  run: (args) =>
    withStore(args, async (store) => {
      const report = await readStatus(store);
      if (args.json) out.json(report);
      else renderStatusText(report);
      return 0;
    }),
});
