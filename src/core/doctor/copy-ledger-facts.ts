import type { Knex } from 'knex';
import { CopyLedger } from '../copy/copy-ledger.js';
import type { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';
import type { ProcessProbe } from './evidence.js';

/** A copy chunk the ledger says is processing, with what the host says about the process copying it. */
export interface CopyChunkFact {
  /** The copy run (DataMigrationCopies.CopyId) the chunk belongs to. */
  readonly copyId: number;
  readonly chunkNo: number;
  readonly sourceTable: string;
  readonly targetTable: string;
  /** range, keyset or all: how to read the key range. */
  readonly chunkKind: string;
  /** Key values (JSON arrays of text) where the chunk starts and ends; null for an open end. */
  readonly lowKey: readonly string[] | null;
  readonly highKey: readonly string[] | null;
  readonly attempts: number;
  readonly startedAt: Date | null;
  readonly host: string | null;
  readonly pid: number | null;
  /** Target session the chunk was loaded on. */
  readonly sessionId: string | null;
  /** The copying process: true/false when it ran on this host, null when it cannot be checked. */
  readonly processAlive: boolean | null;
}

const parseKey = (value: unknown) =>
  value === null || value === undefined ? null : (JSON.parse(String(value)) as string[]);

/**
 * Reads the chunks left processing in the copy ledger of the status schema (none when the ledger
 * does not exist there) and probes each one's process.
 */
export async function readCopyChunks(store: StatusStore, probeProcess: ProcessProbe): Promise<CopyChunkFact[]> {
  const ledger = new CopyLedger(store.database, store.schema, false);
  if (!(await ledger.exists())) return [];
  const rows = (await ledger.table('chunks').where({ Status: 'processing' }).orderBy(['CopyId', 'ChunkNo'])) as Record<
    string,
    unknown
  >[];
  const jobs = new Map<number, Record<string, unknown>>();
  for (const copyId of new Set(rows.map((r) => Number(r.CopyId)))) {
    jobs.set(copyId, (await ledger.table('copies').where({ CopyId: copyId }).first()) as Record<string, unknown>);
  }
  return rows.map((r) => {
    const job = jobs.get(Number(r.CopyId)) ?? {};
    const host = r.Host === null || r.Host === undefined ? null : String(r.Host);
    const pid = r.Pid === null || r.Pid === undefined ? null : Number(r.Pid);
    return {
      copyId: Number(r.CopyId),
      chunkNo: Number(r.ChunkNo),
      sourceTable: String(job.SourceTable ?? ''),
      targetTable: String(job.TargetTable ?? ''),
      chunkKind: String(job.ChunkKind ?? ''),
      lowKey: parseKey(r.LowKey),
      highKey: parseKey(r.HighKey),
      attempts: Number(r.Attempts),
      startedAt: toDate(r.StartedAt),
      host,
      pid,
      sessionId: r.SessionId === null || r.SessionId === undefined ? null : String(r.SessionId),
      processAlive: host !== null && pid !== null ? probeProcess(host, pid) : null,
    };
  });
}

/**
 * processing -> pending for a chunk whose copy died, in doctor's transaction. Conditional on the
 * status and attempts doctor saw, so a chunk a live copy took since is left alone. The attempts
 * stay: the next copy settles the chunk by checking the target's rows before copying it again.
 */
export async function resetCopyChunk(
  store: StatusStore,
  change: { readonly copyId: number; readonly chunkNo: number; readonly attempts: number; readonly reason: string },
  trx: Knex.Transaction,
): Promise<number> {
  const ledger = new CopyLedger(store.database, store.schema, false);
  return ledger
    .table('chunks')
    .transacting(trx)
    .where({ CopyId: change.copyId, ChunkNo: change.chunkNo, Status: 'processing', Attempts: change.attempts })
    .update({
      Status: 'pending',
      FinishedAt: new Date(),
      ErrorText: `reset by doctor --fix: ${change.reason}`.slice(0, 4000),
    });
}
