import { topology as buildTopology } from 'topojson-server';
import { feature, merge } from 'topojson-client';
import { presimplify, simplify, sphericalTriangleArea } from 'topojson-simplify';
import type { GeometryObject, MultiPolygon as TopoMultiPolygon, Objects, Polygon as TopoPolygon, Topology } from 'topojson-specification';
import type { Feature, FeatureCollection, Position } from 'geojson';
import type { AreaGeometry, BBox, LevelId, ZoomBand } from '../core/types.ts';
import { bandDecimals, bandMinWeight, DEFAULT_ZOOM_BANDS, FULL_RESOLUTION_MIN_ZOOM } from './bands.ts';
import { areaKm2, bboxOf, countVertices, labelPoint, normalizeGeometry } from './measure.ts';

/** The finest pieces the topology is built from: communes of a COG vintage, or IRIS. */
export interface TopologyUnit {
  code: string;
  geometry: AreaGeometry;
}

/**
 * How codes of one level group into a coarser level. `memberOf` is keyed by codes
 * of level `of` (the units when absent): units → commune (93059 → 93066), then
 * commune → ept keyed by current commune codes, and so on.
 */
export interface Grouping {
  level: LevelId;
  memberOf: ReadonlyMap<string, string>;
  of?: LevelId;
}

export interface TopologyInput {
  /** Level id of the units themselves (`commune`, `iris`); they are output as such. */
  unitLevel: LevelId;
  units: TopologyUnit[];
  groupings: Grouping[];
}

export interface TopologyOptions {
  /** topojson-server quantization; 1e6 keeps ~0.2 m over Île-de-France. */
  quantization?: number;
  /** Simplification tolerance in screen pixels (see `bandMinWeight`). */
  tolerancePx?: number;
}

export interface BandGeometry extends ZoomBand {
  geometry: AreaGeometry;
  bbox: BBox;
  vertices: number;
  /** Band whose geometry was used because this band's collapsed (same band if none). */
  fromBand: number;
}

export interface TerritoryGeometry {
  /** Full resolution, from the quantized topology (so it matches its neighbours exactly). */
  full: AreaGeometry;
  bands: BandGeometry[];
  bbox: BBox;
  areaKm2: number;
  labelPoint: [number, number];
}

export type LevelGeometries = Map<LevelId, Map<string, TerritoryGeometry>>;

export interface TopologyStats {
  units: number;
  arcs: number;
  /** Per band: positions in all unit-level geometries. */
  unitVertices: Map<number, number>;
  /** Rings dropped in a band because simplification or rounding made them degenerate. */
  droppedRings: Map<number, number>;
  /** Territories whose band geometry collapsed and was taken from a finer band. */
  fallbacks: Map<number, number>;
  /** Grouping problems (keys matching no code of the level below…), in French. */
  notes: string[];
}

/** A topology built once, from which any union of units can be dissolved per band. */
export interface GeoTopology {
  unitLevel: LevelId;
  bands: ZoomBand[];
  /** Per level: group code → unit codes. The unit level maps each code to itself. */
  members: Map<LevelId, Map<string, string[]>>;
  stats: TopologyStats;
  /** @internal unit code → its geometry objects in the topology. */
  readonly objectsByUnit: Map<string, GeometryObject[]>;
  /** @internal band → simplified topology (absolute coordinates); key -1 = full. */
  readonly simplified: Map<number, AnyTopology>;
  /** Visvalingam threshold per band, in steradians (0 = full resolution). */
  readonly weights: Map<number, number>;
}

const FULL = -1;

// topojson-server types its output with nullable properties, topojson-simplify wants `{}`.
type AnyTopology = Topology<Objects>;

/**
 * Builds one topology for the units, so that dissolving (topojson `merge`) keeps
 * shared borders shared, and simplification (Visvalingam on arcs, spherical areas)
 * moves a border identically for both neighbours: no slivers, no gaps, at any zoom.
 */
export function buildGeoTopology(input: TopologyInput, bands: readonly ZoomBand[] = DEFAULT_ZOOM_BANDS, options: TopologyOptions = {}): GeoTopology {
  const units: FeatureCollection<AreaGeometry, { code: string }> = {
    type: 'FeatureCollection',
    features: input.units.map((u) => ({ type: 'Feature', properties: { code: u.code }, geometry: u.geometry }))
  };
  const topo = buildTopology({ units }, options.quantization ?? 1e6) as AnyTopology;
  const collection = topo.objects.units as { geometries: GeometryObject<{ code: string }>[] };
  const objectsByUnit = new Map<string, GeometryObject[]>();
  for (const g of collection.geometries) {
    const code = (g.properties as { code: string }).code;
    const list = objectsByUnit.get(code) ?? [];
    list.push(g);
    objectsByUnit.set(code, list);
  }

  const pre = presimplify(topo, sphericalTriangleArea);
  protectSmallRings(pre, collection.geometries);
  // Pixel size depends on latitude; the middle of the data is close enough for a region.
  const latitude = topo.bbox ? ((topo.bbox[1] as number) + (topo.bbox[3] as number)) / 2 : 0;
  const weights = new Map<number, number>();
  const simplified = new Map<number, AnyTopology>([[FULL, simplify(pre, 0)]]);
  for (const band of bands) {
    const w = bandMinWeight(band, latitude, options.tolerancePx ?? DEFAULT_TOLERANCE_PX);
    weights.set(band.band, w);
    if (w > 0) simplified.set(band.band, simplify(pre, w));
  }

  const stats: TopologyStats = {
    units: objectsByUnit.size,
    arcs: topo.arcs.length,
    unitVertices: new Map(),
    droppedRings: new Map(),
    fallbacks: new Map(),
    notes: []
  };
  const members = resolveMembers(input, objectsByUnit, stats.notes);
  return { unitLevel: input.unitLevel, bands: [...bands], members, stats, objectsByUnit, simplified, weights };
}

