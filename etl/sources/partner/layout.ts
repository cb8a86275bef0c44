/**
 * Layout detection shared by the CSV and XLSX readers, on rows of string cells: which
 * row is the header (metadata lines above it, like the ANCT export's three), the
 * decimal mark, the COG year announced by the metadata, and the clean-up of the header
 * (names for empty or repeated headers, empty trailing columns, empty rows).
 */
import { LIMITS } from './limits.ts';

export type Decimal = ',' | '.';

export interface GridRow {
  /** 1-based line as in a spreadsheet. */
  line: number;
  cells: string[];
}

const NUMERIC = /^[-+]?\d[\d \u00a0\u202f]*(?:[.,]\d+)?$/;

export function looksNumeric(cell: string): boolean {
  return NUMERIC.test(cell.trim());
}

function filledCount(cells: readonly string[]): number {
  let n = 0;
  for (const c of cells) if (c.trim() !== '') n++;
  return n;
}

/** The most frequent width among rows of at least 2 cells (the larger on a tie), or 0. */
export function modalWidth(widths: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const w of widths) if (w >= 2) counts.set(w, (counts.get(w) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  for (const [w, n] of counts) {
    if (n > bestCount || (n === bestCount && w > best)) {
      best = w;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Index of the header among `rows`: the first row (within `LIMITS.headerSearch`) whose
 * cells are filled for at least three quarters of the width of the table below it (the
 * modal width of the rows from there on) and are not all numbers. Metadata lines fill
 * one cell (« Référentiel géographique : … ; ; »), data rows are mostly numbers. Null
 * when no row qualifies.
 */
export function detectHeaderIndex(rows: readonly (readonly string[])[]): number | null {
  const widths = rows.map((r) => r.length);
  for (let i = 0; i < Math.min(rows.length, LIMITS.headerSearch); i++) {
    const cells = rows[i]!;
    const needed = Math.max(2, Math.ceil(0.75 * modalWidth(widths.slice(i))));
    if (filledCount(cells) < needed) continue;
    if (cells.every((c) => c.trim() === '' || looksNumeric(c))) continue;
    return i;
  }
  return null;
}

const DECIMAL_CELL = /^[-+]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)([.,])(\d+)$/;

export interface DecimalEvidence {
  decimal: Decimal;
  /** Cells read as decimal numbers with each mark (a fraction of exactly 3 digits is ambiguous with thousands and counts less). */
  comma: number;
  point: number;
}

/**
 * Decimal mark from numeric-looking text cells. `1,5` or `12.25` decide; `1.234` could
 * be a thousands separator, so 3-digit fractions only decide when nothing else does.
 */
export function detectDecimal(cells: Iterable<string>, fallback: Decimal): DecimalEvidence {
  let comma = 0;
  let point = 0;
  let weakComma = 0;
  let weakPoint = 0;
  for (const cell of cells) {
    const m = DECIMAL_CELL.exec(cell);
    if (!m) continue;
    const strong = m[2]!.length !== 3;
    if (m[1] === ',') {
      if (strong) comma++;
      else weakComma++;
    } else if (strong) point++;
    else weakPoint++;
  }
  const pick = (c: number, p: number): Decimal | null => (c > p ? ',' : p > c ? '.' : null);
  const decimal = pick(comma, point) ?? pick(weakComma, weakPoint) ?? fallback;
  return { decimal, comma: comma + weakComma, point: point + weakPoint };
}

const YEAR_PATTERNS: readonly RegExp[] = [
  // ANCT Observatoire des territoires: « Référentiel géographique : Communes (2025) ».
  /r[ée]f[ée]rentiel g[ée]ographique\s*:[^()]*\((\d{4})\)/i,
  /code officiel g[ée]ographique\s*(?:en vigueur\s*)?(?:au\s*)?(?:1er janvier\s*|01\/01\/)?(\d{4})/i,
  /\bCOG\s*(?:au\s*)?(?:1er janvier\s*|01\/01\/)?(\d{4})\b/,
  // INSEE: « Géographie au 01/01/2024 », « découpage communal 2024 ».
  /g[ée]ographie\s*(?:au\s*)?(?:1er janvier\s*|01\/01\/)?(\d{4})\b/i,
  /d[ée]coupage (?:communal|g[ée]ographique)\s*(?:au\s*)?(?:1er janvier\s*|01\/01\/)?(\d{4})\b/i
];

/** COG year announced by metadata lines, or null. */
export function geographyYearOf(lines: readonly string[]): number | null {
  for (const line of lines) {
    for (const re of YEAR_PATTERNS) {
      const y = Number(re.exec(line)?.[1]);
      if (y >= 1943 && y <= 2100) return y;
    }
  }
  return null;
}

export interface CleanTable {
  header: string[];
  rows: GridRow[];
}

/**
 * Gives every column a unique, non-empty name, drops empty trailing columns and empty
 * rows, and pads short rows (XLSX leaves trailing empty cells out). Each change is
 * reported in `warnings`; cell contents are never altered.
 */
export function cleanTable(header: readonly string[], rows: readonly GridRow[], headerLine: number, warnings: string[]): CleanTable {
  let width = header.length;
  for (const r of rows) if (r.cells.length > width) width = r.cells.length;
  const cellAt = (r: GridRow, i: number) => r.cells[i] ?? '';
  let kept = width;
  while (kept > 0 && (header[kept - 1] ?? '').trim() === '' && rows.every((r) => cellAt(r, kept - 1) === '')) kept--;
  if (kept < width && kept < header.length) {
    const n = header.length - kept;
    warnings.push(n === 1 ? '1 colonne vide en fin de ligne ignorée' : `${n} colonnes vides en fin de ligne ignorées`);
  }
  width = kept;

  const names: string[] = [];
  const used = new Set<string>();
  const unnamed: number[] = [];
  const renamed: string[] = [];
  for (let i = 0; i < width; i++) {
    const raw = header[i] ?? '';
    let name = raw;
    if (raw.trim() === '') {
      name = `Colonne ${i + 1}`;
      unnamed.push(i + 1);
    }
    if (used.has(name)) {
      let k = 2;
      while (used.has(`${name} (${k})`)) k++;
      renamed.push(`« ${name} » → « ${name} (${k}) »`);
      name = `${name} (${k})`;
    }
    used.add(name);
    names.push(name);
  }
  if (unnamed.length > 0) {
    warnings.push(`en-tête vide en colonne ${unnamed.slice(0, 10).join(', ')}${unnamed.length > 10 ? '…' : ''} (ligne ${headerLine}) : colonne nommée « Colonne N »`);
  }
  if (renamed.length > 0) {
    warnings.push(`noms de colonnes répétés (ligne ${headerLine}), renommés : ${renamed.slice(0, 5).join(', ')}${renamed.length > 5 ? '…' : ''}`);
  }

  const out: GridRow[] = [];
  let empty = 0;
  for (const r of rows) {
    const cells = r.cells.length === width ? r.cells : Array.from({ length: width }, (_, i) => cellAt(r, i));
    if (cells.every((c) => c === '')) {
      empty++;
      continue;
    }
    out.push({ line: r.line, cells });
  }
  if (empty > 0) warnings.push(empty === 1 ? '1 ligne vide ignorée' : `${empty} lignes vides ignorées`);
  return { header: names, rows: out };
}
