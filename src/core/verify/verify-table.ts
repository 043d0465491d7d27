import type { CatalogTable, HashSession, RowHashDialect } from '../../adapters/row-hash-dialect.js';
import { UsageError } from '../errors.js';
import { planTable, type TablePlan } from './column-plan.js';
import { HashQueries, wholeRowForm, type KeyRange, type SegmentSet } from './hash-queries.js';
import { displayValue } from './display-value.js';
import { mergeRows, type DrillRow, type MergeOutcome } from './row-merge.js';
import { findDifferingRanges, maxRangeSpan, rangeWidth } from './range-search.js';
import { findDifferingSegments, powerOfTwoAtLeast, segmentSums, type Side } from './segment-search.js';
import type { ChangedRow, RowKey, TableVerdict, VerifyOptions, VerifyPhase, VerifySide } from './verify-types.js';

/** A table pair both of whose catalogs were read. */
export interface TablePair {
  readonly source: CatalogTable;
  readonly target: CatalogTable;
}

interface SideContext {
  readonly side: VerifySide;
  readonly dialect: RowHashDialect;
  readonly schema: string | undefined;
}

const streamBatch = 5000;

/** Counts, hashes and, where needed, downloads one table pair; differences are the return value. */
export async function verifyTable(pair: TablePair, src: SideContext, tgt: SideContext, options: VerifyOptions): Promise<TableVerdict> {
  const started = Date.now();
  const table = pair.source.name;
  const phase = (p: VerifyPhase, detail?: string) => options.onEvent?.({ type: 'table-phase', table, phase: p, ...(detail ? { detail } : {}) });
  const plan = planTable(pair.source, pair.target, options, src.dialect.algorithmFor(tgt.dialect.name));
  const [ss, ts] = await Promise.all([src.dialect.session(src.side.knex), tgt.dialect.session(tgt.side.knex)]);
  try {
    const form = wholeRowForm(plan, pair.source, pair.target, [src.dialect, tgt.dialect]);
    const whole = (table: string) => (form ? { table, form } : undefined);
    const source: Side = { session: ss, queries: new HashQueries(src.dialect, plan, 'source', src.dialect.tableReference(src.schema, pair.source.name), options.where, whole(pair.source.name)) };
    const target: Side = { session: ts, queries: new HashQueries(tgt.dialect, plan, 'target', tgt.dialect.tableReference(tgt.schema, pair.target.name), options.targetWhere ?? options.where, whole(pair.target.name)) };
    const mode = options.mode ?? 'checksum';
    const segmentRows = options.segmentRows ?? 1000;
    const maxDiffs = options.maxDiffs ?? 100;
    if (mode === 'checksum') {
      phase('hashing');
      const [st, tt] = await Promise.all([totals(source, 'source'), totals(target, 'target')]);
      if (st.sig === tt.sig) return verdict(pair, plan, st.n, tt.n, null, 0, started);
      const ranged = rangeSegmentable(plan, src.dialect, tgt.dialect) ? await keyBounds(source, target) : null;
      const found = ranged && ranged.hi - ranged.lo < maxRangeSpan ? await findDifferingRanges(source, target, ranged.lo, rangeWidth(ranged.lo, ranged.hi, segmentRows), segmentRows, (n) => phase('refining', `${n} large segments`)) : null;
      if (found) {
        let merge: MergeOutcome | null = null;
        if (found.differing.length) {
          phase('downloading', `${found.segments} segments`);
          merge = await downloadRanges(source, target, plan, found.differing, maxDiffs);
        }
        return verdict(pair, plan, found.sourceRows, found.targetRows, merge, found.segments, started);
      }
      const modulus = powerOfTwoAtLeast(Math.ceil(Math.max(st.n, tt.n, 1) / segmentRows));
      const segments = await findDifferingSegments(source, target, modulus, segmentRows, (n) => phase('refining', `${n} large segments`));
      const segmentsDownloaded = segments.differing.reduce((a, x) => a + x.residues.length, 0);
      let merge: MergeOutcome | null = null;
      if (segmentsDownloaded > 0) {
        phase('downloading', `${segmentsDownloaded} segments`);
        merge = await download(source, target, plan, segments.differing, maxDiffs);
      }
      return verdict(pair, plan, st.n, tt.n, merge, segmentsDownloaded, started);
    }
    phase('counting');
    const [sourceRows, targetRows] = await Promise.all([count(source, 'source'), count(target, 'target')]);
    let merge: MergeOutcome | null = null;
    if (mode === 'rows') {
      phase('downloading', 'all rows');
      merge = await download(source, target, plan, undefined, options.maxDiffs ?? 100);
    }
    return verdict(pair, plan, sourceRows, targetRows, merge, 0, started);
  } finally {
    await Promise.all([ss.release(), ts.release()]);
  }
}

