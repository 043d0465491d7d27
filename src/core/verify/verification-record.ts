import os from 'node:os';
import type { Database } from '../database.js';
import { ensureStatusTables } from '../status/ensure-status-tables.js';
import { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';
import { tablesCompared, tablesDiffering, verificationDocument } from './verification-document.js';
import type { VerifyResult, VerifyStatus } from './verify-types.js';

/** One row of DataMigrationVerifications: when data was last verified and whether it matched. */
export interface VerificationRecord {
  readonly id: number;
  readonly verifiedAt: Date | null;
  readonly sourceDisplay: string;
  readonly targetDisplay: string;
  readonly mode: string;
  readonly tablesCompared: number;
  readonly tablesDiffering: number;
  readonly status: VerifyStatus;
  /** The JSON document of the run, values redacted. */
  readonly summary: string | null;
  readonly userName: string | null;
  readonly host: string | null;
}

/** Stores a verdict next to the migration status (creating the status tables when missing). */
export async function recordVerification(database: Database, schema: string, result: VerifyResult): Promise<number> {
  const store = new StatusStore(database, schema);
  await ensureStatusTables(store);
  const row = {
    VerifiedAt: new Date(),
    SourceDisplay: result.source.slice(0, 500),
    TargetDisplay: result.target.slice(0, 500),
    Mode: result.mode,
    TablesCompared: tablesCompared(result),
    TablesDiffering: tablesDiffering(result),
    Status: result.status,
    Summary: JSON.stringify(verificationDocument(result, true)),
    UserName: userName().slice(0, 100),
    Host: os.hostname().slice(0, 255),
  };
  const inserted = await store.table('verifications').insert(row, ['VerificationId']);
  const first = inserted[0] as { VerificationId?: number } | number | undefined;
  return Number(typeof first === 'object' ? first.VerificationId : first);
}

/** The most recent verification in `schema`, or null when none was recorded (or the table does not exist). */
export async function latestVerification(store: StatusStore): Promise<VerificationRecord | null> {
  if (!(await store.hasTable('verifications'))) return null;
  const row = (await store.table('verifications').select('*').orderBy('VerificationId', 'desc').first()) as
    Record<string, unknown> | undefined;
  if (!row) return null;
  return {
    id: Number(row.VerificationId),
    verifiedAt: toDate(row.VerifiedAt),
    sourceDisplay: String(row.SourceDisplay),
    targetDisplay: String(row.TargetDisplay),
    mode: String(row.Mode),
    tablesCompared: Number(row.TablesCompared),
    tablesDiffering: Number(row.TablesDiffering),
    status: row.Status === 'equal' || row.Status === 'incomplete' ? row.Status : 'different',
    summary: (row.Summary as string | null) ?? null,
    userName: (row.UserName as string | null) ?? null,
    host: (row.Host as string | null) ?? null,
  };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
