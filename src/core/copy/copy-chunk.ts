import type { CopyCancel, CopyDialect, CopyLine, CopyWriter, KeyRange, ReadSpec } from '../../adapters/copy-dialect.js';
import { LineBatch, splitLine } from '../../adapters/copy-line.js';
import type { Database } from '../database.js';
import type { CopyLedger, RejectRecord } from './copy-ledger.js';
import type { TablePlan } from './copy-plan.js';
import type { RejectedRow } from './copy-types.js';

/** What a chunk needs besides its range: both engines, the plan, the ledger and where to report. */
export interface ChunkContext {
  readonly source: { readonly dialect: CopyDialect; readonly database: Database };
  readonly target: { readonly dialect: CopyDialect; readonly database: Database };
  readonly plan: TablePlan;
  readonly ledger: CopyLedger;
  readonly copyId: number;
  readonly where?: string;
  readonly host: string;
  readonly signal?: AbortSignal;
  /** Readers and writers open now, so a signal can cancel their statements. */
  readonly active: Set<ActiveSession>;
  readonly onReject?: (reject: RejectedRow) => void;
  readonly onProgress?: (rows: number, bytes: number) => void;
}

/** An open reader or writer: a signal cancels the statement on its own connection, by its driver. */
export type ActiveSession = CopyCancel;

export interface ChunkOutcome {
  readonly rows: number;
  readonly rejected: number;
  readonly read: number;
  readonly bytes: number;
  /** Keyset chunks: the last key read (the next chunk starts after it); null when none was read. */
  readonly lastKey: string[] | null;
  readonly rejects: readonly RejectedRow[];
}

/** Rows loaded one by one when a sub-batch is refused. */
const isolationBatch = 500;

/** The key values of a line (keyset paging and reject reference ids). */
function keyOf(plan: TablePlan, line: CopyLine): string[] {
  const fields = splitLine(line);
  return plan.key.map((k) => fields[plan.source.columns.findIndex((c) => c.name === k)] ?? '');
}

export class StoppedError extends Error {
  constructor(readonly signalName: string) {
    super(`cancelled by ${signalName}`);
  }
}

/** The chunk's commit answer was lost but the ledger shows it landed (counted as copied by the caller). */
export class LandedError extends Error {
  constructor(readonly chunkNo: number) {
    super(`chunk ${chunkNo}: the connection was lost during COMMIT; the ledger shows the chunk landed`);
  }
}

/** How long abandoning a load or rolling back a failed chunk may take before its session is cut off instead. */
const giveUpMs = 10_000;

/**
 * Waits for a clean-up step of a failed chunk, never forever: a session that does not answer is
 * closed as broken right after, and the server rolls the transaction back when the connection drops.
 */
async function settleWithin(step: Promise<unknown>, ms = giveUpMs): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([step.catch(() => undefined), late]);
  clearTimeout(timer);
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StoppedError(String(signal.reason ?? 'signal'));
}

/**
 * Copies one chunk: the source range is streamed into the target's bulk path inside one target
 * transaction that also marks the chunk success in the ledger, so the chunk is either all
 * there and success, or not there. A refused row sends the chunk through isolation: it is
 * read again and loaded in sub-batches under savepoints, refused rows one by one, and those
 * the target refuses are recorded as rejects in the same transaction.
 */
export async function copyChunk(
  ctx: ChunkContext,
  chunkNo: number,
  range: KeyRange,
  limit: number | undefined,
): Promise<ChunkOutcome> {
  checkSignal(ctx.signal);
  const { plan } = ctx;
  const spec: ReadSpec = {
    table: plan.source,
    render: plan.render,
    key: plan.key,
    range,
    ...(limit !== undefined ? { limit } : {}),
    ...(ctx.where ? { where: ctx.where } : {}),
  };
  const writer = await ctx.target.dialect.openWriter(ctx.target.database.knex);
  ctx.active.add(writer);
  let broken = false;
  try {
    await ctx.ledger.startChunk(ctx.copyId, chunkNo, writer.sessionId, ctx.host);
    await writer.begin();
    let outcome: ChunkOutcome;
    try {
      outcome = await bulk(ctx, writer, spec);
    } catch (error) {
      if (!ctx.target.dialect.rowRefusal(error)) throw error;
      await writer.rollback();
      await writer.begin();
      outcome = await isolate(ctx, writer, spec, chunkNo);
    }
    const high = plan.chunkKind === 'keyset' ? outcome.lastKey : undefined;
    const done = { rows: outcome.rows, rejected: outcome.rejected, ...(high !== undefined ? { high } : {}) };
    if (ctx.ledger.inTarget && !(await ctx.ledger.finishChunk(ctx.copyId, chunkNo, done, writer.connection))) {
      throw new Error(`ledger chunk ${chunkNo} of copy ${ctx.copyId} was not processing: another process changed it`);
    }
    await writer.commit();
    if (!ctx.ledger.inTarget) {
      await ctx.ledger.finishChunk(ctx.copyId, chunkNo, done);
      await ctx.ledger.addRejects(rejectRecords(ctx, chunkNo, outcome.rejects));
    }
    for (const reject of outcome.rejects) ctx.onReject?.(reject);
    return outcome;
  } catch (caught) {
    broken = true;
    // A statement cancelled by a signal fails with the server's own message: report the signal.
    const error =
      ctx.signal?.aborted && !(caught instanceof StoppedError)
        ? new StoppedError(String(ctx.signal.reason ?? 'signal'))
        : caught;
    await settleWithin(writer.rollback());
    // The answer to COMMIT was lost: the ledger row commits with the rows, so it tells whether they landed.
    if (
      ctx.ledger.inTarget &&
      ctx.target.dialect.isConnectionLoss(error) &&
      (await ctx.ledger.chunkStatus(ctx.copyId, chunkNo).catch(() => null)) === 'success'
    ) {
      throw new LandedError(chunkNo);
    }
    const message =
      error instanceof StoppedError
        ? error.message
        : (ctx.target.dialect.rowRefusal(error)?.message ?? (error as Error).message);
    await ctx.ledger.failChunk(ctx.copyId, chunkNo, message).catch(() => undefined);
    throw error;
  } finally {
    ctx.active.delete(writer);
    await writer.close(broken);
  }
}

