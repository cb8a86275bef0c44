/** A rectangular export: the same table becomes CSV or XLSX. */
export interface Column {
  key: string;
  header: string;
  kind: 'text' | 'number';
  /** Fixed decimals; when absent, up to 6, trailing zeros dropped. */
  decimals?: number;
}

export type Cell = string | number | null;

export interface Table {
  columns: Column[];
  rows: Record<string, Cell>[];
}

/** Name/value lines describing the export: indicator, source, vintage, licence… */
export type Metadata = [label: string, value: string][];

/** A number with a decimal comma and no thousands separator: 1234.5 → « 1234,5 ». */
export function formatDecimal(n: number, decimals?: number): string {
  const text = decimals === undefined ? String(Number(n.toFixed(6))) : n.toFixed(decimals);
  const normal = /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
  return normal.replace('.', ',');
}
