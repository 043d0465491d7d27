import type { FieldRule } from '../../adapters/row-hash-dialect.js';

type Category = FieldRule['category'];

const integerText = /^-?\d+$/;

/**
 * Compares two canonical values of one category: integers and epoch timestamps as integers, decimals and floats
 * by value, the rest by code point; NULL first.
 */
function compareCanonical(a: string | null, b: string | null, category: Category | undefined): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (
    (category === 'integer' || category === 'boolean' || category === 'timestamp') &&
    integerText.test(a) &&
    integerText.test(b)
  ) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (category === 'decimal' || category === 'float') {
    const [x, y] = [Number(a), Number(b)];
    if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x < y ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders value lists column by column, each by its category. */
export function compareValues(
  a: readonly (string | null)[],
  b: readonly (string | null)[],
  categories: readonly (Category | undefined)[],
): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareCanonical(a[i] ?? null, b[i] ?? null, categories[i]);
    if (c !== 0) return c;
  }
  return 0;
}
