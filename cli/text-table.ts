/**
 * Plain-text tables for the CLI: columns padded to their widest cell, two spaces apart, the last column unpadded
 * (so a long note or path never pushes trailing spaces). Widths come from every row given, so sections printed
 * from one call line up with each other.
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
