/** Lower case, no accents, punctuation → spaces: « Évolution » and « evolution » match. */
export function normalise(text: string): string {
  return text
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Every word of the query starts a word of (or appears in) the text. */
export function matches(text: string, query: string): boolean {
  const q = normalise(query);
  if (!q) return true;
  const t = ` ${normalise(text)}`;
  return q.split(' ').every((w) => t.includes(` ${w}`) || (w.length > 2 && t.includes(w)));
}
