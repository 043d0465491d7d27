import { describeChange, type FixPlan, type FixResult } from '../../core/doctor/fix-plan.js';
import { hint } from '../hints.js';
import { out } from '../output.js';

/** What a fix or reset would change (dry run), or what it changed. */
export function renderPlanText(plan: FixPlan, result: FixResult | null, force: boolean): void {
  for (const w of plan.warnings) out.info(`warning: ${w}`);
  if (!result) {
    if (plan.changes.length === 0) out.line('nothing to change');
    else {
      out.line(`${plan.source} would change (nothing is changed until you pass --yes):`);
      for (const c of plan.changes) out.line(`  ${describeChange(c)}${c.kind === 'terminate-session' && !force ? ' [only with --force]' : ''}`);
    }
  } else {
    out.line(result.applied.length ? `${plan.source} changed (each one written to history):` : 'nothing was changed');
    for (const c of result.applied) out.line(`  ${describeChange(c)}`);
    for (const s of result.skipped) out.line(`  not done: ${describeChange(s.change)} (${s.why})`);
  }
  if (plan.notFixed.length) {
    out.line('not fixed automatically:');
    for (const n of plan.notFixed) out.line(`  ${n.id}: run ${hint(n.action)}`);
  }
}

/** The plan and result as JSON values. */
export function planJson(plan: FixPlan, result: FixResult | null): Record<string, unknown> {
  return {
    changes: plan.changes.map((c) => ({ ...c, description: describeChange(c) })),
    notFixed: plan.notFixed.map((n) => ({ ...n, command: hint(n.action) })),
    warnings: plan.warnings,
    applied: result ? result.applied.map(describeChange) : null,
    skipped: result ? result.skipped.map((s) => ({ change: describeChange(s.change), why: s.why })) : null,
  };
}
