import type { StatusReport } from '../../core/status/read-status.js';
import { formatAge } from '../../core/time.js';
import { hint } from '../hints.js';
import { out } from '../output.js';
import { renderTable } from './table.js';
import { plural } from '../../core/plural.js';
import { verifyPlaceholders } from '../../core/hints/verify-record-command.js';

export function renderStatusText(report: StatusReport, doctorVerdict?: string): void {
  out.line(`${report.database} (schema ${report.schema})`);
  if (doctorVerdict) out.line(`doctor: ${doctorVerdict}`);
  out.line();
  renderTable(
    ['stage', 'status', 'last trigger', 'duration', 'user', 'tasks'],
    report.stages.map((s) => [
      s.stage ?? `type ${s.typeId}`,
      s.status ?? `unknown id ${s.statusId}`,
      s.lastTriggerDate?.toISOString() ?? '',
      s.lastDurationInSeconds === null ? '' : `${s.lastDurationInSeconds}s`,
      s.userName ?? '',
      s.taskList ?? '',
    ]),
  );
  out.line();
  const run = report.run;
  if (!run) out.line('no dmr run recorded yet');
  else {
    const beat =
      run.heartbeatAgeSeconds === null ? 'no heartbeat' : `heartbeat ${formatAge(run.heartbeatAgeSeconds)} ago`;
    const where = run.currentTask ? `, at ${run.currentStage}/${run.currentTask}` : '';
    const late = run.heartbeatLate && run.liveness === 'live' ? ' (late: the runner is busy or cannot write it)' : '';
    const who = `${run.userName}@${run.host} pid ${run.pid}, started ${run.startedAt.toISOString()}`;
    out.line(`run ${run.runId} (${run.command}) ${run.jobStatus}${where}: ${run.liveness}, ${beat}${late}; ${who}`);
    if (run.liveness === 'dead') {
      out.line(hint(`  runner dead: ${run.deadBecause.join('; ')}; record it with \`dmr doctor --fix --yes\``));
    }
    if (run.errorText) out.line(`  ${run.errorText}`);
  }
  const v = report.verification;
  if (!v) out.line(hint(`data never verified: run \`dmr verify --record ${verifyPlaceholders}\` after a migration`));
  else {
    const count = tablesDifferingText(v.tablesDiffering, v.tablesCompared);
    out.line(
      `last verified ${v.verifiedAt?.toISOString() ?? '?'}: ${v.status} (${count}, ${v.mode}) ` +
        `${v.sourceDisplay} -> ${v.targetDisplay}`,
    );
  }
  if (report.history.length) {
    out.line();
    out.line('recent history:');
    for (const h of [...report.history].reverse()) out.line(`  ${h.date?.toISOString() ?? ''}  ${h.message}`);
  }
}

/** `1 table, none differs`, `1 of 5 tables differs`, `2 of 5 tables differ`: reads right for 0, 1 and n. */
export function tablesDifferingText(differing: number, compared: number): string {
  if (compared === 0) return 'no table compared';
  if (differing === 0) return `${plural(compared, 'table')}, none differs`;
  return `${differing} of ${plural(compared, 'table')} ${differing === 1 ? 'differs' : 'differ'}`;
}
