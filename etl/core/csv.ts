/**
 * Delimited-text reading shared by every tabular adapter: `parseDelimited` checks
 * the shape of the file (metadata lines, header, field counts, quotes) on top of
 * csv-parse; `readValueFile` turns a checked table into RawValues from a
 * declarative per-column spec, so adapters only describe their producer's quirks.
 * Every line number is a line of the file as a statistician opens it (1-based,
 * metadata lines included).
 */
import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from './errors.ts';
import { numberParser, type NumberFormat } from './numbers.ts';
import { decodeText, type TextEncoding } from './text.ts';
import type { AdapterContext, LoadWarning, RawStatus, RawValue, ValueBatch } from './types.ts';

export interface DelimitedOptions {
  /** File name used in error messages. */
  file: string;
  /** Field separator; `;` for every French producer we read. */
  separator?: string;
  /** Metadata lines above the header (ANCT exports have 3). */
  skipLines?: number;
  /** Columns the header must contain (others are allowed). */
  columns: readonly string[];
  /** Checks the metadata lines before anything else; throws an InputError when they are wrong. */
  checkMetadata?: (lines: readonly string[]) => void;
  /**
   * Refuse a header naming a column twice (default). Partner uploads turn this off and
   * rename duplicates themselves: Excel leaves runs of empty header cells after the data.
   */
  uniqueHeader?: boolean;
}

export interface CsvRow {
  /** 1-based line of the file where the record starts. */
  line: number;
  cells: string[];
}

export interface DelimitedTable {
  file: string;
  separator: string;
  /** The metadata lines above the header, verbatim. */
  metadata: string[];
  header: string[];
  headerLine: number;
  rows: CsvRow[];
}

const DEFAULT_SEPARATOR = ';';
const OTHER_SEPARATORS = [',', '\t', '|'] as const;

/** "colonne 16 (PIMP21)" rather than a bare index: the name is what people search for. */
export function columnLabel(index: number, name: string | undefined): string {
  return name === undefined ? `${index + 1} (hors en-tête)` : `${index + 1} (${name})`;
}

/** Splits metadata lines, parses the rest and checks header and field counts. */
export function parseDelimited(text: string, options: DelimitedOptions): DelimitedTable {
  const { file } = options;
  const separator = options.separator ?? DEFAULT_SEPARATOR;
  const skip = options.skipLines ?? 0;
  if (text.trim() === '') {
    throw new InputError({
      file,
      line: 1,
      column: 1,
      expected: `un en-tête de colonnes (${options.columns.slice(0, 4).join(separator)}…)`,
      found: 'un fichier vide'
    });
  }
  const { metadata, body } = splitLines(text, skip);
  const headerLine = skip + 1;
  if (metadata.length < skip || body.trim() === '') {
    throw new InputError({
      file,
      line: metadata.length + 1,
      column: 1,
      expected: `${skip} ligne(s) de métadonnées puis un en-tête de colonnes`,
      found: `${metadata.length} ligne(s) seulement`,
      hint: 'Le fichier est tronqué ou n’a pas la mise en page attendue'
    });
  }
  options.checkMetadata?.(metadata);

  const records = parseRecords(body, separator, file, skip);
  const first = records[0];
  if (!first) {
    // Unreachable since body is not blank, but keeps the types honest.
    throw new InputError({ file, line: headerLine, expected: 'un en-tête de colonnes', found: '' });
  }
  const header = first.cells;
  checkHeader(header, first.line, separator, options);
  const rows = records.slice(1);
  for (const row of rows) checkFieldCount(row, header, separator, file);
  return { file, separator, metadata, header, headerLine: first.line, rows };
}

function splitLines(text: string, count: number): { metadata: string[]; body: string } {
  const metadata: string[] = [];
  let offset = 0;
  while (metadata.length < count) {
    const end = text.indexOf('\n', offset);
    if (end < 0) {
      if (offset < text.length) metadata.push(text.slice(offset));
      return { metadata, body: '' };
    }
    metadata.push(text.slice(offset, end));
    offset = end + 1;
  }
  return { metadata, body: text.slice(offset) };
}

