import type { Knex } from 'knex';
import type { EncodedField } from '../row-hash-dialect.js';

/**
 * The same-engine hash of a pair of MySQL-family servers: the engine's own text of each value (a column of one
 * declared type on both sides is rendered alike by both), joined with concat_ws, hashed by
 * CRC32 and CRC32C (https://mariadb.com/kb/en/crc32c/, MariaDB 10.8+) multiplied: one 64-bit digest per row,
 * summed per segment. docs/verify.md shows why false "equal" answers stay negligible.
 *
 * The text is unambiguous: a string is preceded by its length in characters (no other field's text contains
 * the separator), a field that may be NULL on either side is `~` when NULL (for a string, in place of its
 * length). Each field appears once or, a string, twice: MariaDB evaluates each use of an expression.
 */
export function nativeRowText(fields: readonly EncodedField[]): string {
  const parts = fields.flatMap((f) => {
    if (f.category !== 'string') return [f.notNull ? f.sql : `ifnull(${f.sql}, '~')`];
    const length = `char_length(${f.sql})`;
    return [f.notNull ? length : `ifnull(${length}, '~')`, f.sql];
  });
  return `concat_ws('|', ${parts.join(', ')})`;
}

/**
 * CRC32 times CRC32C of the row text: below 2^64, an unsigned BIGINT. The text is computed once per CRC
 * (MariaDB evaluates each use of an expression).
 */
export function nativeDigest(text: string): string {
  return `(crc32(${text}) * crc32c(${text}))`;
}

/** CRC32C of the key's text: a key hash only puts keys in segments, keys are then matched by their encoding. */
export function nativeKeyHash(fields: readonly EncodedField[]): string {
  return `crc32c(${nativeRowText(fields)})`;
}

const crc32c = new WeakMap<Knex, Promise<boolean>>();

/** Whether the server has CRC32C (MariaDB 10.8+; not MySQL), asked once per connection pool. */
export function hasCrc32c(knex: Knex): Promise<boolean> {
  let known = crc32c.get(knex);
  if (!known) {
    known = knex.raw(`select crc32c('') as c`).then(
      () => true,
      () => false,
    );
    crc32c.set(knex, known);
  }
  return known;
}
