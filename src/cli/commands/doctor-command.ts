import { doctor } from '../../api/doctor.js';
import { ExitCode, UsageError } from '../../core/errors.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { userFlags } from '../hints.js';
import { out } from '../output.js';
import { parseDuration } from '../parse-duration.js';
import { renderPlanText } from '../render/doctor-plan-text.js';
import { renderDoctorText } from '../render/doctor-text.js';

export { probeProcess } from '../../api/probe-process.js';

interface DoctorFlags {
  readonly 'sql-dir': string;
  readonly fix: boolean;
  readonly yes: boolean;
  readonly force: boolean;
  readonly 'generate-grace': string;
}

export const doctorCommand = defineCommand<DoctorFlags>({
  command: 'doctor',
  describe: 'check the status tables, run records and server sessions; --fix [--yes] repairs what is safe',
  builder: (y) =>
    y
      .option('fix', {
        type: 'boolean',
        default: false,
        describe: 'show the safe fixes (stuck stages -> error, dead runs -> Failed)',
      })
      .option('yes', {
        type: 'boolean',
        default: false,
        describe: 'with --fix: apply them in one transaction, audited in history',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'with --fix --yes: apply even while a live run holds the lock; terminate an orphaned lock session',
      })
      .option('sql-dir', {
        type: 'string',
        default: 'sql',
        describe: 'task folder: carried into the commands doctor suggests',
      })
      .option('generate-grace', {
        type: 'string',
        default: '60s',
        describe: 'without a dmr run record, a stage processing this long with no busy session is stuck',
      })
      .check((a) => {
        if (a.yes && !a.fix)
          throw new UsageError('--yes applies the fixes of --fix', 'pass `--fix --yes`, or `--fix` alone to see them');
        if (a.force && !a.yes)
          throw new UsageError('--force only matters with --fix --yes', 'pass `--fix --yes --force`');
        return true;
      }) as never,
  run: async (args) => {
    const report = await doctor({
      ...databaseOptions(args),
      fix: args.fix,
      yes: args.yes,
      force: args.force,
      generateGraceMs: parseDuration(args['generate-grace'], '--generate-grace'),
      sqlDir: args['sql-dir'],
      suggestionFlags: userFlags(),
    });
    if (args.json) out.json(report);
    else {
      renderDoctorText(report);
      if (report.fix) renderPlanText(report.fix, 'doctor --fix', args.force);
      if (report.fix && !args.yes && report.fix.changes.length) out.line('pass --yes to apply');
    }
    return report.unresolved === 0 ? ExitCode.ok : ExitCode.answeredNo;
  },
});