/**
 * Default tolerance: a vertex may go when its triangle is under 1 px² (invisible). With it
 * an IGN commune keeps a few dozen points at zoom 7 and IRIS stay recognisable at zoom 12
 * (vertex counts in the tests).
 */
export const DEFAULT_TOLERANCE_PX = 1;

/**
 * A ring made of one or two arcs keeps only 1 or 2 points once every interior point
 * is simplified away (arc ends are always kept): it would collapse. Giving the
 * heaviest interior points an infinite weight keeps a triangle at every band, and
 * since the weight lives on the shared arc, the neighbour sees the same point.
 */
function protectSmallRings(pre: AnyTopology, geometries: GeometryObject[]): void {
  const arcs = pre.arcs as unknown as number[][][];
  const protect = (ring: number[]): void => {
    const distinct = [...new Set(ring.map((a) => (a < 0 ? ~a : a)))];
    const missing = 3 - distinct.length;
    if (missing <= 0) return;
    const interior: number[][] = [];
    for (const a of distinct) {
      const arc = arcs[a] as number[][];
      for (let i = 1; i < arc.length - 1; i++) interior.push(arc[i] as number[]);
    }
    interior.sort((p, q) => (q[2] as number) - (p[2] as number));
    for (const p of interior.slice(0, missing)) p[2] = Infinity;
  };
  for (const g of geometries) {
    if (g.type === 'Polygon') (g as TopoPolygon).arcs.forEach(protect);
    else if (g.type === 'MultiPolygon') (g as TopoMultiPolygon).arcs.forEach((poly) => poly.forEach(protect));
  }
}

function resolveMembers(input: TopologyInput, objectsByUnit: Map<string, GeometryObject[]>, notes: string[]): Map<LevelId, Map<string, string[]>> {
  const unitOf = new Map<LevelId, Map<string, string>>(); // level → unit code → group code
  const identity = new Map([...objectsByUnit.keys()].map((c) => [c, c]));
  unitOf.set(input.unitLevel, identity);
  const byLevel = new Map(input.groupings.map((g) => [g.level, g]));
  const resolving = new Set<LevelId>();
  const resolve = (level: LevelId): Map<string, string> => {
    const done = unitOf.get(level);
    if (done) return done;
    const grouping = byLevel.get(level);
    if (!grouping) throw new Error(`Regroupement inconnu : niveau « ${level} » (niveaux connus : ${[input.unitLevel, ...byLevel.keys()].join(', ')})`);
    if (resolving.has(level)) throw new Error(`Regroupements circulaires autour du niveau « ${level} »`);
    resolving.add(level);
    const below = resolve(grouping.of ?? input.unitLevel);
    const out = new Map<string, string>();
    const usedKeys = new Set<string>();
    for (const [unit, code] of below) {
      const group = grouping.memberOf.get(code);
      if (group === undefined) continue;
      usedKeys.add(code);
      out.set(unit, group);
    }
    const unused = [...grouping.memberOf.keys()].filter((k) => !usedKeys.has(k));
    if (unused.length > 0) {
      notes.push(`niveau ${level} : ${unused.length} code(s) de ${grouping.of ?? input.unitLevel} absent(s) de la géométrie (${unused.slice(0, 5).join(', ')}${unused.length > 5 ? '…' : ''})`);
    }
    const unassigned = below.size - out.size;
    if (unassigned > 0) notes.push(`niveau ${level} : ${unassigned} unité(s) sans groupe, hors de ce niveau`);
    resolving.delete(level);
    unitOf.set(level, out);
    return out;
  };
  const members = new Map<LevelId, Map<string, string[]>>();
  for (const level of [input.unitLevel, ...byLevel.keys()]) {
    const groups = new Map<string, string[]>();
    for (const [unit, group] of resolve(level)) {
      const list = groups.get(group) ?? [];
      list.push(unit);
      groups.set(group, list);
    }
    members.set(level, groups);
  }
  return members;
}

