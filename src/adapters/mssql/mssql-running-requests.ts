/** The part of an mssql Request that a cancel uses. */
interface Cancellable {
  cancel(): unknown;
}

/**
 * The requests a copy reader or writer has sent on its connection and not yet seen end, so that a
 * signal can cancel them by the driver: mssql's `Request.cancel()` makes tedious send an ATTENTION on
 * the request's own connection; the statement ends with ECANCEL once the server acknowledges, and the
 * session stays (a request still waiting for the connection fails with ECANCEL when it gets it). No
 * statement is sent, so no KILL and no ALTER ANY CONNECTION.
 * https://github.com/tediousjs/node-mssql#cancel
 */
export class RunningRequests {
  private readonly running = new Set<Cancellable>();

  /** Runs `work` on `request`, counted as running from before it is sent until it settles. */
  async track<R extends Cancellable, T>(request: R, work: (request: R) => Promise<T>): Promise<T> {
    const done = this.add(request);
    try {
      return await work(request);
    } finally {
      done();
    }
  }

  /** Counts a request (a stream, which ends by events) as running; the function returned ends that. */
  add(request: Cancellable): () => void {
    this.running.add(request);
    return () => void this.running.delete(request);
  }

  /** Cancels every request running now; a connection with none is left alone. */
  cancel(): void {
    for (const request of this.running) request.cancel();
  }
}
