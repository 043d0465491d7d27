import type { StorageChunk } from './hash-queries.js';
import { segmentSums, type Side, type Sums } from './segment-search.js';

/**
 * Rows sampled per key range boundary, in key order: the boundary is where the first of them is stored, or the next
 * one when it was stored away from the others (after the median position).
 */
const samplesPerBoundary = 5;
/** A chunk query longer than this (a wide table's canonical fields, repeated per chunk) is not worth its planning. */
const maxChunkSql = 1_000_000;

/**
 * A first scan in storage order: sums per chunk of storage, standing for its key range segment; `settle` makes the
 * sums of the given segments exact by key range (see storageOrderScan).
 */
export interface StorageOrderScan {
  readonly sums: Sums;
  settle(segments: readonly number[]): Promise<Sums>;
}

/**
 * The first scan's sums per key range segment (`width` keys from `lo`), read in storage order where a table is
 * stored about in key order (loaded in key order, as most are): index probes find where each segment's first rows
 * are stored, and each chunk of storage between two such places is summed as it lies (a range read costs what a
 * sequential scan does; grouping every row by segment costs a hash aggregate's per-row work).
 *
 * A chunk can hold rows stored away from their key neighbours (updated, or inserted late), so its sums stand for
 * its segment only where they equal the other side's: equal sums mean (but for a 64-bit sum collision) the same
 * rows, strays included, wherever each side's segments count them. Where they differ, `settle` re-reads those
 * chunks' strays and counts them in their own segments instead (a hash aggregate of a few chunks), which makes the
 * two sides' differences exactly the key ranges' differences.
 * null when the table's storage is not in key order, or the dialect, server or query cannot: the caller groups by
 * segment instead.
 */
export async function storageOrderScan(
  side: Side,
  lo: bigint,
  hi: bigint,
  width: bigint,
): Promise<StorageOrderScan | null> {
  const segments = Number((hi - lo) / width + 1n);
  if (segments < 2) return null;
  const keys = Array.from({ length: segments - 1 }, (_, i) => lo + BigInt(i + 1) * width);
  const sample = side.queries.storageSamples(keys, samplesPerBoundary);
  if (!sample) return null;
  const found = await side.session.all(sample);
  // No rows: the server cannot read storage ranges (PostgreSQL before 14).
  if (found.length !== keys.length) return null;
  const compare = (a: string, b: string) => side.queries.comparePositions(a, b);
  const bounds = storageBounds(
    found.map((r) =>
      String(r.p ?? '')
        .split(' ')
        .filter(Boolean),
    ),
    compare,
  );
  if (!bounds) return null;
  const chunks = storageChunks(bounds, lo, width, compare);
  const sql = side.queries.chunkSums(chunks);
  if (sql.length > maxChunkSql) return null;
  const counted = await side.session.aggregate(sql);
  return {
    sums: combineChunkSums(counted, []),
    settle: async (differing) => {
      const wanted = new Set(differing);
      const settled = chunks.filter((c) => wanted.has(c.segment));
      if (!settled.length) return combineChunkSums(counted, []);
      const strays = await side.session.aggregate(side.queries.chunkStrays(settled, lo, width));
      return combineChunkSums(counted, strays);
    },
  };
}

/** Infinity: a boundary past every row of the side (no key at or after it). */
const past = null;

/**
 * One storage position per boundary (the first of its samples, in key order, stored no later than their median;
 * `past` when it has none), made non-decreasing; null when more than a few boundaries go backwards (the storage is
 * not in key order, and most rows would be strays).
 */
export function storageBounds(
  samples: readonly (readonly string[])[],
  compare: (a: string, b: string) => number,
): (string | typeof past)[] | null {
  const firsts = samples.map((s) => {
    if (!s.length) return past;
    const median = [...s].sort(compare)[Math.floor((s.length - 1) / 2)]!;
    return s.find((p) => compare(p, median) <= 0)!;
  });
  const order = (a: string | typeof past, b: string | typeof past) =>
    a === past ? (b === past ? 0 : 1) : b === past ? -1 : compare(a, b);
  const backwards = firsts.filter((m, i) => i > 0 && order(m, firsts[i - 1]!) < 0).length;
  if (backwards > Math.max(2, firsts.length / 32)) return null;
  const bounds: (string | typeof past)[] = [];
  for (const m of firsts) {
    const last = bounds[bounds.length - 1];
    bounds.push(last !== undefined && order(m, last) < 0 ? last : m);
  }
  return bounds;
}

/**
 * The chunks between consecutive bounds (the first from the first row, the last to the end), each with its segment's
 * key range; chunks that hold nothing (a bound past every row, or two equal bounds) are left out. Together they
 * read every row once.
 */
export function storageChunks(
  bounds: readonly (string | typeof past)[],
  lo: bigint,
  width: bigint,
  compare: (a: string, b: string) => number,
): StorageChunk[] {
  const chunks: StorageChunk[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const from = i === 0 ? null : bounds[i - 1]!;
    const to = i === bounds.length ? null : bounds[i]!;
    if (i > 0 && from === past) break;
    if (from !== null && to !== null && compare(from, to) >= 0) continue;
    const keyFrom = lo + BigInt(i) * width;
    chunks.push({ segment: i, from, to, keyFrom, keyTo: keyFrom + width - 1n });
  }
  return chunks;
}

/**
 * Segment sums from chunk sums: each chunk's sums count for its own segment, less its strays, which count for the
 * segments their keys are in. Empty segments are left out, as a grouped scan leaves them out.
 */
export function combineChunkSums(
  counted: readonly Record<string, unknown>[],
  strays: readonly Record<string, unknown>[],
): Sums {
  const int = (v: unknown) => BigInt(String(v ?? 0).replace(/\.0*$/, ''));
  const sums = new Map<number, [bigint, bigint, bigint]>();
  const add = (segment: number, r: Record<string, unknown>, sign: bigint) => {
    const [n, s1, s2] = sums.get(segment) ?? [0n, 0n, 0n];
    sums.set(segment, [n + sign * int(r.n), s1 + sign * int(r.s1), s2 + sign * int(r.s2)]);
  };
  for (const r of counted) add(Number(r.seg), r, 1n);
  for (const r of strays) {
    add(Number(r.chunk), r, -1n);
    add(Number(r.seg), r, 1n);
  }
  return segmentSums([...sums].map(([seg, [n, s1, s2]]) => ({ seg, n: String(n), s1: String(s1), s2: String(s2) })));
}
