import path from 'node:path';
import { applyFixes } from '../core/doctor/apply-fixes.js';
import { diagnose } from '../core/doctor/diagnose.js';
import type { DoctorReport, Finding } from '../core/doctor/finding.js';
import type { FixPlan, FixResult } from '../core/doctor/fix-plan.js';
import { gatherEvidence } from '../core/doctor/gather-evidence.js';
import { planFixes } from '../core/doctor/plan-fixes.js';
import { copyChunkFindingId } from '../core/doctor/rules/copy-ledger-rule.js';
import { UsageError } from '../core/errors.js';
import { driftAwareActions } from '../core/hints/drift-aware-actions.js';
import { withUserFlags, type UserFlags } from '../core/hints/user-flags.js';
import { jobActionTable, type JobAction } from '../core/jobs/job-actions.js';
import type { JobStatus } from '../core/status/status-codes.js';
import type { StatusStore } from '../core/status/status-store.js';
import { suggestionFlags, whoAmI, withStatusStore, type DatabaseOptions } from './database-options.js';
import { fixDocument, type FixDocument } from './fix-document.js';
import { probeProcess } from './probe-process.js';

/** Options of doctor. */
export interface DoctorOptions extends DatabaseOptions {
  /** Plan the safe fixes (stuck stages -> error, dead runs -> Failed). */
  readonly fix?: boolean;
  /** With fix: apply them in one transaction, audited in history. */
  readonly yes?: boolean;
  /** With fix and yes: apply even while a live run holds the lock; terminate an orphaned lock session. */
  readonly force?: boolean;
  /** Without a dmr run record, a stage processing this long (ms) with no busy session is stuck (default 60000). */
  readonly generateGraceMs?: number;
  /** The task folder (default `sql`): a suggested resume becomes restart when its tasks changed since they ran. */
  readonly sqlDir?: string;
  /** The flags suggested commands carry (the CLI passes those the user typed); default: from these options. */
  readonly suggestionFlags?: UserFlags;
}

/** A finding with the command to paste. */
export interface FindingDocument extends Finding {
  /** `action` with the connection and path flags of the options (a password is never repeated). */
  readonly command: string;
}

/** `dmr doctor --json`. */
export interface DoctorDocument extends Omit<DoctorReport, 'findings'> {
  /** The status database (password redacted) and schema doctor looked at. */
  readonly database: string;
  readonly schema: string;
  readonly findings: readonly FindingDocument[];
  /** Every job status with the actions it allows. */
  readonly jobActions: readonly { readonly status: JobStatus; readonly actions: readonly JobAction[] }[];
  /** With fix: the plan and (with yes) what was applied. */
  readonly fix?: FixDocument;
  /** Problems left after the fixes applied (all of them without fix and yes): 0 means exit 0. */
  readonly unresolved: number;
}

function unresolvedAfter(report: DoctorReport, plan: FixPlan | null, result: FixResult | null): number {
  if (report.healthy) return 0;
  if (!plan || !result) return report.problems;
  const fixed = new Set(
    result.applied.map((c) =>
      c.kind === 'stage-status'
        ? `stuck:${c.stage}`
        : c.kind === 'terminate-session'
          ? 'orphaned-lock'
          : c.kind === 'copy-chunk'
            ? copyChunkFindingId(c)
            : '',
    ),
  );
  const unfixed = report.findings.filter((f) => f.severity === 'problem' && !fixed.has(f.id)).length;
  return unfixed + result.skipped.length;
}

/**
 * Checks the status tables, run records and server sessions (`dmr doctor`); with fix and yes,
 * repairs what is safe. Without fix and yes it reads only (a SQLite file is never created).
 */
export async function doctor(options: DoctorOptions = {}): Promise<DoctorDocument> {
  if (options.yes && !options.fix) throw new UsageError('--yes applies the fixes of --fix', 'pass `--fix --yes`');
  if (options.force && !options.yes) throw new UsageError('--force only matters with --fix --yes');
  return withStatusStore(options, (store) => doctorDocument(store, options), {
    readOnly: !(options.fix && options.yes),
    mustExist: true,
  });
}

/**
 * doctor on an open store (`dmr doctor` and dmr serve's /api/doctor make the same document);
 * the connection options are used only for the flags suggested commands carry.
 */
export async function doctorDocument(store: StatusStore, options: DoctorOptions = {}): Promise<DoctorDocument> {
  const flags = suggestionFlags(options, options.suggestionFlags);
  const sqlDir = path.resolve(options.cwd ?? process.cwd(), options.sqlDir ?? 'sql');
  const evidence = await gatherEvidence(store, { probeProcess });
  const now = new Date();
  const diagnosis = diagnose(evidence, now, { generateGraceMs: options.generateGraceMs ?? 60_000 });
  const report = await driftAwareActions(diagnosis, store, sqlDir);
  const plan = options.fix ? planFixes(report, evidence, now) : null;
  let result: FixResult | null = null;
  if (plan && options.yes) {
    const { user, host } = whoAmI();
    result = await applyFixes(store, plan, { who: `${user}@${host}`, force: options.force ?? false, probeProcess });
  }
  return {
    ...report,
    database: store.database.display,
    schema: store.schema,
    findings: report.findings.map((f) => ({ ...f, command: withUserFlags(f.action, flags) })),
    jobActions: jobActionTable(),
    ...(plan ? { fix: fixDocument(plan, result, flags) } : {}),
    unresolved: unresolvedAfter(report, plan, result),
  };
}
