import { reset, resetTargets } from '../../api/reset.js';
import { UsageError } from '../../core/errors.js';
import type { StatusCode } from '../../core/status/status-codes.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { userFlags } from '../hints.js';
import { out } from '../output.js';
import { renderPlanText } from '../render/doctor-plan-text.js';
import { parseStageList } from '../stage-list.js';

interface ResetFlags {
  readonly stage?: string;
  readonly all?: boolean;
  readonly to: StatusCode;
  readonly reason?: string;
  readonly yes: boolean;
  readonly force: boolean;
}

export const resetCommand = defineCommand<ResetFlags>({
  command: 'reset',
  describe: "set stages to a status: Generate's manual reset, shown first, applied with --yes, audited in history",
  builder: (y) =>
    y
      .option('stage', { type: 'string', describe: 'comma-separated stages to reset, e.g. rds' })
      .option('all', { type: 'boolean', describe: 'reset every stage' })
      .option('to', { choices: resetTargets, demandOption: true, describe: 'the status to set' })
      .option('reason', { type: 'string', describe: 'why, written in history' })
      .option('yes', { type: 'boolean', default: false, describe: 'apply (otherwise only show what would change)' })
      .option('force', { type: 'boolean', default: false, describe: 'apply even while a live run holds the lock' })
      .conflicts('stage', 'all') as never,
  run: async (args) => {
    if (!args.all && args.stage === undefined)
      throw new UsageError('name the stages to reset', 'pass --stage rds (comma-separated) or --all');
    const stages = args.all ? 'all' : parseStageList(args.stage ?? '', '--stage');
    const document = await reset({
      ...databaseOptions(args),
      stages,
      to: args.to,
      reason: args.reason,
      yes: args.yes,
      force: args.force,
      suggestionFlags: userFlags(),
    });
    if (args.json) out.json(document);
    else {
      renderPlanText(document, 'reset', args.force);
      if (!args.yes && document.changes.length) out.line('pass --yes to apply');
    }
    return document.skipped?.length ? 1 : 0;
  },
});