/** Dissolves the given units into one territory, at full resolution and in every band. */
export function dissolveUnits(topo: GeoTopology, unitCodes: readonly string[]): TerritoryGeometry {
  const objects: GeometryObject[] = [];
  const unknown: string[] = [];
  for (const code of unitCodes) {
    const list = topo.objectsByUnit.get(code);
    if (list) objects.push(...list);
    else unknown.push(code);
  }
  if (unknown.length > 0) throw new Error(`Unités absentes de la topologie ${topo.unitLevel} : ${unknown.join(', ')}`);
  const fullTopo = topo.simplified.get(FULL) as AnyTopology;
  const full = normalizeGeometry(mergeCoordinates(fullTopo, objects), 7).geometry;
  if (!full) throw new Error(`Géométrie vide après fusion de ${unitCodes.slice(0, 5).join(', ')} : contours dégénérés à la quantification`);

  // Finest band first, so a band that collapses can borrow from the next finer one.
  const sorted = [...topo.bands].sort((a, b) => b.maxZoom - a.maxZoom);
  const results: BandGeometry[] = [];
  let finer: BandGeometry | null = null;
  for (const band of sorted) {
    let geometry: AreaGeometry | null;
    if (band.minZoom >= FULL_RESOLUTION_MIN_ZOOM || !topo.simplified.has(band.band)) geometry = full;
    else {
      const r = normalizeGeometry(mergeCoordinates(topo.simplified.get(band.band) as AnyTopology, objects), bandDecimals(band));
      geometry = r.geometry;
      if (r.droppedRings > 0) bump(topo.stats.droppedRings, band.band, r.droppedRings);
    }
    let fromBand = band.band;
    if (!geometry) {
      bump(topo.stats.fallbacks, band.band, 1);
      geometry = finer?.geometry ?? full;
      fromBand = finer?.fromBand ?? band.band;
    }
    const result: BandGeometry = { band: band.band, minZoom: band.minZoom, maxZoom: band.maxZoom, geometry, bbox: bboxOf(geometry), vertices: countVertices(geometry), fromBand };
    results.push(result);
    finer = result;
  }
  results.sort((a, b) => a.band - b.band);
  return { full, bands: results, bbox: bboxOf(full), areaKm2: areaKm2(full), labelPoint: labelPoint(full) };
}

function mergeCoordinates(topology: AnyTopology, objects: GeometryObject[]): Position[][][] {
  const only = objects.length === 1 ? objects[0] : undefined;
  // A single unit needs no dissolve: decoding its arcs skips merge's costly stitching.
  if (only) {
    // Typed per geometry type; ours is a Polygon or a MultiPolygon, checked below.
    const g = (feature(topology, only as TopoPolygon) as Feature<AreaGeometry | null>).geometry;
    if (g?.type === 'Polygon') return [g.coordinates];
    if (g?.type === 'MultiPolygon') return g.coordinates;
    return [];
  }
  return merge(topology, objects as (TopoPolygon | TopoMultiPolygon)[]).coordinates;
}

function bump(map: Map<number, number>, key: number, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Every territory of every level (units included), dissolved from the topology. */
export function levelGeometries(topo: GeoTopology): LevelGeometries {
  const out: LevelGeometries = new Map();
  for (const [level, groups] of topo.members) {
    const territories = new Map<string, TerritoryGeometry>();
    for (const [code, units] of groups) {
      const t = dissolveUnits(topo, units);
      territories.set(code, t);
      if (level === topo.unitLevel) for (const b of t.bands) bump(topo.stats.unitVertices, b.band, b.vertices);
    }
    out.set(level, territories);
  }
  return out;
}

/** One call: topology, then every level's geometries. */
export function buildLevelGeometries(input: TopologyInput, bands: readonly ZoomBand[] = DEFAULT_ZOOM_BANDS, options: TopologyOptions = {}): LevelGeometries {
  return levelGeometries(buildGeoTopology(input, bands, options));
}

/**
 * Dissolves an ad-hoc group (an admin's custom zoning, a user selection) given as
 * codes of `level` (default: current communes), reusing the built topology: a few
 * milliseconds, and its borders coincide with the published territories'.
 */
export function dissolveExtra(topo: GeoTopology, codes: readonly string[], level: LevelId = 'commune'): TerritoryGeometry {
  const groups = topo.members.get(level);
  if (!groups) throw new Error(`Niveau « ${level} » absent de la topologie (niveaux : ${[...topo.members.keys()].join(', ')})`);
  const units: string[] = [];
  const unknown: string[] = [];
  for (const code of new Set(codes)) {
    const list = groups.get(code);
    if (list) units.push(...list);
    else unknown.push(code);
  }
  if (unknown.length > 0) throw new Error(`Codes ${level} inconnus de la topologie : ${unknown.join(', ')}`);
  if (units.length === 0) throw new Error('Aucun code à fusionner');
  return dissolveUnits(topo, units);
}
