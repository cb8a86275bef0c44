/**
 * Suggestions for a code the build does not know, best first: the territory whose name
 * is the row's label, the code once a spreadsheet's damage is undone (lost leading zero,
 * `93010.0`, an apostrophe, spaces, a letter O for a zero), then codes one keystroke
 * away (one digit changed, added, dropped, or two swapped), preferring those the file
 * does not already have: a mistyped code usually stands for a territory that is missing.
 */
import { searchName } from '../../build/search-name.ts';
import type { Suggestion } from './issues.ts';
import type { Level, TerritoryIndex } from './territories.ts';
import type { ContextTerritory } from './types.ts';

export interface SuggestInput {
  raw: string;
  level: Level;
  label?: string | undefined;
  /** Codes of the declared level already in the file. */
  present: ReadonlySet<string>;
}

export interface Suggestions {
  suggestions: Suggestion[];
  /** Why the first suggestion is likely, in French (« zéro initial perdu »…), or null. */
  reason: string | null;
}

const LENGTH: Record<Level, number> = { commune: 5, iris: 9 };

/** Damerau (optimal string alignment) distance ≤ 1: one substitution, insertion, deletion or adjacent swap. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

interface Repair {
  apply: (s: string) => string;
  reason: string;
}

const REPAIRS: readonly Repair[] = [
  { apply: (s) => s.trim(), reason: 'espaces autour du code' },
  { apply: (s) => s.replace(/^['’]/, ''), reason: 'apostrophe ajoutée par le tableur' },
  { apply: (s) => s.replace(/^(\d+)[.,]0+$/, '$1'), reason: 'code écrit comme un nombre décimal par le tableur (93010.0)' },
  { apply: (s) => s.replace(/\s+/g, ''), reason: 'espaces dans le code' },
  { apply: (s) => s.replace(/[oO]/g, '0'), reason: 'lettre O au lieu du chiffre zéro' },
  { apply: (s) => s.replace(/[lI]/g, '1'), reason: 'lettre l ou I au lieu du chiffre un' }
];

export function suggestCodes(index: TerritoryIndex, input: SuggestInput): Suggestions {
  const { raw, level } = input;
  const candidates = new Map<string, { t: ContextTerritory; rank: number; reason: string }>();
  const consider = (t: ContextTerritory | undefined, rank: number, reason: string) => {
    if (!t) return;
    const seen = candidates.get(t.code);
    if (!seen || seen.rank > rank) candidates.set(t.code, { t, rank, reason });
  };
  const length = LENGTH[level];

  const label = input.label === undefined ? '' : searchName(input.label);
  if (label !== '') {
    for (const t of labelScope(index, level, raw)) {
      if (t.searchName === label) consider(t, 0, `le libellé « ${input.label} » est celui de ce territoire`);
      else if (label.length >= 4 && (t.searchName.includes(label) || label.includes(t.searchName))) {
        consider(t, 4, `libellé proche de « ${input.label} »`);
      }
    }
  }

  // Repairs compose (« '93010.0 » needs two), so apply them cumulatively as well as alone.
  let cumulative = raw;
  const reasons: string[] = [];
  for (const repair of REPAIRS) {
    const alone = repair.apply(raw);
    const next = repair.apply(cumulative);
    if (next !== cumulative) reasons.push(repair.reason);
    cumulative = next;
    for (const [candidate, why] of [
      [alone, repair.reason],
      [cumulative, reasons.join(', ')]
    ] as const) {
      if (candidate === raw) continue;
      consider(index.get(level, candidate), 1, why);
      if (/^\d+$/.test(candidate) && candidate.length < length) {
        consider(index.get(level, candidate.padStart(length, '0')), 1, `${why}, zéro initial perdu`);
      }
    }
  }
  if (/^\d+$/.test(raw) && raw.length < length) consider(index.get(level, raw.padStart(length, '0')), 1, 'zéro initial perdu (tableur)');

  const typed = cumulative;
  // A mistyped IRIS code more likely keeps its commune (the first five characters) right.
  const commune = level === 'iris' ? index.currentCommune(typed.slice(0, 5)) : null;
  for (const t of index.ofLevel(level)) {
    if (withinOneEdit(typed, t.code) || withinOneEdit(raw, t.code)) {
      const elsewhere = commune !== null && t.commune !== commune ? 0.5 : 0;
      consider(t, (input.present.has(t.code) ? 3 : 2) + elsewhere, 'faute de frappe (un caractère changé, ajouté, omis ou interverti)');
    }
  }

  const ranked = [...candidates.values()].sort((a, b) => a.rank - b.rank || (a.t.code < b.t.code ? -1 : 1)).slice(0, 3);
  return {
    suggestions: ranked.map((c) => ({ code: c.t.code, name: c.t.name })),
    reason: ranked[0]?.reason ?? null
  };
}

/** IRIS names repeat across communes (« Centre », « Mairie »): search those of the code's commune when it has one. */
function labelScope(index: TerritoryIndex, level: Level, raw: string): readonly ContextTerritory[] {
  if (level === 'commune') return index.ofLevel('commune');
  const commune = index.currentCommune(raw.trim().slice(0, 5));
  const all = index.ofLevel('iris');
  return commune ? all.filter((t) => t.commune === commune) : all;
}
