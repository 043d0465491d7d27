import path from 'node:path';
import { diagnose } from '../core/doctor/diagnose.js';
import type { Evidence } from '../core/doctor/evidence.js';
import type { JobView } from '../core/doctor/finding.js';
import { gatherEvidence } from '../core/doctor/gather-evidence.js';
import { withUserFlags, type UserFlags } from '../core/hints/user-flags.js';
import { plural } from '../core/plural.js';
import { readStatus, type StatusReport } from '../core/status/read-status.js';
import type { StatusStore } from '../core/status/status-store.js';
import { findTaskDrift, type DriftReport } from '../core/tasks/task-drift.js';
import { suggestionFlags, withStatusStore, type DatabaseOptions } from './database-options.js';
import { probeProcess } from './probe-process.js';

export { describeDrift } from '../core/tasks/task-drift.js';

/** Options of status. */
export interface StatusOptions extends DatabaseOptions {
  /** Also compare the task files of succeeded stages with what ran (`taskDrift`). */
  readonly verbose?: boolean;
  /** The task folder compared with verbose (default `sql`). */
  readonly sqlDir?: string;
  /** The flags suggested commands carry; default: from these options. */
  readonly suggestionFlags?: UserFlags;
}

/** doctor's verdict as status shows it. */
export interface DoctorSummary {
  readonly healthy: boolean;
  readonly problems: number;
  readonly warnings: number;
  /** Finding ids. */
  readonly findings: readonly string[];
  readonly job: JobView;
  /** One line: `healthy`, or `N problems: run dmr doctor ...`. */
  readonly verdict: string;
}

/** `dmr status --json`. */
export interface StatusDocument extends StatusReport {
  readonly doctor: DoctorSummary;
  /** With verbose: tasks of succeeded stages whose files changed, went or appeared since they ran. */
  readonly taskDrift?: DriftReport;
}

/** One line: healthy, or N problems (and warnings) with a suggestion. */
export function doctorVerdict(report: { healthy: boolean; problems: number; warnings: number }, suggest = ''): string {
  const warnings = report.warnings ? plural(report.warnings, 'warning') : '';
  if (report.healthy) return `healthy${warnings ? ` (${warnings})` : ''}`;
  return `${plural(report.problems, 'problem')}${warnings ? `, ${warnings}` : ''}${suggest}`;
}

/** doctor's verdict from an evidence snapshot (the same one status shows); `flags` go into the suggestion. */
function doctorSummary(evidence: Evidence, flags: UserFlags = {}): DoctorSummary {
  const report = diagnose(evidence, new Date());
  return {
    healthy: report.healthy,
    problems: report.problems,
    warnings: report.warnings,
    findings: report.findings.map((f) => f.id),
    job: report.job,
    verdict: doctorVerdict(report, withUserFlags(': run `dmr doctor`', flags)),
  };
}

/**
 * The status document less taskDrift on an open store (status, and dmr serve's status document):
 * the stages, the run and doctor's verdict judged on one evidence snapshot, so they never disagree.
 */
export async function statusOnStore(store: StatusStore, flags: UserFlags = {}): Promise<StatusDocument> {
  const evidence = await gatherEvidence(store, { probeProcess });
  const report = await readStatus(store, evidence);
  return { ...report, doctor: doctorSummary(evidence, flags) };
}

/** The stages, the current or last run, recent history and doctor's verdict (`dmr status`). Reads only. */
export async function status(options: StatusOptions = {}): Promise<StatusDocument> {
  const flags = suggestionFlags(options, options.suggestionFlags);
  return withStatusStore(
    options,
    async (store) => {
      const document = await statusOnStore(store, flags);
      if (!options.verbose) return document;
      const sqlDir = path.resolve(options.cwd ?? process.cwd(), options.sqlDir ?? 'sql');
      const stages = document.stages
        .filter((s) => s.status === 'success' && s.stage)
        .map((s) => ({ stage: s.stage as string }));
      return { ...document, taskDrift: await findTaskDrift(store, sqlDir, store.database.dialect, stages) };
    },
    { readOnly: true },
  );
}
