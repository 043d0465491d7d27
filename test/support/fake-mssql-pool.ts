import { EventEmitter } from 'node:events';
import type Mssql from 'mssql';

// A stand-in for an mssql ConnectionPool of one connection, for the SQL Server tests that run without a
// server: it records every request (its text, inputs and whether it ran in the transaction) and every call
// that reaches the driver (cancel, begin, commit, rollback, close). `select @@spid as id` answers the
// pool's session id; a statement matching `holds` runs until it is cancelled, then fails with ECANCEL after
// `ackMs` (tedious waits for the server to acknowledge the ATTENTION); anything else answers at once with
// `answer`. Like mssql's Transaction, a rollback while a request of the transaction runs is refused
// (EREQINPROG).

export interface SentRequest {
  readonly kind: 'query' | 'batch' | 'bulk';
  readonly sql: string;
  readonly inputs: [string, unknown][];
  readonly inTransaction: boolean;
  readonly stream: boolean;
}

const cancelled = () => Object.assign(new Error('Canceled.'), { code: 'ECANCEL' });

export class FakeMssqlPool {
  readonly sent: SentRequest[] = [];
  readonly calls: string[] = [];
  private readonly running = new Set<unknown>();

  constructor(
    private readonly options: {
      readonly spid?: number;
      readonly holds?: RegExp;
      readonly answer?: Record<string, unknown>[];
      readonly ackMs?: number;
    } = {},
  ) {}

  /** Requests running now (sent, not yet answered or cancelled). */
  get busy(): number {
    return this.running.size;
  }

  request(inTransaction = false): Mssql.Request {
    const inputs: [string, unknown][] = [];
    const emitter = new EventEmitter();
    let fail: ((error: Error) => void) | null = null;
    let done = false;
    const request = Object.assign(emitter, {
      stream: false,
      input: (name: string, value: unknown) => {
        inputs.push([name, value]);
        return request;
      },
      pause: () => undefined,
      resume: () => undefined,
      cancel: () => {
        this.calls.push('cancel');
        if (!fail || done) return true;
        const f = fail;
        setTimeout(() => f(cancelled()), this.options.ackMs ?? 10);
        return true;
      },
      query: (sql: string) =>
        this.run(
          request,
          'query',
          sql,
          inputs,
          inTransaction,
          (f) => (fail = f),
          () => (done = true),
        ),
      batch: (sql: string) =>
        this.run(
          request,
          'batch',
          sql,
          inputs,
          inTransaction,
          (f) => (fail = f),
          () => (done = true),
        ),
      bulk: async (table: Mssql.Table) => {
        await this.run(
          request,
          'bulk',
          `bulk ${table.path}`,
          inputs,
          inTransaction,
          (f) => (fail = f),
          () => (done = true),
        );
        return { rowsAffected: table.rows.length };
      },
    });
    return request as unknown as Mssql.Request;
  }

  transaction(): Mssql.Transaction {
    const transaction = {
      begin: async () => void this.calls.push('begin'),
      commit: async () => void this.calls.push('commit'),
      rollback: async () => {
        if (this.running.size)
          throw Object.assign(new Error('There is a request in progress.'), { code: 'EREQINPROG' });
        this.calls.push('rollback');
      },
      request: () => this.request(true),
    };
    return transaction as unknown as Mssql.Transaction;
  }

  async close(): Promise<void> {
    this.calls.push('close');
  }

  private run(
    request: EventEmitter & { stream: boolean },
    kind: SentRequest['kind'],
    sql: string,
    inputs: [string, unknown][],
    inTransaction: boolean,
    onFail: (fail: (error: Error) => void) => void,
    onDone: () => void,
  ): Promise<unknown> {
    this.sent.push({ kind, sql, inputs, inTransaction, stream: request.stream });
    const answer = sql === 'select @@spid as id' ? [{ id: this.options.spid ?? 61 }] : (this.options.answer ?? []);
    if (!this.options.holds?.test(sql)) {
      onDone();
      if (request.stream) setImmediate(() => request.emit('done', {}));
      return Promise.resolve({ recordset: answer, recordsets: [answer], rowsAffected: [answer.length] });
    }
    this.running.add(request);
    return new Promise((resolve, reject) => {
      onFail((error) => {
        this.running.delete(request);
        onDone();
        if (request.stream) {
          request.emit('error', error);
          request.emit('done', {});
          resolve(null);
        } else reject(error);
      });
    });
  }
}
