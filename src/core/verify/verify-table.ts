import type { Knex } from 'knex';
import type { CatalogTable, HashAlgorithm, HashSession, RowHashDialect } from '../../adapters/row-hash-dialect.js';
import { planTable, type TablePlan } from './column-plan.js';
import { HashQueries, wholeRowForm, type KeyRange, type SegmentSet } from './hash-queries.js';
import { displayValue } from './display-value.js';
import { compareValues } from './key-order.js';
import { explainFailure, explainingSession, QueryFailedError } from './query-failure.js';
import { mergeRows, type DrillRow, type MergeOutcome } from './row-merge.js';
import { findDifferingRanges, firstRangeWidth, maxRangeSpan } from './range-search.js';
import { findDifferingSegments, powerOfTwoAtLeast, segmentSums, type Side } from './segment-search.js';
import type {
  ChangedRow,
  RepeatedKeys,
  RowKey,
  TableVerdict,
  VerifyOptions,
  VerifyPhase,
  VerifySide,
} from './verify-types.js';

/** A table pair both of whose catalogs were read. */
export interface TablePair {
  readonly source: CatalogTable;
  readonly target: CatalogTable;
}

export interface SideContext {
  readonly side: VerifySide;
  readonly dialect: RowHashDialect;
  readonly schema: string | undefined;
}

const streamBatch = 5000;
const progressEvery = 5000;

/**
 * Counts, hashes and, where needed, downloads one table pair; differences are the return value.
 * `sessions` holds the pair's open sessions while it runs, so an abort can cancel their queries.
 */
export async function verifyTable(
  pair: TablePair,
  src: SideContext,
  tgt: SideContext,
  options: VerifyOptions,
  sessions = new Set<HashSession>(),
): Promise<TableVerdict> {
  const started = Date.now();
  const table = pair.source.name;
  const phase = (p: VerifyPhase, detail?: string) =>
    options.onEvent?.({ type: 'table-phase', table, phase: p, ...(detail ? { detail } : {}) });
  const plan = planTable(pair.source, pair.target, options, await pairAlgorithm(src, tgt));
  const opened = await Promise.allSettled([src.dialect.session(src.side.knex), tgt.dialect.session(tgt.side.knex)]);
  const [ss, ts] = opened.map((o) => (o.status === 'fulfilled' ? o.value : null));
  if (!ss || !ts) {
    await Promise.all([ss?.release(), ts?.release()]);
    throw opened.find((o) => o.status === 'rejected')?.reason;
  }
  sessions.add(ss);
  sessions.add(ts);
  const form = wholeRowForm(plan, pair.source, pair.target, [src.dialect, tgt.dialect]);
  const whole = (name: string) => (form ? { table: name, form } : undefined);
  /** The first scan in parts on sessions of their own, where the dialect asks for it and the key is NOT NULL. */
  const splitScan = (ctx: SideContext, main: HashSession, name: 'source' | 'target'): Side['splitScan'] => {
    const parts = ctx.dialect.scanSessions ?? 1;
    if (parts < 2 || plan.keys.length !== 1 || !plan.keys[0]![name].notNull) return undefined;
    const explained = (s: HashSession) => explainingSession(s, ctx.dialect, name, options.signal);
    return {
      parts,
      aggregate: async (sqls) => {
        // A pool without a spare connection per part (a library caller's small pool): the parts one after another.
        if (spareConnections(ctx.side.knex) < sqls.length - 1) {
          const results: Record<string, unknown>[][] = [];
          for (const sql of sqls) results.push(await explained(main).aggregate(sql));
          return results;
        }
        const openings = await Promise.allSettled(sqls.slice(1).map(() => ctx.dialect.session(ctx.side.knex)));
        const extra = openings.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        extra.forEach((s) => sessions.add(s));
        try {
          const failed = openings.find((o) => o.status === 'rejected');
          if (failed) throw failed.reason;
          const all = [explained(main), ...extra.map(explained)];
          // Every part settles before its session goes back to the pool, a failed one's siblings included.
          const done = await Promise.allSettled(sqls.map((sql, i) => all[i]!.aggregate(sql)));
          const refused = done.find((d) => d.status === 'rejected');
          if (refused) throw refused.reason;
          return done.map((d) => (d as PromiseFulfilledResult<Record<string, unknown>[]>).value);
        } finally {
          extra.forEach((s) => sessions.delete(s));
          await Promise.all(extra.map((s) => s.release()));
        }
      },
    };
  };
  const source: Side = {
    session: explainingSession(ss, src.dialect, 'source', options.signal),
    splitScan: splitScan(src, ss, 'source'),
    queries: new HashQueries(
      src.dialect,
      plan,
      'source',
      src.dialect.tableReference(src.schema, pair.source.name),
      options.where,
      whole(pair.source.name),
      isPrimaryKey(plan, pair.source, 'source'),
    ),
  };
  const target: Side = {
    session: explainingSession(ts, tgt.dialect, 'target', options.signal),
    splitScan: splitScan(tgt, ts, 'target'),
    queries: new HashQueries(
      tgt.dialect,
      plan,
      'target',
      tgt.dialect.tableReference(tgt.schema, pair.target.name),
      options.targetWhere ?? options.where,
      whole(pair.target.name),
      isPrimaryKey(plan, pair.target, 'target'),
    ),
  };
  try {
    return await compare(pair, plan, source, target, options, phase, started);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof QueryFailedError) {
      const side = error.side === 'source' ? source : target;
      throw await explainFailure(error, table, side.queries, side.session);
    }
    throw error;
  } finally {
    sessions.delete(ss);
    sessions.delete(ts);
    await Promise.all([ss.release(), ts.release()]);
  }
}

