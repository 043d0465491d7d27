import { UsageError } from '../core/errors.js';

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest duration dmr accepts: 2^31-1 ms (24.8 days), the most a Node.js timer can wait
 * (past it setTimeout fires at once) and the most a 32-bit status column (HeartbeatIntervalMs) holds.
 */
export const maxDurationMs = 2_147_483_647;
const tooLong =
  `at most ${Math.floor(maxDurationMs / 3_600_000)}h ` +
  '(24.8 days: the longest a Node.js timer waits and a status column holds)';

/** "1500ms", "30s", "5m", "1h" or a number of seconds, to milliseconds; refused past the maximum or below `min`. */
export function parseDuration(text: string | number, flag: string, min = 0): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!match) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration`, 'use e.g. 1500ms, 30s, 5m, 1h');
  const ms = Math.round(Number(match[1]) * (units[match[2] ?? 's'] ?? 1000));
  if (!Number.isFinite(ms) || ms > maxDurationMs) throw new UsageError(`${flag} ${text} is too long`, `use ${tooLong}`);
  if (ms < min) throw new UsageError(`${flag} ${text} is too short`, `use at least ${min}ms`);
  return ms;
}

/** A number of seconds (--wait): finite, not negative, and within maxDurationMs. */
export function parseSeconds(value: unknown, flag: string): number {
  const seconds = typeof value === 'number' ? value : Number(String(value).trim() || Number.NaN);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UsageError(`${flag} must be a number of seconds, 0 or more (got ${String(value)})`, `e.g. ${flag} 30`);
  if (seconds * 1000 > maxDurationMs) throw new UsageError(`${flag} ${value} is too long`, `use ${tooLong}`);
  return seconds;
}
