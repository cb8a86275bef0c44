import { searchName } from '../../etl/build/search-name.ts';
/** Lower case, no accents, punctuation → spaces (the ETL's search form): « Évolution » and « evolution » match. */
export const normalise = searchName;

/** Every word of the query starts a word of (or appears in) the text. */
export function matches(text: string, query: string): boolean {
  const q = normalise(query);
  if (!q) return true;
  const t = ` ${normalise(text)}`;
  return q.split(' ').every((w) => t.includes(` ${w}`) || (w.length > 2 && t.includes(w)));
}
