import type { JobAction } from '../jobs/job-actions.js';
import type { JobStatus } from '../status/status-codes.js';

type Severity = 'problem' | 'warning';

type RuleName =
  'stuck' | 'failed' | 'overdue' | 'order' | 'orphaned-lock' | 'schema' | 'late-heartbeat' | 'copy-ledger';

/** One thing doctor saw, with what it saw and the command that addresses it. */
export interface Finding {
  /** Stable id, e.g. `stuck:rds`, `failed:rds`, `orphaned-lock`, `schema:missing-status:success`. */
  readonly id: string;
  readonly rule: RuleName;
  readonly severity: Severity;
  /** Stage code the finding is about, or null for database-wide findings. */
  readonly stage: string | null;
  readonly message: string;
  /** The facts the rule judged (statuses, heartbeat age, liveness, last error...). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Recommended next step, as a command to run. */
  readonly action: string;
}

/** The job as doctor sees it: the latest run's status and what the user may do now. */
export interface JobView {
  readonly runId: number | null;
  /** Died when the run is unfinished and its runner is dead; else the status the run record holds. */
  readonly status: JobStatus;
  /** The status the run record holds (Running for a run that died without a word). */
  readonly recordedStatus: JobStatus;
  /** True when a runner is alive: its session holds the run lock and its process is present (heartbeat aside). */
  readonly live: boolean;
  readonly allowedActions: readonly JobAction[];
}

/** doctor's answer; `--json` prints it as is. */
export interface DoctorReport {
  /** No problems (warnings allowed): exit 0. */
  readonly healthy: boolean;
  readonly problems: number;
  readonly warnings: number;
  readonly findings: readonly Finding[];
  readonly job: JobView;
  readonly checkedAt: string;
}

/** Thresholds; defaults suit production, tests pass short ones. */
export interface DiagnoseOptions {
  /** A stage Generate set processing/pending, with none of its sessions busy, is stuck once its trigger is this old. */
  readonly generateGraceMs: number;
  /** Processing longer than this many times the usual duration is overdue. */
  readonly overdueFactor: number;
}

export const defaultDiagnoseOptions: DiagnoseOptions = { generateGraceMs: 60_000, overdueFactor: 3 };
