import { describe, expect, it } from 'vitest';
import { maxDurationMs, parseDuration, parseSeconds } from '../../src/cli/parse-duration.js';

/** The usage error a flag value is refused with: its message and hint, and exit 2. */
function refusal(run: () => unknown): { message: string; hint: string | undefined } {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ exitCode: 2 });
    return { message: (error as Error).message, hint: (error as { hint?: string }).hint };
  }
  throw new Error('the value was accepted');
}

describe('durations (--heartbeat, --db-retry, --task-timeout, --timeout, --poll, --generate-grace)', () => {
  it('takes ms, s, m and h, and a bare number as seconds', () => {
    expect(parseDuration('1500ms', '--heartbeat')).toBe(1500);
    expect(parseDuration('30s', '--db-retry')).toBe(30_000);
    expect(parseDuration('5m', '--task-timeout')).toBe(300_000);
    expect(parseDuration('1h', '--task-timeout')).toBe(3_600_000);
    expect(parseDuration('30', '--db-retry')).toBe(30_000);
    expect(parseDuration(30, '--db-retry')).toBe(30_000);
  });

  it('takes fractions, rounded to the millisecond, and spaces around the value', () => {
    expect(parseDuration('1.5s', '--heartbeat')).toBe(1500);
    expect(parseDuration('0.25', '--heartbeat')).toBe(250);
    expect(parseDuration('0.5m', '--db-retry')).toBe(30_000);
    expect(parseDuration('1.0004s', '--heartbeat')).toBe(1000);
    expect(parseDuration('  2s ', '--heartbeat')).toBe(2000);
  });

  it('0 is a duration: --db-retry 0 gives up at the first failed write', () => {
    expect(parseDuration('0', '--db-retry')).toBe(0);
    expect(parseDuration('0s', '--db-retry')).toBe(0);
  });

  it('refuses what is not a duration, naming the flag and the value, with examples', () => {
    for (const bad of ['', 'soon', '-1s', '5 s', '1e3', '5sec', '5S', '1h30m', '.5s', 'Infinity']) {
      const { message, hint } = refusal(() => parseDuration(bad, '--heartbeat'));
      expect(message).toBe(`--heartbeat ${JSON.stringify(bad)} is not a duration`);
      expect(hint).toBe('use e.g. 1500ms, 30s, 5m, 1h');
    }
  });

  it('refuses more than 2^31-1 ms (24.8 days): the longest a Node.js timer waits and a status column holds', () => {
    expect(maxDurationMs).toBe(2_147_483_647);
    expect(parseDuration(`${maxDurationMs}ms`, '--task-timeout')).toBe(maxDurationMs);
    expect(parseDuration('596h', '--task-timeout')).toBe(596 * 3_600_000);
    const { message, hint } = refusal(() => parseDuration('597h', '--task-timeout'));
    expect(message).toBe('--task-timeout 597h is too long');
    expect(hint).toMatch(/^use at most 596h \(24\.8 days/);
    expect(refusal(() => parseDuration(`${maxDurationMs + 1}ms`, '--db-retry')).message).toBe(
      `--db-retry ${maxDurationMs + 1}ms is too long`,
    );
  });

  it('refuses less than the flag minimum (--task-timeout at least 1 ms, --poll at least 50 ms)', () => {
    expect(parseDuration('1ms', '--task-timeout', 1)).toBe(1);
    const zero = refusal(() => parseDuration('0s', '--task-timeout', 1));
    expect(zero).toEqual({ message: '--task-timeout 0s is too short', hint: 'use at least 1ms' });
    expect(refusal(() => parseDuration('49ms', '--poll', 50)).message).toBe('--poll 49ms is too short');
    expect(parseDuration('50ms', '--poll', 50)).toBe(50);
  });
});

describe('seconds (--wait)', () => {
  it('takes a number of seconds, 0 or more, fractions too', () => {
    expect(parseSeconds(0, '--wait')).toBe(0);
    expect(parseSeconds(30, '--wait')).toBe(30);
    expect(parseSeconds('2.5', '--wait')).toBe(2.5);
    expect(parseSeconds(' 7 ', '--wait')).toBe(7);
  });

  it('refuses a negative, non-numeric or empty value, and a unit (it is seconds only)', () => {
    for (const bad of [-1, 'x', '', '  ', '30s', Number.NaN, Number.POSITIVE_INFINITY]) {
      const { message, hint } = refusal(() => parseSeconds(bad, '--wait'));
      expect(message).toBe(`--wait must be a number of seconds, 0 or more (got ${String(bad)})`);
      expect(hint).toBe('e.g. --wait 30');
    }
  });

  it('refuses more than 2^31-1 ms', () => {
    expect(parseSeconds(maxDurationMs / 1000, '--wait')).toBe(maxDurationMs / 1000);
    expect(refusal(() => parseSeconds(2_147_484, '--wait')).message).toBe('--wait 2147484 is too long');
  });
});
