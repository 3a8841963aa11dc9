/** Plain-text table: the first column left-aligned, the rest right-aligned (numbers). Pure. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A number for a table cell: fixed digits, '–' for NaN/null. */
export const cell = (value: number | null | undefined, digits = 0): string => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));

/** One row of a table printed row by row (as readings come): every column `min` wide or its header's width. */
export function streamedRow(headers: readonly string[], cells: readonly string[], min = 7, indent = '  '): string {
  return indent + headers.map((h, i) => (cells[i] ?? '').padStart(Math.max(min, h.length))).join('  ');
}
