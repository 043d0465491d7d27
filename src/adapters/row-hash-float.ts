/**
 * The canonical text of a double rounded to `digits` significant digits: `<mantissa>e<exponent>`, the
 * mantissa an integer of `digits` digits carrying the sign (`-123000000000000e-14`), '0' for 0 and -0.
 * It is defined by the procedure below, which uses only what every engine computes identically:
 * IEEE multiplication, division and comparison (correctly rounded everywhere), floor, and 10^j for
 * integers 0 <= j <= 22 (exact doubles; larger powers are products of constants, never pow(10, j), which
 * glibc, V8 and others round differently: glibc's pow(10, 23) is not the double of 1e23).
 *
 * log10 is not the same everywhere (V8 and glibc put 99999999999999.8 in different decades), so it
 * only chooses between paths that agree: t = log10|x|, n = round(t), D = digits - 1.
 * - t farther than `eps` from an integer: every engine's floor(t) is the true decade L and the
 *   rounded mantissa cannot carry into a new decade; m = floor(scale(|x|, D - L) + 0.5), exponent L - D.
 * - t within `eps` of n: the decade is decided by comparing scale(|x|, -n) with 1 - 5 * 10^-(D + 2), the
 *   point from which a mantissa rounds up to 1: L = n when it is at least that, else n - 1.
 * Near the border between the two cases both give the same L and the same scale, so an engine whose
 * log10 differs by a few units in the last place still produces the same text.
 * scale(a, j) = a * 10^j for j in [0, 22], a / 10^-j for j in [-22, -1], and beyond that the same after
 * multiplications (divisions) by the constants 1e176, 1e88, 1e44 and 1e22 (see scaleSql): no intermediate
 * overflows, subnormals included.
 */

/** How a dialect spells the operations the canonical float form uses. */
export interface FloatFunctions {
  /** log10 of a positive double. */
  log10(x: string): string;
  /** 10^j for an integer-valued j in [0, 22], an exact double. */
  pow10(j: string): string;
  /** A double constant written in `e` notation ('1e22'). */
  num(literal: string): string;
  /** An integer-valued double (below 2^63 in magnitude) as decimal text. */
  toInt(x: string): string;
  /** SQL true when the integer-valued double x is odd. */
  odd(x: string): string;
  /** Round a double to an integer (any tie rule: only used where t is near an integer). */
  round(x: string): string;
  /** SQL true when t is within `eps` (a double constant) of an integer; engines may use any equivalent test. */
  nearInteger(t: string, eps: string): string;
  concat(parts: string[]): string;
  /** `when ... then ...` clauses for NaN and infinities, `x` standing for the value; '' when the engine has none. */
  readonly specials: string;
}

/** How close log10|x| must be to an integer to decide the decade by comparison (covers the rounding carry). */
function nearEpsilon(digits: number): number {
  return 3 * 10 ** -(digits + 1) + 1e-12;
}

/** Chunks of 10^22 by which scale moves a value before the last exact power: 10^(22 * 2^b). */
const chunks = [1e22, 1e44, 1e88, 1e176] as const;

/**
 * SQL: `a` times 10^j (j an integer-valued SQL expression): k = |j| = 22q + r; a is multiplied (divided, for
 * j < 0) by the chunks of q's binary digits, largest first, then by 10^r: intermediate values move towards the
 * result, so none overflows, and a chunk not taken is a factor 1 (exact).
 */
function scaleSql(a: string, j: string, f: FloatFunctions): string {
  const k = `abs(${j})`;
  const q = `floor(${k} / ${f.num('22e0')})`;
  const factor = (b: number) =>
    `(case when ${f.odd(b === 0 ? q : `floor(${q} / ${f.num(`${2 ** b}e0`)})`)} ` +
    `then ${f.num(chunks[b]!.toExponential())} else ${f.num('1e0')} end)`;
  const apply = (op: string) => {
    let value = a;
    for (let b = chunks.length - 1; b >= 0; b--) value = `(${value} ${op} ${factor(b)})`;
    return `${value} ${op} ${f.pow10(`${k} - ${f.num('22e0')} * ${q}`)}`;
  };
  return `(case when ${j} >= 0 then ${apply('*')} else ${apply('/')} end)`;
}

/** SQL: the canonical text of the double `x` (an expression without side effects), NULL for NULL. */
export function floatCanonicalSql(x: string, digits: number, f: FloatFunctions): string {
  const d = digits - 1;
  const ax = `abs(${x})`;
  const t = f.log10(ax);
  const eps = f.num(nearEpsilon(digits).toExponential(6));
  const text = (scaled: string, exponent: string) =>
    f.concat([f.toInt(`sign(${x}) * floor(${scaled} + ${f.num('5e-1')})`), "'e'", f.toInt(exponent)]);
  const decade = `floor(${t})`;
  // |x| in [1e(d-22), 1e(d+1)): 10^(d - L) is one exact power, the common case without the chunk case.
  const fast = text(`${ax} * ${f.pow10(`${d} - ${decade}`)}`, `${decade} - ${d}`);
  const far = text(scaleSql(ax, `${d} - ${decade}`, f), `${decade} - ${d}`);
  const n = f.round(t);
  // Never a constant times powers of ten: a planner folds constants, every branch's, and would overflow.
  const roundsUp = `${scaleSql(ax, `-(${n})`, f)} >= ${f.num('1e0')} - ${f.num('5e0')} / ${f.num(`1e${d + 2}`)}`;
  const near =
    `(case when ${roundsUp} then ${text(scaleSql(ax, `${d} - ${n}`, f), `${n} - ${d}`)} ` +
    `else ${text(scaleSql(ax, `${d} + 1 - ${n}`, f), `${n} - 1 - ${d}`)} end)`;
  const lo = f.num(`1e${d - 22}`);
  const hi = f.num(`1e${d + 1}`);
  const specials = f.specials.replace(/\bx\b/g, x);
  const notNear = `not (${f.nearInteger(t, eps)})`;
  return (
    `(case when ${x} is null then null when ${x} = 0 then '0' ${specials} ` +
    `when ${ax} >= ${lo} and ${ax} < ${hi} and ${notNear} then ${fast} ` +
    `when ${notNear} then ${far} else ${near} end)`
  );
}

const exact = Array.from({ length: 23 }, (_, j) => Number(`1e${j}`));

/** scale(a, j) in JavaScript, operation for operation as scaleSql. */
function scale(a: number, j: number): number {
  const k = Math.abs(j);
  const q = Math.floor(k / 22);
  let value = a;
  for (let b = chunks.length - 1; b >= 0; b--) {
    const factor = Math.floor(q / 2 ** b) % 2 === 1 ? chunks[b]! : 1;
    value = j >= 0 ? value * factor : value / factor;
  }
  return j >= 0 ? value * exact[k - 22 * q]! : value / exact[k - 22 * q]!;
}

/** The canonical text of a double in JavaScript (SQLite's registered function), equal to floatCanonicalSql's. */
export function canonicalFloat(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const d = digits - 1;
  const ax = Math.abs(x);
  const t = Math.log10(ax);
  const n = Math.round(t);
  const text = (scaled: number, exponent: number) => `${Math.sign(x) * Math.floor(scaled + 0.5)}e${exponent}`;
  if (Math.abs(t - n) > nearEpsilon(digits)) {
    const decade = Math.floor(t);
    return text(scale(ax, d - decade), decade - d);
  }
  if (scale(ax, -n) >= 1 - 5 / exact[d + 2]!) return text(scale(ax, d - n), n - d);
  return text(scale(ax, d + 1 - n), n - 1 - d);
}
