import { checkJobAction } from '../../core/jobs/job-state.js';
import { defineCommand } from '../command.js';
import { withStore } from '../open-store.js';
import { runFlagOptions, runStagesFromCli, type RunFlags } from '../run-stages.js';
import { probeProcess } from './doctor-command.js';

export const restartCommand = defineCommand<RunFlags>({
  command: 'restart',
  describe: 'run all stages again from the first',
  builder: (y) => y.options(runFlagOptions) as never,
  run: async (args) => {
    await withStore(args, (store) => checkJobAction(store, 'restart', probeProcess));
    return runStagesFromCli(args, { kind: 'restart' }, 'restart');
  },
});
