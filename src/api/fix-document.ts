import { describeChange, type FixChange, type FixPlan, type FixResult } from '../core/doctor/fix-plan.js';
import { withUserFlags, type UserFlags } from '../core/hints/user-flags.js';

/** What doctor --fix or reset would change, or changed (`fix` in doctor's document, the body of reset's). */
export interface FixDocument {
  /** The changes of the plan, each with a one-line description. */
  readonly changes: readonly (FixChange & { readonly description: string })[];
  /** Findings with no safe automatic fix: what to do, and the command with the user's flags. */
  readonly notFixed: readonly { readonly id: string; readonly action: string; readonly command: string }[];
  readonly warnings: readonly string[];
  /** What was changed (with yes), else null. */
  readonly applied: readonly string[] | null;
  /** Changes not made (the state moved on, --force missing), else null. */
  readonly skipped: readonly { readonly change: string; readonly why: string }[] | null;
}

/** A plan and its result as the JSON document. */
export function fixDocument(plan: FixPlan, result: FixResult | null, flags: UserFlags): FixDocument {
  return {
    changes: plan.changes.map((c) => ({ ...c, description: describeChange(c) })),
    notFixed: plan.notFixed.map((n) => ({ ...n, command: withUserFlags(n.action, flags) })),
    warnings: plan.warnings,
    applied: result ? result.applied.map(describeChange) : null,
    skipped: result ? result.skipped.map((s) => ({ change: describeChange(s.change), why: s.why })) : null,
  };
}
