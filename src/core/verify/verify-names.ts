import { UsageError } from '../errors.js';
import type { TableMapping } from './verify-types.js';

const name = /^[\p{L}_][\p{L}\p{N}_$]{0,127}$/u;

/** Refuses anything but a plain identifier, before any query runs: names are quoted, never trusted. */
export function assertName(value: string, flag: string): string {
  if (!name.test(value)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a plain table or column name`,
      'use letters, digits, _ and $ only; nothing was executed',
    );
  }
  return value;
}

/** `--table NAME[=TARGET_NAME]`. */
export function parseTableMapping(spec: string): TableMapping {
  const [source = '', target, extra] = spec.split('=');
  if (extra !== undefined)
    throw new UsageError(`--table ${JSON.stringify(spec)} has more than one '='`, 'use --table SOURCE=TARGET');
  return { source: assertName(source.trim(), '--table'), target: assertName((target ?? source).trim(), '--table') };
}

/** A comma-separated list of column names (--key, --columns, --exclude-columns accepts table.column). */
export function parseColumnList(spec: string | readonly string[], flag: string, allowTable = false): string[] {
  const parts = (typeof spec === 'string' ? [spec] : spec)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) {
    const pieces = allowTable ? part.split('.') : [part];
    if (pieces.length > 2)
      throw new UsageError(`${flag} ${JSON.stringify(part)} is not a column name`, 'use column or table.column');
    pieces.forEach((p) => assertName(p, flag));
  }
  return parts;
}
