/**
 * The form names are searched in: lower case, no accents (œ → oe), anything but letters
 * and digits as one space, so « saint denis », « SAINT-DENIS » and « Saint-Denis » all
 * match, and « l ile saint denis » finds L'Île-Saint-Denis. The ETL stores names in this
 * form; the server and the web app apply the same function to what people type.
 */
export function searchName(s: string): string {
  return s
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
