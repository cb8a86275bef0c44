/**
 * Delimited text → rows: detects the separator (the one giving the most consistent
 * field count over the first lines) and the header row, checks the caps, then parses
 * with the shared reader (`parseDelimited`: quotes, located errors, field counts).
 */
import { parse } from 'csv-parse/sync';
import { parseDelimited } from '../../core/csv.ts';
import { InputError } from '../../core/errors.ts';
import { type GridRow, detectHeaderIndex, modalWidth } from './layout.ts';
import { LIMITS, formatCount } from './limits.ts';

export type Separator = ';' | ',' | '\t' | '|';
/** In order of preference on a tie: `;` is what French tools write. */
export const SEPARATORS: readonly Separator[] = [';', ',', '\t', '|'];

export interface DelimitedRead {
  separator: Separator;
  detectedSeparator: Separator | null;
  headerRow: number;
  detectedHeaderRow: number | null;
  metadataLines: string[];
  header: string[];
  /** Data rows, with an empty row for each blank line between the header and the last record. */
  rows: GridRow[];
}

export function printableSeparator(s: string): string {
  return s === '\t' ? 'tabulation' : `« ${s} »`;
}

interface SampleLine {
  line: number;
  text: string;
}

/** The first non-blank physical lines, with their line numbers. */
function sampleLines(text: string, max: number): SampleLine[] {
  const out: SampleLine[] = [];
  let start = 0;
  let line = 1;
  while (start <= text.length && out.length < max) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const t = text.slice(start, end);
    if (t.trim() !== '') out.push({ line, text: t });
    start = end + 1;
    line++;
  }
  return out;
}

/** Fields of one physical line, honouring quotes; null when a quote stays open (multi-line field). */
export function splitLine(line: string, separator: string): string[] | null {
  if (!line.includes('"')) return line.split(separator);
  try {
    const records = parse(line, { delimiter: separator, relax_column_count: true, relax_quotes: true }) as string[][];
    return records[0] ?? [''];
  } catch {
    // An unbalanced quote on this line alone: the line does not count for this separator.
    return null;
  }
}

/**
 * The separator whose field count is the same on most sample lines (at least 2
 * fields), then the widest, then `;` before `,`, tab and `|`. Null when every
 * separator leaves a single column.
 */
export function detectSeparator(lines: readonly string[]): Separator | null {
  let best: { sep: Separator; share: number; width: number } | null = null;
  for (const sep of SEPARATORS) {
    const widths = lines.map((l) => splitLine(l, sep)?.length ?? -1);
    const width = modalWidth(widths);
    if (width < 2) continue;
    const share = widths.filter((w) => w === width).length / lines.length;
    if (!best || share > best.share || (share === best.share && width > best.width)) best = { sep, share, width };
  }
  return best?.sep ?? null;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

export function readDelimited(text: string, file: string, options: { separator?: Separator; headerRow?: number }): DelimitedRead {
  if (text.trim() === '') throw new InputError({ file, line: 1, column: 1, expected: 'un en-tête de colonnes', found: 'un fichier vide' });
  const sample = sampleLines(text, LIMITS.separatorSample);
  // Excel writes and honours a first line `sep=;` naming the separator.
  const hinted = /^sep=(.)$/.exec(sample[0]?.line === 1 ? sample[0].text : '')?.[1];
  const detectedSeparator = SEPARATORS.find((s) => s === hinted) ?? detectSeparator(sample.map((s) => s.text));
  const separator = options.separator ?? detectedSeparator;
  if (!separator) {
    throw new InputError({
      file,
      line: sample[0]?.line ?? 1,
      column: 1,
      expected: 'au moins deux colonnes (un code et une valeur) séparées par « ; », « , », une tabulation ou « | »',
      found: sample[0]?.text ?? '',
      hint: 'Le fichier n’a qu’une colonne : vérifiez qu’il s’agit bien de l’export du tableau'
    });
  }
  const split = sample.map((s) => splitLine(s.text, separator) ?? []);
  const tooWide = split.findIndex((cells) => cells.length > LIMITS.columns);
  if (tooWide >= 0) {
    throw new InputError({
      file,
      line: sample[tooWide]!.line,
      column: LIMITS.columns + 1,
      expected: `au plus ${formatCount(LIMITS.columns)} colonnes`,
      found: `${formatCount(split[tooWide]!.length)} champs séparés par ${printableSeparator(separator)}`,
      hint: 'Vérifiez le séparateur choisi ; sinon découpez le tableau en plusieurs fichiers'
    });
  }
  const width = modalWidth(split.map((c) => c.length));
  const index = detectHeaderIndex(split);
  const detectedHeaderRow = index === null ? null : sample[index]!.line;
  const headerRow = options.headerRow ?? detectedHeaderRow ?? sample[0]?.line ?? 1;

  const lines = countLines(text);
  if (headerRow > lines) {
    throw new InputError({
      file,
      line: lines,
      expected: `une ligne d’en-tête ${headerRow} dans le fichier`,
      found: `${formatCount(lines)} ligne(s) seulement`,
      hint: 'Choisissez une ligne d’en-tête plus haute'
    });
  }
  const dataLines = lines - headerRow;
  if (dataLines > LIMITS.rows) {
    throw new InputError({
      file,
      expected: `au plus ${formatCount(LIMITS.rows)} lignes de données`,
      found: `${formatCount(dataLines)} lignes`,
      hint: 'Découpez le tableau (par année ou par département) en plusieurs fichiers'
    });
  }
  if (Math.max(width, 1) * dataLines > LIMITS.cells) {
    throw new InputError({
      file,
      expected: `au plus ${formatCount(LIMITS.cells)} cellules`,
      found: `${formatCount(dataLines)} lignes × ${formatCount(width)} colonnes`,
      hint: 'Retirez les colonnes inutiles ou découpez le tableau en plusieurs fichiers'
    });
  }

  const table = parseDelimited(text, { file, separator, skipLines: headerRow - 1, columns: [], uniqueHeader: false });
  if (table.header.length > LIMITS.columns) {
    throw new InputError({
      file,
      line: table.headerLine,
      column: LIMITS.columns + 1,
      expected: `au plus ${formatCount(LIMITS.columns)} colonnes`,
      found: `${formatCount(table.header.length)} colonnes`,
      hint: 'Vérifiez le séparateur choisi ; sinon découpez le tableau en plusieurs fichiers'
    });
  }
  return {
    separator,
    detectedSeparator,
    headerRow: table.headerLine,
    detectedHeaderRow,
    metadataLines: table.metadata,
    header: table.header,
    rows: withBlankLines(table.headerLine, table.header, table.rows)
  };
}

function newlines(cells: readonly string[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) n++;
  return n;
}

/** The shared reader drops blank lines; put them back as empty rows so they are counted and reported. */
function withBlankLines(headerLine: number, header: readonly string[], rows: readonly GridRow[]): GridRow[] {
  const out: GridRow[] = [];
  let next = headerLine + 1 + newlines(header);
  for (const r of rows) {
    for (let l = next; l < r.line; l++) out.push({ line: l, cells: [] });
    out.push({ line: r.line, cells: r.cells });
    next = r.line + 1 + newlines(r.cells);
  }
  return out;
}
