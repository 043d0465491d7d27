import type { Knex } from 'knex';

/** Rows of a knex.raw result, whatever shape the driver returns (pg: .rows, mysql2: [rows], others: rows). */
function rawRows<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) {
    return (Array.isArray(result[0]) ? result[0] : result) as T[];
  }
  const rows = (result as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

/** Runs a raw query and returns its rows. */
export async function queryRows<T = Record<string, unknown>>(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly Knex.RawBinding[] = [],
): Promise<T[]> {
  return rawRows<T>(await db.raw(sql, bindings as Knex.RawBinding[]));
}

/** Runs a raw query on one pinned connection and returns its rows. */
export async function queryRowsOn<T = Record<string, unknown>>(
  knex: Knex,
  connection: unknown,
  sql: string,
  bindings: readonly Knex.RawBinding[] = [],
): Promise<T[]> {
  return rawRows<T>(await knex.raw(sql, bindings as Knex.RawBinding[]).connection(connection));
}

/** Stable 31-bit FNV-1a hash of a string (lock keys that every process computes identically). */
export function fnv31(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 0x7fffffff;
}
