import type { HeartbeatStatement } from '../../adapters/heartbeat-client.js';

/** What the heartbeat worker is started with (structured-cloned into the thread). */
export interface HeartbeatJob {
  /** The engine's heartbeat client module (file URL): the one module of dmr's adapters the worker loads. */
  readonly client: string;
  /** The driver's connection settings, as the run's own pool connects (password included). */
  readonly settings: Record<string, unknown>;
  /** The database, redacted, for the message when the worker cannot connect. */
  readonly display: string;
  readonly intervalMs: number;
  /** After this long without a heartbeat written, the worker reports the heartbeat lost. */
  readonly lostAfterMs: number;
}

/** The run's heartbeat, compiled on the main thread (`RunStore.beatStatements`). */
export interface BeatStatements {
  /** Sets HeartbeatAt of the unfinished run; its one Date value is replaced by the time of each beat. */
  readonly update: HeartbeatStatement;
  /** Reads StopRequested and FinishedAt of the run. */
  readonly read: HeartbeatStatement;
}

/** What the worker tells the runner. */
export type HeartbeatReport =
  /** A heartbeat was written; `closed` when the run record was finished by someone else (it was not updated). */
  | { readonly type: 'beat'; readonly stopRequested: boolean; readonly closed: boolean }
  /** A write failed; the worker keeps trying until `lostAfterMs`. */
  | { readonly type: 'failed'; readonly message: string }
  /** No heartbeat written for `lostAfterMs`: the runner must stop. */
  | { readonly type: 'lost'; readonly message: string; readonly lastBeatAt: string }
  /** The worker closed its connection after a stop message. */
  | { readonly type: 'closed' };

/**
 * What the runner tells the worker: the run to beat for, with its statements (the worker starts
 * before the run record exists, so its thread and connection are ready by then), and stop.
 */
export type HeartbeatCommand =
  { readonly type: 'run'; readonly runId: number; readonly statements: BeatStatements } | { readonly type: 'stop' };

/**
 * A copy of the driver's settings that survives structured cloning: functions (a knexfile's hooks,
 * type casts) do not cross into a thread and are left out; the worker only writes one row.
 */
export function cloneable(settings: Record<string, unknown>): Record<string, unknown> {
  return plain(settings) as Record<string, unknown>;
}

function plain(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const copy = plain(v);
    if (copy !== undefined) out[key] = copy;
  }
  return out;
}
