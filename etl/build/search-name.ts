/**
 * The form names are searched in: lower case, no accents, hyphens and apostrophes as
 * spaces, so « saint denis », « SAINT-DENIS » and « Saint-Denis » all match, and
 * « l ile saint denis » finds L'Île-Saint-Denis. The server applies the same function
 * to the query.
 */
export function searchName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[-'’_.,/()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
