import { applyFixes } from '../../core/doctor/apply-fixes.js';
import type { FixResult } from '../../core/doctor/fix-plan.js';
import { gatherEvidence } from '../../core/doctor/gather-evidence.js';
import { planReset, resetTargets } from '../../core/doctor/plan-reset.js';
import { UsageError } from '../../core/errors.js';
import type { StatusCode } from '../../core/status/status-codes.js';
import { defineCommand } from '../command.js';
import { whoAmI, withStore } from '../open-store.js';
import { out } from '../output.js';
import { parseStageList } from '../stage-list.js';
import { planJson, renderPlanText } from '../render/doctor-plan-text.js';
import { probeProcess } from './doctor-command.js';

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
  run: (args) => {
    if (!args.all && args.stage === undefined) throw new UsageError('name the stages to reset', 'pass --stage rds (comma-separated) or --all');
    const stages = args.all ? 'all' : parseStageList(args.stage ?? '', '--stage');
    return withStore(args, async (store) => {
      const evidence = await gatherEvidence(store, { probeProcess });
      const plan = planReset(evidence, { stages, to: args.to, reason: args.reason }, new Date());
      let result: FixResult | null = null;
      if (args.yes) {
        const { user, host } = whoAmI();
        result = await applyFixes(store, plan, { who: `${user}@${host}`, force: args.force, probeProcess });
      }
      if (args.json) out.json({ reset: { stages, to: args.to, reason: args.reason ?? null }, ...planJson(plan, result) });
      else {
        renderPlanText(plan, result, args.force);
        if (!args.yes && plan.changes.length) out.line('pass --yes to apply');
      }
      return result && result.skipped.length ? 1 : 0;
    }, { readOnly: !args.yes });
  },
});
