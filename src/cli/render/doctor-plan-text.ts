import type { FixDocument } from '../../api/fix-document.js';
import { out } from '../output.js';

/** What a fix or reset would change (dry run), or what it changed. */
export function renderPlanText(plan: FixDocument, source: string, force: boolean): void {
  for (const w of plan.warnings) out.info(`warning: ${w}`);
  if (!plan.applied) {
    if (plan.changes.length === 0) out.line('nothing to change');
    else {
      out.line(`${source} would change (nothing is changed until you pass --yes):`);
      for (const c of plan.changes)
        out.line(`  ${c.description}${c.kind === 'terminate-session' && !force ? ' [only with --force]' : ''}`);
    }
  } else {
    out.line(plan.applied.length ? `${source} changed (each one written to history):` : 'nothing was changed');
    for (const c of plan.applied) out.line(`  ${c}`);
    for (const s of plan.skipped ?? []) out.line(`  not done: ${s.change} (${s.why})`);
  }
  if (plan.notFixed.length) {
    out.line('not fixed automatically:');
    for (const n of plan.notFixed) out.line(`  ${n.id}: run ${n.command}`);
  }
}
