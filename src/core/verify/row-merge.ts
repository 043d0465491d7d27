import type { ChangedRow, RowKey } from './verify-types.js';

/** A downloaded row: key hash, encoded key, key parts and canonical field values. */
export interface DrillRow {
  readonly kh: bigint;
  readonly ke: string;
  readonly keys: readonly (string | null)[];
  readonly fields: readonly (string | null)[];
}

export interface MergeOutcome {
  readonly missingInTarget: RowKey[];
  readonly extraInTarget: RowKey[];
  readonly changed: ChangedRow[];
  readonly duplicatesInSource: RowKey[];
  readonly duplicatesInTarget: RowKey[];
  differenceCount: number;
  sourceRows: number;
  targetRows: number;
}

/** Reads an ordered row stream one key-hash run at a time (a run is one row unless hashes collide). */
class Runs {
  private pending: DrillRow | null = null;
  private done = false;
  count = 0;

  constructor(private readonly rows: AsyncIterator<DrillRow>) {}

  async peek(): Promise<bigint | null> {
    if (!this.pending && !this.done) {
      const next = await this.rows.next();
      if (next.done) this.done = true;
      else this.pending = next.value;
    }
    return this.pending?.kh ?? null;
  }

  async take(): Promise<DrillRow[]> {
    const kh = await this.peek();
    const run: DrillRow[] = [];
    while (this.pending && this.pending.kh === kh) {
      run.push(this.pending);
      this.count++;
      this.pending = null;
      await this.peek();
    }
    return run;
  }
}

/**
 * Merge-joins two streams ordered by key hash (an integer, so no collation is involved),
 * matching rows by encoded key inside a run. Memory holds one run per side plus at most
 * `maxDiffs` listed differences per kind; every difference is counted.
 */
export async function mergeRows(source: AsyncIterable<DrillRow>, target: AsyncIterable<DrillRow>, keyNames: readonly string[], fieldNames: readonly string[], maxDiffs: number): Promise<MergeOutcome> {
  const out: MergeOutcome = { missingInTarget: [], extraInTarget: [], changed: [], duplicatesInSource: [], duplicatesInTarget: [], differenceCount: 0, sourceRows: 0, targetRows: 0 };
  const keyOf = (row: DrillRow): RowKey => Object.fromEntries(keyNames.map((k, i) => [k, row.keys[i] ?? null]));
  const note = (list: unknown[], item: () => unknown) => {
    out.differenceCount++;
    if (list.length < maxDiffs) list.push(item());
  };
  const s = new Runs(source[Symbol.asyncIterator]());
  const t = new Runs(target[Symbol.asyncIterator]());
  for (;;) {
    const [sk, tk] = await Promise.all([s.peek(), t.peek()]);
    if (sk === null && tk === null) break;
    const sRun = tk === null || (sk !== null && sk <= tk) ? await s.take() : [];
    const tRun = sk === null || (tk !== null && tk <= sk) ? await t.take() : [];
    const sByKey = byKey(sRun, (row) => note(out.duplicatesInSource, () => keyOf(row)));
    const tByKey = byKey(tRun, (row) => note(out.duplicatesInTarget, () => keyOf(row)));
    for (const [ke, row] of sByKey) {
      const other = tByKey.get(ke);
      if (!other) note(out.missingInTarget, () => keyOf(row));
      else {
        const differing = fieldNames.flatMap((name, i) => (row.fields[i] === other.fields[i] ? [] : [[name, [row.fields[i] ?? null, other.fields[i] ?? null]] as const]));
        if (differing.length) note(out.changed, () => ({ key: keyOf(row), columns: Object.fromEntries(differing) }));
      }
    }
    for (const [ke, row] of tByKey) if (!sByKey.has(ke)) note(out.extraInTarget, () => keyOf(row));
  }
  out.sourceRows = s.count;
  out.targetRows = t.count;
  return out;
}

function byKey(run: readonly DrillRow[], duplicate: (row: DrillRow) => void): Map<string, DrillRow> {
  const map = new Map<string, DrillRow>();
  for (const row of run) {
    if (map.has(row.ke)) duplicate(row);
    else map.set(row.ke, row);
  }
  return map;
}
