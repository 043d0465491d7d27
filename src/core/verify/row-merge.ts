import type { ChangedRow, Comparison, RowKey } from './verify-types.js';

/**
 * A downloaded row: key hash, encoded key (a multiset: the row digest), key parts, canonical field values and
 * how many rows it stands for.
 */
export interface DrillRow {
  readonly kh: bigint;
  readonly ke: string;
  readonly keys: readonly (string | null)[];
  readonly fields: readonly (string | null)[];
  /** Rows with these values (a multiset download counts them in the database); 1 for a keyed row. */
  readonly n: number;
}

/** A whole row of a multiset comparison by its canonical fields, with a count. */
interface FieldsCount {
  readonly fields: readonly (string | null)[];
  readonly count: number;
}

export interface MergeOutcome {
  readonly missingInTarget: RowKey[];
  readonly extraInTarget: RowKey[];
  readonly changed: ChangedRow[];
  readonly duplicatesInSource: RowKey[];
  readonly duplicatesInTarget: RowKey[];
  readonly missingRows: FieldsCount[];
  readonly extraRows: FieldsCount[];
  differenceCount: number;
  /** Some key held more than one row on the side, whether or not its rows differ. */
  repeatsInSource: boolean;
  repeatsInTarget: boolean;
  sourceRows: number;
  targetRows: number;
}

/**
 * Rows of one run kept in memory; a longer run (a --key with very many repeats) is counted, and its duplicates
 * reported unexamined.
 */
const maxRunRows = 10_000;

/** Reads an ordered row stream one key-hash run at a time (a run is one row unless hashes collide or a key repeats). */
class Runs {
  private pending: DrillRow | null = null;
  private done = false;
  count = 0;
  /** The last run taken was longer than maxRunRows. */
  overflowed = false;

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
    this.overflowed = false;
    while (this.pending && this.pending.kh === kh) {
      if (run.length < maxRunRows) run.push(this.pending);
      else this.overflowed = true;
      this.count += this.pending.n;
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
 *
 * Keyed: a key with more than one row on a side is a duplicate, never a change; its rows are
 * compared as a multiset and reported only when they differ. Multiset: rows are matched by
 * digest and the counts compared, so a row held twice on one side and once on the other is
 * one missing or extra row.
 */
export async function mergeRows(
  source: AsyncIterable<DrillRow>,
  target: AsyncIterable<DrillRow>,
  keyNames: readonly string[],
  fieldNames: readonly string[],
  maxDiffs: number,
  comparison: Comparison = 'key',
): Promise<MergeOutcome> {
  const out: MergeOutcome = {
    missingInTarget: [],
    extraInTarget: [],
    changed: [],
    duplicatesInSource: [],
    duplicatesInTarget: [],
    missingRows: [],
    extraRows: [],
    differenceCount: 0,
    repeatsInSource: false,
    repeatsInTarget: false,
    sourceRows: 0,
    targetRows: 0,
  };
  const keyOf = (row: DrillRow): RowKey => Object.fromEntries(keyNames.map((k, i) => [k, row.keys[i] ?? null]));
  const note = (list: unknown[], item: () => unknown, count = 1) => {
    out.differenceCount += count;
    if (list.length < maxDiffs) list.push(item());
  };
  let overflowed = false;
  const compareKey = (sRows: readonly DrillRow[], tRows: readonly DrillRow[] | undefined) => {
    const [row] = sRows;
    if (!row) return;
    if (!tRows) {
      note(out.missingInTarget, () => keyOf(row));
      if (sRows.length > 1) note(out.duplicatesInSource, () => keyOf(row));
      return;
    }
    if (sRows.length > 1 || tRows.length > 1) {
      if (!overflowed && sameRows(sRows, tRows)) return;
      if (sRows.length > 1) note(out.duplicatesInSource, () => keyOf(row));
      if (tRows.length > 1) note(out.duplicatesInTarget, () => keyOf(row));
      return;
    }
    const other = tRows[0]!;
    const differing = fieldNames.flatMap((name, i) =>
      row.fields[i] === other.fields[i] ? [] : [[name, [row.fields[i] ?? null, other.fields[i] ?? null]] as const],
    );
    if (differing.length) note(out.changed, () => ({ key: keyOf(row), columns: Object.fromEntries(differing) }));
  };
  const compareCounts = (sRows: readonly DrillRow[] | undefined, tRows: readonly DrillRow[] | undefined) => {
    const [s, t] = [total(sRows), total(tRows)];
    const row = sRows?.[0] ?? tRows?.[0];
    if (!row || s === t) return;
    if (s > t) note(out.missingRows, () => ({ fields: row.fields, count: s - t }), s - t);
    else note(out.extraRows, () => ({ fields: row.fields, count: t - s }), t - s);
  };
  const s = new Runs(source[Symbol.asyncIterator]());
  const t = new Runs(target[Symbol.asyncIterator]());
  for (;;) {
    const [sk, tk] = await Promise.all([s.peek(), t.peek()]);
    if (sk === null && tk === null) break;
    const sRun = tk === null || (sk !== null && sk <= tk) ? await s.take() : [];
    const tRun = sk === null || (tk !== null && tk <= sk) ? await t.take() : [];
    overflowed = (sRun.length > 0 && s.overflowed) || (tRun.length > 0 && t.overflowed);
    const sByKey = byKey(sRun);
    const tByKey = byKey(tRun);
    if (comparison === 'key') {
      out.repeatsInSource ||= [...sByKey.values()].some((rows) => rows.length > 1);
      out.repeatsInTarget ||= [...tByKey.values()].some((rows) => rows.length > 1);
    }
    for (const [ke, rows] of sByKey) {
      if (comparison === 'multiset') compareCounts(rows, tByKey.get(ke));
      else compareKey(rows, tByKey.get(ke));
    }
    for (const [ke, rows] of tByKey) {
      if (sByKey.has(ke)) continue;
      if (comparison === 'multiset') compareCounts(undefined, rows);
      else {
        note(out.extraInTarget, () => keyOf(rows[0]!));
        if (rows.length > 1) note(out.duplicatesInTarget, () => keyOf(rows[0]!));
      }
    }
  }
  out.sourceRows = s.count;
  out.targetRows = t.count;
  return out;
}

function byKey(run: readonly DrillRow[]): Map<string, DrillRow[]> {
  const map = new Map<string, DrillRow[]>();
  for (const row of run) {
    const rows = map.get(row.ke);
    if (rows) rows.push(row);
    else map.set(row.ke, [row]);
  }
  return map;
}

function total(rows: readonly DrillRow[] | undefined): number {
  return (rows ?? []).reduce((a, r) => a + r.n, 0);
}

/** The same rows with the same multiplicities, whatever their order. */
function sameRows(a: readonly DrillRow[], b: readonly DrillRow[]): boolean {
  if (a.length !== b.length) return false;
  const text = (rows: readonly DrillRow[]) => rows.map((r) => JSON.stringify(r.fields)).sort();
  const [x, y] = [text(a), text(b)];
  return x.every((v, i) => v === y[i]);
}
