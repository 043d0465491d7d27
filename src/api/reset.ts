import { applyFixes } from '../core/doctor/apply-fixes.js';
import type { FixResult } from '../core/doctor/fix-plan.js';
import { gatherEvidence } from '../core/doctor/gather-evidence.js';
import { planReset } from '../core/doctor/plan-reset.js';
import { UsageError } from '../core/errors.js';
import type { UserFlags } from '../core/hints/user-flags.js';
import type { StatusCode } from '../core/status/status-codes.js';
import { suggestionFlags, whoAmI, withStatusStore, type DatabaseOptions } from './database-options.js';
import { fixDocument, type FixDocument } from './fix-document.js';
import { probeProcess } from './probe-process.js';

export { resetTargets } from '../core/doctor/plan-reset.js';

/** Options of reset. */
export interface ResetOptions extends DatabaseOptions {
  /** The stages to set, or every stage. */
  readonly stages: readonly string[] | 'all';
  /** The status to set (initial, pending, error, success). */
  readonly to: StatusCode;
  /** Why, written in history. */
  readonly reason?: string;
  /** Apply (otherwise only plan, reading only). */
  readonly yes?: boolean;
  /** Apply even while a live run holds the lock. */
  readonly force?: boolean;
  /** The flags suggested commands carry; default: from these options. */
  readonly suggestionFlags?: UserFlags;
}

/** `dmr reset --json`: the request, the plan and (with yes) what was applied. */
export interface ResetDocument extends FixDocument {
  readonly reset: {
    readonly stages: readonly string[] | 'all';
    readonly to: StatusCode;
    readonly reason: string | null;
  };
}

/**
 * Sets stages to a status: Generate's manual reset, planned first, applied with yes, audited in
 * history (`dmr reset`).
 */
export async function reset(options: ResetOptions): Promise<ResetDocument> {
  const { stages, to } = options;
  if (stages !== 'all' && (stages.length === 0 || stages.some((s) => s.trim() === ''))) {
    throw new UsageError('name the stages to reset', 'pass --stage rds (comma-separated) or --all');
  }
  return withStatusStore(
    options,
    async (store) => {
      const evidence = await gatherEvidence(store, { probeProcess });
      const plan = planReset(evidence, { stages, to, reason: options.reason }, new Date());
      let result: FixResult | null = null;
      if (options.yes) {
        const { user, host } = whoAmI();
        result = await applyFixes(store, plan, { who: `${user}@${host}`, force: options.force ?? false, probeProcess });
      }
      const flags = suggestionFlags(options, options.suggestionFlags);
      return { reset: { stages, to, reason: options.reason ?? null }, ...fixDocument(plan, result, flags) };
    },
    { readOnly: !options.yes, mustExist: true },
  );
}
