import { CopyLedger } from '../copy/copy-ledger.js';
import type { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';

/** One copy job as the page shows it: table, chunks done of total, rows/s and ETA. */
export interface CopyProgress {
  readonly copyId: number;
  readonly sourceTable: string;
  readonly targetTable: string;
  /** running, success, error or stopped (the ledger's words). */
  readonly status: string;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly chunksTotal: number;
  readonly chunksDone: number;
  readonly chunksFailed: number;
  readonly rowsDone: number;
  /** Rows of finished chunks per second since the job started; null before any. */
  readonly rowsPerSecond: number | null;
  /** Seconds left at the pace of the chunks done so far; null when unknown or finished. */
  readonly etaSeconds: number | null;
  readonly userName: string | null;
  readonly host: string | null;
  readonly pid: number | null;
  readonly error: string | null;
}

/**
 * The copy jobs of the ledger beside the status tables: every running one and the latest
 * finished ones (`recent`), newest first. Empty when no copy ever wrote a ledger here.
 */
export async function readCopyProgress(store: StatusStore, now: Date, recent = 3): Promise<CopyProgress[]> {
  const ledger = new CopyLedger(store.database, store.schema, false);
  if (!(await ledger.exists())) return [];
  const running = (await ledger
    .table('copies')
    .where('Status', 'running')
    .orderBy('CopyId', 'desc')
    .limit(20)) as Record<string, unknown>[];
  const latest = (await ledger
    .table('copies')
    .whereNot('Status', 'running')
    .orderBy('CopyId', 'desc')
    .limit(recent)) as Record<string, unknown>[];
  const jobs = [...running, ...latest].sort((a, b) => Number(b.CopyId) - Number(a.CopyId));
  if (jobs.length === 0) return [];
  const counts = (await ledger
    .table('chunks')
    .select('CopyId', 'Status')
    .count({ n: '*' })
    .sum({ rows: 'Rows' })
    .whereIn(
      'CopyId',
      jobs.map((j) => Number(j.CopyId)),
    )
    .groupBy('CopyId', 'Status')) as Record<string, unknown>[];
  return jobs.map((job) =>
    progressOf(
      job,
      counts.filter((c) => Number(c.CopyId) === Number(job.CopyId)),
      now,
    ),
  );
}

function progressOf(job: Record<string, unknown>, counts: readonly Record<string, unknown>[], now: Date): CopyProgress {
  const n = (status?: string) =>
    counts.filter((c) => !status || c.Status === status).reduce((s, c) => s + Number(c.n), 0);
  const rowsDone = counts.filter((c) => c.Status === 'success').reduce((s, c) => s + Number(c.rows ?? 0), 0);
  const startedAt = toDate(job.StartedAt);
  const finishedAt = toDate(job.FinishedAt);
  const seconds = startedAt ? ((finishedAt ?? now).getTime() - startedAt.getTime()) / 1000 : 0;
  const total = n();
  const done = n('success');
  const running = String(job.Status) === 'running';
  return {
    copyId: Number(job.CopyId),
    sourceTable: String(job.SourceTable),
    targetTable: String(job.TargetTable),
    status: String(job.Status),
    startedAt,
    finishedAt,
    chunksTotal: total,
    chunksDone: done,
    chunksFailed: n('error'),
    rowsDone,
    rowsPerSecond: seconds > 0 && done > 0 ? Math.round(rowsDone / seconds) : null,
    etaSeconds: running && done > 0 && seconds > 0 ? Math.round((seconds / done) * (total - done)) : null,
    userName: (job.UserName as string | null) ?? null,
    host: (job.Host as string | null) ?? null,
    pid: job.Pid === null || job.Pid === undefined ? null : Number(job.Pid),
    error: (job.ErrorText as string | null) ?? null,
  };
}
