import type { CopyLine } from '../../adapters/copy-dialect.js';
import { LineBatch } from '../../adapters/copy-line.js';
import { redactSecrets } from '../../config/redact.js';
import { sides, prepare } from './copy-data.js';
import { CopyLedger } from './copy-ledger.js';
import { jobKey } from './copy-table.js';
import type { CopyContext } from './copy-context.js';
import type { CopyOptions, CopyResult, TableSummary } from './copy-types.js';

/**
 * `dmr copy --retry-rejects`: reprocesses only the rows the latest copy of each table rejected,
 * reading each again from the source by its key. A row that loads is marked landed; a duplicate
 * key proves an earlier attempt had landed it (marked landed too); others stay rejected with the
 * target's new message.
 */
export async function retryRejects(options: CopyOptions): Promise<CopyResult> {
  const started = Date.now();
  const s = sides(options);
  const plans = await prepare({ ...options, mode: 'append' }, s);
  const ledgerDatabase = options.ledger ?? options.target.database;
  const ledger = new CopyLedger(
    ledgerDatabase,
    options.ledgerSchema,
    ledgerDatabase.display === options.target.database.display && s.target.dialect.ledgerInTransaction,
  );
  await ledger.ensure();
  const ctx: CopyContext = { options, ...s, ledger };
  const tables: TableSummary[] = [];
  for (const plan of plans) {
    const tableStarted = Date.now();
    const job = await ledger.latestJob(jobKey(ctx, plan));
    const rejects = job ? await ledger.rejects(job.copyId) : [];
    let landed = 0;
    let still = 0;
    let error: string | null = null;
    const writer = await s.target.dialect.openWriter(s.target.database.knex);
    const reader = await s.source.dialect.openReader(s.source.database.knex);
    try {
      for (const reject of rejects) {
        if (!plan.key.length) {
          still += 1;
          continue;
        }
        const key = JSON.parse(reject.referenceId) as string[];
        const lines: CopyLine[] = [];
        for await (const batch of reader.read({
          table: plan.source,
          render: plan.render,
          key: plan.key,
          range: { kind: 'exact', low: key, high: null },
        }))
          lines.push(...batch.lines());
        await writer.begin();
        const connection = ledger.inTarget ? writer.connection : undefined;
        try {
          if (!lines.length) {
            await ledger.setReject(reject.rejectId, 'gone', 'the row is no longer in the source', connection);
          } else {
            const load = writer.load(plan.targetSchema, plan.targetName, plan.targetColumns);
            await load.write(LineBatch.of(lines));
            await load.end();
            await ledger.setReject(reject.rejectId, 'landed', undefined, connection);
            landed += 1;
          }
          await writer.commit();
        } catch (e) {
          await writer.rollback();
          const why = s.target.dialect.rowRefusal(e);
          if (!why) throw e;
          if (why.duplicate) {
            await ledger.setReject(reject.rejectId, 'landed', `already landed: ${why.message}`);
            landed += 1;
          } else {
            still += 1;
            await ledger.setReject(reject.rejectId, 'rejected', why.message);
            options.onReject?.({
              component: plan.targetName,
              referenceId: reject.referenceId,
              field: why.field ?? null,
              message: why.message,
              columns: plan.source.columns.map((c) => c.name),
              values: reject.rowData,
            });
          }
        }
      }
    } catch (e) {
      error = redactSecrets((e as Error).message);
    } finally {
      await reader.close();
      await writer.close();
    }
    if (job) await ledger.setJob(job.copyId, { rowsRejected: await ledger.rejectCount(job.copyId) });
    const summary: TableSummary = {
      table: plan.source.name,
      targetTable: plan.targetName,
      copyId: job?.copyId ?? 0,
      outcome: error ? 'failed' : still ? 'rejects' : 'copied',
      chunkKind: plan.chunkKind,
      chunks: 0,
      chunksSkipped: 0,
      chunksSettled: 0,
      rowsRead: rejects.length,
      rowsCopied: landed,
      rowsRejected: still,
      bytes: 0,
      seconds: (Date.now() - tableStarted) / 1000,
      sourceCount: null,
      targetCount: null,
      error,
    };
    options.onEvent?.({ type: 'table-done', summary });
    tables.push(summary);
  }
  return {
    source: s.source.database.display,
    target: s.target.database.display,
    status: tables.every((t) => t.outcome === 'copied') ? 'copied' : 'incomplete',
    tables,
    seconds: (Date.now() - started) / 1000,
  };
}
