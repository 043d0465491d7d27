import { DatabaseLostError, LockLostError, isConnectionLost } from '../connection-loss.js';
import type { Database } from '../database.js';

/** How the bookkeeping lives through a lost database (--db-retry). */
export interface LossHandling {
  /** Milliseconds to keep retrying a write while the database cannot be reached. */
  readonly retryMs: number;
  /** Once per outage, with the cause: the runner stops its run. */
  onLoss(cause: string): void;
  /**
   * Before the first write after an outage: takes the run lock again on a new session and returns
   * its id (the lock is never assumed to have survived); throws LockLostError when another holds it.
   */
  reclaim(): Promise<string | null>;
}

/** What the bookkeeping says about its run when the database does not come back. */
export interface RunSide {
  readonly runId: () => number;
  /** `ods success, rds processing, report pending`. */
  readonly lastKnownState: () => string;
  /** Records the lock's new session on the run record (first thing after an outage). */
  readonly newSession: (session: string | null) => Promise<void>;
}

/**
 * Retries writes while the database cannot be reached, with backoff (0.25 s doubling to 2 s),
 * for --db-retry in all per outage. The first attempt after an outage takes the run lock again.
 */
export class OutageRetry {
  private lostSince: number | null = null;
  private lostCause = '';

  constructor(
    private readonly db: Database,
    private readonly loss: LossHandling,
    private readonly run: RunSide,
  ) {}

  /** True while an outage is on (no write has gone through since it began). */
  get inOutage(): boolean {
    return this.lostSince !== null;
  }

  /** Runs `attempt`, again after each connection loss, until it succeeds or --db-retry has passed. */
  async attempt<T>(attempt: () => Promise<T>, rethrow: (error: unknown) => boolean): Promise<T> {
    let delay = 250;
    for (;;) {
      try {
        if (this.lostSince !== null) {
          const session = await this.loss.reclaim();
          this.lostSince = null;
          await this.run.newSession(session);
        }
        return await attempt();
      } catch (error) {
        if (rethrow(error) || error instanceof LockLostError || !isConnectionLost(this.db.adapter, error)) throw error;
        if (this.lostSince === null) {
          this.lostSince = Date.now();
          this.lostCause = describeLoss(this.db, error);
          this.loss.onLoss(this.lostCause);
        }
        const left = this.lostSince + this.loss.retryMs - Date.now();
        if (left <= 0) throw this.lostError();
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  private lostError(): DatabaseLostError {
    const since = new Date(this.lostSince ?? Date.now()).toISOString();
    const seconds = Math.round(this.loss.retryMs / 1000);
    return new DatabaseLostError(
      `the database could not be reached for ${seconds} s (since ${since}: ${this.lostCause}); ` +
        `nothing more of run ${this.run.runId()} could be recorded. Last known state: ${this.run.lastKnownState()}`,
      'once the database is reachable, run `dmr doctor`; `dmr doctor --fix --yes` records what happened ' +
        '(--db-retry waits longer)',
    );
  }
}

/** The driver's words without the query knex puts before them, and the code. */
function describeLoss(db: Database, error: unknown): string {
  const detail = db.adapter.describeError(error);
  const text =
    /^(update|select|insert|begin|commit)[ ;]/i.test(detail.message) && detail.message.includes(' - ')
      ? detail.message.slice(detail.message.indexOf(' - ') + 3)
      : detail.message;
  return `${text}${detail.code ? ` (${detail.code})` : ''}`;
}
