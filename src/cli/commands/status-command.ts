import { describeDrift, status } from '../../api/status.js';
import { ExitCode } from '../../core/errors.js';
import type { DriftReport } from '../../core/tasks/task-drift.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { hint, userFlags } from '../hints.js';
import { out } from '../output.js';
import { renderStatusText } from '../render/status-text.js';

interface StatusFlags {
  readonly 'sql-dir': string;
}

export const statusCommand = defineCommand<StatusFlags>({
  command: 'status',
  describe: 'show the stages as App.DataMigrations has them, the current or last run, and recent history',
  builder: (y) =>
    y.option('sql-dir', {
      type: 'string',
      default: 'sql',
      describe: 'task folder compared with what ran (with --verbose)',
    }) as never,
  run: async (args) => {
    const document = await status({
      ...databaseOptions(args),
      verbose: args.verbose,
      sqlDir: args['sql-dir'],
      suggestionFlags: userFlags(),
    });
    if (args.json) out.json(document);
    else {
      renderStatusText(document, document.doctor.verdict);
      if (document.taskDrift) renderDrift(document.taskDrift);
    }
    return ExitCode.ok;
  },
});

function renderDrift(report: DriftReport): void {
  out.line();
  if (report.notChecked) out.line(`task files not compared: ${report.notChecked} (pass --sql-dir)`);
  else if (report.drift.length === 0) out.line('task files: as they were when the succeeded stages ran');
  else {
    const choices = 'resume refuses them: run `dmr restart`, or `dmr resume --allow-changed-tasks`';
    out.line(hint(`task files changed since their stage succeeded (${choices}):`));
    for (const d of report.drift) out.line(`  ${d.stage}: ${describeDrift(d)}`);
  }
  if (report.unrecorded.length > 0)
    out.line(
      `  no recorded checksums for ${report.unrecorded.join(', ')} (run before dmr recorded them, or set by dmr reset)`,
    );
}
