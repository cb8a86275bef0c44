/**
 * XLSX → rows of string cells, after `inspectXlsx` has bounded what exceljs will
 * inflate. Native numbers are written with `.` (15 significant digits, as Excel shows
 * them) and their positions are kept, so that validation reads them with `.` even when
 * the text cells of the sheet use a decimal comma. Dates become `AAAA-MM-JJ`, formulas
 * their cached result, slave cells of a merge are empty except in the header.
 */
import ExcelJS from 'exceljs';
import { InputError } from '../../core/errors.ts';
import { type GridRow, detectHeaderIndex } from './layout.ts';
import { LIMITS, formatCount } from './limits.ts';
import { inspectXlsx } from './zip-guard.ts';

export interface XlsxRead {
  sheets: string[];
  sheet: string;
  detectedSheet: string;
  headerRow: number;
  detectedHeaderRow: number | null;
  metadataLines: string[];
  header: string[];
  rows: GridRow[];
  /** line → 0-based columns whose cell is a native number (or a formula with a numeric result). */
  nativeNumbers: Map<number, Set<number>>;
  warnings: string[];
}

interface Converted {
  text: string;
  native: boolean;
  kind?: 'date' | 'formula' | 'formula-sans-resultat' | 'erreur' | 'booleen';
}

/** As Excel displays a number in « Standard »: 15 significant digits, `.` as decimal mark. */
export function excelNumberText(n: number): string {
  return String(Number(n.toPrecision(15)));
}

function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function convert(value: ExcelJS.CellValue): Converted {
  if (value === null || value === undefined) return { text: '', native: false };
  if (typeof value === 'number') return { text: excelNumberText(value), native: true };
  if (typeof value === 'string') return { text: value, native: false };
  if (typeof value === 'boolean') return { text: value ? 'VRAI' : 'FAUX', native: false, kind: 'booleen' };
  if (value instanceof Date) return { text: dateText(value), native: false, kind: 'date' };
  if ('error' in value) return { text: value.error, native: false, kind: 'erreur' };
  if ('richText' in value) return { text: value.richText.map((r) => r.text).join(''), native: false };
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined) return { text: '', native: false, kind: 'formula-sans-resultat' };
    const inner = convert(result);
    return { ...inner, kind: inner.kind === 'erreur' ? 'erreur' : 'formula' };
  }
  if ('hyperlink' in value) {
    const text = (value as { text: unknown }).text;
    return typeof text === 'string' ? { text, native: false } : convert(text as ExcelJS.CellValue);
  }
  return { text: '', native: false };
}

interface SheetGrid {
  /** Row number → cells (0-based columns). */
  rows: Map<number, string[]>;
  native: Map<number, Set<number>>;
  /** Row number → column → text of the merge's master, for slave cells (left empty in `rows`). */
  slaves: Map<number, Map<number, string>>;
  kinds: Map<number, Map<Converted['kind'] & string, number>>;
  percentColumns: Map<number, Set<number>>;
  lastRow: number;
}

function gridOf(ws: ExcelJS.Worksheet): SheetGrid {
  const grid: SheetGrid = { rows: new Map(), native: new Map(), slaves: new Map(), kinds: new Map(), percentColumns: new Map(), lastRow: 0 };
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: false }, (cell, colNumber) => {
      const col = colNumber - 1;
      if (col >= LIMITS.columns) return;
      if (cell.type === ExcelJS.ValueType.Merge) {
        const slaves = grid.slaves.get(rowNumber) ?? new Map<number, string>();
        slaves.set(col, convert(cell.master.value).text);
        grid.slaves.set(rowNumber, slaves);
        return;
      }
      const c = convert(cell.value);
      while (cells.length < col) cells.push('');
      cells[col] = c.text;
      if (c.native) {
        const set = grid.native.get(rowNumber) ?? new Set<number>();
        set.add(col);
        grid.native.set(rowNumber, set);
        if (typeof cell.numFmt === 'string' && cell.numFmt.includes('%')) {
          const pc = grid.percentColumns.get(rowNumber) ?? new Set<number>();
          pc.add(col);
          grid.percentColumns.set(rowNumber, pc);
        }
      }
      if (c.kind) {
        const k = grid.kinds.get(rowNumber) ?? new Map();
        k.set(c.kind, (k.get(c.kind) ?? 0) + 1);
        grid.kinds.set(rowNumber, k);
      }
    });
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
    if (cells.length > 0 || grid.slaves.has(rowNumber)) {
      grid.rows.set(rowNumber, cells);
      if (cells.length > 0) grid.lastRow = Math.max(grid.lastRow, rowNumber);
    }
  });
  return grid;
}

function widestColumn(ws: ExcelJS.Worksheet): number {
  let max = 0;
  ws.eachRow({ includeEmpty: false }, (row) => {
    max = Math.max(max, row.cellCount);
  });
  return max;
}