function parseRecords(body: string, separator: string, file: string, lineOffset: number): CsvRow[] {
  let records: string[][];
  try {
    // Empty lines are kept as [''] records so that record i + newlines inside
    // earlier quoted fields gives the line: csv-parse's per-record `info` would
    // cost a third of the parse time on the 2 MB files.
    records = parse(body, { delimiter: separator, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (error instanceof CsvError) throw locatedCsvError(error, body, separator, file, lineOffset);
    throw error;
  }
  const rows: CsvRow[] = [];
  let line = lineOffset + 1;
  for (const cells of records) {
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line, cells });
    line++;
    for (const cell of cells) if (cell.includes('\n')) line += cell.split('\n').length - 1;
  }
  return rows;
}

/** Slow path, errors only: parse again up to the failure to know the last good record and the header. */
function locatedCsvError(error: CsvError, body: string, separator: string, file: string, lineOffset: number): InputError {
  let lastEnd = 0;
  let header: string[] | undefined;
  try {
    parse(body, {
      delimiter: separator,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells: string[], context) => {
        // csv-parse reports the line where a record ends.
        lastEnd = context.lines;
        header ??= cells;
        return null;
      }
    });
  } catch {
    // The same error again: what we wanted is the state reached before it.
  }
  return quoteError(error, body, file, lineOffset, lastEnd, header);
}

function quoteError(
  error: CsvError,
  body: string,
  file: string,
  lineOffset: number,
  lastEnd: number,
  header: string[] | undefined
): InputError {
  const field = typeof error.column === 'number' ? error.column : undefined;
  const column = field === undefined ? undefined : columnLabel(field, header?.[field]);
  const lines = body.split('\n');
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    // csv-parse names the end of the file; the culprit is the record after the last good one.
    let index = lastEnd;
    while (index < lines.length - 1 && lines[index]?.trim() === '') index++;
    return new InputError(
      {
        file,
        line: index + 1 + lineOffset,
        column,
        expected: 'un guillemet fermant « " » avant la fin du fichier',
        found: lines[index] ?? '',
        hint: 'Un guillemet ouvert sur cette ligne n’est jamais refermé'
      },
      { cause: error }
    );
  }
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  const [expected, hint] =
    error.code === 'CSV_INVALID_CLOSING_QUOTE'
      ? [
          'le séparateur ou une fin de ligne juste après un guillemet fermant',
          'Un guillemet interne à un champ doit être doublé ("")'
        ]
      : error.code === 'INVALID_OPENING_QUOTE'
        ? [
            'un champ sans guillemet « " » ou entièrement entre guillemets',
            'Un guillemet apparaît au milieu d’un champ non protégé'
          ]
        : ['un texte délimité valide', `Erreur de csv-parse : ${error.code}`];
  return new InputError(
    {
      file,
      line: line === undefined ? undefined : line + lineOffset,
      column,
      expected,
      found: line === undefined ? undefined : (lines[line - 1] ?? ''),
      hint
    },
    { cause: error }
  );
}

function checkHeader(header: string[], line: number, separator: string, options: DelimitedOptions): void {
  const { file } = options;
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    const previous = seen.get(name);
    if (previous !== undefined && options.uniqueHeader !== false) {
      throw new InputError({
        file,
        line,
        column: columnLabel(index, name),
        expected: 'des noms de colonnes uniques',
        found: `« ${name} » déjà en colonne ${previous + 1}`
      });
    }
    seen.set(name, index);
  });
  const missing = options.columns.filter((c) => !seen.has(c));
  if (missing.length === 0) return;
  const only = header.length === 1 ? header[0] : undefined;
  const likely = only === undefined ? undefined : OTHER_SEPARATORS.find((s) => s !== separator && only.includes(s));
  if (likely !== undefined) {
    // The whole header landed in one column: listing 30 "missing" columns would hide the cause.
    throw new InputError({
      file,
      line,
      column: 1,
      expected: `des colonnes séparées par « ${printable(separator)} » (${options.columns.slice(0, 3).join(separator)}…)`,
      found: only,
      hint: `Le séparateur semble être « ${printable(likely)} » alors que le producteur utilise « ${printable(separator)} »`
    });
  }
  const shown = missing.slice(0, 5).map((c) => `« ${c} »`).join(', ');
  const more = missing.length > 5 ? ` et ${missing.length - 5} autre(s)` : '';
  throw new InputError({
    file,
    line,
    column: missing.slice(0, 5).join(', ') + (more ? '…' : ''),
    expected: missing.length === 1 ? `la colonne ${shown}` : `les colonnes ${shown}${more}`,
    found: `les colonnes ${header.join(' | ')}`
  });
}

