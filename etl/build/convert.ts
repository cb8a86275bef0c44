import { InputError } from '../core/errors.ts';
import type { LoadWarning, RawValue, SourceDescription } from '../core/types.ts';
import type { TerritoryIndex } from './territory-index.ts';
import type { ConvertedValue } from './values.ts';

export interface Conversion {
  values: ConvertedValue[];
  /** Values outside the build's scope (other régions), not loaded. */
  outOfScope: number;
  /** Published codes converted to another current code, e.g. 93059 → 93066. */
  converted: Map<string, string>;
  warnings: LoadWarning[];
}

/**
 * Converts producers' codes to the build's COG. Commune codes of an older COG are
 * attached to the commune that absorbed them (93059 → 93066), arrondissements
 * municipaux to their commune (75101 → 75056), IRIS to the current commune of their
 * first five characters. A code that belongs to a département of the scope but that
 * no COG vintage knows is an error: the file is wrong, or published on a geography we
 * cannot convert.
 */
export function convertValues(
  source: SourceDescription,
  file: string,
  values: RawValue[],
  index: TerritoryIndex,
  scopeDepartements: Set<string>
): Conversion {
  const out: ConvertedValue[] = [];
  const converted = new Map<string, string>();
  const unknownIris = new Set<string>();
  let outOfScope = 0;
  const cache = new Map<string, string | null>();
  const resolve = (communeCode: string) => {
    let c = cache.get(communeCode);
    if (c === undefined) cache.set(communeCode, (c = index.cog.currentCommune(communeCode)));
    return c;
  };
  const departementOf = (code: string) => (code.startsWith('97') ? code.slice(0, 3) : code.slice(0, 2));

  for (const v of values) {
    const communeCode = v.level === 'iris' ? v.code.slice(0, 5) : v.code;
    const commune = resolve(communeCode);
    if (!commune) {
      if (scopeDepartements.has(departementOf(communeCode))) {
        throw new InputError({
          file,
          line: v.line,
          column: v.level === 'iris' ? 'code IRIS' : 'code commune',
          expected: `un code ${v.level === 'iris' ? 'IRIS' : 'commune'} connu du COG ${index.cog.vintage} ou d'un millésime antérieur`,
          found: v.code,
          hint: `Source ${source.id}`
        });
      }
      outOfScope++;
      continue;
    }
    if (!index.inScope(commune)) {
      outOfScope++;
      continue;
    }
    if (v.level === 'commune' && commune !== v.code) converted.set(v.code, commune);
    if (v.level === 'iris' && !index.irisCommune.has(v.code) && index.irisByCommune.has(commune)) {
      unknownIris.add(v.code);
    }
    out.push({ ...v, current: v.level === 'iris' ? v.code : commune, commune });
  }

  const warnings: LoadWarning[] = [];
  for (const [from, to] of converted) {
    warnings.push({ source: source.id, file, message: `code ${from} converti en ${to} (COG ${index.cog.vintage})` });
  }
  if (unknownIris.size > 0) {
    warnings.push({
      source: source.id,
      file,
      message: `${unknownIris.size} IRIS absents des contours IRIS chargés (comptés dans leur commune) : ${[...unknownIris].slice(0, 10).join(', ')}`
    });
  }
  return { values: out, outOfScope, converted, warnings };
}
