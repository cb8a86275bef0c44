/** Small pieces of French grammar for generated sentences. */

/** Départements and regions of Île-de-France take an article; communes and EPT mostly do not. */
const ARTICLES: Record<string, string> = {
  'Seine-Saint-Denis': 'la',
  'Seine-et-Marne': 'la',
  Yvelines: 'les',
  Essonne: 'l’',
  'Hauts-de-Seine': 'les',
  'Val-de-Marne': 'le',
  "Val-d'Oise": 'le',
  'Val-d’Oise': 'le',
  'Île-de-France': 'l’'
};

function startsWithVowel(text: string): boolean {
  return /^[aeiouyhàâäéèêëîïôöùûüœAEIOUYHÀÂÄÉÈÊËÎÏÔÖÙÛÜŒ]/.test(text);
}

/** « de la Seine-Saint-Denis », « d’Est Ensemble », « du Raincy », « des Lilas », « de Bondy ». */
export function deName(name: string): string {
  const article = ARTICLES[name];
  if (article === 'le') return `du ${name}`;
  if (article === 'les') return `des ${name}`;
  if (article === 'la') return `de la ${name}`;
  if (article === 'l’') return `de l’${name}`;
  if (/^Le /.test(name)) return `du ${name.slice(3)}`;
  if (/^Les /.test(name)) return `des ${name.slice(4)}`;
  if (/^La /.test(name)) return `de ${name}`;
  if (/^L['’]/.test(name)) return `de ${name}`;
  return startsWithVowel(name) ? `d’${name}` : `de ${name}`;
}

/** « la Seine-Saint-Denis », « l’Île-de-France », « Bondy », « le Raincy ». */
export function theName(name: string): string {
  const article = ARTICLES[name];
  if (!article) return name;
  return article === 'l’' ? `l’${name}` : `${article} ${name}`;
}

export type Gender = 'm' | 'f' | 'mp' | 'fp';

/** Grammatical gender of a few head nouns opening indicator labels. */
const HEAD_NOUNS: Record<string, Gender> = {
  taux: 'm',
  part: 'f',
  nombre: 'm',
  densité: 'f',
  évolution: 'f',
  taille: 'f',
  indice: 'm',
  écart: 'm',
  rapport: 'm',
  revenu: 'm',
  niveau: 'm',
  superficie: 'f',
  population: 'f',
  emplois: 'mp',
  personnes: 'fp',
  ménages: 'mp',
  logements: 'mp',
  allocataires: 'mp',
  établissements: 'mp',
  enfants: 'mp',
  actifs: 'mp',
  chômeurs: 'mp',
  décès: 'mp',
  naissances: 'fp',
  résidences: 'fp',
  '1er': 'm',
  '2e': 'm',
  '3e': 'm',
  '4e': 'm',
  '6e': 'm',
  '7e': 'm',
  '8e': 'm',
  '9e': 'm',
  pièces: 'fp',
  emménagés: 'mp',
  construites: 'fp',
  suroccupation: 'f',
  prestations: 'fp',
  impôts: 'mp',
  indemnités: 'fp',
  minima: 'mp',
  pensions: 'fp',
  salaires: 'mp',
  revenus: 'mp'
};

export function genderOf(label: string): Gender | null {
  const head = label.trim().split(/[\s']/)[0]?.toLowerCase() ?? '';
  return HEAD_NOUNS[head] ?? null;
}

/** « le taux de chômage », « la part des… », « l’indice de Gini ». */
export function withArticle(label: string): string | null {
  const g = genderOf(label);
  if (!g) return null;
  const lower = label.length > 1 && /^[A-ZÀ-Ý][a-zà-ÿ]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
  if (g === 'mp' || g === 'fp') return `les ${lower}`;
  if (startsWithVowel(lower)) return `l’${lower}`;
  return `${g === 'm' ? 'le' : 'la'} ${lower}`;
}

/** « celui », « celle », « ceux », « celles ». */
export function pronoun(g: Gender): string {
  return { m: 'celui', f: 'celle', mp: 'ceux', fp: 'celles' }[g];
}

/** « est » or « sont ». */
export function verb(g: Gender): string {
  return g === 'mp' || g === 'fp' ? 'sont' : 'est';
}

/** « 2 communes », « 1 commune »: naive plural by « s », enough for level names. */
export function plural(n: number, singular: string, pluralForm?: string): string {
  return `${n} ${n > 1 ? (pluralForm ?? `${singular}s`) : singular}`;
}
