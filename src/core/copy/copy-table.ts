import { createHash } from 'node:crypto';
import type { KeyRange } from '../../adapters/copy-dialect.js';
import { redactSecrets } from '../../config/redact.js';
import { UsageError } from '../errors.js';
import { integerRanges } from './chunk-plan.js';
import { copyChunk, LandedError, StoppedError, type ActiveSession, type ChunkContext } from './copy-chunk.js';
import type { CopyJob, LedgerChunk } from './copy-ledger.js';
import type { CopyOptions, TableOutcome, TableSummary } from './copy-types.js';
import { withReader, type CopyContext } from './copy-context.js';
import type { TablePlan } from './copy-plan.js';
import { settleChunk } from './settle-chunk.js';
import { rangeOf, targetTable } from './table-range.js';

/** The job identity: a rerun of the same command (same source, tables and --where) resumes it. */
export function jobKey(ctx: CopyContext, plan: TablePlan): string {
  const parts = [
    ctx.source.database.display,
    plan.source.schema ?? '',
    plan.source.name,
    plan.targetSchema ?? '',
    plan.targetName,
    ctx.options.where ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** One table's copy: its job in the ledger, its chunks as units of work, and its counts check. */
export class TableRun {
  private job!: CopyJob;
  private chunks: LedgerChunk[] = [];
  private readonly started = Date.now();
  private skipped = 0;
  private settled = 0;
  private rowsRead = 0;
  private rowsCopied = 0;
  private rowsRejected = 0;
  private bytes = 0;
  private error: string | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: CopyContext,
    readonly plan: TablePlan,
  ) {}

  get options(): CopyOptions {
    return this.ctx.options;
  }

  private notice(message: string): void {
    this.options.onEvent?.({ type: 'notice', table: this.plan.source.name, message });
  }

  /** Finds or creates the job, prepares the target table, plans or settles the chunks. */
  async start(): Promise<void> {
    const { ctx, plan } = this;
    const key = jobKey(ctx, plan);
    const latest = await ctx.ledger.latestJob(key);
    let resume = latest && (latest.status !== 'success' || this.options.mode !== 'truncate');
    if (plan.createSql) {
      await ctx.target.database.knex.raw(plan.createSql).catch((error: unknown) => {
        const detail = ctx.target.database.adapter.describeError(error);
        throw new UsageError(
          `creating ${plan.targetName} failed: ${detail.message}`,
          `the statement was: ${plan.createSql}; use --cast or create the table yourself`,
          { cause: error },
        );
      });
    }
    if (resume && latest && (await this.targetLostRows(latest.copyId))) {
      this.notice(
        `the target table is empty although copy ${latest.copyId} recorded rows in it (emptied or ` +
          `re-created since): starting a new copy`,
      );
      resume = false;
    }
    if (resume && latest) {
      this.job = latest;
      await ctx.ledger.setJob(latest.copyId, { status: 'running' });
      this.chunks = await ctx.ledger.chunks(latest.copyId);
      for (const chunk of this.chunks.filter((c) => c.status !== 'success' && c.attempts > 0)) {
        const outcome = await settleChunk(ctx, plan, latest.copyId, chunk, latest.targetRowsBefore);
        const found =
          outcome === 'landed'
            ? 'its rows were found in the target, equal to the source; settled as copied'
            : 'partial rows were found in the target and removed; it is copied again';
        if (outcome !== 'absent') this.notice(`chunk ${chunk.chunkNo} was left unfinished: ${found}`);
        if (outcome === 'landed') this.settled += 1;
      }
      if (this.settled) this.chunks = await ctx.ledger.chunks(latest.copyId);
    } else {
      if (this.options.mode === 'truncate' && plan.targetExists)
        await ctx.target.database.knex.raw(ctx.target.dialect.truncateSql(plan.targetSchema, plan.targetName));
      const before = plan.targetExists && this.options.mode === 'append' ? await this.countTarget() : 0;
      const copyId = await ctx.ledger.createJob({
        jobKey: key,
        sourceDisplay: redactSecrets(ctx.source.database.display),
        sourceTable: [plan.source.schema, plan.source.name].filter(Boolean).join('.'),
        targetTable: [plan.targetSchema, plan.targetName].filter(Boolean).join('.'),
        keyColumns: plan.key,
        chunkKind: plan.chunkKind,
        mode: this.options.mode,
        targetRowsBefore: before,
        primaryKeyPending: Boolean(plan.primaryKeySql),
        user: this.options.user,
        host: this.options.host,
      });
      this.job = {
        copyId,
        status: 'running',
        mode: this.options.mode,
        chunkKind: plan.chunkKind,
        targetRowsBefore: before,
        primaryKeyPending: Boolean(plan.primaryKeySql),
      };
      await ctx.ledger.addChunks(copyId, await this.planChunks());
      this.chunks = await ctx.ledger.chunks(copyId);
    }
    if (plan.chunkKind === 'all')
      this.notice('no primary key: copied in one chunk (a failed copy of it starts again from its first row)');
    this.skipped = this.chunks.filter((c) => c.status === 'success').length;
    for (const c of this.chunks.filter((x) => x.status === 'success')) {
      this.rowsCopied += c.rows;
      this.rowsRejected += c.rejected;
    }
    this.options.onEvent?.({
      type: 'table-start',
      table: plan.source.name,
      targetTable: plan.targetName,
      chunks: this.chunks.length,
      skipped: this.skipped,
      estimatedRows: plan.source.estimatedRows ?? 0,
      chunkKind: plan.chunkKind,
    });
  }

  /** The job recorded copied rows but the target has none: an earlier task (or a person) emptied or re-created it. */
  private async targetLostRows(copyId: number): Promise<boolean> {
    const copied = (await this.ctx.ledger.chunks(copyId)).reduce(
      (n, c) => n + (c.status === 'success' ? c.rows : 0),
      0,
    );
    return copied > 0 && (await this.countTarget()) === 0;
  }

  private async planChunks(): Promise<{ chunkNo: number; low: string[] | null; high: string[] | null }[]> {
    const { plan, ctx } = this;
    if (plan.chunkKind === 'keyset') return [];
    if (plan.chunkKind === 'all') return [{ chunkNo: 1, low: null, high: null }];
    return withReader(ctx, 'source', async (reader) => {
      const bounds = await reader.bounds({
        table: plan.source,
        key: plan.key,
        ...(this.options.where ? { where: this.options.where } : {}),
      });
      return integerRanges(bounds.low, bounds.high, bounds.rows, this.options.chunkRows).map((r, i) => ({
        chunkNo: i + 1,
        low: r.low,
        high: r.high,
      }));
    });
  }

  private chunkContext(active: Set<ActiveSession>): ChunkContext {
    const { ctx, plan } = this;
    return {
      source: ctx.source,
      target: ctx.target,
      plan,
      ledger: ctx.ledger,
      copyId: this.job.copyId,
      ...(this.options.where ? { where: this.options.where } : {}),
      host: this.options.host,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      active,
      ...(this.options.onReject ? { onReject: this.options.onReject } : {}),
    };
  }

  /** Units of work for the worker pool: one per range chunk; keyset and keyless tables are one sequential unit. */
  units(active: Set<ActiveSession>): (() => Promise<void>)[] {
    const chunkCtx = this.chunkContext(active);
    if (this.plan.chunkKind === 'keyset') return [() => this.guard(() => this.keysetChunks(chunkCtx))];
    return this.chunks
      .filter((c) => c.status !== 'success')
      .map(
        (c) => () => this.guard(() => this.runChunk(chunkCtx, c.chunkNo, rangeOf(this.plan.chunkKind, c), undefined)),
      );
  }

  private async runChunk(chunkCtx: ChunkContext, chunkNo: number, range: KeyRange, limit: number | undefined) {
    try {
      const outcome = await copyChunk(chunkCtx, chunkNo, range, limit);
      this.rowsRead += outcome.read;
      this.rowsCopied += outcome.rows;
      this.rowsRejected += outcome.rejected;
      this.bytes += outcome.bytes;
      this.options.onEvent?.({
        type: 'chunk-done',
        table: this.plan.source.name,
        rows: outcome.rows,
        bytes: outcome.bytes,
        rejected: outcome.rejected,
      });
      return outcome;
    } catch (error) {
      if (error instanceof LandedError) {
        this.notice(error.message);
        return null;
      }
      throw error;
    }
  }

  private async keysetChunks(chunkCtx: ChunkContext): Promise<void> {
    const limit = this.options.chunkRows;
    for (;;) {
      const last = this.chunks[this.chunks.length - 1];
      let chunkNo: number;
      let low: string[] | null;
      if (!last) {
        chunkNo = 1;
        low = null;
      } else if (last.status === 'success') {
        if (last.rows + last.rejected < limit || last.high === null) return;
        chunkNo = last.chunkNo + 1;
        low = last.high;
      } else {
        chunkNo = last.chunkNo;
        low = last.low;
      }
      if (!last || last.status === 'success')
        await this.ctx.ledger.addChunks(this.job.copyId, [{ chunkNo, low, high: null }]);
      const outcome = await this.runChunk(chunkCtx, chunkNo, { kind: 'keyset', low, high: null }, limit);
      this.chunks = await this.ctx.ledger.chunks(this.job.copyId);
      if (outcome && outcome.read < limit) return;
    }
  }

  private async guard(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof StoppedError) this.stopped = true;
      else {
        const message = this.ctx.target.dialect.rowRefusal(error)?.message ?? (error as Error).message;
        const lost = this.ctx.target.dialect.isConnectionLoss(error) ? 'the connection was lost or terminated: ' : '';
        this.error ??= redactSecrets(`${lost}${message}`);
      }
    }
  }

  private countTarget(): Promise<number> {
    return withReader(this.ctx, 'target', (reader) =>
      reader.count(targetTable(this.plan), [], { kind: 'all', low: null, high: null }),
    );
  }

  private countSource(): Promise<number> {
    return withReader(this.ctx, 'source', (reader) =>
      reader.count(this.plan.source, [], { kind: 'all', low: null, high: null }, this.options.where),
    );
  }

  /** Builds a deferred primary key, runs the counts check and records the job's end. */
  async finish(): Promise<TableSummary> {
    const { ctx, plan, job } = this;
    const chunks = await ctx.ledger.chunks(job.copyId);
    if (this.options.signal?.aborted) this.stopped = true;
    const complete = !this.stopped && !this.error && chunks.every((c) => c.status === 'success');
    let sourceCount: number | null = null;
    let targetCount: number | null = null;
    let outcome: TableOutcome = this.stopped ? 'stopped' : 'failed';
    let pending = 0;
    if (complete) {
      try {
        // The source count runs while the target builds the deferred key (different servers).
        const counted = this.countSource();
        counted.catch(() => undefined);
        if (job.primaryKeyPending && plan.key.length) {
          await ctx.target.database.knex.raw(
            ctx.target.dialect.addPrimaryKeySql(plan.targetSchema, plan.targetName, plan.key),
          );
          await ctx.ledger.setJob(job.copyId, { primaryKeyPending: false });
        }
        pending = await ctx.ledger.rejectCount(job.copyId);
        sourceCount = await counted;
        targetCount = (await this.countTarget()) - job.targetRowsBefore;
        outcome = targetCount !== sourceCount - pending ? 'counts_differ' : pending > 0 ? 'rejects' : 'copied';
      } catch (error) {
        this.error = redactSecrets((error as Error).message);
        outcome = 'failed';
      }
    }
    const status =
      outcome === 'copied' || outcome === 'rejects' ? 'success' : outcome === 'stopped' ? 'stopped' : 'error';
    const error =
      this.error ??
      (outcome === 'counts_differ'
        ? `counts differ: source ${sourceCount}, target ${targetCount}${pending ? `, rejected ${pending}` : ''}`
        : null);
    await ctx.ledger
      .setJob(job.copyId, { status, rowsCopied: this.rowsCopied, rowsRejected: pending, error, finished: true })
      .catch(() => undefined);
    const summary: TableSummary = {
      table: plan.source.name,
      targetTable: plan.targetName,
      copyId: job.copyId,
      outcome,
      chunkKind: plan.chunkKind,
      chunks: chunks.length,
      chunksSkipped: this.skipped,
      chunksSettled: this.settled,
      rowsRead: this.rowsRead,
      rowsCopied: this.rowsCopied,
      rowsRejected: complete ? pending : this.rowsRejected,
      bytes: this.bytes,
      seconds: (Date.now() - this.started) / 1000,
      sourceCount,
      targetCount,
      error,
    };
    this.options.onEvent?.({ type: 'table-done', summary });
    return summary;
  }
}
