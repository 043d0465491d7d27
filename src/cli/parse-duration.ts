import { UsageError } from '../core/errors.js';

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1500ms", "30s", "5m", "1h" or a plain number of seconds, to milliseconds. */
export function parseDuration(text: string | number, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!match) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration`, 'use e.g. 1500ms, 30s, 5m, 1h');
  return Math.round(Number(match[1]) * (units[match[2] ?? 's'] ?? 1000));
}
