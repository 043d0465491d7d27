import type { RowCount, RowKey, TableVerdict, VerifyResult } from './verify-types.js';

/** What `--redact` puts in place of a value; keys and column names stay. */
const redactedValue = '***';

export interface TableDocument {
  readonly table: string;
  readonly target_table: string;
  readonly status: TableVerdict['status'];
  readonly source_rows: number | null;
  readonly target_rows: number | null;
  /** key: rows matched by key_columns; multiset: no unique key, whole rows counted (missing_rows, extra_rows). */
  readonly comparison: TableVerdict['comparison'];
  readonly key_columns: readonly string[];
  readonly missing_in_target: readonly RowKey[];
  readonly extra_in_target: readonly RowKey[];
  readonly changed: readonly { key: RowKey; columns: Record<string, readonly [string | null, string | null]> }[];
  readonly duplicates_in_source: readonly RowKey[];
  readonly duplicates_in_target: readonly RowKey[];
  /** A key not declared unique that repeats on a side (equal or not), else null: see TableVerdict.repeatedKeys. */
  readonly repeated_keys: TableVerdict['repeatedKeys'] | null;
  readonly missing_rows: readonly RowCount[];
  readonly extra_rows: readonly RowCount[];
  readonly difference_count: number;
  readonly truncated: boolean;
  /** Why a skipped table was not compared; null otherwise. */
  readonly reason: string | null;
}

/** The `--format json` document (snake_case, stable), also stored as the Summary of a recorded verification. */
export interface VerificationDocument {
  readonly status: VerifyResult['status'];
  readonly mode: VerifyResult['mode'];
  readonly source: string;
  readonly target: string;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly tables_compared: number;
  readonly tables_differing: number;
  readonly tables_skipped: number;
  readonly redacted: boolean;
  readonly tables: readonly TableDocument[];
}

export function tablesCompared(result: VerifyResult): number {
  return result.tables.filter((t) => t.status === 'equal' || t.status === 'different').length;
}

/** Tables that differ or exist on one side only (skipped ones are counted apart). */
export function tablesDiffering(result: VerifyResult): number {
  return result.tables.filter((t) => t.status !== 'equal' && t.status !== 'skipped').length;
}

function tablesSkipped(result: VerifyResult): number {
  return result.tables.filter((t) => t.status === 'skipped').length;
}

export function verificationDocument(result: VerifyResult, redact: boolean): VerificationDocument {
  const value = (v: string | null) => (redact ? redactedValue : v);
  return {
    status: result.status,
    mode: result.mode,
    source: result.source,
    target: result.target,
    started_at: result.startedAt.toISOString(),
    duration_ms: result.durationMs,
    tables_compared: tablesCompared(result),
    tables_differing: tablesDiffering(result),
    tables_skipped: tablesSkipped(result),
    redacted: redact,
    tables: result.tables.map((t) => ({
      table: t.table,
      target_table: t.targetTable,
      status: t.status,
      source_rows: t.sourceRows,
      target_rows: t.targetRows,
      comparison: t.comparison,
      key_columns: t.keyColumns,
      missing_in_target: t.missingInTarget,
      extra_in_target: t.extraInTarget,
      changed: t.changed.map((c) => ({
        key: c.key,
        columns: Object.fromEntries(Object.entries(c.columns).map(([n, [a, b]]) => [n, [value(a), value(b)] as const])),
      })),
      duplicates_in_source: t.duplicatesInSource,
      duplicates_in_target: t.duplicatesInTarget,
      repeated_keys: t.repeatedKeys ?? null,
      missing_rows: t.missingRows.map((r) => counted(r, redact)),
      extra_rows: t.extraRows.map((r) => counted(r, redact)),
      difference_count: t.differenceCount,
      truncated: t.truncated,
      reason: t.reason,
    })),
  };
}

/** A multiset row is all values, so --redact hides all of them. */
function counted(r: RowCount, redact: boolean): RowCount {
  return redact ? { row: Object.fromEntries(Object.keys(r.row).map((k) => [k, redactedValue])), count: r.count } : r;
}

/** First differing keys of a table as short text: `id=5`, `a=1,b=x`. */
export function keyText(key: RowKey): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}=${v === null ? 'NULL' : v}`)
    .join(',');
}
