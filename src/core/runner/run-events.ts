import type { StatusCode } from '../status/status-codes.js';

/** Progress of a run, sent to the caller's onEvent (the CLI draws spinners or lines from it). */
export type RunEvent =
  | { readonly type: 'lock-waiting'; readonly holder: string }
  | { readonly type: 'run-started'; readonly runId: number; readonly stages: readonly string[] }
  | {
      readonly type: 'stage-started';
      readonly stage: string;
      readonly tasks: number;
      /** What the stage took before (its tasks' last durations, else LastDurationInSeconds); null when unknown. */
      readonly estimatedSeconds: number | null;
    }
  | {
      readonly type: 'task-started';
      readonly stage: string;
      readonly task: string;
      /** Task k (1-based) of n in this stage. */
      readonly index: number;
      readonly of: number;
      /** Expected seconds left in the stage, this task included (earlier runs' durations); null when unknown. */
      readonly etaSeconds: number | null;
    }
  | {
      readonly type: 'task-finished';
      readonly stage: string;
      readonly task: string;
      readonly seconds: number;
      readonly ok: boolean;
    }
  /** A line from inside a task (copy tasks: per table; transient: a terminal's spinner only). */
  | {
      readonly type: 'task-progress';
      readonly stage: string;
      readonly task: string;
      readonly message: string;
      readonly transient: boolean;
    }
  | { readonly type: 'stage-finished'; readonly stage: string; readonly status: StatusCode; readonly seconds: number }
  | { readonly type: 'stopping'; readonly reason: string }
  | { readonly type: 'warning'; readonly message: string };

export type OnRunEvent = (event: RunEvent) => void;
