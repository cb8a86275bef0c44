import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../core/logger.ts';
import type { GeoBatch, GeoFeature } from '../core/types.ts';
import { appendRows, type Cell } from '../db/duckdb.ts';
import { DEFAULT_ZOOM_BANDS } from '../geo/bands.ts';
import { buildGeoTopology, levelGeometries, type Grouping, type LevelGeometries, type TerritoryGeometry } from '../geo/topology.ts';
import type { Cog, CogCommune } from '../sources/cog/decoupage-administratif.ts';
import { FRANCE_REGIONS } from './profiles.ts';
import { COUNTRY_CODE, type Scope, type TerritoryIndex } from './territory-index.ts';
import type { ZoningWithLabels } from './zonings.ts';
import { searchName } from './search-name.ts';

export interface TerritoryRow {
  level: string;
  code: string;
  name: string;
  postcodes: string[];
  commune: string | null;
  ept: string | null;
  departement: string | null;
  region: string | null;
  inFocus: boolean;
  formerCodes: string[];
  /** Extra words the search should match (the commune of an IRIS). */
  searchExtra?: string;
  /** Area from a more precise source than the drawn geometry, when there is one. */
  areaKm2?: number;
  geometry: TerritoryGeometry | undefined;
}

export interface LevelRow {
  id: string;
  label: string;
  labelPlural: string;
  rank: number;
  kind: 'admin' | 'zoning';
  minZoom: number;
  maxZoom: number;
}

export interface Territories {
  rows: TerritoryRow[];
  parents: [level: string, code: string, parentLevel: string, parentCode: string][];
  levels: LevelRow[];
  zonings: ZoningWithLabels[];
  overlays: { layer: string; feature: GeoFeature; geometry: TerritoryGeometry }[];
}

const ADMIN_LEVEL_ROWS: Omit<LevelRow, 'rank'>[] = [
  { id: 'iris', label: 'IRIS', labelPlural: 'IRIS', kind: 'admin', minZoom: 9, maxZoom: 22 },
  { id: 'commune', label: 'Commune', labelPlural: 'Communes', kind: 'admin', minZoom: 0, maxZoom: 22 },
  { id: 'ept', label: 'Établissement public territorial', labelPlural: 'EPT', kind: 'admin', minZoom: 0, maxZoom: 22 },
  { id: 'epci', label: 'Intercommunalité (EPCI)', labelPlural: 'Intercommunalités (EPCI)', kind: 'admin', minZoom: 0, maxZoom: 22 },
  { id: 'departement', label: 'Département', labelPlural: 'Départements', kind: 'admin', minZoom: 0, maxZoom: 22 },
  { id: 'region', label: 'Région', labelPlural: 'Régions', kind: 'admin', minZoom: 0, maxZoom: 22 },
  { id: 'pays', label: 'Pays', labelPlural: 'Pays', kind: 'admin', minZoom: 0, maxZoom: 22 }
];

/**
 * The admin levels of a build, ranked finest first: IRIS, commune, EPT, EPCI, département,
 * région, France. Ranks are dense over the levels present, so the département profile
 * keeps its ranks (0 … 4) and portraits compare a commune with each coarser level in
 * that order. The EPT (inside the Métropole du Grand Paris) rank below the EPCI: an EPCI
 * may straddle départements, but none is inside an EPT.
 */
export function adminLevels(present: ReadonlySet<string>): LevelRow[] {
  return ADMIN_LEVEL_ROWS.filter((l) => l.id === 'iris' || l.id === 'commune' || present.has(l.id)).map((l, rank) => ({ ...l, rank }));
}

/** Levels a group may have as parent when all its communes share one, coarsest last. */
const GROUP_PARENT_LEVELS = ['ept', 'epci', 'departement', 'region', 'pays'] as const;

/** The name of a group territory: COG names, France, or the zoning's own. */
function groupName(cog: Cog, scope: Scope, level: string, code: string, zoning: ZoningWithLabels | undefined): string {
  if (level === 'ept') return cog.epts.get(code)!.name;
  if (level === 'epci') return cog.epcis.get(code)!.name;
  if (level === 'departement') return cog.departements.get(code)!.name;
  if (level === 'region') return cog.regions.get(code)!.name;
  if (level === 'pays') return countryName(cog, scope);
  return zoning!.groups.get(code)!.name;
}

