import { resolveConnection } from '../config/resolve-connection.js';
import { copyData, planCopy } from '../core/copy/copy-data.js';
import type { CopyOptions as CoreCopyOptions, CopyPlanResult } from '../core/copy/copy-types.js';
import { retryRejects } from '../core/copy/retry-rejects.js';
import { openDatabase, type Database } from '../core/database.js';
import { copyDocument, type CopyDocument } from './copy-document.js';
import { defaultSchema, whoAmI, type DatabaseOptions } from './database-options.js';
import { resolveSide, type SideSpec } from './sides.js';

/** Options of copy: the CLI's flags, with the databases as URLs or knexfile environments. */
export interface CopyOptions extends Omit<
  CoreCopyOptions,
  'source' | 'target' | 'ledger' | 'ledgerSchema' | 'user' | 'host' | 'mode' | 'chunkRows' | 'parallel'
> {
  readonly source: SideSpec;
  readonly target: SideSpec;
  readonly sourceSchema?: string;
  readonly targetSchema?: string;
  /** create: missing target tables; truncate: empty them first; append (default): add rows. */
  readonly mode?: CoreCopyOptions['mode'];
  /** Rows per chunk, one target transaction each (default 100000). */
  readonly chunkRows?: number;
  /** Chunks copied at the same time (default 2). */
  readonly parallel?: number;
  /**
   * Where the copy ledger lives (default: the target database) and its schema (default App; on
   * MySQL/MariaDB the URL's database).
   */
  readonly ledger?: DatabaseOptions;
  readonly knexfile?: string;
  readonly cwd?: string;
}

/** The copy plan: mapped columns, DDL and chunks per table (`dmr copy --plan --json`). */
export type CopyPlanDocument = CopyPlanResult;

async function withCopy<T>(options: CopyOptions, fn: (core: CoreCopyOptions) => Promise<T>): Promise<T> {
  const { source, target, sourceSchema, targetSchema, ledger, knexfile, cwd, mode, chunkRows, parallel, ...rest } =
    options;
  const [from, to] = await Promise.all([
    resolveSide(source, { knexfile, cwd }),
    resolveSide(target, { knexfile, cwd }),
  ]);
  const ledgerConnection =
    ledger && (ledger.url || ledger.env)
      ? await resolveConnection({ url: ledger.url, env: ledger.env, knexfile: ledger.knexfile, cwd: ledger.cwd })
      : null;
  const poolMax = (parallel ?? 2) * 2 + 2;
  const opened: Database[] = [];
  try {
    const s = await openDatabase(from, { poolMax });
    opened.push(s);
    const t = await openDatabase(to, { poolMax });
    opened.push(t);
    let ledgerDb: Database | undefined;
    if (ledgerConnection && ledgerConnection.display !== t.display) {
      ledgerDb = await openDatabase(ledgerConnection);
      opened.push(ledgerDb);
    }
    return await fn({
      ...rest,
      source: { database: s, ...(sourceSchema ? { schema: sourceSchema } : {}) },
      target: { database: t, ...(targetSchema ? { schema: targetSchema } : {}) },
      ...(ledgerDb ? { ledger: ledgerDb } : {}),
      ledgerSchema: ledger?.schema ?? (ledgerDb ?? t).defaultSchema ?? defaultSchema,
      mode: mode ?? 'append',
      chunkRows: chunkRows ?? 100_000,
      parallel: parallel ?? 2,
      ...whoAmI(),
    });
  } finally {
    await Promise.all(opened.map((d) => d.close().catch(() => undefined)));
  }
}

/** Copies tables between databases in resumable keyset chunks with type mapping (`dmr copy --json`). */
export async function copy(options: CopyOptions): Promise<CopyDocument> {
  return withCopy(options, async (core) =>
    copyDocument(core.retryRejects ? await retryRejects(core) : await copyData(core)),
  );
}

/** The plan of a copy, changing nothing (`dmr copy --plan --json`). */
export async function planCopyRun(options: CopyOptions): Promise<CopyPlanDocument> {
  return withCopy(options, (core) => planCopy(core));
}
