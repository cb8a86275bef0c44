/** French formatting of numbers, values with units, statuses and dates. */

export type Status = 'ok' | 'secret' | 'partial' | 'missing' | 'not-aggregable';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: min, maximumFractionDigits: max });
    numberFormats.set(key, f);
  }
  return f;
}

/** `1234.5` → « 1 234,5 » (narrow no-break space as Intl gives it). */
export function formatNumber(value: number, decimals = 0): string {
  const d = Math.max(0, Math.min(20, Math.round(decimals)));
  const text = numberFormat(d, d).format(value);
  // « -0 » reads as a mistake
  return /^-0(,0*)?$/.test(text) ? text.slice(1) : text;
}

/** Like formatNumber, but drops trailing zeros: class bounds, manual breaks. */
export function formatCompact(value: number, maxDecimals = 2): string {
  return numberFormat(0, maxDecimals).format(value);
}

/** Units that read better without being repeated after the number. */
const SILENT_UNITS = new Set(['rapport', 'indice']);

/** The unit as shown next to a number, or '' when it is not worth repeating. */
export function unitSuffix(unit: string): string {
  if (!unit || SILENT_UNITS.has(unit) || unit.startsWith('base 100')) return '';
  return unit;
}

/** « 18,3 % », « 51 066 habitants », « 17 210 € ». */
export function formatValue(value: number, unit: string, decimals = 0): string {
  const n = formatNumber(value, decimals);
  const u = unitSuffix(unit);
  if (!u) return n;
  return `${n}\u202f${u}`;
}

export const STATUS_LABELS: Record<Status, string> = {
  ok: 'publiée',
  secret: 'secret statistique',
  partial: 'partielle',
  missing: 'donnée manquante',
  'not-aggregable': 'non disponible à ce niveau'
};

export const SECRET_EXPLANATION =
  'Secret statistique : le producteur ne diffuse pas ce chiffre parce qu’il porte sur trop peu de personnes ou de ménages ' +
  'pour garantir qu’on ne puisse pas les reconnaître. Ce n’est pas un zéro.';

export const PARTIAL_EXPLANATION =
  'Valeur partielle : calculée sans les contributions couvertes par le secret statistique ; elle sous-estime le total réel.';

export const NOT_AGGREGABLE_EXPLANATION =
  'Une médiane, un rapport ou un taux publié par le producteur ne se recalcule pas en additionnant des territoires : il n’est publié qu’aux niveaux où le producteur le diffuse.';

export function statusLabel(status: string): string {
  return STATUS_LABELS[status as Status] ?? status;
}

export function statusExplanation(status: string): string | null {
  if (status === 'secret') return SECRET_EXPLANATION;
  if (status === 'partial') return PARTIAL_EXPLANATION;
  if (status === 'not-aggregable') return NOT_AGGREGABLE_EXPLANATION;
  if (status === 'missing') return 'Le producteur ne publie pas cette valeur pour ce territoire et cette année.';
  return null;
}

/** A value with its unit, or the word that replaces it when there is no number. */
export function formatCell(value: number | null, status: string, unit: string, decimals: number): string {
  if (value === null || status === 'secret' || status === 'missing' || status === 'not-aggregable') return statusLabel(status);
  return formatValue(value, unit, decimals);
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

/** « 23 novembre 2026 ». */
export function formatDate(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? String(date) : dateFormat.format(d);
}

/** A ratio between two values, in words: « 1,4 fois », « deux fois moins »… */
export function formatTimes(ratio: number): string {
  return `${formatNumber(ratio, 1)}\u00a0fois`;
}

/** Lower-case first letter, for a label used inside a sentence (keeps acronyms: « RSA »). */
export function lowerFirst(text: string): string {
  if (text.length < 2) return text.toLowerCase();
  return /^[A-ZÀ-Ý][a-zà-ÿ]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** A unit short enough to follow every number in a table (« % », « € », « km² »); long ones go in headings. */
export function shortUnit(unit: string): string {
  const u = unitSuffix(unit);
  return u.length <= 4 ? u : '';
}

/** « 18,3 % », « 36,3 » for « emplois pour 100 habitants » (the unit is said elsewhere). */
export function formatShort(value: number, unit: string, decimals = 0): string {
  const u = shortUnit(unit);
  const n = formatNumber(value, decimals);
  return u ? `${n}\u202f${u}` : n;
}
