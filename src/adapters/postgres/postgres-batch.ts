import { StatementBatchError } from '../dialect-adapter.js';

/** The part of pg's connection a submitted query talks to. */
interface PgWire {
  query(text: string): void;
  sendCopyFail(message: string): void;
}

/**
 * A simple-query message whose results are dropped as they arrive: pg's own Query builds a
 * Result object for every statement of a multi-statement text (a batch of 1,000 INSERTs makes
 * 1,000 of them), which a task runner never reads. It counts the statements that completed and
 * settles at ReadyForQuery, or at the first error, as pg's Query does (pg sends nothing else
 * before ReadyForQuery).
 */
class DiscardingQuery {
  private settled = false;
  private completed = 0;

  constructor(
    private readonly text: string,
    private readonly onDone: (error: StatementBatchError | null) => void,
  ) {}

  submit(connection: PgWire): void {
    connection.query(this.text);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  handleCommandComplete(): void {
    this.completed++;
  }

  handleEmptyQuery(): void {
    this.completed++;
  }

  /** COPY ... FROM STDIN has no data in a task file: the server is told so and the statement fails. */
  handleCopyInResponse(connection: PgWire): void {
    connection.sendCopyFail('COPY FROM STDIN needs data that a task file cannot send');
  }

  handleError(error: Error): void {
    this.settle(new StatementBatchError(error, this.completed));
  }

  handleReadyForQuery(): void {
    this.settle(null);
  }

  private settle(error: StatementBatchError | null): void {
    if (this.settled) return;
    this.settled = true;
    this.onDone(error);
  }
}

/** Runs a text of statements on a pg client, dropping their results; rejects with a StatementBatchError. */
export function queryDiscarding(client: unknown, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    (client as { query(submittable: DiscardingQuery): unknown }).query(
      new DiscardingQuery(text, (error) => (error ? reject(error) : resolve())),
    );
  });
}