function checkFieldCount(row: CsvRow, header: string[], separator: string, file: string): void {
  if (row.cells.length === header.length) return;
  const short = row.cells.length < header.length;
  const index = short ? row.cells.length : header.length;
  throw new InputError({
    file,
    line: row.line,
    column: columnLabel(index, header[index]),
    expected: `${header.length} champs séparés par « ${printable(separator)} »`,
    found: `${row.cells.length} champs`,
    hint: short ? 'Champs manquants en fin de ligne' : 'Champs en trop (séparateur dans une valeur non protégée par des guillemets ?)'
  });
}

function printable(separator: string): string {
  return separator === '\t' ? 'tabulation' : separator;
}

// ---------------------------------------------------------------------------
// From a table to RawValues

/** Read access to one record by column name, with errors located on that record. */
export interface RowView {
  line: number;
  get(column: string): string;
  /** Throws an InputError located at this record and column. */
  fail(column: string, expected: string, hint?: string): never;
}

export interface ValueColumn {
  /** The producer's column name. */
  column: string;
  /** Variable name of the RawValue; defaults to the column name. */
  variable?: string;
  format: NumberFormat;
}

export type KeySpec =
  | { column: string }
  /** A code built from several columns (e.g. CODDEP + CODCOM); `build` validates its inputs. */
  | { columns: readonly string[]; build: (row: RowView) => string };

export interface RowStatus {
  status: Exclude<RawStatus, 'ok'>;
  marker: string;
}

export interface ValueTableSpec {
  /** Source id written into RawValues and warnings. */
  source: string;
  level: 'iris' | 'commune';
  encoding: TextEncoding;
  separator?: string;
  skipLines?: number;
  checkMetadata?: (lines: readonly string[], file: string) => void;
  key: KeySpec;
  /** Columns read but not turned into variables (labels, commune of an IRIS, flags). */
  otherColumns?: readonly string[];
  values: readonly ValueColumn[];
  /**
   * When set, header columns not named in `key`, `otherColumns` or `values` also
   * become variables with this format (wide INSEE bases of ~100 columns);
   * otherwise they are ignored with a warning.
   */
  remainingColumns?: NumberFormat;
  /** A row-level verdict that overrides every cell (CAF's `note`). */
  rowStatus?: (row: RowView) => RowStatus | undefined;
}

const CODE_PATTERNS = {
  commune: { pattern: /^(?:\d{5}|2[AB]\d{3})$/, expected: 'un code commune INSEE à 5 caractères (ex. 93066, 2A004)' },
  iris: { pattern: /^(?:\d{2}|2[AB])\d{7}$/, expected: 'un code IRIS à 9 caractères (ex. 930660101)' }
} as const;

/** Reads, decodes and parses `file`, then maps it to RawValues (one per value cell). */
export async function readValueFile(file: string, spec: ValueTableSpec, ctx: AdapterContext): Promise<ValueBatch> {
  const text = decodeText(await readFile(file), { file, encoding: spec.encoding });
  const table = parseDelimited(text, {
    file,
    separator: spec.separator,
    skipLines: spec.skipLines,
    columns: requiredColumns(spec),
    checkMetadata: spec.checkMetadata && ((lines) => spec.checkMetadata?.(lines, file))
  });
  return valuesFromTable(table, spec, ctx);
}

function requiredColumns(spec: ValueTableSpec): string[] {
  const key = 'column' in spec.key ? [spec.key.column] : [...spec.key.columns];
  return [...key, ...(spec.otherColumns ?? []), ...spec.values.map((v) => v.column)];
}

