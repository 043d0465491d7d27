import os from 'node:os';
import path from 'node:path';
import { applyFixes } from '../../core/doctor/apply-fixes.js';
import { diagnose } from '../../core/doctor/diagnose.js';
import type { ProcessProbe } from '../../core/doctor/evidence.js';
import type { FixResult } from '../../core/doctor/fix-plan.js';
import { gatherEvidence } from '../../core/doctor/gather-evidence.js';
import { planFixes } from '../../core/doctor/plan-fixes.js';
import { copyChunkFindingId } from '../../core/doctor/rules/copy-ledger-rule.js';
import { ExitCode, UsageError } from '../../core/errors.js';
import { driftAwareActions } from '../../core/hints/drift-aware-actions.js';
import { jobActionTable } from '../../core/jobs/job-actions.js';
import { defineCommand } from '../command.js';
import { whoAmI, withStore } from '../open-store.js';
import { hint } from '../hints.js';
import { out } from '../output.js';
import { parseDuration } from '../parse-duration.js';
import { planJson, renderPlanText } from '../render/doctor-plan-text.js';
import { renderDoctorText } from '../render/doctor-text.js';

interface DoctorFlags {
  readonly 'sql-dir': string;
  readonly fix: boolean;
  readonly yes: boolean;
  readonly force: boolean;
  readonly 'generate-grace': string;
}

/** Signal 0 tells whether a process exists on this host; another host's cannot be checked. */
export const probeProcess: ProcessProbe = (host, pid) => {
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const doctorCommand = defineCommand<DoctorFlags>({
  command: 'doctor',
  describe: 'check the status tables, run records and server sessions; --fix [--yes] repairs what is safe',
  builder: (y) =>
    y
      .option('fix', { type: 'boolean', default: false, describe: 'show the safe fixes (stuck stages -> error, dead runs -> Failed)' })
      .option('yes', { type: 'boolean', default: false, describe: 'with --fix: apply them in one transaction, audited in history' })
      .option('force', { type: 'boolean', default: false, describe: 'with --fix --yes: apply even while a live run holds the lock; terminate an orphaned lock session' })
      .option('sql-dir', { type: 'string', default: 'sql', describe: 'task folder: carried into the commands doctor suggests' })
      .option('generate-grace', { type: 'string', default: '60s', describe: 'without a dmr run record, a stage processing this long with no busy session is stuck' })
      .check((a) => {
        if (a.yes && !a.fix) throw new UsageError('--yes applies the fixes of --fix', 'pass `--fix --yes`, or `--fix` alone to see them');
        if (a.force && !a.yes) throw new UsageError('--force only matters with --fix --yes', 'pass `--fix --yes --force`');
        return true;
      }) as never,
  run: (args) =>
    withStore(args, async (store) => {
      const generateGraceMs = parseDuration(args['generate-grace'], '--generate-grace');
      const evidence = await gatherEvidence(store, { probeProcess });
      const now = new Date();
      const report = await driftAwareActions(diagnose(evidence, now, { generateGraceMs }), store, path.resolve(args['sql-dir']));
      const plan = args.fix ? planFixes(report, evidence, now) : null;
      let result: FixResult | null = null;
      if (plan && args.yes) {
        const { user, host } = whoAmI();
        result = await applyFixes(store, plan, { who: `${user}@${host}`, force: args.force, probeProcess });
      }
      const shown = { ...report, findings: report.findings.map((f) => ({ ...f, command: hint(f.action) })) };
      if (args.json) out.json({ ...shown, jobActions: jobActionTable(), ...(plan ? { fix: planJson(plan, result) } : {}) });
      else {
        renderDoctorText(shown, `${store.database.display} (schema ${store.schema})`);
        if (plan) renderPlanText(plan, result, args.force);
        if (plan && !args.yes && plan.changes.length) out.line('pass --yes to apply');
      }
      if (report.healthy) return ExitCode.ok;
      if (!plan || !result) return ExitCode.answeredNo;
      const fixed = new Set(result.applied.map((c) => (c.kind === 'stage-status' ? `stuck:${c.stage}` : c.kind === 'terminate-session' ? 'orphaned-lock' : c.kind === 'copy-chunk' ? copyChunkFindingId(c) : '')));
      const unfixed = report.findings.filter((f) => f.severity === 'problem' && !fixed.has(f.id));
      return unfixed.length === 0 && result.skipped.length === 0 ? ExitCode.ok : ExitCode.answeredNo;
    }, { readOnly: !(args.fix && args.yes) }),
});