/**
 * « France », or « France hors Mayotte » when the build leaves out a région of France
 * (no source covers Mayotte): a total never claims more than it adds up.
 */
export function countryName(cog: Cog, scope: Scope): string {
  const inScope = new Set(scope.regions);
  const left = FRANCE_REGIONS.filter((r) => !inScope.has(r)).map((r) => cog.regions.get(r)?.name ?? r);
  return left.length === 0 ? 'France' : `France hors ${left.join(', ')}`;
}

/** The one département (or région, EPCI…) all members share, or null. */
function common(values: (string | null)[]): string | null {
  const set = new Set(values);
  return set.size === 1 ? ([...set][0] ?? null) : null;
}

/**
 * Territories of every level with their ancestors and geometries. Commune contours
 * of the 2024 COG are dissolved into current communes (Saint-Denis = 93066 ∪ 93059)
 * and every coarser level inside one topology, so neighbours share their borders at
 * every zoom; IRIS get their own topology.
 */
export function buildTerritories(input: {
  cog: Cog;
  scope: Scope;
  index: TerritoryIndex;
  geo: Map<string, GeoBatch>;
  zonings: ZoningWithLabels[];
  logger: Logger;
}): Territories {
  const { cog, scope, index, zonings } = input;
  const focus = new Set(scope.focus);
  const communesBatch = input.geo.get('communes')!;
  const irisBatch = input.geo.get('iris')!;

  // Communes topology: units are the producer's communes (COG 2024), grouped into current ones.
  const unitToCommune = new Map<string, string>();
  for (const f of communesBatch.features) {
    const current = cog.currentCommune(f.code);
    if (current && index.inScope(current)) unitToCommune.set(f.code, current);
  }
  const groupings: Grouping[] = [{ level: 'commune', memberOf: unitToCommune }];
  // Contours exist for the communes of Île-de-France only: a group is drawn when all its
  // communes are, never as the outline of the few that are (France is not Île-de-France).
  const drawn = new Set(unitToCommune.values());
  for (const [level, groups] of index.groups) {
    const memberOf = new Map<string, string>();
    for (const [code, members] of groups) {
      if (!members.every((m) => drawn.has(m))) continue;
      for (const m of members) memberOf.set(m, code);
    }
    groupings.push({ level, memberOf, of: 'commune' });
  }
  const communeTopo = buildGeoTopology({
    unitLevel: 'commune-source',
    units: communesBatch.features.filter((f) => unitToCommune.has(f.code)).map((f) => ({ code: f.code, geometry: f.geometry })),
    groupings
  });
  const geoms: LevelGeometries = levelGeometries(communeTopo);
  // Communes outside every EPT (outside the Métropole) are expected: notes are informative.
  for (const n of communeTopo.stats.notes) input.logger.info(n);

  const irisInScope = irisBatch.features.filter((f) => index.irisCommune.has(f.code));
  const irisTopo = buildGeoTopology({ unitLevel: 'iris', units: irisInScope.map((f) => ({ code: f.code, geometry: f.geometry })), groupings: [] });
  const irisGeoms = levelGeometries(irisTopo).get('iris') ?? new Map<string, TerritoryGeometry>();

  // The commune contours are simplified (Magrit: up to 8 % off in area); where the
  // commune is covered by CONTOURS-IRIS, their full-resolution union gives its area.
  const irisArea = (commune: string): number | undefined => {
    const list = index.irisByCommune.get(commune);
    if (!list || list.some((i) => !irisGeoms.has(i))) return undefined;
    return list.reduce((sum, i) => sum + irisGeoms.get(i)!.areaKm2, 0);
  };
  const rows: TerritoryRow[] = [];
  const parents: Territories['parents'] = [];
  const levels: LevelRow[] = [
    ...adminLevels(new Set(index.groups.keys())),
    ...zonings.map((z) => ({ id: z.id, label: z.label, labelPlural: z.labelPlural, rank: 2, kind: 'zoning' as const, minZoom: 0, maxZoom: 22 }))
  ];
  const rankOf = new Map(levels.map((l) => [l.id, l.rank]));
  // A commune's admin groups of this build: its EPT, EPCI, département, région, France.
  const groupOf = (level: string, commune: string): string | null => {
    const c = cog.communes.get(commune)!;
    if (!index.groups.has(level)) return null;
    if (level === 'ept') return c.ept;
    if (level === 'epci') return c.epci;
    if (level === 'departement') return c.departement;
    if (level === 'region') return c.region;
    return level === 'pays' ? COUNTRY_CODE : null;
  };
  const adminParents = (c: CogCommune): [string, string][] =>
    GROUP_PARENT_LEVELS.flatMap((level) => {
      const code = groupOf(level, c.code);
      return code ? [[level, code] as [string, string]] : [];
    });
  const zoningOf = (commune: string) =>
    zonings.flatMap((z) => [...z.groups.values()].filter((g) => g.communes.includes(commune)).map((g) => [z.id, g.code] as const));

  for (const code of index.communes) {
    const c = cog.communes.get(code)!;
    rows.push({
      level: 'commune',
      code,
      name: c.name,
      postcodes: c.postcodes,
      commune: null,
      ept: c.ept,
      departement: c.departement,
      region: c.region,
      inFocus: focus.has(c.departement),
      // Codes of the département before 1968 (Bondy was 75010 in the Seine) are COG history
      // no producer uses any more, and would shadow Paris postcodes in search.
      formerCodes: [...c.formerCodes, ...c.arrondissements].filter((x) => x.startsWith(c.departement)),
      geometry: geoms.get('commune')?.get(code),
      areaKm2: irisArea(code)
    });
    for (const [level, parent] of adminParents(c)) parents.push(['commune', code, level, parent]);
    for (const [z, g] of zoningOf(code)) parents.push(['commune', code, z, g]);
  }

  const irisName = new Map(irisBatch.features.map((f) => [f.code, f.name]));
  for (const [iris, commune] of index.irisCommune) {
    const c = cog.communes.get(commune)!;
    rows.push({
      level: 'iris',
      code: iris,
      // Only CONTOURS-IRIS names IRIS; the statistical files give the code alone, whose first
      // five characters are the arrondissement in Paris, Lyon and Marseille.
      name: irisName.get(iris) ?? `${cog.arrondissements.get(iris.slice(0, 5)) ?? c.name} — IRIS ${iris.slice(5)}`,
      postcodes: c.postcodes,
      commune,
      ept: c.ept,
      departement: c.departement,
      region: c.region,
      inFocus: focus.has(c.departement),
      formerCodes: [],
      searchExtra: c.name,
      geometry: irisGeoms.get(iris)
    });
    parents.push(['iris', iris, 'commune', commune]);
    for (const [level, parent] of adminParents(c)) parents.push(['iris', iris, level, parent]);
    for (const [z, g] of zoningOf(commune)) parents.push(['iris', iris, z, g]);
  }

  const groupRow = (level: string, code: string, name: string, members: string[]): TerritoryRow => {
    const deps = members.map((m) => cog.communes.get(m)!.departement);
    const departement = level === 'departement' ? code : common(deps);
    const region = level === 'region' ? code : common(members.map((m) => cog.communes.get(m)!.region));
    return {
      level,
      code,
      name,
      postcodes: [],
      commune: null,
      ept: null,
      departement: level === 'region' || level === 'pays' ? null : departement,
      region: level === 'pays' ? null : region,
      inFocus: level === 'region' || deps.some((d) => focus.has(d)),
      formerCodes: [],
      geometry: geoms.get(level)?.get(code)
    };
  };
  for (const [level, groups] of index.groups) {
    const zoning = zonings.find((z) => z.id === level);
    const rank = rankOf.get(level)!;
    for (const [code, members] of groups) {
      const row = groupRow(level, code, groupName(cog, scope, level, code, zoning), members);
      rows.push(row);
      // The coarser admin groups holding every member: EPT → Métropole du Grand Paris,
      // département, région, France; a bassin → its département.
      for (const parentLevel of GROUP_PARENT_LEVELS) {
        if (!(rankOf.get(parentLevel)! > rank)) continue;
        const parent = common(members.map((m) => groupOf(parentLevel, m)));
        if (parent) parents.push([level, code, parentLevel, parent]);
      }
    }
  }

  const overlays: Territories['overlays'] = [];
  const qpv = input.geo.get('qpv');
  if (qpv && qpv.features.length > 0) {
    const topo = buildGeoTopology({ unitLevel: 'qpv', units: qpv.features.map((f) => ({ code: f.code, geometry: f.geometry })), groupings: [] });
    const g = levelGeometries(topo).get('qpv')!;
    for (const f of qpv.features) overlays.push({ layer: 'qpv', feature: f, geometry: g.get(f.code)! });
  }
  return { rows, parents, levels, zonings, overlays };
}