/** The plan's single key is this side's whole primary key. */
function isPrimaryKey(plan: TablePlan, table: CatalogTable, side: 'source' | 'target'): boolean {
  const key = plan.keys.length === 1 ? plan.keys[0]![side].name : undefined;
  return key !== undefined && table.primaryKey.length === 1 && table.primaryKey[0] === key;
}

async function compare(
  pair: TablePair,
  plan: TablePlan,
  source: Side,
  target: Side,
  options: VerifyOptions,
  phase: (p: VerifyPhase, detail?: string) => void,
  started: number,
): Promise<TableVerdict> {
  const table = pair.source.name;
  const mode = options.mode ?? 'checksum';
  const segmentRows = options.segmentRows ?? 1000;
  const maxDiffs = options.maxDiffs ?? 100;
  const progress = (total: number) => {
    options.onEvent?.({ type: 'table-rows', table, done: 0, total });
    return (done: number) => options.onEvent?.({ type: 'table-rows', table, done, total });
  };
  if (mode === 'checksum') {
    phase('hashing');
    // A single integer key: the first aggregate of each side already gives every key range's sums, so equal
    // tables cost that one scan and differing ones add only index range reads of their differing ranges.
    // A key not declared unique is checked for repeats in the one aggregate (count(distinct)): no key ranges then.
    const check = plan.comparison === 'key' && !plan.keyDeclaredUnique;
    const ranged =
      !check && rangeSegmentable(plan, source.queries, target.queries) ? await keyBounds(source, target) : null;
    if (ranged && !ranged.empty && ranged.hi - ranged.lo < maxRangeSpan) {
      const found = await findDifferingRanges(
        source,
        target,
        ranged.lo,
        ranged.hi,
        firstRangeWidth(ranged.lo, ranged.hi, segmentRows),
        segmentRows,
        (n) => phase('refining', `${n} large segments`),
      );
      if (found) {
        let merge: MergeOutcome | null = null;
        if (found.differing.length) {
          phase('downloading', `${found.segments} segments`);
          merge = await downloadRanges(
            source,
            target,
            plan,
            found.differing,
            maxDiffs,
            progress(found.differingRows * 2),
          );
        }
        return verdict(pair, plan, found.sourceRows, found.targetRows, merge, found.segments, started);
      }
    }
    const [st, tt] = await Promise.all([totals(source, check), totals(target, check)]);
    const repeated = () => repeats(source, target, plan, [st.nk < st.n, tt.nk < tt.n], maxDiffs);
    if (st.sig === tt.sig) return verdict(pair, plan, st.n, tt.n, null, 0, started, await repeated());
    const modulus = powerOfTwoAtLeast(Math.ceil(Math.max(st.n, tt.n, 1) / segmentRows));
    const segments = await findDifferingSegments(source, target, modulus, segmentRows, (n) =>
      phase('refining', `${n} large segments`),
    );
    const segmentsDownloaded = segments.differing.reduce((a, x) => a + x.residues.length, 0);
    let merge: MergeOutcome | null = null;
    if (segmentsDownloaded > 0) {
      phase('downloading', `${segmentsDownloaded} segments`);
      merge = await download(source, target, plan, segments.differing, maxDiffs, progress(segments.differingRows * 2));
    }
    return verdict(pair, plan, st.n, tt.n, merge, segmentsDownloaded, started, await repeated());
  }
  phase('counting');
  const [sourceRows, targetRows] = await Promise.all([count(source), count(target)]);
  let merge: MergeOutcome | null = null;
  if (mode === 'rows') {
    phase('downloading', 'all rows');
    merge = await download(source, target, plan, undefined, maxDiffs, progress(sourceRows + targetRows));
    const seen: [boolean, boolean] = [merge.repeatsInSource, merge.repeatsInTarget];
    const repeated = plan.keyDeclaredUnique ? undefined : await repeats(source, target, plan, seen, maxDiffs);
    return verdict(pair, plan, sourceRows, targetRows, merge, 0, started, repeated);
  }
  return verdict(pair, plan, sourceRows, targetRows, merge, 0, started);
}

