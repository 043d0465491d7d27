import type { CopyDialect, CopyReader } from '../../adapters/copy-dialect.js';
import type { Database } from '../database.js';
import { StoppedError, type ActiveSession } from './copy-chunk.js';
import type { CopyLedger } from './copy-ledger.js';
import type { CopyOptions } from './copy-types.js';

/** The open sides of a copy run and its ledger, shared by every table. */
export interface CopyContext {
  readonly options: CopyOptions;
  readonly source: { readonly dialect: CopyDialect; readonly database: Database; readonly schema?: string };
  readonly target: { readonly dialect: CopyDialect; readonly database: Database; readonly schema?: string };
  readonly ledger: CopyLedger;
  /** Sessions whose statements a signal cancels: chunk readers and writers, and the counts of the preparation. */
  readonly active?: Set<ActiveSession>;
}

/**
 * A reader for a count or key bounds on one side, cancelled like a chunk's by a signal while it works: counting
 * a large table, or one a lock holds, can take minutes before the first chunk, and Ctrl-C must not wait for it.
 */
export async function withReader<T>(
  ctx: CopyContext,
  side: 'source' | 'target',
  work: (reader: CopyReader) => Promise<T>,
): Promise<T> {
  const { dialect, database } = ctx[side];
  const reader = await dialect.openReader(database.knex);
  ctx.active?.add(reader);
  try {
    const signal = ctx.options.signal;
    if (signal?.aborted) throw new StoppedError(String(signal.reason ?? 'signal'));
    return await work(reader);
  } finally {
    ctx.active?.delete(reader);
    await reader.close();
  }
}