function verdict(pair: TablePair, plan: TablePlan, sourceRows: number, targetRows: number, merge: MergeOutcome | null, segmentsDownloaded: number, started: number): TableVerdict {
  const table = pair.source.name;
  const display = (key: RowKey) => Object.fromEntries(Object.entries(key).map(([k, v]) => [k, displayValue(v, plan.keys.find((p) => p.name === k)?.rule)]));
  const changed = (merge?.changed ?? []).map((c): ChangedRow => ({
    key: display(c.key),
    columns: Object.fromEntries(Object.entries(c.columns).map(([name, [a, b]]) => {
      const rule = plan.columns.find((p) => p.name === name)?.rule;
      return [name, [displayValue(a, rule), displayValue(b, rule)] as const];
    })),
  }));
  const differenceCount = merge?.differenceCount ?? 0;
  const different = sourceRows !== targetRows || differenceCount > 0;
  const listed = (merge?.missingInTarget.length ?? 0) + (merge?.extraInTarget.length ?? 0) + changed.length + (merge?.duplicatesInSource.length ?? 0) + (merge?.duplicatesInTarget.length ?? 0);
  return {
    table,
    targetTable: pair.target.name,
    status: different ? 'different' : 'equal',
    sourceRows,
    targetRows,
    keyColumns: plan.keys.map((k) => k.name),
    comparedColumns: plan.columns.map((c) => c.name),
    missingInTarget: (merge?.missingInTarget ?? []).map(display),
    extraInTarget: (merge?.extraInTarget ?? []).map(display),
    changed,
    duplicatesInSource: (merge?.duplicatesInSource ?? []).map(display),
    duplicatesInTarget: (merge?.duplicatesInTarget ?? []).map(display),
    differenceCount,
    truncated: listed < differenceCount,
    segmentsDownloaded,
    durationMs: Date.now() - started,
  };
}

/** A single integer key on both sides, on engines whose integer columns hold only integers. */
function rangeSegmentable(plan: TablePlan, source: RowHashDialect, target: RowHashDialect): boolean {
  const [key, ...more] = plan.keys;
  return !more.length && key?.source.category === 'integer' && key.target.category === 'integer' && Boolean(source.rangeSegment && target.rangeSegment);
}

/** The key span of both sides together; `empty` when neither side has a row. */
async function keyBounds(source: Side, target: Side): Promise<{ lo: bigint; hi: bigint; empty: boolean }> {
  const bounds = async (side: Side, label: string) => (await queryOrExplain(() => side.session.all(side.queries.bounds(), []), label))[0] ?? {};
  const all = await Promise.all([bounds(source, 'source'), bounds(target, 'target')]);
  const values = (k: 'lo' | 'hi') => all.map((b) => b[k]).filter((v) => v !== null && v !== undefined).map((v) => BigInt(String(v)));
  const [los, his] = [values('lo'), values('hi')];
  if (!los.length || !his.length) return { lo: 0n, hi: maxRangeSpan, empty: true };
  return { lo: los.reduce((a, b) => (b < a ? b : a)), hi: his.reduce((a, b) => (b > a ? b : a)), empty: false };
}

/** Row count and checksum of the whole table: equal tables need nothing else. */
async function totals(side: Side, label: string): Promise<{ n: number; sig: string }> {
  const sums = segmentSums(await queryOrExplain(() => side.session.aggregate(side.queries.totals()), label));
  return sums.get(0) ?? { n: 0, sig: '0:0' };
}

async function count(side: Side, label: string): Promise<number> {
  const rows = await queryOrExplain(() => side.session.all(side.queries.count(), []), label);
  return Number(rows[0]?.n ?? 0);
}

async function download(source: Side, target: Side, plan: TablePlan, within: readonly SegmentSet[] | undefined, maxDiffs: number): Promise<MergeOutcome> {
  const rows = (side: Side) => drillRows(side.session.stream(side.queries.rows(within), [], streamBatch), plan);
  return mergeRows(rows(source), rows(target), plan.keys.map((k) => k.name), plan.columns.map((c) => c.name), maxDiffs);
}

/** Rows of differing key ranges, ordered by key (the key itself is the merge order: kh). */
async function downloadRanges(source: Side, target: Side, plan: TablePlan, within: readonly KeyRange[], maxDiffs: number): Promise<MergeOutcome> {
  const rows = (side: Side) => drillRows(side.session.stream(side.queries.rangeRows(within), [], streamBatch), plan);
  return mergeRows(rows(source), rows(target), plan.keys.map((k) => k.name), plan.columns.map((c) => c.name), maxDiffs);
}

async function* drillRows(rows: AsyncIterable<Record<string, unknown>>, plan: TablePlan): AsyncGenerator<DrillRow> {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  for await (const r of rows) {
    yield { kh: BigInt(String(r.kh)), ke: String(r.ke), keys: plan.keys.map((_, i) => text(r[`g${i}`])), fields: plan.columns.map((_, i) => text(r[`f${i}`])) };
  }
}

/** The first query on a side: a failure here is almost always --where or a permission, so it is a usage error (exit 2). */
async function queryOrExplain<T>(run: () => Promise<T>, label: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new UsageError(`the ${label} database refused the verify query: ${(error as Error).message}`, 'check --where, the table and your permissions; nothing was changed', { cause: error });
  }
}
