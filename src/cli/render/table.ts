import { out } from '../output.js';

/** A plain aligned text table. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out.line(line(headers));
  out.line(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out.line(line(row));
}
