import type { CheckDocument, CheckItem, DatabaseCheck } from '../../core/check/check-types.js';
import { plural } from '../../core/plural.js';
import { hint } from '../hints.js';
import { out } from '../output.js';

const label: Readonly<Record<CheckItem['state'], string>> = {
  ok: 'ok     ',
  problem: 'PROBLEM',
  warning: 'warning',
  info: 'note   ',
};

function item(i: CheckItem): void {
  out.line(`  ${label[i.state]}  ${hint(i.message)}`);
}

function database(d: DatabaseCheck): void {
  const schema = d.schema ? ` (schema ${d.schema})` : '';
  out.line(`${d.role === 'status' ? 'status database' : d.role} ${d.database}${schema}`);
  for (const i of d.items) item(i);
}

/** `dmr check` as text: each database's items, the task tree with variants and ignored files, the verdict. */
export function renderCheckText(document: CheckDocument): void {
  for (const d of document.databases) {
    database(d);
    out.line();
  }
  const tasks = document.tasks;
  if (tasks) {
    out.line(`tasks in ${tasks.sqlDir} for ${tasks.dialect}`);
    for (const i of tasks.items) item(i);
    for (const s of tasks.stages) {
      out.line(`  ${s.stage}: ${s.state === 'ok' || s.state === 'empty' ? plural(s.tasks.length, 'task') : s.state}`);
      for (const t of s.tasks) {
        const variants =
          t.variants.length > 1 ? `  (${t.variant ?? 'generic'} of ${plural(t.variants.length, 'variant')})` : '';
        out.line(`    ${t.name}  ${t.file}${variants}`);
      }
      for (const f of s.ignored) out.line(`    ignored: ${f.file}: ${f.message}`);
    }
    out.line();
  }
  const warnings = document.warnings ? plural(document.warnings, 'warning') : '';
  out.line(
    document.ready
      ? `ready${warnings ? ` (${warnings})` : ''}`
      : `not ready: ${plural(document.problems, 'problem')}${warnings ? `, ${warnings}` : ''}`,
  );
}
