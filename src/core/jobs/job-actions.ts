import { LockHeldError, UsageError } from '../errors.js';
import { jobStatuses, type JobStatus } from '../status/status-codes.js';

/** What a user may ask of a job (seed 003), mapped to dmr commands. */
export type JobAction = 'start' | 'stop' | 'resume' | 'restart' | 'repair';

/** The command each action runs. */
const actionCommand: Readonly<Record<JobAction, string>> = {
  start: 'dmr migrate',
  stop: 'dmr stop',
  resume: 'dmr resume',
  restart: 'dmr restart',
  repair: 'dmr doctor --fix --yes',
};

/**
 * Actions allowed per job status of the latest run record (no record: NotStarted). Transitional
 * statuses (Starting, Resuming, Restarting, Running...) of a live run allow only stop; Stopping
 * allows nothing but waiting. A run whose runner died is `Died` whatever its record says, and
 * allows only the recovery: `dmr doctor --fix --yes` records it Failed, then resume or restart.
 */
const allowedActionsByStatus: Readonly<Record<JobStatus, readonly JobAction[]>> = {
  NotStarted: ['start', 'resume', 'restart'],
  Starting: ['stop'],
  Running: ['stop'],
  RunningWithErrors: ['stop'],
  Completed: ['start', 'restart'],
  Failed: ['start', 'resume', 'restart'],
  Stopping: [],
  Stopped: ['start', 'resume', 'restart'],
  Resuming: ['stop'],
  Restarting: ['stop'],
  Died: ['repair'],
};

export function allowedActions(status: JobStatus): readonly JobAction[] {
  return allowedActionsByStatus[status] ?? [];
}

/** The status table as rows, for `dmr status --json`, doctor output and the README. */
export function jobActionTable(): { status: JobStatus; actions: readonly JobAction[] }[] {
  return jobStatuses.map((status) => ({ status, actions: allowedActions(status) }));
}

/**
 * Refuses an action the job's status does not allow, naming the allowed ones: exit 3 when the
 * reason is a live run (the run lock is held), exit 2 otherwise.
 */
export function assertActionAllowed(
  action: JobAction,
  status: JobStatus,
  context: { runId: number | null; live: boolean },
): void {
  const allowed = allowedActions(status);
  if (allowed.includes(action)) return;
  const run = context.runId === null ? 'no run recorded' : `run ${context.runId} is ${status}`;
  const list = allowed.length
    ? allowed.map((a) => `${a} (\`${actionCommand[a]}\`)`).join(', ')
    : 'none: wait for it to end';
  const died = '; its runner is dead: `dmr doctor` shows why, `dmr doctor --fix --yes` records it';
  const dead = status === 'Died' ? died : '';
  const message = `cannot ${action}: ${run}${context.live ? ' (live)' : ''}`;
  if (context.live) throw new LockHeldError(message, `allowed now: ${list}`);
  throw new UsageError(message, `allowed now: ${list}${dead}`);
}
