import type { Knex } from 'knex';
import type { EncodedField } from '../row-hash-dialect.js';

/**
 * The same-engine hash of a pair of MySQL-family servers: the engine's own text of each value (a column of one
 * declared type on both sides is rendered alike by both), joined with concat_ws, hashed by
 * CRC32 and CRC32C (https://mariadb.com/kb/en/crc32c/, MariaDB 10.8+) multiplied: one 64-bit digest per row,
 * summed per segment. docs/verify.md shows why false "equal" answers stay negligible.
 *
 * The text is unambiguous: a string is preceded by its length in bytes (no other field's text contains the
 * separator; both sides declare the same character set, and length() reads a string's size where char_length counts
 * its characters one by one, a fifth of the row's cost on the bench table). NULL: a field that may be NULL on either
 * side and is its bare column is left out by concat_ws when NULL, and a bitmap in front says which were (testing a
 * column for NULL is free, ifnull costs a copy of the value); any other field that may be NULL is `~` when NULL (for
 * a string, in place of its length).
 */
export function nativeRowText(fields: readonly EncodedField[]): string {
  const flagged = fields.filter((f) => !f.notNull && f.bare);
  const bitmaps: string[] = [];
  for (let i = 0; i < flagged.length; i += 64) {
    const bits = flagged.slice(i, i + 64).map((f, b) => `(${f.sql} is null)${b ? ` << ${b}` : ''}`);
    bitmaps.push(bits.length > 1 ? `(${bits.join(' | ')})` : bits[0]!);
  }
  const parts = fields.flatMap((f) => {
    const marked = !f.notNull && !f.bare;
    if (f.category !== 'string') return [marked ? `ifnull(${f.sql}, '~')` : f.sql];
    const length = `length(${f.sql})`;
    return [marked ? `ifnull(${length}, '~')` : length, f.sql];
  });
  return `concat_ws('|', ${[...bitmaps, ...parts].join(', ')})`;
}

/** The session variable that carries a row's text from the CRC32 to the CRC32C of one digest. */
const rowVariable = '@verify_row';

/**
 * CRC32 times CRC32C of the row text: below 2^64, an unsigned BIGINT. The text is built once: the CRC32's argument
 * assigns it to a session variable and the CRC32C reads it. MariaDB evaluates a function's arguments left to right
 * (its documentation leaves the order of user-variable reads undefined in general), and nativeHashSupport checks
 * this on each server before the pair is hashed this way; written plainly, MariaDB would build the text twice, and
 * that text (a DOUBLE's digits above all) is most of the cost.
 */
export function nativeDigest(text: string): string {
  return `(crc32(${rowVariable} := ${text}) * crc32c(${rowVariable}))`;
}

/** CRC32C of the key's text: a key hash only puts keys in segments, keys are then matched by their encoding. */
export function nativeKeyHash(fields: readonly EncodedField[]): string {
  return `crc32c(${nativeRowText(fields)})`;
}

const support = new WeakMap<Knex, Promise<boolean>>();

/**
 * Whether the server runs nativeDigest as written: it has CRC32C (MariaDB 10.8+; not MySQL) and, in aggregates
 * like verify's (grouped, and plain under a union), the single-text form gives what CRC32 times CRC32C of the text
 * written twice gives. Asked once per connection pool; a server that fails is compared by the portable hash.
 */
export function nativeHashSupport(knex: Knex): Promise<boolean> {
  let known = support.get(knex);
  if (!known) {
    const text = "concat_ws('|', x, length(x))";
    const rows = "select 1 as g, 'a' as x union all select 1, 'bc' union all select 2, '' union all select 2, 'é|'";
    const sums = `sum(${nativeDigest(text)}) as once, sum(crc32(${text}) * crc32c(${text})) as twice`;
    const sql = `select g, ${sums} from (${rows}) s group by g union all select 3, ${sums} from (${rows}) s`;
    known = knex.raw(sql).then(
      ([rows]: [{ once: unknown; twice: unknown }[]]) =>
        rows.length === 3 && rows.every((r) => r.once !== null && String(r.once) === String(r.twice)),
      () => false,
    );
    support.set(knex, known);
  }
  return known;
}