export async function writeTerritories(conn: DuckDBConnection, t: Territories): Promise<void> {
  await appendRows(
    conn,
    'levels',
    [['id', 'varchar'], ['label', 'varchar'], ['label_plural', 'varchar'], ['rank', 'integer'], ['kind', 'varchar'], ['min_zoom', 'integer'], ['max_zoom', 'integer']],
    t.levels.map((l) => [l.id, l.label, l.labelPlural, l.rank, l.kind, l.minZoom, l.maxZoom])
  );
  await appendRows(
    conn,
    'territories',
    [
      ['level', 'varchar'], ['code', 'varchar'], ['name', 'varchar'], ['search_name', 'varchar'], ['postcodes', 'varchar[]'],
      ['commune', 'varchar'], ['ept', 'varchar'], ['departement', 'varchar'], ['region', 'varchar'], ['in_focus', 'boolean'],
      ['has_geometry', 'boolean'], ['area_km2', 'double'], ['minx', 'double'], ['miny', 'double'], ['maxx', 'double'],
      ['maxy', 'double'], ['lon', 'double'], ['lat', 'double'], ['former_codes', 'varchar[]']
    ],
    t.rows.map((r): Cell[] => {
      const g = r.geometry;
      return [
        r.level, r.code, r.name, searchName([r.name, r.searchExtra ?? ''].join(' ')), r.postcodes, r.commune, r.ept,
        r.departement, r.region, r.inFocus, g !== undefined, r.areaKm2 ?? g?.areaKm2 ?? null, g?.bbox[0] ?? null, g?.bbox[1] ?? null,
        g?.bbox[2] ?? null, g?.bbox[3] ?? null, g?.labelPoint[0] ?? null, g?.labelPoint[1] ?? null, r.formerCodes
      ];
    })
  );
  await appendRows(
    conn,
    'territory_parents',
    [['level', 'varchar'], ['code', 'varchar'], ['parent_level', 'varchar'], ['parent_code', 'varchar']],
    t.parents
  );
  const bandColumns = [
    ['band', 'integer'], ['min_zoom', 'integer'], ['max_zoom', 'integer'], ['geojson', 'varchar'],
    ['minx', 'double'], ['miny', 'double'], ['maxx', 'double'], ['maxy', 'double']
  ] as const;
  await appendRows(
    conn,
    'territory_geoms',
    [['level', 'varchar'], ['code', 'varchar'], ...bandColumns],
    t.rows.flatMap((r) =>
      (r.geometry?.bands ?? []).map((b) => [r.level, r.code, b.band, b.minZoom, b.maxZoom, JSON.stringify(b.geometry), ...b.bbox])
    )
  );
  await appendRows(
    conn,
    'overlay_features',
    [['layer', 'varchar'], ['code', 'varchar'], ['name', 'varchar'], ...bandColumns.slice(0, 4), ['props', 'varchar'], ...bandColumns.slice(4)],
    t.overlays.flatMap((o) =>
      o.geometry.bands.map((b) => [o.layer, o.feature.code, o.feature.name, b.band, b.minZoom, b.maxZoom, JSON.stringify(b.geometry), JSON.stringify(o.feature.props), ...b.bbox])
    )
  );
  await appendRows(
    conn,
    'zonings',
    [['id', 'varchar'], ['label', 'varchar'], ['description', 'varchar'], ['example', 'boolean'], ['published', 'boolean'], ['file', 'varchar']],
    t.zonings.map((z) => [z.id, z.label, z.description, z.example, z.published, z.file])
  );
  await appendRows(
    conn,
    'zoning_members',
    [['zoning_id', 'varchar'], ['group_code', 'varchar'], ['group_name', 'varchar'], ['commune_code', 'varchar']],
    t.zonings.flatMap((z) => [...z.groups.values()].flatMap((g) => g.communes.map((c) => [z.id, g.code, g.name, c])))
  );
}

export { DEFAULT_ZOOM_BANDS };
