import type { Cog } from '../sources/cog/decoupage-administratif.ts';

/** A zoning: named groups of communes (the EPT are one, the département's bassins another). */
export interface Zoning {
  id: string;
  label: string;
  description: string;
  example: boolean;
  file: string;
  groups: Map<string, { code: string; name: string; communes: string[] }>;
}

/**
 * The territories of one build and how base units roll up. Every group level
 * (EPT, département, région, zonings) is a set of communes; IRIS roll up to communes.
 */
export interface TerritoryIndex {
  cog: Cog;
  /** Current communes in the build's scope. */
  communes: string[];
  /** IRIS territories (with geometry) → their current commune. */
  irisCommune: Map<string, string>;
  /** IRIS territories per commune. */
  irisByCommune: Map<string, string[]>;
  /** Group level → group code → member communes (ept, departement, region, zonings). */
  groups: Map<string, Map<string, string[]>>;
  zonings: Zoning[];
  /** Is this commune (current code) in scope? */
  inScope(commune: string): boolean;
}

export interface Scope {
  /** Régions whose communes are territories of the build (Île-de-France = 11). */
  regions: string[];
  /** Départements shown by default and whose IRIS are loaded (Seine-Saint-Denis, Paris). */
  focus: string[];
  /** Name of the profile, written in `build_info` (`departement`, `national`). */
  profile?: string;
  /**
   * IRIS territories: only those with a contour (default), or also every IRIS published
   * by a source that covers all of France, contour or not.
   */
  irisFromSources?: boolean;
  /** An `epci` level (EPCI à fiscalité propre of the COG) between the EPT and the département. */
  epci?: boolean;
  /** A `pays` level (code `FR`) above the régions. */
  country?: boolean;
}

export const DEFAULT_SCOPE: Scope = { regions: ['11'], focus: ['93', '75'], profile: 'departement' };

/** Code of the single territory of the `pays` level. */
export const COUNTRY_CODE = 'FR';

export function buildTerritoryIndex(
  cog: Cog,
  scope: Scope,
  irisCodes: Iterable<string>,
  zonings: Zoning[]
): TerritoryIndex {
  const regions = new Set(scope.regions);
  const communes = [...cog.communes.values()].filter((c) => regions.has(c.region)).map((c) => c.code).sort();
  const inScopeSet = new Set(communes);

  const irisCommune = new Map<string, string>();
  const irisByCommune = new Map<string, string[]>();
  for (const iris of irisCodes) {
    if (irisCommune.has(iris)) continue;
    const commune = cog.currentCommune(iris.slice(0, 5));
    if (!commune || !inScopeSet.has(commune)) continue;
    irisCommune.set(iris, commune);
    const list = irisByCommune.get(commune) ?? [];
    list.push(iris);
    irisByCommune.set(commune, list);
  }

  const groups = new Map<string, Map<string, string[]>>();
  const add = (level: string, code: string | null, commune: string) => {
    if (!code) return;
    let byCode = groups.get(level);
    if (!byCode) groups.set(level, (byCode = new Map()));
    const list = byCode.get(code) ?? [];
    list.push(commune);
    byCode.set(code, list);
  };
  for (const code of communes) {
    const c = cog.communes.get(code)!;
    add('ept', c.ept, code);
    if (scope.epci) add('epci', c.epci, code);
    add('departement', c.departement, code);
    add('region', c.region, code);
    if (scope.country) add('pays', COUNTRY_CODE, code);
  }
  for (const z of zonings) {
    for (const g of z.groups.values()) for (const commune of g.communes) add(z.id, g.code, commune);
  }

  return {
    cog,
    communes,
    irisCommune,
    irisByCommune,
    groups,
    zonings,
    inScope: (commune) => inScopeSet.has(commune)
  };
}
