import type { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';

/** One recorded `dmr verify --record` as the page lists it: the verdict and the tables that were not equal. */
export interface VerificationLine {
  readonly id: number;
  readonly verifiedAt: Date | null;
  readonly status: string;
  readonly mode: string;
  readonly sourceDisplay: string;
  readonly targetDisplay: string;
  readonly tablesCompared: number;
  readonly tablesDiffering: number;
  /** `table: status (n differences)` for each table not equal, from the stored document. */
  readonly notEqual: readonly string[];
  readonly userName: string | null;
  readonly host: string | null;
}

/** The latest verification records (DataMigrationVerifications), newest first; empty without the table. */
export async function recentVerifications(store: StatusStore, limit = 5): Promise<VerificationLine[]> {
  if (!(await store.hasTable('verifications'))) return [];
  const rows = (await store
    .table('verifications')
    .select('*')
    .orderBy('VerificationId', 'desc')
    .limit(limit)) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.VerificationId),
    verifiedAt: toDate(r.VerifiedAt),
    status: String(r.Status),
    mode: String(r.Mode),
    sourceDisplay: String(r.SourceDisplay),
    targetDisplay: String(r.TargetDisplay),
    tablesCompared: Number(r.TablesCompared),
    tablesDiffering: Number(r.TablesDiffering),
    notEqual: notEqualTables(r.Summary),
    userName: (r.UserName as string | null) ?? null,
    host: (r.Host as string | null) ?? null,
  }));
}

function notEqualTables(summary: unknown): string[] {
  try {
    const doc = JSON.parse(String(summary ?? '{}')) as {
      tables?: { table: string; status: string; difference_count?: number; reason?: string | null }[];
    };
    return (doc.tables ?? [])
      .filter((t) => t.status !== 'equal')
      .slice(0, 20)
      .map(
        (t) =>
          `${t.table}: ${t.status}` +
          (t.difference_count ? ` (${t.difference_count} differences)` : '') +
          (t.reason ? ` (${t.reason})` : ''),
      );
  } catch {
    return [];
  }
}
