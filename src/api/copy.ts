import { resolveConnection } from '../config/resolve-connection.js';
import { copyData, planCopy } from '../core/copy/copy-data.js';
import type { CopyOptions as CoreCopyOptions, CopyPlanResult, CopyResult } from '../core/copy/copy-types.js';
import { rejectsWriter } from '../core/copy/rejects-file.js';
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
  /**
   * Write the rows the target refused to this CSV file (`--rejects`): the source's columns, then component,
   * referenceId, field, message; one file per table (`name.<table>.csv`) unless one table is copied.
   */
  readonly rejects?: string;
  readonly knexfile?: string;
  readonly cwd?: string;
}

/** The copy plan: mapped columns, DDL and chunks per table (`dmr copy --plan --json`). */
export type CopyPlanDocument = CopyPlanResult;

async function withCopy<T>(options: CopyOptions, fn: (core: CoreCopyOptions) => Promise<T>): Promise<T> {
  const {
    source,
    target,
    sourceSchema,
    targetSchema,
    ledger,
    rejects,
    knexfile,
    cwd,
    mode,
    chunkRows,
    parallel,
    ...rest
  } = options;
  const onReject = withRejectsFile(rest.onReject, rejectsWriter(rejects, Math.max(1, options.tables?.length || 2)));
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
      ...(onReject ? { onReject } : {}),
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

type OnReject = CoreCopyOptions['onReject'];

/** The caller's onReject and the --rejects file, both called for every rejected row. */
function withRejectsFile(onReject: OnReject, toFile: OnReject): OnReject {
  if (!onReject || !toFile) return onReject ?? toFile;
  return (reject) => {
    toFile(reject);
    onReject(reject);
  };
}

/**
 * The copy itself, as the result the CLI renders as its summary table: opens the databases, copies (or, with
 * retryRejects, reprocesses the rows rejected last time) and closes them before it returns.
 */
export async function copyTables(options: CopyOptions): Promise<CopyResult> {
  return withCopy(options, (core) => (core.retryRejects ? retryRejects(core) : copyData(core)));
}

/** Copies tables between databases in resumable keyset chunks with type mapping (`dmr copy --json`). */
export async function copy(options: CopyOptions): Promise<CopyDocument> {
  return copyDocument(await copyTables(options));
}

/** The plan of a copy, changing nothing (`dmr copy --plan --json`). */
export async function planCopyRun(options: CopyOptions): Promise<CopyPlanDocument> {
  return withCopy(options, (core) => planCopy(core));
}
