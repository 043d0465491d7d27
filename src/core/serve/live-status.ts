import type { ProcessProbe } from '../doctor/evidence.js';
import { gatherEvidence } from '../doctor/gather-evidence.js';
import { readStatus, type StatusReport } from '../status/read-status.js';
import type { StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';
import { recentVerifications, type VerificationLine } from './recent-verifications.js';
import { readCopyProgress, type CopyProgress } from './copy-progress.js';

/** The task the live run is in, and since when (the time of its "task ... started" history line). */
interface CurrentTask {
  readonly stage: string;
  readonly task: string;
  readonly startedAt: Date | null;
}

/** What the page draws, pushed as the `status` event: `dmr status --json` less doctor, plus live details. */
export interface LiveStatus {
  readonly status: StatusReport;
  readonly currentTask: CurrentTask | null;
  readonly copies: readonly CopyProgress[];
  /** The latest verification records, newest first (the status document holds only the last). */
  readonly verifications: readonly VerificationLine[];
  /** The server's clock when read, so the page can count ages without trusting its own clock. */
  readonly serverTime: Date;
}

/**
 * Reads the live status through the core readers (the same as `dmr status`: the run judged on one
 * evidence snapshot; no settling wait, the feed waits before it calls a lock orphaned).
 */
export async function readLiveStatus(store: StatusStore, probeProcess: ProcessProbe): Promise<LiveStatus> {
  const status = await readStatus(store, await gatherEvidence(store, { probeProcess, settleMs: 0 }));
  const now = new Date();
  const [currentTask, copies, verifications] = await Promise.all([
    readCurrentTask(store, status),
    readCopyProgress(store, now),
    status.verification ? recentVerifications(store) : Promise.resolve([]),
  ]);
  return { status, currentTask, copies, verifications, serverTime: now };
}

async function readCurrentTask(store: StatusStore, status: StatusReport): Promise<CurrentTask | null> {
  const run = status.run;
  if (!run || run.finishedAt || !run.currentStage || !run.currentTask) return null;
  const typeId = status.stages.find((s) => s.stage === run.currentStage)?.typeId;
  const started = `${run.currentStage}: task ${run.currentTask} started`;
  const inHand = status.history.find((h) => h.message === started);
  if (inHand) return { stage: run.currentStage, task: run.currentTask, startedAt: inHand.date };
  if (typeId === undefined) return { stage: run.currentStage, task: run.currentTask, startedAt: null };
  const rows = (await store
    .table('histories')
    .select('DataMigrationHistoryDate', 'DataMigrationHistoryMessage')
    .where('DataMigrationTypeId', typeId)
    .orderBy('DataMigrationHistoryId', 'desc')
    .limit(20)) as Record<string, unknown>[];
  const row = rows.find((r) => r.DataMigrationHistoryMessage === started);
  return {
    stage: run.currentStage,
    task: run.currentTask,
    startedAt: row ? toDate(row.DataMigrationHistoryDate) : null,
  };
}
