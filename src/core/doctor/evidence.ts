import type { DialectName, ServerSession } from '../../adapters/dialect-adapter.js';
import type { RunRecord } from '../status/run-store.js';
import type { ServerWideApp } from '../status/server-wide-app.js';
import type { HistoryLine, StageState } from '../status/status-store.js';
import type { TableKey } from '../status/status-tables.js';
import type { CopyChunkFact } from './copy-ledger-facts.js';

/** One row of DataMigrationStatuses as stored (codes may be duplicated or missing). */
export interface StatusRow {
  readonly id: number;
  readonly code: string;
}

/** What the server and the host say about the runner of one unfinished run record. */
export interface RunProbe {
  readonly runId: number;
  /** The run's lock session as the server sees it; null when it no longer exists. */
  readonly session: ServerSession | null;
  /** True when the current run-lock holder is the run's own session. */
  readonly holdsLock: boolean;
  /** The runner process: true/false when it runs on this host, null when it cannot be checked. */
  readonly processAlive: boolean | null;
}

/**
 * A snapshot of everything doctor judges, read once by gatherEvidence. Rules are pure
 * functions of it, so they can be tested on hand-made snapshots.
 */
export interface Evidence {
  readonly dialect: DialectName;
  readonly database: string;
  readonly schema: string;
  /** When the snapshot was read (ages are measured against `now` given to diagnose). */
  readonly readAt: Date;
  readonly tables: Readonly<Record<TableKey, boolean>>;
  readonly statuses: readonly StatusRow[];
  /** DataMigrationTypes in stage order (by id). */
  readonly types: readonly { readonly id: number; readonly code: string }[];
  readonly stages: readonly StageState[];
  /** The latest run record, finished or not. */
  readonly latestRun: RunRecord | null;
  /** Run records without FinishedAt, newest first. */
  readonly unfinishedRuns: readonly RunRecord[];
  readonly probes: readonly RunProbe[];
  /** Server session holding the run lock now, if any. */
  readonly lockHolder: ServerSession | null;
  /** Busy sessions of the same user in the same database (Generate's own runner, when it has no run record). */
  readonly activeSessions: readonly ServerSession[];
  /** Recent history, newest first. */
  readonly history: readonly HistoryLine[];
  /** Copy-ledger chunks left processing, with their process probed (absent: not read). */
  readonly copyChunks?: readonly CopyChunkFact[];
  /** MySQL/MariaDB: status tables in the server-wide App database while this schema is another one. */
  readonly serverWideApp?: ServerWideApp | null;
}

/** Asks the host whether a process exists (the CLI provides it; core never touches `process`). */
export type ProcessProbe = (host: string, pid: number) => boolean | null;
