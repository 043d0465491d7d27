import type { StatusStore } from '../status/status-store.js';
import type { OnRunEvent } from './run-events.js';
import type { StageSelection } from './select-stages.js';

export interface RunOptions {
  /** Status tables of the database to migrate (already open). */
  readonly store: StatusStore;
  /** Folder holding <stage>/ task folders. */
  readonly sqlDir: string;
  readonly selection: StageSelection;
  /** Inside the first selected stage, skip tasks named before this one (dmr resume --from-task). */
  readonly fromTask?: string;
  /** migrate, resume or restart: recorded on the run. */
  readonly command: 'migrate' | 'resume' | 'restart';
  readonly heartbeatMs: number;
  /** Seconds to wait for the run lock before exit 3. */
  readonly waitSeconds: number;
  /** How long status writes retry while the database cannot be reached (--db-retry, default 30 s). */
  readonly dbRetryMs?: number;
  /** A task running longer is cancelled and its stage errors. */
  readonly taskTimeoutMs?: number;
  /** Encoding of the task files (default utf-8, checked strictly; --encoding). */
  readonly encoding?: string;
  /** resume: continue although tasks of already-run stages changed since they ran (--allow-changed-tasks). */
  readonly allowChangedTasks?: boolean;
  /** --knexfile: where copy tasks (`.copy.json`) look up environment names. */
  readonly knexfile?: string;
  /** Aborted by the CLI on SIGINT/SIGTERM, with the signal name as reason. */
  readonly signal?: AbortSignal;
  readonly user: string;
  readonly host: string;
  readonly onEvent: OnRunEvent;
}

export interface StageOutcome {
  readonly stage: string;
  readonly status: 'success' | 'error' | 'skipped' | 'not-run';
  readonly seconds: number | null;
  readonly tasks: readonly string[];
}

export interface RunResult {
  readonly runId: number;
  /**
   * lost: the runner lost its hold on the run (its heartbeat could not be written for a stale
   * interval, the database stayed away past --db-retry, a forced reset or another session changed
   * its rows) and stopped itself; the CLI exits 2.
   */
  readonly outcome: 'success' | 'failed' | 'stopped' | 'lost';
  /** SIGINT or SIGTERM when a signal stopped the run. */
  readonly signal?: string;
  readonly stages: readonly StageOutcome[];
  readonly error?: string;
  readonly seconds: number;
}
