/** A chunk's bounds as key texts (null: open). */
export interface PlannedRange {
  readonly low: string[] | null;
  readonly high: string[] | null;
}

/**
 * Splits an integer key span into half-open ranges of about `chunkRows` rows each, assuming keys
 * spread evenly (gaps make some chunks smaller, never larger than the span allows). The first
 * and last ranges are open, so rows added outside [low, high] after planning are still copied.
 */
export function integerRanges(
  low: string | null,
  high: string | null,
  rows: number,
  chunkRows: number,
): PlannedRange[] {
  if (low === null || high === null || rows <= chunkRows) return [{ low: null, high: null }];
  const lo = BigInt(low);
  const span = BigInt(high) - lo + 1n;
  const count = BigInt(Math.ceil(rows / chunkRows));
  const width = (span + count - 1n) / count || 1n;
  const bounds: bigint[] = [];
  for (let b = lo + width; b <= BigInt(high); b += width) bounds.push(b);
  const ranges: PlannedRange[] = [];
  let previous: bigint | null = null;
  for (const b of bounds) {
    ranges.push({ low: previous === null ? null : [previous.toString()], high: [b.toString()] });
    previous = b;
  }
  ranges.push({ low: previous === null ? null : [previous.toString()], high: null });
  return ranges;
}