/** Maps a checked table to RawValues; pure apart from logging. */
export function valuesFromTable(table: DelimitedTable, spec: ValueTableSpec, ctx: AdapterContext): ValueBatch {
  const { file, header } = table;
  const index = new Map(header.map((name, i) => [name, i]));
  const extra = unlistedColumns(table, spec);
  const declared = [...spec.values];
  const warnings: LoadWarning[] = [];
  if (spec.remainingColumns) {
    for (const { name } of extra) declared.push({ column: name, format: spec.remainingColumns });
  } else {
    for (const { name, index: i } of extra) {
      const message = `colonne « ${name} » inconnue de l’adaptateur, ignorée`;
      warnings.push({ source: spec.source, file, line: table.headerLine, column: columnLabel(i, name), message });
      ctx.logger.warn(`${file} : ${message}`);
    }
  }
  const columns = declared.map((v) => {
    const at = index.get(v.column);
    if (at === undefined) throw new Error(`colonne ${v.column} absente après vérification de l’en-tête`);
    // One location per column, its line updated per row: the parser reads it only to throw.
    const where = { file, line: 0, column: at + 1, columnName: v.column };
    return { at, variable: v.variable ?? v.column, parse: numberParser(v.format), where };
  });
  const codeRule = CODE_PATTERNS[spec.level];
  const keyColumns = 'column' in spec.key ? [spec.key.column] : spec.key.columns;
  const codeColumn = keyColumns.map((name) => columnLabel(index.get(name) ?? -1, name)).join(' + ');
  const codeError = (line: number, code: string, expected: string, hint?: string) =>
    new InputError({ file, line, column: codeColumn, expected, found: code, hint });
  const { source, level } = spec;
  const seen = new Map<string, number>();
  const values: RawValue[] = [];
  const counts = { ok: 0, secret: 0, missing: 0 };

  for (const { line, cells } of table.rows) {
    const row = rowView(line, cells, index, file);
    const code = 'column' in spec.key ? row.get(spec.key.column) : spec.key.build(row);
    if (!codeRule.pattern.test(code)) {
      const lostZero = /^\d+$/.test(code) && code.length < (spec.level === 'iris' ? 9 : 5);
      throw codeError(line, code, codeRule.expected, lostZero ? 'Zéro initial perdu (fichier passé par un tableur) ?' : undefined);
    }
    const previous = seen.get(code);
    if (previous !== undefined) {
      throw codeError(line, code, 'un code unique dans le fichier', `Le code ${code} figure déjà ligne ${previous}`);
    }
    seen.set(code, line);
    const verdict = spec.rowStatus?.(row);
    // Object literals, not spreads: this loop builds ~350 000 values for the big files.
    for (const c of columns) {
      if (verdict) {
        const { status, marker } = verdict;
        values.push({ source, variable: c.variable, level, code, value: null, status, marker, line });
        counts[status]++;
        continue;
      }
      c.where.line = line;
      const parsed = c.parse(cells[c.at] ?? '', c.where);
      const { status } = parsed;
      values.push(
        status === 'ok'
          ? { source, variable: c.variable, level, code, value: parsed.value, status, line }
          : { source, variable: c.variable, level, code, value: null, status, marker: parsed.marker ?? '', line }
      );
      counts[status]++;
    }
  }
  ctx.logger.info(
    `${spec.source} : ${table.rows.length} lignes, ${values.length} valeurs ` +
      `(${counts.secret} secrètes, ${counts.missing} manquantes)`
  );
  return { values, rows: table.rows.length, warnings };
}

function rowView(line: number, cells: string[], index: Map<string, number>, file: string): RowView {
  const fail = (column: string, expected: string, hint?: string): never => {
    const at = index.get(column);
    throw new InputError({
      file,
      line,
      column: at === undefined ? column : columnLabel(at, column),
      expected,
      found: at === undefined ? undefined : (cells[at] ?? ''),
      hint
    });
  };
  return {
    line,
    fail,
    get: (column) => {
      const at = index.get(column);
      return at === undefined ? fail(column, `une colonne « ${column} » déclarée par l’adaptateur`) : (cells[at] ?? '');
    }
  };
}

/** Header columns the spec does not name: a producer adding one is worth knowing (a new variable we would drop). */
function unlistedColumns(table: DelimitedTable, spec: ValueTableSpec): { name: string; index: number }[] {
  const known = new Set(requiredColumns(spec));
  return table.header.map((name, index) => ({ name, index })).filter(({ name }) => !known.has(name));
}