/** Streams the source range into one bulk load. */
async function bulk(ctx: ChunkContext, writer: CopyWriter, spec: ReadSpec): Promise<ChunkOutcome> {
  let read = 0;
  let bytes = 0;
  let last: LineBatch | null = null;
  const load = writer.load(ctx.plan.targetSchema, ctx.plan.targetName, ctx.plan.targetColumns);
  try {
    await readSource(ctx, spec, async (batch) => {
      await load.write(batch);
      read += batch.count;
      bytes += batch.bytes;
      if (batch.count) last = batch;
      ctx.onProgress?.(batch.count, batch.bytes);
    });
  } catch (error) {
    await settleWithin(load.abort());
    throw error;
  }
  const rows = await load.end();
  const lastLine = (last as LineBatch | null)?.last() ?? null;
  return { rows, rejected: 0, read, bytes, lastKey: lastLine === null ? null : keyOf(ctx.plan, lastLine), rejects: [] };
}

/** Reads a range on a reader of its own, closing it (destroyed when abandoned part-way). */
async function readSource(ctx: ChunkContext, spec: ReadSpec, each: (batch: LineBatch) => Promise<void>): Promise<void> {
  const reader = await ctx.source.dialect.openReader(ctx.source.database.knex);
  ctx.active.add(reader);
  let complete = false;
  try {
    for await (const batch of reader.read(spec)) {
      checkSignal(ctx.signal);
      await each(batch);
    }
    complete = true;
  } finally {
    ctx.active.delete(reader);
    await reader.close(!complete);
  }
}

async function isolate(ctx: ChunkContext, writer: CopyWriter, spec: ReadSpec, chunkNo: number): Promise<ChunkOutcome> {
  const { plan } = ctx;
  const refusal = (error: unknown) => ctx.target.dialect.rowRefusal(error);
  const loadLines = async (lines: readonly CopyLine[]) => {
    const load = writer.load(plan.targetSchema, plan.targetName, plan.targetColumns);
    await load.write(LineBatch.of(lines));
    return load.end();
  };
  let rows = 0;
  let read = 0;
  let bytes = 0;
  let last: CopyLine | null = null;
  const rejects: RejectedRow[] = [];
  const tryLoad = async (lines: readonly CopyLine[]): Promise<unknown> => {
    await writer.savepoint('dmr_copy');
    try {
      rows += await loadLines(lines);
      await writer.release('dmr_copy');
      return null;
    } catch (error) {
      if (!refusal(error)) throw error;
      await writer.rollbackTo('dmr_copy');
      await writer.release('dmr_copy');
      return error;
    }
  };
  await readSource(ctx, spec, async (batch) => {
    const lines = batch.lines();
    for (let i = 0; i < lines.length; i += isolationBatch) {
      const batch = lines.slice(i, i + isolationBatch);
      if (!(await tryLoad(batch))) continue;
      for (const [j, line] of batch.entries()) {
        const error = await tryLoad([line]);
        if (!error) continue;
        const why = refusal(error);
        const values = splitLine(line);
        const reject: RejectedRow = {
          component: plan.targetName,
          referenceId: plan.key.length ? JSON.stringify(keyOf(plan, line)) : `row ${read + i + j + 1}`,
          field: why?.field ?? null,
          message: why?.message ?? String(error),
          columns: plan.source.columns.map((c) => c.name),
          values,
        };
        rejects.push(reject);
      }
    }
    read += lines.length;
    bytes += batch.bytes;
    last = lines[lines.length - 1] ?? last;
    ctx.onProgress?.(lines.length, batch.bytes);
  });
  if (ctx.ledger.inTarget) await ctx.ledger.addRejects(rejectRecords(ctx, chunkNo, rejects), writer.connection);
  return { rows, rejected: rejects.length, read, bytes, lastKey: last === null ? null : keyOf(plan, last), rejects };
}

function rejectRecords(ctx: ChunkContext, chunkNo: number, rejects: readonly RejectedRow[]): RejectRecord[] {
  return rejects.map((r) => ({
    copyId: ctx.copyId,
    chunkNo,
    component: r.component,
    referenceId: r.referenceId,
    field: r.field,
    message: r.message,
    rowData: r.values,
  }));
}
