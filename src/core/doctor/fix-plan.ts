import type { JobStatus } from '../status/status-codes.js';

/** One change doctor --fix or reset would make; each one writes a history line when applied. */
export type FixChange =
  | {
      readonly kind: 'stage-status';
      readonly stage: string;
      readonly typeId: number;
      readonly fromId: number;
      readonly from: string;
      readonly toId: number;
      readonly to: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'finish-run';
      readonly runId: number;
      readonly from: JobStatus;
      readonly to: 'Failed';
      readonly reason: string;
    }
  | { readonly kind: 'terminate-session'; readonly sessionId: string; readonly reason: string }
  /** A copy chunk left processing by a dead copy, back to pending (rules/copy-ledger-rule.ts). */
  | {
      readonly kind: 'copy-chunk';
      readonly copyId: number;
      readonly chunkNo: number;
      readonly table: string;
      readonly attempts: number;
      readonly reason: string;
    };

/** What a fix would do: the changes, in order, and what it leaves to the user. */
export interface FixPlan {
  /** Who proposes it, written in history: `doctor --fix` or `reset`. */
  readonly source: string;
  readonly changes: readonly FixChange[];
  /** Findings (ids) with no safe automatic fix, and their recommended commands. */
  readonly notFixed: readonly { readonly id: string; readonly action: string }[];
  /** Extra words for the user (e.g. `--to success` may leave incomplete data). */
  readonly warnings: readonly string[];
}

/** The result of applying a plan. */
export interface FixResult {
  readonly applied: readonly FixChange[];
  /** Changes not made: the state moved on since the plan was made, or --force was missing. */
  readonly skipped: readonly { readonly change: FixChange; readonly why: string }[];
  /** True when the run lock could not be taken because an orphan held it (fixes applied under its shadow). */
  readonly lockHeldByOrphan: boolean;
}

/** One line describing a change, as shown in the plan and written to history. */
export function describeChange(change: FixChange): string {
  switch (change.kind) {
    case 'stage-status':
      return `${change.stage} ${change.from} -> ${change.to}: ${change.reason}`;
    case 'finish-run':
      return `run ${change.runId} ${change.from} -> ${change.to}: ${change.reason}`;
    case 'terminate-session':
      return `terminate server session ${change.sessionId}: ${change.reason}`;
    case 'copy-chunk':
      return `copy ${change.copyId} chunk ${change.chunkNo} (${change.table}) processing -> pending: ${change.reason}`;
  }
}
