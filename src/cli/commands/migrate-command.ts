import path from 'node:path';
import { resolveConnection } from '../../config/resolve-connection.js';
import { defaultStages } from '../../core/status/status-codes.js';
import { inspectTasks, inspectionError } from '../../core/tasks/inspect-tasks.js';
import { selectStages, type StageSelection } from '../../core/runner/select-stages.js';
import { ExitCode, UsageError } from '../../core/errors.js';
import { defineCommand, type GlobalArgs } from '../command.js';
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
    return runStagesFromCli(args, selection, 'migrate');
  },
});

/** --plan: the tasks each stage would run on this dialect, without connecting. */
async function printPlan(args: GlobalArgs & MigrateFlags, selection: StageSelection): Promise<number> {
  const connection = await resolveConnection({ url: args.url, env: args.env, knexfile: args.knexfile });
  const order = defaultStages.map((s) => s.code);
  if (selection.kind === 'from' && !order.includes(selection.stage)) throw new UsageError(`unknown stage ${JSON.stringify(selection.stage)}`, `stages are: ${order.join(', ')}`);
  const stages = selection.kind === 'from' ? order.slice(order.indexOf(selection.stage)) : selectStages(selection, order, []);
  const sqlDir = path.resolve(args['sql-dir']);
  const inspection = await inspectTasks({ sqlDir, stages, dialect: connection.dialect, encoding: args.encoding });
  if (inspection.problems.length > 0) throw inspectionError(inspection);
  const rel = (file: string) => path.relative(process.cwd(), file);
  const plan = inspection.tree.stages.map((s) => ({
    stage: s.stage,
    tasks: s.tasks.map((t) => {
      const scan = inspection.scans.get(t.file);
      return {
        name: t.name,
        kind: t.kind,
        file: rel(t.file),
        variant: t.variant ?? null,
        statements: scan?.statements?.count ?? null,
        transactional: scan?.transactional ?? true,
        atomic: !scan?.nonAtomic,
        nonAtomic: scan?.nonAtomic ?? null,
      };
    }),
    ignored: s.ignored.map((f) => ({ file: rel(f.file), reason: f.reason, message: f.message })),
  }));
  const { warnings } = inspection;
  if (args.json) out.json({ dialect: connection.dialect, database: connection.display, plan, warnings });
  else {
    out.line(`plan for ${connection.display} (${connection.dialect}); nothing will be changed`);
    for (const { stage, tasks: list, ignored } of plan) {
      out.line(`${stage}:`);
      for (const t of list) out.line(`  ${t.name}  ${t.file}${t.nonAtomic ? `  (not atomic: ${t.nonAtomic})` : ''}`);
      if (list.length === 0) out.line('  (no tasks)');
      for (const f of ignored) out.line(`  ignored: ${f.file}: ${f.message}`);
    }
    for (const w of warnings) out.line(`warning: ${w}`);
  }
  return ExitCode.ok;
}
