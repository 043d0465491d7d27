import type { HashSession } from '../../adapters/row-hash-dialect.js';
import type { HashQueries, SegmentSet } from './hash-queries.js';

/** One side's aggregate per segment: row count and "count:checksum". */
export type Sums = Map<number, { readonly n: number; readonly sig: string }>;

export interface Side {
  readonly session: HashSession;
  readonly queries: HashQueries;
  /**
   * Present when the first scan of a table is split by key range into `parts` aggregates run at once, each on a
   * session of its own (an engine without parallel query, see RowHashDialect.scanSessions); results in order.
   */
  readonly splitScan?: {
    readonly parts: number;
    aggregate(sqls: readonly string[]): Promise<Record<string, unknown>[][]>;
  };
}

export interface SegmentSearchResult {
  /** Segments whose rows must be downloaded and compared by key. */
  readonly differing: readonly SegmentSet[];
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Rows of the differing segments, the larger side of each: what the download reads. */
  readonly differingRows: number;
}

const maxSplit = 1024;
const maxDepth = 4;

/** Smallest power of two >= n (at least 1). */
export function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Segment sums as the aggregate query returns them; the checksum is S1 * 2^32 + S2 whichever way a dialect
 * splits its digest. A segment without rows (a union's branch of an empty range) is left out, as grouping leaves it.
 */
export function segmentSums(rows: readonly Record<string, unknown>[]): Sums {
  const checksum = (s1: unknown, s2: unknown) => {
    const [a, b] = [String(s1 ?? 0).replace(/\.0*$/, ''), String(s2 ?? 0).replace(/\.0*$/, '')];
    return /^-?\d+$/.test(a) && /^-?\d+$/.test(b) ? String(BigInt(a) * 4294967296n + BigInt(b)) : `${a}:${b}`;
  };
  return new Map(
    rows
      .filter((r) => Number(r.n) !== 0)
      .map((r) => [Number(r.seg), { n: Number(r.n), sig: `${String(r.n)}:${checksum(r.s1, r.s2)}` }]),
  );
}

async function sums(side: Side, modulus: number, within?: readonly SegmentSet[]): Promise<Sums> {
  return segmentSums(await side.session.aggregate(side.queries.segments(modulus, within)));
}

/**
 * Compares per-segment counts and checksums (segments are key-hash residues, so both engines
 * put a key in the same segment whatever their collations), and splits differing segments
 * that hold more than `segmentRows * 4` rows into finer residues until they are small.
 */
export async function findDifferingSegments(
  source: Side,
  target: Side,
  modulus: number,
  segmentRows: number,
  onRefine: (count: number) => void,
): Promise<SegmentSearchResult> {
  const [s, t] = await Promise.all([sums(source, modulus), sums(target, modulus)]);
  const total = (m: Sums) => [...m.values()].reduce((a, v) => a + v.n, 0);
  const result: SegmentSet[] = [];
  let differingRows = 0;
  let level: { modulus: number; s: Sums; t: Sums; within?: readonly SegmentSet[] } = { modulus, s, t };
  for (let depth = 0; ; depth++) {
    const differing = [...new Set([...level.s.keys(), ...level.t.keys()])]
      .filter((k) => level.s.get(k)?.sig !== level.t.get(k)?.sig)
      .sort((a, b) => a - b);
    const largest = Math.max(0, ...differing.map((k) => Math.max(level.s.get(k)?.n ?? 0, level.t.get(k)?.n ?? 0)));
    const small = differing.filter((k) => Math.max(level.s.get(k)?.n ?? 0, level.t.get(k)?.n ?? 0) <= segmentRows * 4);
    const large = differing.filter((k) => !small.includes(k));
    const rowsOf = (keys: readonly number[]) =>
      keys.reduce((a, k) => a + Math.max(level.s.get(k)?.n ?? 0, level.t.get(k)?.n ?? 0), 0);
    if (small.length) result.push({ modulus: level.modulus, residues: small });
    differingRows += rowsOf(small);
    if (!large.length) break;
    const factor = Math.min(maxSplit, powerOfTwoAtLeast(Math.ceil(largest / segmentRows)));
    if (depth >= maxDepth || factor <= 1) {
      result.push({ modulus: level.modulus, residues: large });
      differingRows += rowsOf(large);
      break;
    }
    onRefine(large.length);
    const within = [{ modulus: level.modulus, residues: large }];
    const next = level.modulus * factor;
    const [ns, nt] = await Promise.all([sums(source, next, within), sums(target, next, within)]);
    level = { modulus: next, s: ns, t: nt, within };
  }
  return { differing: result, sourceRows: total(s), targetRows: total(t), differingRows };
}