/** Categories whose values are numbers as a report shows them. */
const numeric: ReadonlySet<string> = new Set(['integer', 'decimal', 'float']);

function verdict(
  pair: TablePair,
  plan: TablePlan,
  sourceRows: number,
  targetRows: number,
  merge: MergeOutcome | null,
  segmentsDownloaded: number,
  started: number,
  repeated?: { readonly source: RepeatedKeys; readonly target: RepeatedKeys },
): TableVerdict {
  const table = pair.source.name;
  const keyNames = plan.keys.map((k) => k.name);
  const keyCategories = plan.keys.map((k) => k.rule.category);
  const byKey = (a: RowKey, b: RowKey) =>
    compareValues(
      keyNames.map((k) => a[k] ?? null),
      keyNames.map((k) => b[k] ?? null),
      keyCategories,
    );
  const byFields = (a: { fields: readonly (string | null)[] }, b: { fields: readonly (string | null)[] }) =>
    compareValues(
      a.fields,
      b.fields,
      plan.columns.map((c) => c.rule.category),
    );
  const display = (key: RowKey) =>
    Object.fromEntries(
      Object.entries(key).map(([k, v]) => [k, displayValue(v, plan.keys.find((p) => p.name === k)?.rule)]),
    );
  const row = (fields: readonly (string | null)[]): RowKey =>
    Object.fromEntries(plan.columns.map((c, i) => [c.name, displayValue(fields[i] ?? null, c.rule)]));
  const keys = (list: readonly RowKey[] | undefined) => [...(list ?? [])].sort(byKey).map(display);
  const changed = [...(merge?.changed ?? [])]
    .sort((a, b) => byKey(a.key, b.key))
    .map((c): ChangedRow => ({
      key: display(c.key),
      columns: Object.fromEntries(
        Object.entries(c.columns).map(([name, [a, b]]) => {
          const rule = plan.columns.find((p) => p.name === name)?.rule;
          return [name, [displayValue(a, rule), displayValue(b, rule)] as const];
        }),
      ),
    }));
  const counted = (list: readonly { fields: readonly (string | null)[]; count: number }[] | undefined) =>
    [...(list ?? [])].sort(byFields).map((r) => ({ row: row(r.fields), count: r.count }));
  const missingRows = counted(merge?.missingRows);
  const extraRows = counted(merge?.extraRows);
  const differenceCount = merge?.differenceCount ?? 0;
  const different = sourceRows !== targetRows || differenceCount > 0;
  const listed =
    (merge?.missingInTarget.length ?? 0) +
    (merge?.extraInTarget.length ?? 0) +
    changed.length +
    (merge?.duplicatesInSource.length ?? 0) +
    (merge?.duplicatesInTarget.length ?? 0) +
    [...missingRows, ...extraRows].reduce((a, r) => a + r.count, 0);
  return {
    table,
    targetTable: pair.target.name,
    status: different ? 'different' : 'equal',
    sourceRows,
    targetRows,
    comparison: plan.comparison,
    keyColumns: keyNames,
    comparedColumns: plan.columns.map((c) => c.name),
    numericColumns: [
      ...new Set([...plan.keys, ...plan.columns].filter((c) => numeric.has(c.rule.category)).map((c) => c.name)),
    ],
    missingInTarget: keys(merge?.missingInTarget),
    extraInTarget: keys(merge?.extraInTarget),
    changed,
    duplicatesInSource: keys(merge?.duplicatesInSource),
    duplicatesInTarget: keys(merge?.duplicatesInTarget),
    missingRows,
    extraRows,
    differenceCount,
    truncated: listed < differenceCount,
    segmentsDownloaded,
    durationMs: Date.now() - started,
    reason: null,
    ...(repeated && {
      repeatedKeys: {
        source: { keys: repeated.source.keys, examples: keys(repeated.source.examples) },
        target: { keys: repeated.target.keys, examples: keys(repeated.target.examples) },
      },
    }),
  };
}

