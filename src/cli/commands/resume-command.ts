import { resume } from '../../api/run.js';
import { defineCommand } from '../command.js';
import { runFlagOptions, runStagesFromCli, type RunFlags } from '../run-stages.js';
import { nonBlank } from '../stage-list.js';

interface ResumeFlags extends RunFlags {
  readonly 'from-task'?: string;
}

export const resumeCommand = defineCommand<ResumeFlags>({
  command: 'resume',
  describe: 'continue at the first stage that is not success (--from-task NAME: inside it, from that task)',
  builder: (y) =>
    y
      .options(runFlagOptions)
      .option('from-task', {
        type: 'string',
        describe: 'task of that stage to continue from, e.g. 020_load_dimensions',
      })
      .option('allow-changed-tasks', {
        type: 'boolean',
        default: false,
        describe: 'continue although tasks that already ran changed since (see dmr status --verbose)',
      }) as never,
  run: async (args) => {
    const fromTask = nonBlank(args['from-task'], '--from-task');
    const allowChangedTasks = args['allow-changed-tasks'] ?? false;
    return runStagesFromCli(args, (o) =>
      resume({ ...o, ...(fromTask !== undefined ? { fromTask } : {}), allowChangedTasks }),
    );
  },
});
