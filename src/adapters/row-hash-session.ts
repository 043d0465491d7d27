/** Thrown by a session's next query once it was cancelled. */
class SessionCancelledError extends Error {
  readonly code = 'DMR_CANCELLED';

  constructor() {
    super('the verify query was cancelled');
  }
}

const cancelPatienceMs = 10_000;
const cancelRetryMs = 250;

/**
 * What a pinned hash session is running on the server, so that `cancel()` can stop it from
 * another connection. The cancel is repeated while a statement is still running: a statement
 * sent just before the first cancel reached the server would otherwise run to its end.
 */
export class SessionGuard {
  private running = 0;
  private cancelled = false;

  /** `cancelOnServer`: sends the engine's cancel for this session's connection (pg_cancel_backend, KILL QUERY). */
  constructor(private readonly cancelOnServer: () => Promise<unknown>) {}

  /** Runs one server statement (or a stream of them) under the guard. */
  async run<T>(statement: () => Promise<T>): Promise<T> {
    this.check();
    this.running++;
    try {
      return await statement();
    } finally {
      this.running--;
    }
  }

  /** Streams rows while counting the stream as one running statement. */
  async *stream<T>(rows: () => AsyncIterable<T>): AsyncGenerator<T> {
    this.check();
    this.running++;
    try {
      yield* rows();
    } finally {
      this.running--;
    }
  }

  /** Throws once the session was cancelled. */
  check(): void {
    if (this.cancelled) throw new SessionCancelledError();
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    const deadline = Date.now() + cancelPatienceMs;
    while (this.running > 0 && Date.now() < deadline) {
      await this.cancelOnServer().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, cancelRetryMs));
    }
  }
}

/** Whether an error is the guard's own refusal after a cancel. */
export function isSessionCancelled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'DMR_CANCELLED';
}