/** The pair's algorithm: native only when the dialect offers it and both servers can run it. */
export async function pairAlgorithm(src: SideContext, tgt: SideContext): Promise<HashAlgorithm> {
  const algorithm = src.dialect.algorithmFor(tgt.dialect.name);
  if (algorithm !== 'native') return algorithm;
  const able = (side: SideContext) => side.dialect.nativeHashAvailable?.(side.side.knex) ?? Promise.resolve(true);
  const [a, b] = await Promise.all([able(src), able(tgt)]);
  return a && b ? 'native' : 'portable';
}

/** A single integer key on both sides, on engines whose integer columns hold only integers. */
function rangeSegmentable(plan: TablePlan, source: HashQueries, target: HashQueries): boolean {
  const [key, ...more] = plan.keys;
  return (
    !more.length &&
    key?.source.category === 'integer' &&
    key.target.category === 'integer' &&
    source.canRangeSegment() &&
    target.canRangeSegment()
  );
}

/** The key span of both sides together; `empty` when neither side has a row. */
/** Connections a knex pool could still hand out without waiting (tarn's pool: https://github.com/vincit/tarn.js). */
function spareConnections(knex: Knex): number {
  const pool = (knex.client as { pool?: TarnPool }).pool;
  if (!pool) return 0;
  return pool.max - pool.numUsed() - pool.numPendingAcquires() - pool.numPendingCreates();
}

