import path from 'node:path';
import { resolveConnectionSpec } from '../../config/connection-spec.js';
import { redactSecrets } from '../../config/redact.js';
import type { ResolvedConnection } from '../../config/resolve-connection.js';
import { copyData } from '../copy/copy-data.js';
import type { CopyEvent, CopyOptions, CopyResult } from '../copy/copy-types.js';
import { rejectsWriter } from '../copy/rejects-file.js';
import { retryRejects } from '../copy/retry-rejects.js';
import { openDatabase, type Database } from '../database.js';
import { DmrError } from '../errors.js';
import { readCopyTask, type CopyTaskSpec } from './copy-task-spec.js';
import type { Task } from './discover-tasks.js';
import type { BeforeCommit } from './run-task.js';
import type { TaskFailure } from './task-error.js';

/** What a copy task needs from the run it belongs to. */
export interface CopyTaskRun {
  /** The run's status schema: the copy ledger lives there, next to the stage statuses, so doctor sees it. */
  readonly schema: string;
  /** --knexfile of the run: where environment names in `source`/`target` are looked up. */
  readonly knexfile?: string;
  readonly user: string;
  readonly host: string;
  /** Progress for people; transient lines only update a terminal's spinner. */
  readonly onProgress?: (message: string, transient: boolean) => void;
}

/**
 * Runs a `.copy.json` task: `dmr copy` with the file's options, from its source into the run's
 * database (or `target`), with the ledger in the run's status schema. It is not one
 * transaction: each chunk commits on its own, and running the task again (dmr resume) copies
 * only the chunks that are not done. Resolves to null when every row was copied and the counts
 * agree, else to the failure; never throws.
 */
export async function runCopyTask(
  db: Database,
  task: Task,
  signal: AbortSignal,
  run: CopyTaskRun,
  beforeCommit?: BeforeCommit,
): Promise<TaskFailure | null> {
  const fail = (message: string, line?: number, checksum?: string): TaskFailure => ({
    stage: task.stage,
    task: task.name,
    file: task.file,
    message: redactSecrets(message),
    ...(line ? { line } : {}),
    ...(checksum ? { checksum } : {}),
  });
  let read: ReturnType<typeof readCopyTask>;
  try {
    read = readCopyTask(task.file);
  } catch (error) {
    return fail(`cannot read the task file: ${(error as Error).message}`);
  }
  const { spec, checksum } = read;
  const [refusal] = read.refusals;
  if (!spec || refusal) return fail(refusal?.message ?? 'not a copy task', refusal?.line, checksum);
  const baseDir = path.dirname(task.file);
  const opened: Database[] = [];
  try {
    const poolMax = spec.parallel * 2 + 2;
    const sourceConnection = await resolveConnectionSpec(spec.source, {
      baseDir,
      ...(run.knexfile ? { knexfile: run.knexfile } : {}),
    });
    const source = await openDatabase(sourceConnection, { poolMax, readOnly: true, dataSide: true });
    opened.push(source);
    const targetConnection = spec.target
      ? await resolveConnectionSpec(spec.target, { baseDir, ...(run.knexfile ? { knexfile: run.knexfile } : {}) })
      : sameDatabase(db);
    const target = await openDatabase(targetConnection, { poolMax });
    opened.push(target);
    const options: CopyOptions = {
      source: { database: source, ...(spec.sourceSchema ? { schema: spec.sourceSchema } : {}) },
      target: { database: target, ...(spec.targetSchema ? { schema: spec.targetSchema } : {}) },
      ...(target.display !== db.display ? { ledger: db } : {}),
      ledgerSchema: run.schema,
      ...(spec.tables.length ? { tables: spec.tables } : {}),
      ...(spec.where ? { where: spec.where } : {}),
      mode: spec.mode,
      chunkRows: spec.chunkRows,
      parallel: spec.parallel,
      casts: spec.casts,
      verify: spec.verify,
      signal,
      user: run.user,
      host: run.host,
      onEvent: progress(run.onProgress),
      onReject: rejectsWriter(
        spec.rejects ? path.resolve(baseDir, spec.rejects) : undefined,
        Math.max(1, spec.tables.length || 2),
      ),
    };
    const result = spec.retryRejects ? await retryRejects(options) : await copyData(options);
    const unfinished = incomplete(result, spec);
    if (unfinished) return fail(unfinished, undefined, checksum);
    await beforeCommit?.(db.knex, { checksum, transactional: false });
    return null;
  } catch (error) {
    if (error instanceof DmrError)
      return fail(`${error.message}${error.hint ? ` (${error.hint})` : ''}`, undefined, checksum);
    return fail((error as Error).message, undefined, checksum);
  } finally {
    await Promise.all(opened.map((d) => d.close().catch(() => undefined)));
  }
}

