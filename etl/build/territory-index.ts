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
}

export const DEFAULT_SCOPE: Scope = { regions: ['11'], focus: ['93', '75'] };

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
    add('departement', c.departement, code);
    add('region', c.region, code);
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
