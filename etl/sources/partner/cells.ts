/**
 * One value cell of a partner's file → a number, a secrecy/absence marker, or an error
 * with the reason a statistician needs to fix it. Numbers go through the shared parser
 * (`etl/core/numbers.ts`) with thousands grouped by spaces, which partner exports use
 * (`1 234`, with a no-break space from Excel).
 */
import { InputError } from '../../core/errors.ts';
import { type CellLocation, numberParser } from '../../core/numbers.ts';
import type { Decimal } from './layout.ts';

export type CellReading =
  | { status: 'ok'; value: number }
  | { status: 'secret' | 'missing'; marker: string }
  | { status: 'error'; reason: string };

/**
 * Markers partners write instead of a number. Secret when the marker says the number
 * exists but is withheld (`s`, `c` for « confidentiel », `*`), and for `nd`, which
 * producers use both for « non diffusable » and « non disponible »: reading it as secret
 * is the conservative choice (a secret cell is never published, and aggregates that
 * contain it say so). Missing when nothing was measured: `NA`/`N/A` (R, Excel), and
 * the dashes French tables use for « sans objet ».
 */
export const MARKERS: Readonly<Record<string, 'secret' | 'missing'>> = {
  s: 'secret',
  S: 'secret',
  secret: 'secret',
  Secret: 'secret',
  SECRET: 'secret',
  c: 'secret',
  C: 'secret',
  '*': 'secret',
  nd: 'secret',
  ND: 'secret',
  'n.d.': 'secret',
  'N.D.': 'secret',
  NA: 'missing',
  na: 'missing',
  'N/A': 'missing',
  'n/a': 'missing',
  '-': 'missing',
  '–': 'missing',
  '—': 'missing'
};

/** `<5`, `< 11`: a count the partner censored below its own threshold (short: markers are stored, 40 characters at most). */
const CENSORED = /^<\s?\d{1,6}$/;

const NATIVE = /^-?\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i;

const NOWHERE: CellLocation = { file: '', line: 0, column: 0, columnName: '' };

export type CellReader = (raw: string, native: boolean) => CellReading;

/** Compiles the reading of one column (its decimal mark, what a blank cell means). */
export function cellReader(decimal: Decimal, blank: 'secret' | 'missing'): CellReader {
  const parseNumber = numberParser({ decimal, thousands: true, markers: {} });
  return (raw, native) => {
    if (raw === '') return { status: blank, marker: '' };
    const marker = MARKERS[raw];
    if (marker) return { status: marker, marker: raw };
    if (CENSORED.test(raw)) return { status: 'secret', marker: raw };
    if (native && NATIVE.test(raw)) {
      const value = Number(raw);
      if (Number.isFinite(value)) return { status: 'ok', value };
    }
    try {
      const parsed = parseNumber(raw, NOWHERE);
      if (parsed.status === 'ok' && parsed.value !== null) return { status: 'ok', value: parsed.value };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
    return { status: 'error', reason: reasonFor(raw, decimal) };
  };
}

const SPREADSHEET_ERROR = /^#(?:N\/A|DIV\/0!|VALUE!|VALEUR!|REF!|NAME\?|NOM\?|NUM!|NOMBRE!|NULL!|NUL!)/;

/** Why a cell is not a number, in words that say what to do. */
export function reasonFor(raw: string, decimal: Decimal): string {
  const other = decimal === ',' ? '.' : ',';
  const trimmed = raw.trim();
  if (trimmed !== raw && trimmed !== '') return 'espaces avant ou après le contenu de la cellule : retirez-les';
  if (SPREADSHEET_ERROR.test(raw)) return `erreur de formule du tableur (${raw}) : corrigez la formule dans le classeur ou remplacez la cellule par un marqueur (s, NA)`;
  const otherMark = new RegExp(`^-?\\d+\\${other}(\\d+)$`).exec(raw);
  if (otherMark) {
    if (otherMark[1]!.length === 3) {
      return `« ${other} » : séparateur de milliers ou décimal ? Le fichier utilise « ${decimal} » comme séparateur décimal, et les milliers s’écrivent sans séparateur ou avec une espace`;
    }
    return `séparateur décimal « ${other} » alors que le fichier utilise « ${decimal} » : corrigez la cellule, ou changez la marque décimale dans les options de lecture si tout le fichier l’utilise`;
  }
  const grouped = /^-?\d{1,3}([.,'’])\d{3}(?:\1\d{3})*(?:[.,]\d+)?$/.exec(raw);
  if (grouped) return `séparateur de milliers « ${grouped[1]} » : seuls les espaces sont acceptés (1 234 ou 1234)`;
  if (/^-?[\d\s.,]+\s?%$/.test(raw)) return 'symbole % : donnez le nombre seul (12,5 pour 12,5 %)';
  if (/[€$£]/.test(raw)) return 'symbole monétaire : donnez le nombre seul';
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) || /^\d{1,2}\/\d{1,2}\/\d{2,4}$/.test(raw)) return 'date, pas un nombre (cellule au format date dans le tableur ?)';
  if (/^-?\d+(?:[.,]\d+)?[eE][-+]?\d+$/.test(raw)) return 'notation scientifique : écrivez le nombre en entier ou avec des décimales';
  if (/^-?\d+(?:[.,]\d+)?$/.test(raw)) return 'nombre trop grand pour être représenté';
  if (/^-?\d[\d \u00a0\u202f]*(?:[.,]\d+)?$/.test(raw)) return 'espaces à l’intérieur du nombre ailleurs qu’entre les milliers : retirez-les';
  if (/\p{L}/u.test(raw)) {
    return 'texte : un secret s’écrit s, secret, c ou nd ; une absence NA ou - ; sinon corrigez la cellule';
  }
  return 'ni un nombre ni un marqueur de secret ou d’absence reconnu';
}
