/**
 * Plain-text tables for the command line.
 * @module
 */

/**
 * Lays out rows under a header, columns padded to their widest cell; columns
 * listed in `right` are right-aligned (numbers).
 * @example
 * ```ts
 * formatTable(['function', 'ops/s'], [['c1', '1,000']], { right: [1] });
 * ```
 */
export function formatTable(header: string[], rows: string[][], options: { right?: number[] } = {}): string {
  const right = new Set(options.right ?? []);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
