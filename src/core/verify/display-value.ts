import type { FieldRule } from '../../adapters/row-hash-dialect.js';

/**
 * Turns a canonical text into what a person reads in a report: timestamps (epoch units) as
 * ISO-8601 UTC, floats (mantissa e exponent) as a number; everything else is already readable.
 */
export function displayValue(canonical: string | null, rule: FieldRule | undefined): string | null {
  if (canonical === null || !rule) return canonical;
  if (rule.category === 'float' && /^-?\d+e-?\d+$/.test(canonical)) return String(Number(canonical));
  if (rule.category === 'timestamp' && /^-?\d+$/.test(canonical)) {
    const p = rule.timestampPrecision;
    const units = BigInt(canonical);
    const perMs = 10n ** BigInt(Math.max(0, p - 3));
    const ms = p >= 3 ? units / perMs - (units < 0n && units % perMs !== 0n ? 1n : 0n) : units * 10n ** BigInt(3 - p);
    const iso = new Date(Number(ms)).toISOString();
    if (p <= 3)
      return p === 0
        ? iso.replace(/\.\d{3}Z$/, 'Z')
        : iso.replace(/(\.\d{3})Z$/, (_m, f: string) => `${f.slice(0, p + 1)}Z`);
    const extra = ((units % perMs) + perMs) % perMs;
    return iso.replace(/Z$/, `${extra.toString().padStart(p - 3, '0')}Z`);
  }
  return canonical;
}
