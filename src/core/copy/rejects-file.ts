import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { RejectedRow } from './copy-types.js';

/**
 * Writes rejected rows as CSV: the source's columns in order, then component, referenceId,
 * field, message. One file per table (`name.<table>.csv`) when several tables are copied.
 */
export function rejectsWriter(
  file: string | undefined,
  tableCount: number,
): ((reject: RejectedRow) => void) | undefined {
  if (!file) return undefined;
  const started = new Set<string>();
  const fileFor = (table: string) => {
    if (tableCount === 1) return file;
    const ext = path.extname(file);
    return `${file.slice(0, file.length - ext.length)}.${table}${ext || '.csv'}`;
  };
  return (reject) => {
    const target = fileFor(reject.component);
    if (!started.has(target)) {
      started.add(target);
      writeFileSync(target, stringify([[...reject.columns, 'component', 'referenceId', 'field', 'message']]));
    }
    appendFileSync(
      target,
      stringify([[...reject.values, reject.component, reject.referenceId, reject.field ?? '', reject.message]]),
    );
  };
}
