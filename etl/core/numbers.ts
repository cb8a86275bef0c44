/**
 * Parses a producer's cell into a number or a secrecy/absence marker. Each
 * producer (sometimes each column: INSEE's comparateur writes `69,0` in PIMP21
 * but `105.4` in SUPERF) declares its decimal separator and markers; anything
 * else is an InputError, never a silent NaN.
 */
import { InputError } from './errors.ts';
import type { RawStatus } from './types.ts';

export type MarkerMeaning = 'secret' | 'missing';

export interface NumberFormat {
  /** Decimal separator used by the producer in this column. */
  decimal: '.' | ',';
  /** Whether spaces / no-break spaces group thousands (`1 234 567`). Off unless a producer does it. */
  thousands?: boolean;
  /** Cell contents accepted instead of a number, and what they mean (`''` = blank cell). */
  markers: Readonly<Record<string, MarkerMeaning>>;
}

export interface ParsedCell {
  value: number | null;
  status: RawStatus;
  /** The producer's marker when `status` is not `ok`. */
  marker?: string;
}

/** Where a cell is, for error messages. Columns are 1-based. */
export interface CellLocation {
  file: string;
  line: number;
  column: number;
  columnName: string;
}

export type CellParser = (raw: string, at: CellLocation) => ParsedCell;

const SPACES = '[ \\u00a0\\u202f]';

/** Compiles a format once per column: the per-cell path is a regex test and `Number`. */
export function numberParser(format: NumberFormat): CellParser {
  const decimal = format.decimal === ',' ? ',' : '\\.';
  const plain = new RegExp(`^-?\\d+(?:${decimal}\\d+)?$`);
  const grouped = format.thousands ? new RegExp(`^-?\\d{1,3}(?:${SPACES}\\d{3})+(?:${decimal}\\d+)?$`) : null;
  const markers = new Map<string, ParsedCell>(
    Object.entries(format.markers).map(([marker, status]) => [marker, Object.freeze({ value: null, status, marker })])
  );
  const expected = describeExpected(format);
  return (raw, at) => {
    const marked = markers.get(raw);
    if (marked) return marked;
    let digits: string | null = null;
    if (plain.test(raw)) digits = raw;
    else if (grouped?.test(raw)) digits = raw.replace(/[ \u00a0\u202f]/g, '');
    if (digits !== null) {
      const value = Number(format.decimal === ',' ? digits.replace(',', '.') : digits);
      if (Number.isFinite(value)) return { value, status: 'ok' };
      // A run of 300+ digits parses to Infinity: a broken cell, never a count.
      throw new InputError({
        file: at.file,
        line: at.line,
        column: `${at.column} (${at.columnName})`,
        expected: 'un nombre représentable (celui-ci est trop grand)',
        found: raw
      });
    }
    throw new InputError({
      file: at.file,
      line: at.line,
      column: `${at.column} (${at.columnName})`,
      expected,
      found: raw,
      hint: diagnose(raw, format)
    });
  };
}

/** One-off parse; adapters go through `numberParser` to compile the format once. */
export function parseNumberCell(raw: string, format: NumberFormat, at: CellLocation): ParsedCell {
  return numberParser(format)(raw, at);
}

function describeExpected(format: NumberFormat): string {
  const decimal = format.decimal === ',' ? 'virgule' : 'point';
  const entries = Object.entries(format.markers);
  if (entries.length === 0) return `un nombre (séparateur décimal : ${decimal})`;
  const kinds = new Set(entries.map(([, meaning]) => meaning));
  const what =
    kinds.size === 2 ? 'de secret ou d’absence' : kinds.has('secret') ? 'de secret' : 'd’absence';
  const list = entries.map(([marker]) => (marker === '' ? 'vide' : marker)).join(', ');
  return `un nombre (séparateur décimal : ${decimal}) ou un marqueur ${what} (${list})`;
}

/** Explains the usual culprits so the fix is obvious from the message alone. */
function diagnose(raw: string, format: NumberFormat): string | undefined {
  const other = format.decimal === ',' ? '.' : ',';
  if (/^-?\d+$/.test(raw.replace(other, ''))) {
    return `Séparateur décimal « ${other} » inattendu dans cette colonne, le producteur y utilise « ${format.decimal} »`;
  }
  if (!format.thousands && /^-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$/.test(raw)) {
    return 'Séparateur de milliers inattendu pour ce producteur';
  }
  if (raw.trim() !== raw) return 'La cellule contient des espaces en début ou fin';
  return undefined;
}
