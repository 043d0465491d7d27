/** SQL building blocks shared by the row-hash dialects, so every engine runs the same arithmetic. */

/** "1000" for 3: the literal 10^n. */
export function pow10(n: number): string {
  return `1${'0'.repeat(n)}`;
}

/** The functions a dialect spells differently for the float canonical form. */
export interface FloatFunctions {
  readonly log10: string;
  readonly pow: string;
  readonly ten: string;
  readonly len: string;
  toInt(sql: string): string;
  rtrimZeros(sql: string): string;
  concat(parts: string[]): string;
  /**
   * `when ... then ...` clauses for NaN and infinities, with `x` standing for the value; '' when the engine has
   * none.
   */
  readonly specials: string;
}

/**
 * Canonical text of a double rounded to `digits` significant digits, computed with IEEE
 * arithmetic every engine (and JavaScript, for SQLite) performs identically:
 * k = floor(log10|x|) - (digits-1); m = floor(|x| / 10^k + 0.5) (multiplying by 10^-k when
 * k < 0, because 10^j is exact for j <= 22 and 10^-j is not); text = sign, m without
 * trailing zeros, 'e', k plus the zeros removed. 0 and -0 are '0'.
 */
export function floatCanonicalSql(x: string, digits: number, f: FloatFunctions): string {
  const k = `(floor(${f.log10}(abs(${x}))) - ${digits - 1})`;
  const scaled = `(case when ${k} >= 0 then abs(${x}) / ${f.pow}(${f.ten}, ${k}) else abs(${x}) * ${f.pow}(${f.ten}, -${k}) end)`;
  const m = f.toInt(`floor(${scaled} + 0.5)`);
  const trimmed = f.rtrimZeros(m);
  const exponent = f.toInt(`${k} + (${f.len}(${m}) - ${f.len}(${trimmed}))`);
  const sign = `(case when ${x} < 0 then '-' else '' end)`;
  const specials = f.specials.replace(/\bx\b/g, x);
  return `(case when ${x} is null then null when ${x} = 0 then '0' ${specials} else ${f.concat([sign, trimmed, "'e'", exponent])} end)`;
}

/** Length-prefixed field encoding: `<chars>:<text>` for a value, `~` for NULL. */
export function prefixedField(field: string, charLength: string, concat: (parts: string[]) => string): string {
  return `coalesce(${concat([`${charLength}(${field})`, "':'", field])}, '~')`;
}

/**
 * Why a JSON type that stores documents normalized (PostgreSQL jsonb, MySQL's JSON type, SQLite jsonb, SQL Server
 * json) is compared on no engine. JSON stored as the text written (PostgreSQL json, MariaDB's JSON alias, SQLite
 * JSON text) is compared as that exact text, on every engine alike.
 */
export const jsonReason =
  "this JSON type stores documents in its engine's own normal form (key order, spacing, number formats) " +
  'that no other engine reproduces; JSON stored as text (PostgreSQL json, MariaDB JSON) is compared as its text';
