import type { CopyTable, KeyRange } from '../../adapters/copy-dialect.js';
import type { LedgerChunk } from './copy-ledger.js';
import type { TablePlan } from './copy-plan.js';

/** A ledger chunk's key range, for reading, counting and settling it. */
export function rangeOf(kind: TablePlan['chunkKind'], chunk: Pick<LedgerChunk, 'low' | 'high'>): KeyRange {
  return { kind, low: chunk.low, high: chunk.high };
}

/** The target table as a catalog entry (for counting and settling). */
export function targetTable(plan: TablePlan): CopyTable {
  return {
    ...(plan.targetSchema ? { schema: plan.targetSchema } : {}),
    name: plan.targetName,
    columns: plan.targetColumns.map((c) => ({
      name: c.name,
      declared: c.declared,
      type: c.type,
      nullable: c.nullable,
    })),
    primaryKey: plan.key,
    estimatedRows: null,
  };
}
