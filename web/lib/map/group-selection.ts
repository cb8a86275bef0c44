/**
 * The group of communes being composed on the map, as it lives in the map's URL:
 * `groupe=93010,93048` (present, even empty, while composing) and `nomgroupe=…`.
 */
import { formatNumber } from '../format';
import { COMMUNE_CODE, canonicalCodes } from '../portrait/group';

export interface GroupSelection {
  /** Sorted, no duplicates. */
  codes: string[];
  name: string;
}

export const MAX_GROUP_NAME = 80;
/** More codes than any région has communes: a longer list in a URL is not a map state. */
const MAX_CODES = 2000;

/** The selection in a map URL; null when the map is not composing a group. Invalid codes are dropped. */
export function parseGroupSelection(params: URLSearchParams): GroupSelection | null {
  const list = params.get('groupe');
  if (list === null) return null;
  const codes = canonicalCodes(list.split(/[\s,;-]+/).filter((c) => COMMUNE_CODE.test(c))).slice(0, MAX_CODES);
  const name = [...(params.get('nomgroupe') ?? '').trim()].slice(0, MAX_GROUP_NAME).join('');
  return { codes, name };
}

/** `groupe=93010,93048&nomgroupe=Mon%20secteur`: commas left as they are, codes need no escaping. */
export function serialiseGroupSelection(selection: GroupSelection): string {
  const name = selection.name.trim();
  return `groupe=${selection.codes.join(',')}${name ? `&${new URLSearchParams({ nomgroupe: name })}` : ''}`;
}

/** Adds the commune, or removes it when it is already in the group. */
export function toggleCode(codes: readonly string[], code: string): string[] {
  return codes.includes(code) ? codes.filter((c) => c !== code) : canonicalCodes([...codes, code]);
}

/** « Aucune commune dans le groupe », « 1 commune dans le groupe », « 1 266 communes dans le groupe ». */
export function groupCountText(count: number): string {
  if (count === 0) return 'Aucune commune dans le groupe';
  return `${formatNumber(count)} commune${count > 1 ? 's' : ''} dans le groupe`;
}

/** Lower case, no accents, punctuation as spaces: « L'Île-Saint-Denis » → « l ile saint denis ». */
export function searchForm(text: string): string {
  return text
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export interface CommuneChoice {
  code: string;
  name: string;
}

/**
 * Communes matching a query, best first: the code, then the name equal to it, starting
 * with it, with a word starting with it, containing it; within each, the communes
 * `preferred` (the observatory's département) first, then shorter names.
 */
export function matchCommunes<T extends CommuneChoice>(
  communes: readonly T[],
  query: string,
  limit = 12,
  preferred: (c: T) => boolean = () => false
): T[] {
  const q = searchForm(query);
  if (!q) return [];
  const scored: { c: T; rank: number }[] = [];
  for (const c of communes) {
    const name = searchForm(c.name);
    let rank: number;
    if (c.code.toLowerCase().startsWith(q)) rank = 0;
    else if (name === q) rank = 1;
    else if (name.startsWith(q)) rank = 2;
    else if (` ${name}`.includes(` ${q}`)) rank = 3;
    else if (name.includes(q)) rank = 4;
    else continue;
    scored.push({ c, rank: rank * 2 + (preferred(c) ? 0 : 1) });
  }
  return scored
    .sort((a, b) => a.rank - b.rank || a.c.name.length - b.c.name.length || a.c.name.localeCompare(b.c.name, 'fr') || a.c.code.localeCompare(b.c.code))
    .slice(0, limit)
    .map((s) => s.c);
}
