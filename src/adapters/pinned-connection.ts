import type { Knex } from 'knex';

/**
 * A connection taken out of knex's pool and kept: a session lock must be taken and released
 * on the same server session, which a pooled query cannot promise.
 */
export class PinnedConnection {
  private connection: unknown = null;

  constructor(private readonly knex: Knex) {}

  async acquire(): Promise<unknown> {
    this.connection ??= await this.knex.client.acquireConnection();
    return this.connection;
  }

  get current(): unknown {
    return this.connection;
  }

  async release(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (connection) await this.knex.client.releaseConnection(connection);
  }
}

/**
 * Makes knex's pool close `connection` instead of handing it out again (its validate step
 * refuses a connection marked this way): for a session that could not be reset.
 */
export function discardConnection(connection: unknown): void {
  if (connection && typeof connection === 'object') {
    (connection as { __knex__disposed?: string }).__knex__disposed = 'discarded by dmr';
  }
}
