/**
 * Reads a partner's upload (CSV/TXT, optionally gzip, or XLSX) into a table of string
 * cells, detecting what the statistician would otherwise have to say: format (from the
 * bytes, not the name), encoding, separator, header row, decimal mark, and the COG
 * year announced above the header. Every detected setting can be overridden; the
 * options actually used are returned so that reading again with them gives the same
 * table. Hostile inputs (zip and gzip bombs, binaries, absurd widths) are refused with
 * an InputError before they can cost memory. See README.md in this folder.
 */
import { InputError } from '../../core/errors.ts';
import type { TextEncoding } from '../../core/text.ts';
import { type Separator, readDelimited } from './csv-table.ts';
import { type Decimal, type DecimalEvidence, type GridRow, cleanTable, detectDecimal, geographyYearOf } from './layout.ts';
import { sniff } from './sniff.ts';
import { boundedGunzip, decodeUpload } from './text-input.ts';
import { readXlsx } from './xlsx-table.ts';

export type { Decimal } from './layout.ts';
export type { Separator } from './csv-table.ts';

export interface ReadOptions {
  encoding?: TextEncoding;
  separator?: Separator;
  decimal?: Decimal;
  /** 1-based line of the header. */
  headerRow?: number;
  /** XLSX sheet name. */
  sheet?: string;
}

/** Options actually used: CSV carries encoding and separator, XLSX its sheet. */
export type UsedOptions = ReadOptions & { decimal: Decimal; headerRow: number };

export interface Detected {
  decimal: Decimal;
  /** Decimal numbers seen in text cells with each mark. */
  decimalEvidence: { comma: number; point: number };
  /** Null when no row looks like a header (line 1, or the first non-empty one, is then used). */
  headerRow: number | null;
  encoding?: TextEncoding;
  bom?: boolean;
  gzip?: boolean;
  /** Null when every separator leaves a single column. */
  separator?: Separator | null;
  sheet?: string;
}

export interface PartnerTable {
  format: 'csv' | 'xlsx';
  options: UsedOptions;
  detected: Detected;
  sheets?: string[];
  /** Lines above the header, verbatim (XLSX: the row's cells joined by `;`). */
  metadataLines: string[];
  /** COG year announced by the metadata, e.g. « Référentiel géographique : Communes (2025) ». */
  geographyYear: number | null;
  header: string[];
  /** `line`: line of the file as opened in a spreadsheet (1-based, metadata included). */
  rows: { line: number; cells: string[] }[];
  /**
   * XLSX only: line → 0-based columns whose cell is a native number. Such cells are
   * written with `.` whatever `options.decimal` says, and validation reads them so.
   */
  nativeNumbers?: Map<number, Set<number>>;
  /** French, e.g. « 2 lignes vides ignorées ». */
  warnings: string[];
}

const XLSX_NAME = /\.(xlsx|xlsm)$/i;
const SPREADSHEET_NAME = /\.(xlsx|xlsm|xls|ods)$/i;

function checkOptions(options: ReadOptions, file: string): void {
  if (options.headerRow !== undefined && (!Number.isInteger(options.headerRow) || options.headerRow < 1)) {
    throw new InputError({ file, expected: 'une ligne d’en-tête (entier ≥ 1)', found: String(options.headerRow) });
  }
}

export async function readPartnerTable(bytes: Uint8Array, filename: string, options: ReadOptions = {}): Promise<PartnerTable> {
  const file = filename;
  checkOptions(options, file);
  let content = bytes;
  let container = sniff(content, file);
  const gzip = container === 'gzip';
  if (gzip) {
    content = boundedGunzip(content, file);
    container = sniff(content, file);
    if (container === 'gzip') throw new InputError({ file, expected: 'une seule compression gzip', found: 'une archive gzip dans une archive gzip' });
  }
  const warnings: string[] = [];
  if (container === 'zip') {
    if (!XLSX_NAME.test(filename)) warnings.push(`« ${filename} » est un classeur XLSX malgré son extension : lu comme XLSX`);
    const x = await readXlsx(content, file, options);
    const clean = cleanTable(x.header, x.rows, x.headerRow, warnings);
    const evidence = detectDecimal(textCells(clean.rows, x.nativeNumbers), ',');
    const geographyYear = geographyYearOf(x.metadataLines);
    return {
      format: 'xlsx',
      options: { sheet: x.sheet, headerRow: x.headerRow, decimal: options.decimal ?? evidence.decimal },
      detected: { ...detectedDecimal(evidence), headerRow: x.detectedHeaderRow, sheet: x.detectedSheet, ...(gzip ? { gzip } : {}) },
      sheets: x.sheets,
      metadataLines: x.metadataLines,
      geographyYear,
      header: clean.header,
      rows: clean.rows,
      nativeNumbers: x.nativeNumbers,
      warnings: [...x.warnings, ...warnings]
    };
  }
  if (SPREADSHEET_NAME.test(filename)) warnings.push(`« ${filename} » est un fichier texte malgré son extension : lu comme CSV`);
  const decoded = decodeUpload(content, file, options.encoding);
  const d = readDelimited(decoded.text, file, options);
  const clean = cleanTable(d.header, d.rows, d.headerRow, warnings);
  const evidence = detectDecimal(textCells(clean.rows), d.separator === ',' ? '.' : ',');
  return {
    format: 'csv',
    options: { encoding: decoded.encoding, separator: d.separator, headerRow: d.headerRow, decimal: options.decimal ?? evidence.decimal },
    detected: {
      ...detectedDecimal(evidence),
      headerRow: d.detectedHeaderRow,
      encoding: decoded.detectedEncoding,
      bom: decoded.bom,
      gzip,
      separator: d.detectedSeparator
    },
    metadataLines: d.metadataLines,
    geographyYear: geographyYearOf(d.metadataLines),
    header: clean.header,
    rows: clean.rows,
    warnings
  };
}

function detectedDecimal(e: DecimalEvidence): Pick<Detected, 'decimal' | 'decimalEvidence'> {
  return { decimal: e.decimal, decimalEvidence: { comma: e.comma, point: e.point } };
}

function* textCells(rows: readonly GridRow[], native?: Map<number, Set<number>>): Iterable<string> {
  for (const r of rows) {
    const skip = native?.get(r.line);
    for (let i = 0; i < r.cells.length; i++) if (!skip?.has(i)) yield r.cells[i]!;
  }
}
