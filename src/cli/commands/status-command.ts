import path from 'node:path';
import { ExitCode } from '../../core/errors.js';
import { readStatus, type StatusReport } from '../../core/status/read-status.js';
import type { StatusStore } from '../../core/status/status-store.js';
import { describeDrift, findTaskDrift, type DriftReport } from '../../core/tasks/task-drift.js';
import { defineCommand } from '../command.js';
import { withStore } from '../open-store.js';
import { out } from '../output.js';
import { doctorSummary } from '../render/doctor-summary.js';
import { renderStatusText } from '../render/status-text.js';
import { probeProcess } from './doctor-command.js';

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
  run: (args) =>
    withStore(args, async (store) => {
      const report = await readStatus(store);
      const doctor = await doctorSummary(store, probeProcess);
      const taskDrift = args.verbose
        ? await driftOfSucceededStages(store, report, path.resolve(args['sql-dir']))
        : undefined;
      if (args.json) out.json({ ...report, doctor, ...(taskDrift ? { taskDrift } : {}) });
      else {
        renderStatusText(report, String(doctor.verdict));
        if (taskDrift) renderDrift(taskDrift);
      }
      return ExitCode.ok;
    }, { readOnly: true }),
});

/** --verbose: tasks of stages that are success whose files changed, went or appeared since they ran. */
function driftOfSucceededStages(store: StatusStore, report: StatusReport, sqlDir: string): Promise<DriftReport> {
  const stages = report.stages
    .filter((s) => s.status === 'success' && s.stage)
    .map((s) => ({ stage: s.stage as string }));
  return findTaskDrift(store, sqlDir, store.database.dialect, stages);
}

function renderDrift(report: DriftReport): void {
  out.line();
  if (report.notChecked) out.line(`task files not compared: ${report.notChecked} (pass --sql-dir)`);
  else if (report.drift.length === 0) out.line('task files: as they were when the succeeded stages ran');
  else {
    out.line(
      `task files changed since their stage succeeded (dmr resume refuses; see --allow-changed-tasks or dmr restart):`,
    );
    for (const d of report.drift) out.line(`  ${d.stage}: ${describeDrift(d)}`);
  }
  if (report.unrecorded.length > 0)
    out.line(
      `  no recorded checksums for ${report.unrecorded.join(', ')} (run before dmr recorded them, or set by dmr reset)`,
    );
}
