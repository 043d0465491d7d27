import type { Knex } from 'knex';

/** The parts of a tedious Connection (what knex's mssql client hands out) that dmr uses. */
export interface TediousConnection {
  /** tedious' protocol state: `LoggedIn` (idle), `SentClientRequest`, `SentAttention`, `Final` (closed)... */
  readonly state: { readonly name: string };
  /** Sends an ATTENTION for the running request; false when none runs or it was cancelled already. */
  cancel(): boolean;
  /** The next request carries RESETCONNECTION (sp_reset_connection on the server). */
  reset(callback: (error?: Error | null) => void): void;
  /** Whether the server reported an open transaction (tedious follows its ENVCHANGE tokens). */
  readonly inTransaction?: boolean;
  /** Rolls the open transaction back by a transaction manager request, keeping tedious' transaction state true. */
  rollbackTransaction(callback: (error?: Error | null) => void): void;
}

const settleEveryMs = 10;

/**
 * Cancels the statement running on a connection by the driver: tedious sends an ATTENTION on the
 * connection's own socket, the server stops the statement and acknowledges, and the session stays
 * open (its transaction too, until rolled back or reset). A T-SQL KILL from another session would
 * end the session instead, and needs ALTER ANY CONNECTION.
 * https://tediousjs.github.io/tedious/api-connection.html#function_cancel and the ATTENTION message of
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-tds/
 */
export function cancelRequest(connection: TediousConnection): boolean {
  return connection.cancel();
}

/**
 * Waits until a connection runs no request, so that the next one (a rollback, a reset) can be
 * sent: a request still running is cancelled (the work that sent it is over), a cancelled one
 * is waited for until the server acknowledges the attention. tedious closes the connection when
 * that takes longer than its cancelTimeout (5 s by default). Throws when the connection is
 * closed or not idle within `patienceMs`; the caller then discards it.
 */
export async function settleConnection(connection: TediousConnection, patienceMs = 10_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const state = connection.state.name;
    if (state === 'LoggedIn') return;
    if (state !== 'SentClientRequest' && state !== 'SentAttention') {
      throw new Error(`the SQL Server connection cannot take a request (tedious state ${state})`);
    }
    if (Date.now() >= deadline) {
      throw new Error(`the SQL Server connection still runs a request after ${patienceMs} ms (tedious state ${state})`);
    }
    if (state === 'SentClientRequest') cancelRequest(connection);
    await new Promise((resolve) => setTimeout(resolve, settleEveryMs));
  }
}

/**
 * Returns a connection to a clean session: settles it, rolls back a transaction left open (a
 * stopped task's, whose own rollback found the cancelled statement still running), then resets
 * it. tedious's reset(): the next request carries the RESETCONNECTION flag, which runs
 * sp_reset_connection on the server (settings, temp tables, open transaction).
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-tds/ (RESETCONNECTION)
 */
export async function resetConnection(connection: TediousConnection): Promise<void> {
  await settleConnection(connection);
  const done = (resolve: () => void, reject: (error: Error) => void) => (error?: Error | null) =>
    error ? reject(error) : resolve();
  if (connection.inTransaction) {
    await new Promise<void>((resolve, reject) => connection.rollbackTransaction(done(resolve, reject)));
  }
  await new Promise<void>((resolve, reject) => connection.reset(done(resolve, reject)));
}

/** The part of knex's mssql client that builds the tedious configuration it connects with. */
interface KnexMssqlClient {
  _generateConnection(): Record<string, unknown> & { authentication?: { options?: Record<string, unknown> } };
}

/**
 * The tedious configuration knex's mssql client connects with (its `_generateConnection`: server,
 * authentication, options with dmr's appName and timeouts), for a tedious connection of dmr's own.
 * knex hides the password from enumeration, so that logs never show it: it is copied by name.
 */
export function tediousConfig(knex: Knex): Record<string, unknown> {
  const config = (knex.client as unknown as KnexMssqlClient)._generateConnection();
  const auth = config.authentication;
  if (!auth?.options) return { ...config };
  return { ...config, authentication: { ...auth, options: { ...auth.options, password: auth.options.password } } };
}