interface TarnPool {
  readonly max: number;
  numUsed(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

async function keyBounds(source: Side, target: Side): Promise<{ lo: bigint; hi: bigint; empty: boolean }> {
  const bounds = async (side: Side) => (await side.session.all(side.queries.bounds()))[0] ?? {};
  const all = await Promise.all([bounds(source), bounds(target)]);
  const values = (k: 'lo' | 'hi') =>
    all
      .map((b) => b[k])
      .filter((v) => v !== null && v !== undefined)
      .map((v) => BigInt(String(v)));
  const [los, his] = [values('lo'), values('hi')];
  if (!los.length || !his.length) return { lo: 0n, hi: maxRangeSpan, empty: true };
  return { lo: los.reduce((a, b) => (b < a ? b : a)), hi: his.reduce((a, b) => (b > a ? b : a)), empty: false };
}

/**
 * Row count and checksum of the whole table: equal tables need nothing else. With `keys`, the distinct key
 * hashes too (nk; the row count otherwise).
 */
async function totals(side: Side, keys: boolean): Promise<{ n: number; sig: string; nk: number }> {
  const rows = await side.session.aggregate(keys ? side.queries.keyTotals() : side.queries.totals());
  const sums = segmentSums(rows).get(0) ?? { n: 0, sig: '0:0' };
  return { ...sums, nk: keys ? Number(rows[0]?.nk ?? 0) : sums.n };
}

/**
 * The repeated keys of the sides where `seen` says a key repeats (a side not seen needs no query): how many and
 * the first `maxDiffs`; undefined when none repeats after all (two keys whose hashes collided).
 */
async function repeats(
  source: Side,
  target: Side,
  plan: TablePlan,
  seen: readonly [boolean, boolean],
  maxDiffs: number,
): Promise<{ source: RepeatedKeys; target: RepeatedKeys } | undefined> {
  if (!seen[0] && !seen[1]) return undefined;
  const look = async (side: Side, yes: boolean): Promise<RepeatedKeys> => {
    if (!yes) return { keys: 0, examples: [] };
    const rows = await side.session.all(side.queries.repeatedKeys(maxDiffs));
    const text = (v: unknown) =>
      v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('hex') : String(v);
    const examples = rows.map((r) => Object.fromEntries(plan.keys.map((k, i) => [k.name, text(r[`g${i}`])])));
    return { keys: Number(rows[0]?.repeated ?? 0), examples };
  };
  const [s, t] = await Promise.all([look(source, seen[0]), look(target, seen[1])]);
  return s.keys || t.keys ? { source: s, target: t } : undefined;
}

async function count(side: Side): Promise<number> {
  const rows = await side.session.all(side.queries.count());
  return Number(rows[0]?.n ?? 0);
}

type Progress = (done: number) => void;

async function download(
  source: Side,
  target: Side,
  plan: TablePlan,
  within: readonly SegmentSet[] | undefined,
  maxDiffs: number,
  progress: Progress,
): Promise<MergeOutcome> {
  const counter = rowCounter(progress);
  const rows = (side: Side) => drillRows(side.session.stream(side.queries.rows(within), streamBatch), plan, counter);
  return mergeRows(
    rows(source),
    rows(target),
    plan.keys.map((k) => k.name),
    plan.columns.map((c) => c.name),
    maxDiffs,
    plan.comparison,
  );
}

/** Rows of differing key ranges, ordered by key (the key itself is the merge order: kh). */
async function downloadRanges(
  source: Side,
  target: Side,
  plan: TablePlan,
  within: readonly KeyRange[],
  maxDiffs: number,
  progress: Progress,
): Promise<MergeOutcome> {
  const counter = rowCounter(progress);
  const rows = (side: Side) =>
    drillRows(side.session.stream(side.queries.rangeRows(within), streamBatch), plan, counter);
  return mergeRows(
    rows(source),
    rows(target),
    plan.keys.map((k) => k.name),
    plan.columns.map((c) => c.name),
    maxDiffs,
    plan.comparison,
  );
}

/** Counts downloaded rows of both sides and reports every `progressEvery`. */
function rowCounter(progress: Progress): (n: number) => void {
  let done = 0;
  let reported = 0;
  return (n) => {
    done += n;
    if (done - reported >= progressEvery) {
      reported = done;
      progress(done);
    }
  };
}

async function* drillRows(
  rows: AsyncIterable<Record<string, unknown>>,
  plan: TablePlan,
  counted: (n: number) => void,
): AsyncGenerator<DrillRow> {
  const text = (v: unknown) =>
    v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('hex') : String(v);
  for await (const r of rows) {
    const n = r.n === undefined ? 1 : Number(r.n);
    counted(n);
    yield {
      kh: BigInt(String(r.kh)),
      ke: text(r.ke) ?? '',
      keys: plan.keys.map((_, i) => text(r[`g${i}`])),
      fields: plan.columns.map((_, i) => text(r[`f${i}`])),
      n,
    };
  }
}
