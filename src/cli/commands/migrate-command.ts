import { migrate, plan } from '../../api/run.js';
import type { PlanDocument } from '../../core/plan/plan-run.js';
import { plural } from '../../core/plural.js';
import type { StageSelection } from '../../core/runner/select-stages.js';
import { defineCommand, type GlobalArgs } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { hint } from '../hints.js';
import { out } from '../output.js';
import { nonBlank, parseStageList } from '../stage-list.js';
import { runFlagOptions, runStagesFromCli, type RunFlags } from '../run-stages.js';

interface MigrateFlags extends RunFlags {
  readonly only?: string;
  readonly from?: string;
  readonly plan: boolean;
}

export const migrateCommand = defineCommand<MigrateFlags>({
  command: 'migrate',
  describe: 'run the stages in order (ods, rds, report), keeping App.DataMigrations up to date',
  builder: (y) =>
    y
      .options(runFlagOptions)
      .option('only', { type: 'string', describe: 'comma-separated stages to run, e.g. ods,rds' })
      .option('from', { type: 'string', describe: 'start at this stage (earlier stages must be success)' })
      .option('plan', { type: 'boolean', default: false, describe: 'print the ordered tasks and change nothing' })
      .conflicts('only', 'from') as never,
  run: async (args): Promise<number> => {
    const from = nonBlank(args.from, '--from');
    const selection: StageSelection =
      args.only !== undefined
        ? { kind: 'only', stages: parseStageList(args.only, '--only') }
        : from !== undefined
          ? { kind: 'from', stage: from }
          : { kind: 'all' };
    if (args.plan) return printPlan(args, selection);
    return runStagesFromCli(args, (o) =>
      migrate({
        ...o,
        ...(selection.kind === 'only' ? { only: selection.stages } : {}),
        ...(selection.kind === 'from' ? { from: selection.stage } : {}),
      }),
    );
  },
});

/** --plan: the tasks each stage would run on this dialect, each stage's status now and what resume would skip. */
async function printPlan(args: GlobalArgs & MigrateFlags, selection: StageSelection): Promise<number> {
  const document = await plan({
    ...databaseOptions(args),
    sqlDir: args['sql-dir'],
    encoding: args.encoding,
    ...(selection.kind === 'only' ? { only: selection.stages } : {}),
    ...(selection.kind === 'from' ? { from: selection.stage } : {}),
  });
  if (args.json) out.json(document);
  else renderPlan(document);
  return 0;
}

function renderPlan(document: PlanDocument): void {
  out.line(`plan for ${document.database} (${document.dialect}); nothing will be changed`);
  for (const { stage, current, resumeSkips, tasks, ignored } of document.plan) {
    const now = current === null ? '' : ` (now ${current}${resumeSkips ? '; dmr resume skips it' : ''})`;
    out.line(`${stage}: ${plural(tasks.length, 'task')}${now}`);
    for (const t of tasks) out.line(`  ${t.name}  ${t.file}${t.nonAtomic ? `  (not atomic: ${t.nonAtomic})` : ''}`);
    for (const f of ignored) out.line(`  ignored: ${f.file}: ${f.message}`);
  }
  if (document.statusNote) out.line(`note: ${document.statusNote}`);
  for (const w of document.warnings) out.line(hint(`warning: ${w}`));
}
