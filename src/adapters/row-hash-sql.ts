/** SQL building blocks shared by the row-hash dialects, so every engine runs the same arithmetic. */

/** "1000" for 3: the literal 10^n. */
export function pow10(n: number): string {
  return `1${'0'.repeat(n)}`;
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
