import { verifyData } from '../verify/verify-data.js';
import { withReader, type CopyContext } from './copy-context.js';
import type { LedgerChunk } from './copy-ledger.js';
import type { TablePlan } from './copy-plan.js';
import { rangeOf, targetTable } from './table-range.js';

export type SettleOutcome = 'absent' | 'landed' | 'removed';

/**
 * Settles a chunk an earlier run left processing or failed, whose commit may or may not have
 * landed, by checking the target, never by guessing: no rows in its key range means it did not
 * land; rows equal to the source's (dmr verify on that range) mean it did; anything else is a
 * partial load (a non-transactional target), removed so the chunk is copied again. Keyset chunks
 * whose end was never recorded cover every key after their start (they run one after another).
 */
export async function settleChunk(
  ctx: CopyContext,
  plan: TablePlan,
  copyId: number,
  chunk: LedgerChunk,
  rowsBefore: number,
): Promise<SettleOutcome> {
  const target = targetTable(plan);
  const range = rangeOf(plan.chunkKind, chunk);
  const present = await withReader(ctx, 'target', (reader) => reader.count(target, plan.key, range));
  if (present === 0 || (plan.chunkKind === 'all' && present === rowsBefore)) {
    await ctx.ledger.settleChunk(copyId, chunk.chunkNo, null);
    return 'absent';
  }
  if (plan.chunkKind !== 'keyset' && plan.key.length) {
    const sourceRange = ctx.source.dialect.rangeSql(plan.source, plan.key, range);
    const where =
      [sourceRange, ctx.options.where ? `(${ctx.options.where})` : ''].filter(Boolean).join(' and ') || '1 = 1';
    const result = await verifyData({
      source: {
        knex: ctx.source.database.knex,
        dialect: ctx.source.database.dialect,
        display: ctx.source.database.display,
        ...(plan.source.schema ? { schema: plan.source.schema } : {}),
      },
      target: {
        knex: ctx.target.database.knex,
        dialect: ctx.target.database.dialect,
        display: ctx.target.database.display,
        ...(plan.targetSchema ? { schema: plan.targetSchema } : {}),
      },
      tables: [{ source: plan.source.name, target: plan.targetName }],
      key: [...plan.key],
      where,
      targetWhere: ctx.target.dialect.rangeSql(target, plan.key, range) || '1 = 1',
      mode: 'checksum',
      maxDiffs: 0,
      parallel: 1,
    });
    if (result.status === 'equal') {
      await ctx.ledger.settleChunk(copyId, chunk.chunkNo, { rows: present });
      return 'landed';
    }
  }
  if (plan.chunkKind === 'all' && rowsBefore > 0) {
    throw new Error(
      `table ${plan.targetName} has no key and held rows before this copy: its unfinished copy ` +
        `cannot be told apart from them; rerun with --truncate`,
    );
  }
  const key = plan.key.map((k) => plan.targetColumns.find((c) => c.name === k)).filter((c) => c !== undefined);
  const writer = await ctx.target.dialect.openWriter(ctx.target.database.knex);
  try {
    await writer.begin();
    await writer.deleteRange(plan.targetSchema, plan.targetName, key, range);
    await writer.commit();
  } finally {
    await writer.close();
  }
  await ctx.ledger.settleChunk(copyId, chunk.chunkNo, null);
  return 'removed';
}
