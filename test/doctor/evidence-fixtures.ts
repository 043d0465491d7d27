import type { CopyChunkFact } from '../../src/core/doctor/copy-ledger-facts.js';
import type { Evidence, RunProbe } from '../../src/core/doctor/evidence.js';
import type { RunRecord } from '../../src/core/status/run-store.js';
import { StatusId, type StatusCode } from '../../src/core/status/status-codes.js';
import type { HistoryLine, StageState } from '../../src/core/status/status-store.js';

/**
 * Hand-made doctor evidence: what gatherEvidence would read from the status tables, the server and
 * the host, written as plain objects so that a rule can be tested without a database.
 */

/** The moment every fixture is judged at. */
export const now = new Date('2025-03-01T12:00:00.000Z');

export const secondsAgo = (seconds: number): Date => new Date(now.getTime() - seconds * 1000);

const stageCodes = ['ods', 'rds', 'report'] as const;
export type StageCode = (typeof stageCodes)[number];

/** A stage row of DataMigrations as dmr reads it. */
export function stage(
  code: StageCode,
  status: StatusCode,
  extra: Partial<Pick<StageState, 'lastTriggerDate' | 'lastDurationInSeconds' | 'taskList'>> = {},
): StageState {
  const typeId = stageCodes.indexOf(code) + 1;
  return {
    migrationId: typeId,
    typeId,
    stage: code,
    statusId: StatusId[status],
    status,
    lastDurationInSeconds: null,
    lastTriggerDate: null,
    userName: 'alice',
    taskList: null,
    ...extra,
  };
}

/** The three stages, each initial unless given. */
export function stages(given: Partial<Record<StageCode, StageState>> = {}): StageState[] {
  return stageCodes.map((code) => given[code] ?? stage(code, 'initial'));
}

/** A run record of a dmr run (unfinished and Running unless told otherwise), beating every 5 s. */
export function run(extra: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 7,
    command: 'migrate',
    jobStatus: 'Running',
    stages: 'ods,rds,report',
    currentStage: 'rds',
    currentTask: '010_load',
    startedAt: secondsAgo(600),
    heartbeatAt: secondsAgo(2),
    finishedAt: null,
    heartbeatIntervalMs: 5000,
    host: 'etl-host',
    pid: 4242,
    userName: 'alice',
    dbSessionId: '91',
    stopRequested: false,
    stopRequestedBy: null,
    priorStatuses: {},
    errorText: null,
    ...extra,
  };
}

/** What the server and host say about a run: by default its session is there, holds the lock, the process runs. */
export function probe(runId: number, extra: Partial<Omit<RunProbe, 'runId'>> = {}): RunProbe {
  return {
    runId,
    session: { id: '91', program: 'dmr migrate', user: 'alice' },
    holdsLock: true,
    processAlive: true,
    ...extra,
  };
}

/** A history line of one stage (typeId 1-3) or of the run (null). */
export function historyLine(id: number, typeId: number | null, message: string, date = secondsAgo(60)): HistoryLine {
  return { id, typeId, message, date };
}

/** A copy chunk left processing in the ledger. */
export function chunk(extra: Partial<CopyChunkFact> = {}): CopyChunkFact {
  return {
    copyId: 3,
    chunkNo: 2,
    sourceTable: 'orders',
    targetTable: 'orders',
    chunkKind: 'range',
    lowKey: ['1000'],
    highKey: ['2000'],
    attempts: 1,
    startedAt: secondsAgo(120),
    host: 'etl-host',
    pid: 5151,
    sessionId: '77',
    processAlive: false,
    ...extra,
  };
}

/** The evidence of a database right after `dmr init`: every table, code and stage in place, nothing ran. */
export function evidence(extra: Partial<Evidence> = {}): Evidence {
  return {
    dialect: 'postgres',
    database: 'postgres://alice@db/edw',
    schema: 'App',
    readAt: now,
    tables: {
      statuses: true,
      types: true,
      migrations: true,
      histories: true,
      runs: true,
      verifications: true,
      taskRuns: true,
    },
    statuses: [
      { id: 1, code: 'initial' },
      { id: 2, code: 'pending' },
      { id: 3, code: 'processing' },
      { id: 4, code: 'error' },
      { id: 5, code: 'success' },
    ],
    types: [
      { id: 1, code: 'ods' },
      { id: 2, code: 'rds' },
      { id: 3, code: 'report' },
    ],
    stages: stages(),
    latestRun: null,
    unfinishedRuns: [],
    probes: [],
    lockHolder: null,
    activeSessions: [],
    history: [],
    ...extra,
  };
}

/**
 * Evidence with `r` as the latest run; an unfinished one is probed as given, and when its session
 * holds the run lock the server names that session as the lock holder.
 */
export function withRun(
  r: RunRecord,
  p: Partial<Omit<RunProbe, 'runId'>> = {},
  extra: Partial<Evidence> = {},
): Evidence {
  const probed = probe(r.runId, p);
  const unfinished = r.finishedAt === null;
  return evidence({
    latestRun: r,
    unfinishedRuns: unfinished ? [r] : [],
    probes: unfinished ? [probed] : [],
    lockHolder: unfinished && probed.holdsLock ? probed.session : null,
    ...extra,
  });
}
