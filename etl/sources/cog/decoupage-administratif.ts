import { createRequire } from 'node:module';
import type { SourceDescription } from '../../core/types.ts';

/**
 * The Code officiel géographique (COG 2026) and the EPT membership, as packaged by
 * Etalab in `@etalab/decoupage-administratif` (INSEE COG + DGCL + INSEE EPT tables).
 * It is the reference every other source's codes are converted to.
 */
const require = createRequire(import.meta.url);
const pkg = require('@etalab/decoupage-administratif/package.json') as { version: string };

export const cogSource: SourceDescription = {
  id: 'cog-decoupage-administratif',
  label: 'Code officiel géographique 2026 et composition des EPT',
  producer: 'INSEE (COG), DGCL, via Etalab @etalab/decoupage-administratif',
  licence: 'Licence Ouverte 2.0',
  vintage: '2026',
  url: 'https://www.insee.fr/fr/information/2560452',
  format: `paquet npm @etalab/decoupage-administratif ${pkg.version} (JSON)`,
  mirrorPath: '',
  geoVintage: 2026
};

interface RawCommune {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement: string;
  region: string;
  commune?: string;
  chefLieu?: string;
  anciensCodes?: string[];
  codesPostaux?: string[];
  population?: number;
}
interface RawGroup {
  code: string;
  nom: string;
  type?: string;
  membres: { code: string }[];
}
interface RawDepartement {
  code: string;
  nom: string;
  region: string;
}
interface RawRegion {
  code: string;
  nom: string;
}

export interface CogCommune {
  code: string;
  name: string;
  departement: string;
  region: string;
  ept: string | null;
  /**
   * Its EPCI à fiscalité propre (SIREN), null for the four island communes outside any
   * (Bréhat, Sein, Ouessant, L'Île-d'Yeu) and outside the DROM. The communes of the 93
   * belong to both an EPT and the Métropole du Grand Paris, an EPCI (`METRO`): the COG
   * keeps the EPT apart (ept.json), not as EPCI.
   */
  epci: string | null;
  postcodes: string[];
  /** Codes of older COG vintages that now belong to this commune (93059 for Saint-Denis). */
  formerCodes: string[];
  /** Paris, Lyon, Marseille: arrondissements municipaux that map to this commune. */
  arrondissements: string[];
}

export interface Cog {
  vintage: number;
  communes: Map<string, CogCommune>;
  epts: Map<string, { code: string; name: string; members: string[] }>;
  /** EPCI à fiscalité propre (CC, CA, CU, métropoles, Métropole de Lyon) by SIREN. */
  epcis: Map<string, { code: string; name: string; type: string; members: string[] }>;
  departements: Map<string, { code: string; name: string; region: string }>;
  regions: Map<string, { code: string; name: string }>;
  /** Arrondissements municipaux of Paris, Lyon and Marseille: code → name (« Lyon 1er Arrondissement »). */
  arrondissements: Map<string, string>;
  /**
   * Current commune for a code of any vintage, or null when unknown. Handles
   * arrondissements municipaux (75101 → 75056), communes déléguées/associées
   * (93059 → 93066) and every former code the COG lists.
   */
  currentCommune(code: string): string | null;
}

export function loadCog(): Cog {
  const rawCommunes = require('@etalab/decoupage-administratif/data/communes.json') as RawCommune[];
  const rawEpts = require('@etalab/decoupage-administratif/data/ept.json') as RawGroup[];
  const rawEpcis = require('@etalab/decoupage-administratif/data/epci.json') as RawGroup[];
  const rawDeps = require('@etalab/decoupage-administratif/data/departements.json') as RawDepartement[];
  const rawRegions = require('@etalab/decoupage-administratif/data/regions.json') as RawRegion[];

  const eptOf = new Map<string, string>();
  const epts = new Map<string, { code: string; name: string; members: string[] }>();
  for (const e of rawEpts) {
    const members = e.membres.map((m) => m.code);
    epts.set(e.code, { code: e.code, name: e.nom, members });
    for (const m of members) eptOf.set(m, e.code);
  }
  const epciOf = new Map<string, string>();
  const epcis = new Map<string, { code: string; name: string; type: string; members: string[] }>();
  for (const e of rawEpcis) {
    const members = e.membres.map((m) => m.code);
    epcis.set(e.code, { code: e.code, name: e.nom, type: e.type ?? '', members });
    for (const m of members) epciOf.set(m, e.code);
  }

  const communes = new Map<string, CogCommune>();
  for (const c of rawCommunes) {
    if (c.type !== 'commune-actuelle') continue;
    communes.set(c.code, {
      code: c.code,
      name: c.nom,
      departement: c.departement,
      region: c.region,
      ept: eptOf.get(c.code) ?? null,
      epci: epciOf.get(c.code) ?? null,
      postcodes: c.codesPostaux ?? [],
      formerCodes: [],
      arrondissements: []
    });
  }

  // Former codes: a current code always wins over an old one that happens to be equal.
  const arrondissements = new Map<string, string>();
  const former = new Map<string, string>();
  const addFormer = (oldCode: string, current: string) => {
    if (oldCode === current || communes.has(oldCode) || former.has(oldCode)) return;
    former.set(oldCode, current);
    communes.get(current)?.formerCodes.push(oldCode);
  };
  for (const c of rawCommunes) {
    if (c.type === 'commune-actuelle') {
      for (const old of c.anciensCodes ?? []) addFormer(old, c.code);
    } else if (c.type === 'arrondissement-municipal' && c.commune && communes.has(c.commune)) {
      if (!communes.has(c.code)) former.set(c.code, c.commune);
      communes.get(c.commune)!.arrondissements.push(c.code);
      arrondissements.set(c.code, c.nom);
    } else if (c.chefLieu && communes.has(c.chefLieu)) {
      addFormer(c.code, c.chefLieu);
    }
  }
  for (const c of communes.values()) c.formerCodes.sort();

  const departements = new Map(rawDeps.map((d) => [d.code, { code: d.code, name: d.nom, region: d.region }]));
  const regions = new Map(rawRegions.map((r) => [r.code, { code: r.code, name: r.nom }]));

  return {
    vintage: 2026,
    communes,
    epts,
    epcis,
    departements,
    regions,
    arrondissements,
    currentCommune(code: string) {
      if (communes.has(code)) return code;
      return former.get(code) ?? null;
    }
  };
}
