/** Portrait URLs: `/portrait/commune/93010-bondy`. */

/** « L'Île-Saint-Denis » → « l-ile-saint-denis ». */
export function slugify(name: string): string {
  return name
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function portraitSlug(code: string, name: string): string {
  const s = slugify(name);
  return s ? `${code}-${s}` : code;
}

export function portraitPath(level: string, code: string, name: string): string {
  return `/portrait/${encodeURIComponent(level)}/${encodeURIComponent(portraitSlug(code, name))}`;
}

/** The code a slug starts with: territory codes (INSEE, SIREN, zoning group) have no hyphen. */
export function codeFromSlug(slug: string): string {
  const i = slug.indexOf('-');
  return i < 0 ? slug : slug.slice(0, i);
}
