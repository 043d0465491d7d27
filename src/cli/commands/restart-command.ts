import { restart } from '../../api/run.js';
import { defineCommand } from '../command.js';
import { runFlagOptions, runStagesFromCli, type RunFlags } from '../run-stages.js';

export const restartCommand = defineCommand<RunFlags>({
  command: 'restart',
  describe: 'run all stages again from the first',
  builder: (y) => y.options(runFlagOptions) as never,
  run: (args) => runStagesFromCli(args, restart),
});
