import type { KeyRange } from './hash-queries.js';
import { powerOfTwoAtLeast, segmentSums, type SegmentSearchResult, type Side, type Sums } from './segment-search.js';
import { storageOrderScan, type StorageOrderScan } from './storage-order.js';

/** What a key-range search found: ranges to download (merged, in key order) and how many segments they hold. */
export interface RangeSearchResult extends Omit<SegmentSearchResult, 'differing'> {
  readonly differing: readonly KeyRange[];
  readonly segments: number;
}

const maxSplit = 1024n;
const maxDepth = 4;
/** A key span this wide or wider is segmented by key hash instead (segment numbers stay exact doubles). */
export const maxRangeSpan = 2n ** 53n;
const maxSegments = 65536n;

/**
 * Keys per segment: `segmentRows` when the keys are dense, wider when they are sparse so that at most 65,536
 * segments come back.
 */
function rangeWidth(lo: bigint, hi: bigint, segmentRows: number): bigint {
  const span = hi - lo + 1n;
  const dense = BigInt(Math.max(1, segmentRows));
  return span / dense > maxSegments ? (span + maxSegments - 1n) / maxSegments : dense;
}

/** Segments the first aggregate aims at: a small hash table per worker, whatever the table's size. */
const firstSegments = 256n;

/**
 * Keys per segment of the first aggregate: at least `segmentRows`, and no more than about 256 segments, so that
 * grouping costs little more than one sum (differing segments are then split by index range reads).
 */
export function firstRangeWidth(lo: bigint, hi: bigint, segmentRows: number): bigint {
  const fewest = (hi - lo + firstSegments) / firstSegments;
  const width = rangeWidth(lo, hi, segmentRows);
  return width > fewest ? width : fewest;
}

/**
 * Segments an integer key by value ranges (integer order is the same on every engine; only
 * strings depend on a collation): one aggregate scan per side, then index range scans that
 * split differing segments holding more than `segmentRows` rows until they are small (an index range
 * aggregate costs less than downloading its rows).
 * null when a side has rows with a NULL key (no range holds them): segment by key hash then.
 */
export async function findDifferingRanges(
  source: Side,
  target: Side,
  lo: bigint,
  hi: bigint,
  width: bigint,
  segmentRows: number,
  onRefine: (count: number) => void,
): Promise<RangeSearchResult | null> {
  const sums = async (side: Side, w: bigint, within?: readonly KeyRange[]): Promise<Sums> =>
    segmentSums(await side.session.aggregate(side.queries.rangeSegments(lo, w, within)));
  const [fs, ft] = await Promise.all([firstScan(source, lo, hi, width), firstScan(target, lo, hi, width)]);
  let [s, t] = [fs.sums, ft.sums];
  if (s.has(-1) || t.has(-1)) return null;
  // A side read in storage order counts a stray row in the chunk it is stored in: settle the differing ones.
  if (fs.settle || ft.settle) {
    const differing = differingSegments(s, t);
    if (differing.length) {
      [s, t] = await Promise.all([fs.settle?.(differing) ?? s, ft.settle?.(differing) ?? t]);
    }
  }
  const total = (m: Sums) => [...m.values()].reduce((a, v) => a + v.n, 0);
  const result: KeyRange[] = [];
  let segments = 0;
  let differingRows = 0;
  let level: { width: bigint; s: Sums; t: Sums; within?: readonly KeyRange[] } = { width, s, t };
  for (let depth = 0; ; depth++) {
    const rows = (k: number) => Math.max(level.s.get(k)?.n ?? 0, level.t.get(k)?.n ?? 0);
    const differing = differingSegments(level.s, level.t);
    const ranges = (keys: readonly number[]) =>
      clip(
        keys.map((k) => ({ from: lo + BigInt(k) * level.width, to: lo + BigInt(k + 1) * level.width - 1n })),
        level.within,
      );
    const small = differing.filter((k) => rows(k) <= segmentRows);
    const large = differing.filter((k) => rows(k) > segmentRows);
    result.push(...ranges(small));
    segments += small.length;
    differingRows += small.reduce((a, k) => a + rows(k), 0);
    if (!large.length) break;
    const factor = BigInt(
      Math.min(Number(maxSplit), powerOfTwoAtLeast(Math.ceil(Math.max(...large.map(rows)) / segmentRows))),
    );
    const next = (level.width + factor - 1n) / factor;
    if (depth >= maxDepth || next >= level.width) {
      result.push(...ranges(large));
      segments += large.length;
      differingRows += large.reduce((a, k) => a + rows(k), 0);
      break;
    }
    onRefine(large.length);
    const within = ranges(large);
    const [ns, nt] = await Promise.all([sums(source, next, within), sums(target, next, within)]);
    level = { width: next, s: ns, t: nt, within };
  }
  return { differing: merge(result), segments, sourceRows: total(s), targetRows: total(t), differingRows };
}

