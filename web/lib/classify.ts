import { ckmeans, mean, quantileSorted, standardDeviation } from 'simple-statistics';

export const METHODS = ['quantiles', 'intervalles', 'jenks', 'ecart-type', 'manuel'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  quantiles: 'Quantiles (effectifs égaux)',
  intervalles: 'Intervalles égaux',
  jenks: 'Seuils naturels (Jenks)',
  'ecart-type': 'Écart type autour de la moyenne',
  manuel: 'Seuils manuels'
};

export const MIN_CLASSES = 3;
export const MAX_CLASSES = 9;

export interface Classification {
  /** Ascending bounds: classes[i] covers [bounds[i], bounds[i+1]), the last one closed. Length = classes + 1. */
  bounds: number[];
  /** Why fewer classes than asked, in French, when so. */
  note: string | null;
}

export function clampClasses(k: number): number {
  if (!Number.isFinite(k)) return 5;
  return Math.min(MAX_CLASSES, Math.max(MIN_CLASSES, Math.round(k)));
}

/**
 * Class bounds for `values` (numbers only: secret and missing values are not
 * classified, they get classes of their own). Equal bounds are merged, so a
 * distribution with many ties may give fewer classes than asked.
 */
export function classify(values: readonly number[], method: Method, k: number, manual: readonly number[] = []): Classification {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { bounds: [], note: 'Aucune valeur à classer.' };
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  if (min === max) return { bounds: [min, max], note: 'Tous les territoires ont la même valeur : une seule classe.' };
  const asked = clampClasses(k);
  let inner: number[];
  switch (method) {
    case 'quantiles':
      inner = range(1, asked).map((i) => quantileSorted(sorted, i / asked));
      break;
    case 'intervalles':
      inner = range(1, asked).map((i) => min + ((max - min) * i) / asked);
      break;
    case 'jenks': {
      const distinct = new Set(sorted).size;
      const clusters = ckmeans(sorted, Math.min(asked, distinct));
      inner = clusters.slice(1).map((c) => c[0] as number);
      break;
    }
    case 'ecart-type':
      inner = standardDeviationBreaks(sorted, asked);
      break;
    case 'manuel':
      inner = [...manual].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
      break;
  }
  const bounds = [min, ...inner.filter((b) => b > min && b < max), max];
  const unique = bounds.filter((b, i) => i === 0 || b !== bounds[i - 1]);
  const classes = unique.length - 1;
  let note: string | null = null;
  if (method === 'manuel') {
    const outside = inner.filter((b) => b <= min || b >= max).length;
    if (inner.length === 0) note = 'Aucun seuil manuel valide : une seule classe.';
    else if (outside) note = `${outside} seuil${outside > 1 ? 's' : ''} hors de l’étendue des valeurs ignoré${outside > 1 ? 's' : ''}.`;
  } else if (classes < asked) {
    note = `${classes} classes au lieu de ${asked} : trop de valeurs identiques pour en former davantage.`;
  }
  return { bounds: unique, note };
}

/**
 * Breaks one standard deviation apart, centred on the mean: with an odd number of
 * classes the middle class is mean ± ½σ, with an even number the mean is a break.
 */
function standardDeviationBreaks(sorted: number[], k: number): number[] {
  const m = mean(sorted);
  const sd = standardDeviation(sorted);
  if (sd === 0) return [];
  const offsets = k % 2 === 1 ? range(0, k - 1).map((i) => i - (k - 1) / 2 + 0.5) : range(0, k - 1).map((i) => i - (k / 2 - 1));
  return offsets.map((o) => m + o * sd);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** Index of the class holding `value`, or -1 outside the bounds. */
export function classIndex(value: number, bounds: readonly number[]): number {
  const n = bounds.length - 1;
  if (n < 1 || value < (bounds[0] as number) || value > (bounds[n] as number)) return -1;
  for (let i = 0; i < n - 1; i++) if (value < (bounds[i + 1] as number)) return i;
  return n - 1;
}

export function classCounts(values: readonly number[], bounds: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(0, bounds.length - 1)).fill(0);
  for (const v of values) {
    const i = classIndex(v, bounds);
    if (i >= 0) counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

/** Parses manual breaks as typed by a person: « 10 ; 12,5 ; 15 » or « 10 12.5 15 ». */
export function parseBreaks(text: string): number[] {
  // with « ; » as separator, spaces may group thousands (« 1 000 ; 2 500 »)
  return text
    .split(text.includes(';') ? /;+/ : /[\s_|]+/)
    .map((t) => t.trim().replace(/\s/g, '').replace(',', '.'))
    .filter((t) => t !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n));
}
