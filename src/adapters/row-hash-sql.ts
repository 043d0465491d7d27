/** SQL building blocks shared by the row-hash dialects, so every engine runs the same arithmetic. */
import type { EncodedField } from './row-hash-dialect.js';

/** "1000" for 3: the literal 10^n. */
export function pow10(n: number): string {
  return `1${'0'.repeat(n)}`;
}

/**
 * The portable encoding of one field, the same on every engine: a string `<characters>:<text>`, any other value
 * `<text>,` (an integer, decimal, float, timestamp, date or hex text never holds a comma nor starts with `~`), NULL
 * `~`. A field NOT NULL on both sides needs no NULL branch. Given the columns, the encoding of a row is
 * unambiguous (a prefix code): ('ab', 'c') and ('a', 'bc') differ, NULL differs from ''.
 *
 * `join` concatenates and yields NULL when a piece is NULL (`||`, `+`, MySQL concat).
 */
export function encodedFieldSql(
  f: EncodedField,
  charLength: (sql: string) => string,
  join: (pieces: string[]) => string,
  quote: (text: string) => string = (t) => `'${t}'`,
): string {
  const pieces = f.category === 'string' ? [charLength(f.sql), quote(':'), f.sql] : [f.sql, quote(',')];
  return f.notNull ? join(pieces) : `coalesce(${join(pieces)}, ${quote('~')})`;
}

/**
 * Why a JSON type that stores documents normalized (PostgreSQL jsonb, MySQL's JSON type, SQLite jsonb, SQL Server
 * json) is compared on no engine. JSON stored as the text written (PostgreSQL json, MariaDB's JSON alias, SQLite
 * JSON text) is compared as that exact text, on every engine alike.
 */
export const jsonReason =
  "this JSON type stores documents in its engine's own normal form (key order, spacing, number formats) " +
  'that no other engine reproduces; JSON stored as text (PostgreSQL json, MariaDB JSON) is compared as its text';
