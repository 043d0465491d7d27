import type { Knex } from 'knex';

// Stand-ins for tedious's Connection and for knex, for the SQL Server tests that run without a server: they
// record what is sent and keep tedious's protocol state (LoggedIn -> SentClientRequest -> SentAttention ->
// LoggedIn, the request failing with ECANCEL once the server acknowledges the attention). They answer no SQL.

/** A tedious Connection stand-in: one request at a time, cancelled by ATTENTION, acknowledged after `ackMs`. */
export class FakeTedious {
  state = { name: 'LoggedIn' };
  inTransaction = false;
  readonly calls: string[] = [];
  private fail: ((error: Error) => void) | null = null;

  constructor(private readonly ackMs: number | null = 20) {}

  /** Starts a request that runs until cancelled. */
  run(): Promise<Record<string, unknown>[]> {
    this.state = { name: 'SentClientRequest' };
    const request = new Promise<Record<string, unknown>[]>((_resolve, reject) => (this.fail = reject));
    request.catch(() => undefined);
    return request;
  }

  cancel(): boolean {
    this.calls.push('cancel');
    if (this.state.name !== 'SentClientRequest') return false;
    this.state = { name: 'SentAttention' };
    if (this.ackMs !== null) {
      setTimeout(() => {
        this.state = { name: 'LoggedIn' };
        this.fail?.(Object.assign(new Error('Canceled.'), { code: 'ECANCEL' }));
      }, this.ackMs);
    }
    return true;
  }

  reset(callback: (error?: Error | null) => void): void {
    this.calls.push('reset');
    callback(this.state.name === 'LoggedIn' ? null : new Error(`EINVALIDSTATE ${this.state.name}`));
  }

  rollbackTransaction(callback: (error?: Error | null) => void): void {
    this.calls.push('rollback');
    this.inTransaction = false;
    callback(null);
  }
}

/** A knex stand-in recording every statement sent through it (a KILL would be one of them). */
export function recordingKnex(conn?: FakeTedious) {
  const sent: string[] = [];
  const transactions: unknown[] = [];
  const released: unknown[] = [];
  const knex = {
    raw: async (sql: string) => {
      sent.push(sql);
      return [];
    },
    client: {
      acquireConnection: async () => conn,
      releaseConnection: async (c: unknown) => void released.push(c),
    },
    transaction: async (config: { connection?: unknown }) => {
      transactions.push(config.connection);
      if (conn) conn.inTransaction = true;
      return {
        raw: (sql: string) => {
          sent.push(sql);
          const rows = conn?.run() ?? Promise.resolve([]);
          return Object.assign(rows, {
            async *stream() {
              yield { n: 1 };
              yield* await rows;
            },
          });
        },
        rollback: async () => {
          sent.push('rollback');
          if (conn) conn.inTransaction = false;
        },
      };
    },
  };
  return { knex: knex as unknown as Knex, sent, transactions, released };
}
