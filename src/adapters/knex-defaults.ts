import type { Knex } from 'knex';

/** Waiting longer for a pooled connection than this is a problem to report, not to sit through. */
const acquireTimeoutMillis = 15_000;

/**
 * The part of a knex config every engine shares: the pool (the engine's own first, then the user's),
 * the acquire timeouts, and a silent logger (dmr reports database errors itself, once; knex's logger
 * would print them again on stdout).
 */
export function withKnexDefaults(
  base: Knex.Config,
  connection: Record<string, unknown>,
  pool: Knex.PoolConfig,
): Knex.Config {
  return {
    ...base,
    connection,
    pool: { ...pool, ...(base.pool ?? {}), acquireTimeoutMillis },
    acquireConnectionTimeout: acquireTimeoutMillis,
    log: { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined },
  };
}

/** A copy of a config's connection options, to add defaults to. */
export function connectionOf(config: Knex.Config): Record<string, unknown> {
  return { ...((config.connection ?? {}) as Record<string, unknown>) };
}
