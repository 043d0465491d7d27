import type { Database } from '../database.js';
import type { RunningTask } from '../tasks/run-task.js';
import type { OnRunEvent } from './run-events.js';

/**
 * Why a run stops before its end: a signal (SIGINT/SIGTERM), `dmr stop`, or the runner losing
 * its hold on the run (heartbeat lost, rows changed by someone else, database gone). Lost is
 * the CLI's exit 2; the others are stops.
 */
export type StopKind = 'signal' | 'request' | 'lost';

/** One stop per run: the first reason wins, the running statement is cancelled on the server. */
export class RunStop {
  private readonly controller = new AbortController();
  private stopKind: StopKind | null = null;
  /** The statement running now (its server session), for cancelling it. */
  readonly running: RunningTask = { sessionId: null };

  constructor(
    private readonly db: Database,
    private readonly onEvent: OnRunEvent,
    private readonly onStopping: () => void,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get kind(): StopKind | null {
    return this.stopKind;
  }

  get reason(): string | undefined {
    return this.controller.signal.aborted ? String(this.controller.signal.reason) : undefined;
  }

  request(kind: StopKind, reason: string): void {
    if (this.controller.signal.aborted) return;
    this.stopKind = kind;
    this.controller.abort(reason);
    this.onEvent({ type: 'stopping', reason });
    this.onStopping();
    this.cancelRunning();
  }

  /** Cancels the running statement on the server, leaving its session open (the task then rolls back). */
  cancelRunning(): void {
    const { adapter, knex } = this.db;
    const session = this.running.sessionId;
    if (!session || !adapter.capabilities.cancelStatement) return;
    adapter.cancelStatement(knex, session, this.running.connection).catch((error: unknown) => {
      this.onEvent({ type: 'warning', message: `could not cancel the running statement: ${(error as Error).message}` });
    });
  }
}
