import { createHash } from 'node:crypto';
import type { EncodedField, FieldRule } from '../row-hash-dialect.js';
import { canonicalFloat } from '../row-hash-float.js';

/**
 * The canonical forms of src/adapters/row-hash-sql.ts in JavaScript, registered into SQLite
 * with better-sqlite3's db.function(). They must stay byte-for-byte equal to the SQL of the
 * server dialects: test/verify checks SQLite against PostgreSQL and MariaDB.
 */
export type SqliteValue = number | bigint | string | Buffer | null;

/** Decimal by value: no exponent, no trailing zeros, no '-0'. */
export function canonicalDecimal(v: number | bigint | string): string {
  let text = typeof v === 'number' ? numberToPlain(v) : String(v).trim();
  if (text.startsWith('+')) text = text.slice(1);
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  let [int = '', frac = ''] = text.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

function numberToPlain(v: number): string {
  const s = String(v);
  if (!/e/i.test(s)) return s;
  return Number.isInteger(v) ? BigInt(v).toString() : v.toFixed(20);
}

/** Epoch units of 10^-precision seconds, floored; numbers are taken as epoch milliseconds (knex stores Dates so). */
export function canonicalTimestamp(v: number | bigint | string, precision: number): string | null {
  let micros: bigint;
  if (typeof v !== 'string') micros = BigInt(Math.round(Number(v) * 1000));
  else {
    const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i.exec(
      v.trim(),
    );
    if (!m) return null;
    const [, y, mo, d, h = '0', mi = '0', s = '0', f = '', zone] = m;
    let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.replace(/[^0-9]/g, '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    micros = BigInt(ms) * 1000n + BigInt(f.padEnd(6, '0').slice(0, 6));
  }
  const unit = 10n ** BigInt(6 - Math.min(6, precision));
  const floored = micros >= 0n ? micros / unit : -((-micros + unit - 1n) / unit);
  return floored.toString();
}

export function canonicalDate(v: number | bigint | string): string {
  if (typeof v !== 'string') return new Date(Number(v)).toISOString().slice(0, 10);
  return v.trim().slice(0, 10);
}

/** One column value to canonical text, following the same rule as the SQL dialects. */
export function canonicalValue(v: SqliteValue, rule: FieldRule, declaredBoolean: boolean): string | null {
  if (v === null) return null;
  if (Buffer.isBuffer(v)) return rule.category === 'binary' ? v.toString('hex') : v.toString('utf8');
  switch (rule.category) {
    case 'integer':
    case 'boolean':
      if (declaredBoolean && typeof v === 'string') return v === 'true' ? '1' : v === 'false' ? '0' : v;
      return typeof v === 'number' ? numberToPlain(v) : String(v);
    case 'decimal':
      return canonicalDecimal(v);
    case 'float':
      return canonicalFloat(Number(v), rule.floatDigits);
    case 'timestamp':
      return canonicalTimestamp(v, rule.timestampPrecision);
    case 'date':
      return canonicalDate(v);
    case 'binary':
      return Buffer.from(String(v), 'utf8').toString('hex');
    case 'string': {
      let text = typeof v === 'number' ? numberToPlain(v) : String(v);
      if (rule.trimTrailingSpaces) text = text.replace(/ +$/, '');
      if (rule.ignoreCase) text = text.toLowerCase();
      return text;
    }
  }
}

/**
 * One letter per field for dmr_encode: `s` a string, `v` another value; upper case when NOT NULL on both sides.
 */
export function fieldSpec(fields: readonly EncodedField[]): string {
  return fields.map((f) => (f.category === 'string' ? 's' : 'v')[f.notNull ? 'toUpperCase' : 'toLowerCase']()).join('');
}

/**
 * The portable encoding of row-hash-sql.ts encodedFieldSql: a string `<code points>:<text>`, another value
 * `<text>,`, NULL `~` (also where a NOT NULL side produced no canonical value, as SQL's coalesce would not).
 */
export function encodeFields(spec: string, fields: readonly (string | null)[]): string {
  let out = '';
  fields.forEach((f, i) => {
    if (f === null) out += '~';
    else if (spec[i] === 's' || spec[i] === 'S') out += `${codePoints(f)}:${f}`;
    else out += `${f},`;
  });
  return out;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** First 13 hex digits of md5: a non-negative integer below 2^52 (exact in a double). */
export function keyHashOf(encoded: string): number {
  return parseInt(md5Hex(encoded).slice(0, 13), 16);
}