export async function readXlsx(bytes: Uint8Array, file: string, options: { sheet?: string; headerRow?: number }): Promise<XlsxRead> {
  inspectXlsx(bytes, file);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch (error) {
    throw new InputError(
      { file, expected: 'un classeur XLSX lisible', found: `un classeur illisible (${(error as Error).message})`, hint: 'Ouvrez-le dans le tableur et réenregistrez-le au format XLSX' },
      { cause: error }
    );
  }
  const sheets = wb.worksheets.map((w) => w.name);
  const withData = wb.worksheets.filter((w) => w.actualRowCount > 0);
  const visible = withData.filter((w) => w.state === 'visible');
  const detected = visible[0] ?? withData[0];
  if (!detected) throw new InputError({ file, expected: 'une feuille avec des données', found: `${sheets.length} feuille(s) vide(s)` });
  const ws = options.sheet === undefined ? detected : wb.worksheets.find((w) => w.name === options.sheet);
  if (!ws) {
    throw new InputError({
      file,
      expected: `une feuille « ${options.sheet} »`,
      found: `les feuilles ${sheets.map((s) => `« ${s} »`).join(', ')}`,
      hint: 'Choisissez l’une des feuilles du classeur'
    });
  }
  const warnings: string[] = [];
  if (options.sheet === undefined && visible.length > 1) {
    warnings.push(
      `le classeur a ${visible.length} feuilles avec des données : « ${ws.name} » est lue ; choisissez-en une autre dans les options de lecture si besoin`
    );
  }
  const width = widestColumn(ws);
  if (width > LIMITS.columns) {
    throw new InputError({
      file,
      column: LIMITS.columns + 1,
      expected: `au plus ${formatCount(LIMITS.columns)} colonnes`,
      found: `${formatCount(width)} colonnes dans la feuille « ${ws.name} »`,
      hint: 'Supprimez les colonnes inutiles ou découpez le tableau'
    });
  }
  const grid = gridOf(ws);
  if (grid.lastRow === 0) throw new InputError({ file, expected: `des données dans la feuille « ${ws.name} »`, found: 'une feuille vide', hint: 'Choisissez une autre feuille' });
  if (grid.lastRow - 1 > LIMITS.rows) {
    throw new InputError({
      file,
      expected: `au plus ${formatCount(LIMITS.rows)} lignes de données`,
      found: `${formatCount(grid.lastRow)} lignes dans la feuille « ${ws.name} »`,
      hint: 'Découpez le tableau en plusieurs fichiers'
    });
  }

  const top: string[][] = [];
  for (let r = 1; r <= Math.min(grid.lastRow, LIMITS.separatorSample); r++) top.push(r <= LIMITS.headerSearch ? headerCells(grid, r) : (grid.rows.get(r) ?? []));
  const index = detectHeaderIndex(top);
  const detectedHeaderRow = index === null ? null : index + 1;
  const headerRow = options.headerRow ?? detectedHeaderRow ?? firstNonEmptyRow(grid);
  if (headerRow > grid.lastRow) {
    throw new InputError({
      file,
      line: headerRow,
      expected: `une ligne d’en-tête ${headerRow} dans la feuille « ${ws.name} »`,
      found: `${formatCount(grid.lastRow)} ligne(s) seulement`,
      hint: 'Choisissez une ligne d’en-tête plus haute'
    });
  }

  const metadataLines: string[] = [];
  for (let r = 1; r < headerRow; r++) metadataLines.push((grid.rows.get(r) ?? []).join(';').replace(/;+$/, ''));
  const rows: GridRow[] = [];
  const nativeNumbers = new Map<number, Set<number>>();
  for (let r = headerRow + 1; r <= grid.lastRow; r++) {
    rows.push({ line: r, cells: grid.rows.get(r) ?? [] });
    const n = grid.native.get(r);
    if (n) nativeNumbers.set(r, n);
  }
  warnings.push(...conversionWarnings(grid, headerRow));
  return {
    sheets,
    sheet: ws.name,
    detectedSheet: detected.name,
    headerRow,
    detectedHeaderRow,
    metadataLines,
    header: headerCells(grid, headerRow),
    rows,
    nativeNumbers,
    warnings
  };
}

/** A header row with merged cells names every column it spans after the merge's text. */
function headerCells(grid: SheetGrid, row: number): string[] {
  const cells = [...(grid.rows.get(row) ?? [])];
  for (const [col, text] of grid.slaves.get(row) ?? []) {
    while (cells.length <= col) cells.push('');
    cells[col] = text;
  }
  return cells;
}

function firstNonEmptyRow(grid: SheetGrid): number {
  return Math.min(...grid.rows.keys());
}

function conversionWarnings(grid: SheetGrid, headerRow: number): string[] {
  const total = new Map<string, number>();
  const percent = new Set<number>();
  let merged = 0;
  for (const [row, kinds] of grid.kinds) {
    if (row < headerRow) continue;
    for (const [k, n] of kinds) total.set(k, (total.get(k) ?? 0) + n);
  }
  for (const [row, cols] of grid.percentColumns) if (row > headerRow) for (const c of cols) percent.add(c);
  for (const [row, slaves] of grid.slaves) if (row > headerRow) merged += slaves.size;
  const out: string[] = [];
  const n = (k: string) => total.get(k) ?? 0;
  if (n('date')) out.push(`${formatCount(n('date'))} cellule(s) au format date lues comme AAAA-MM-JJ`);
  if (n('formula')) out.push(`${formatCount(n('formula'))} formule(s) lues par leur dernier résultat calculé`);
  if (n('formula-sans-resultat')) {
    out.push(`${formatCount(n('formula-sans-resultat'))} formule(s) sans résultat enregistré, lues vides : ouvrez le classeur dans le tableur et réenregistrez-le`);
  }
  if (n('erreur')) out.push(`${formatCount(n('erreur'))} cellule(s) en erreur (#N/A, #DIV/0!…)`);
  if (n('booleen')) out.push(`${formatCount(n('booleen'))} cellule(s) VRAI/FAUX`);
  if (merged > 0) out.push(`${formatCount(merged)} cellule(s) fusionnées sous l’en-tête : seule la première cellule de chaque fusion porte la valeur`);
  if (percent.size > 0) {
    const cols = [...percent].sort((a, b) => a - b).map((c) => c + 1);
    out.push(`colonne(s) ${cols.join(', ')} au format pourcentage : les nombres sont lus tels qu’enregistrés (0.125 pour 12,5 %)`);
  }
  return out;
}