/** The run's own database as a connection of its own (the copy gets its own pool, sized for its chunks). */
function sameDatabase(db: Database): ResolvedConnection {
  const { pool: _pool, ...config } = db.knex.client.config as Record<string, unknown>;
  return { dialect: db.dialect, knexConfig: config, display: db.display, source: 'the database dmr migrate runs on' };
}

/** Why the copy is not done, in one line; null when every table was copied (and verified, if asked). */
function incomplete(result: CopyResult, spec: CopyTaskSpec): string | null {
  if (result.status === 'stopped')
    return `stopped by ${result.signal ?? 'a signal'}; dmr resume copies only the chunks not done`;
  const problems = result.tables
    .filter((t) => t.outcome !== 'copied')
    .map((t) => {
      const name = t.table === t.targetTable ? t.table : `${t.table} -> ${t.targetTable}`;
      if (t.outcome === 'rejects')
        return (
          `${name}: ${t.rowsRejected} rows rejected by the target (kept in the copy ledger's rejects table` +
          `${spec.rejects ? ` and ${spec.rejects}` : ''}; fix the target, then run the task with "retryRejects": true)`
        );
      return `${name}: ${t.outcome.replace('_', ' ')}${t.error ? `: ${t.error}` : ''}`;
    });
  if (result.verify && result.verify.status !== 'equal')
    problems.push(`verify found the tables ${result.verify.status}`);
  if (problems.length === 0) return null;
  const rerun = result.tables.some((t) => t.outcome === 'failed') ? '; dmr resume copies only the chunks not done' : '';
  return `copy incomplete: ${problems.join('; ')}${rerun}`;
}

/** Copy events as progress lines: a line per table and notice, a throttled transient line per chunk. */
function progress(onProgress: CopyTaskRun['onProgress']): ((event: CopyEvent) => void) | undefined {
  if (!onProgress) return undefined;
  const rows = new Map<string, { rows: number; since: number; shown: number }>();
  return (event) => {
    switch (event.type) {
      case 'table-start':
        rows.set(event.table, { rows: 0, since: Date.now(), shown: 0 });
        onProgress(
          `copy ${event.table}${event.targetTable === event.table ? '' : ` -> ${event.targetTable}`}: ` +
            `${event.chunkKind === 'keyset' ? 'keyset chunks' : `${event.chunks} ${event.chunkKind} chunk(s)`}` +
            `${event.skipped ? `, ${event.skipped} already copied` : ''}`,
          false,
        );
        break;
      case 'chunk-done': {
        const t = rows.get(event.table) ?? { rows: 0, since: Date.now(), shown: 0 };
        t.rows += event.rows;
        rows.set(event.table, t);
        if (Date.now() - t.shown < 1000) break;
        t.shown = Date.now();
        const perSecond = t.rows / Math.max(0.001, (Date.now() - t.since) / 1000);
        onProgress(`copy ${event.table}: ${t.rows} rows, ${Math.round(perSecond)} rows/s`, true);
        break;
      }
      case 'notice':
        onProgress(`copy ${event.table}: ${event.message}`, false);
        break;
      case 'table-done': {
        const s = event.summary;
        onProgress(
          `copy ${s.table}: ${s.outcome}, ${s.rowsCopied} rows copied` +
            `${s.chunksSkipped ? ` (${s.chunksSkipped} chunks skipped: done before)` : ''}` +
            `${s.rowsRejected ? `, ${s.rowsRejected} rejected` : ''} in ${s.seconds.toFixed(1)} s`,
          false,
        );
        break;
      }
    }
  };
}