/** The first aggregate of a side: in storage order where the table is stored in key order, else by key range. */
async function firstScan(
  side: Side,
  lo: bigint,
  hi: bigint,
  width: bigint,
): Promise<{ sums: Sums; settle?: StorageOrderScan['settle'] }> {
  const stored = await storageOrderScan(side, lo, hi, width);
  return stored ?? { sums: await keyRangeSums(side, lo, hi, width) };
}

/** Segments whose count or checksum differs between the sides, in order. */
function differingSegments(s: Sums, t: Sums): number[] {
  return [...new Set([...s.keys(), ...t.keys()])].filter((k) => s.get(k)?.sig !== t.get(k)?.sig).sort((a, b) => a - b);
}

/**
 * The first aggregate per key range segment: one query, or, on a side that splits its first scan, one query per
 * part of the segments from lo to hi (both sides' key bounds), run at once. Each query sums its segments by one
 * index range read each where the side's table is stored in key order (HashQueries.rangeSums), else groups its rows
 * by segment. Segment numbers do not depend on the part, so the parts' sums join as they are. A side splits only
 * when its key is NOT NULL: a NULL key is in no range.
 */
async function keyRangeSums(side: Side, lo: bigint, hi: bigint, width: bigint): Promise<Sums> {
  const segments = Number((hi - lo) / width + 1n);
  const parts = side.splitScan ? Math.min(segments, side.splitScan.parts) : 1;
  const edge = (i: number) => Math.floor((segments * i) / parts);
  const sqls = Array.from({ length: parts }, (_, i) => {
    const [first, end] = [edge(i), edge(i + 1)];
    const numbers = Array.from({ length: end - first }, (_, j) => first + j);
    const within = parts > 1 ? [{ from: lo + BigInt(first) * width, to: lo + BigInt(end) * width - 1n }] : undefined;
    return side.queries.rangeSums(lo, width, numbers) ?? side.queries.rangeSegments(lo, width, within);
  });
  const results =
    side.splitScan && parts > 1 ? await side.splitScan.aggregate(sqls) : [await side.session.aggregate(sqls[0]!)];
  return new Map(results.flatMap((rows) => [...segmentSums(rows)]));
}

/** The parts of `ranges` inside `within` (all of them when absent). */
function clip(ranges: readonly KeyRange[], within: readonly KeyRange[] | undefined): KeyRange[] {
  if (!within) return [...ranges];
  return ranges.flatMap((r) =>
    within
      .filter((w) => w.from <= r.to && r.from <= w.to)
      .map((w) => ({ from: r.from > w.from ? r.from : w.from, to: r.to < w.to ? r.to : w.to })),
  );
}

/** Sorted, with touching or overlapping ranges joined (fewer OR terms in the download). */
function merge(ranges: readonly KeyRange[]): KeyRange[] {
  const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: KeyRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1n) out[out.length - 1] = { from: last.from, to: r.to > last.to ? r.to : last.to };
    else out.push(r);
  }
  return out;
}
