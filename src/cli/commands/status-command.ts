import { readStatus } from '../../core/status/read-status.js';
import { defineCommand } from '../command.js';
import { withStore } from '../open-store.js';
import { out } from '../output.js';
import { doctorSummary } from '../render/doctor-summary.js';
import { renderStatusText } from '../render/status-text.js';
import { probeProcess } from './doctor-command.js';

export const statusCommand = defineCommand<object>({
  command: 'status',
  describe: 'show the stages as App.DataMigrations has them, the current or last run, and recent history',
  builder: (y) => y,
  run: (args) =>
    withStore(args, async (store) => {
      const report = await readStatus(store);
      const doctor = await doctorSummary(store, probeProcess);
      if (args.json) out.json({ ...report, doctor });
      else renderStatusText(report, String(doctor.verdict));
      return 0;
    }),
});
