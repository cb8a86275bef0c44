/**
 * Caps applied to a partner's upload before and while it is read. The route already
 * refuses bodies over 20 MB; these bound what those 20 MB may expand to (a gzip or zip
 * bomb, a line of 100 000 separators) so that one upload cannot exhaust the server.
 * exceljs holds a whole workbook in memory (≈ 0.8 KB per cell measured on Node 20),
 * hence a cell cap for XLSX well below the CSV one.
 */
export const LIMITS = {
  /** Columns of the header row. */
  columns: 1_000,
  /** Data rows (below the header). */
  rows: 500_000,
  /** Cells of a CSV (columns × data lines), ≈ 35 000 communes × 140 columns. */
  cells: 5_000_000,
  /** Cells declared in the worksheets of an XLSX (`<c>` elements, empty styled cells included). */
  xlsxCells: 1_000_000,
  /** Text after gunzip. */
  textBytes: 64 * 1024 * 1024,
  /** Entries of an XLSX archive (a workbook has ~10–50). */
  zipEntries: 1_000,
  /** Total uncompressed size of an XLSX archive. */
  zipBytes: 128 * 1024 * 1024,
  /** Compression ratio above which an entry larger than `zipRatioFloor` is a bomb (Apache POI uses 100 too). */
  zipRatio: 100,
  zipRatioFloor: 1024 * 1024,
  /** Lines searched for the header row. */
  headerSearch: 50,
  /** Lines used to detect the separator. */
  separatorSample: 200
} as const;

export function formatCount(n: number): string {
  return new Intl.NumberFormat('fr-FR').format(n).replace(/\u202f/g, ' ');
}

export function formatBytes(n: number): string {
  return `${formatCount(Math.round(n / (1024 * 1024)))} Mo`;
}
