/**
 * What happened to the parcels of a commune between two millésimes. Identifiers
 * decide creations and deletions; geometry decides the rest:
 * - `created` / `deleted`: an id present only in the newer / older millésime (one row
 *   per id, so created − deleted is exactly the change in the number of parcels);
 * - `geometry`: same id, shape changed (overlap of old and new shape below 99 % of
 *   their union — re-digitising noise stays above);
 * - `merged`: a parcel of the newer millésime that took most (> 50 %) of the area of
 *   two or more parcels of the older one; the row is on the new parcel, `related_ids`
 *   are the old ones;
 * - `split`: a parcel of the older millésime most of whose area went to two or more
 *   new parcels, each lying mostly (> 50 %) inside it; the row is on the old parcel.
 * `merged` and `split` describe lineage on top of `created`/`deleted`/`geometry`
 * (a division usually gives one `split` row, one `geometry` or `deleted` row and
 * `created` rows). Only changed parcels are compared, with a bounding-box prefilter;
 * areas are turf's (spherical), only their ratios matter.
 */
import { area, polygon, multiPolygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import type { AreaGeometry, BBox } from '../core/types.ts';

export const PARCEL_CHANGES = ['created', 'deleted', 'geometry', 'merged', 'split'] as const;
export type ParcelChange = (typeof PARCEL_CHANGES)[number];

/** Intersection over union below which a parcel that kept its id has changed shape. */
export const SAME_SHAPE_IOU = 0.99;
/** Share of a parcel's area that must (strictly) go into another for a merge/split lineage. */
export const LINEAGE_SHARE = 0.5;
/** Share of the smaller parcel's area below which an overlap is a boundary sliver, not a relation. */
export const RELATED_SHARE = 0.05;

export interface HistoryParcel {
  id: string;
  section: string;
  geometry: AreaGeometry | null;
  bbox: BBox | null;
  /** Serialised geometry: equal text means equal shape, without any computation. */
  geojson: string | null;
}

export interface Vintage {
  vintage: string;
  parcels: ReadonlyMap<string, HistoryParcel>;
}

export interface HistoryRow {
  commune: string;
  fromVintage: string;
  toVintage: string;
  id: string;
  change: ParcelChange;
  relatedIds: string[];
  section: string;
}

export type ChangeCounts = Record<ParcelChange, number>;

export interface HistoryResult {
  rows: HistoryRow[];
  countFrom: number;
  countTo: number;
  counts: ChangeCounts;
  /** Counts per section (2 characters); they sum to `counts`. */
  bySection: Map<string, ChangeCounts>;
  /** Parcels whose overlap could not be computed (invalid geometry): treated as unrelated. */
  unmeasured: string[];
}

export function emptyCounts(): ChangeCounts {
  return { created: 0, deleted: 0, geometry: 0, merged: 0, split: 0 };
}

export function computeHistory(commune: string, from: Vintage, to: Vintage): HistoryResult {
  const rows: HistoryRow[] = [];
  const unmeasured = new Set<string>();
  const areas = new Map<HistoryParcel, number>();
  const areaOf = (p: HistoryParcel) => {
    let a = areas.get(p);
    if (a === undefined) areas.set(p, (a = p.geometry ? area(toFeature(p.geometry)) : 0));
    return a;
  };
  const overlap = (a: HistoryParcel, b: HistoryParcel): number => {
    if (!a.geometry || !b.geometry || !a.bbox || !b.bbox || !bboxesMeet(a.bbox, b.bbox)) return 0;
    try {
      // polygon-clipping is the engine of turf 6's intersect; turf 7's polyclip-ts, with
      // arbitrary-precision numbers, is 5–7 times slower on parcels for the same areas.
      const inter = polygonClipping.intersection(a.geometry.coordinates as Geom, b.geometry.coordinates as Geom);
      return inter.length ? area(multiPolygon(inter)) : 0;
    } catch {
      // The clipper refuses some self-intersecting rings (already reported at load).
      unmeasured.add(a.id).add(b.id);
      return 0;
    }
  };
  const push = (p: HistoryParcel, change: ParcelChange, relatedIds: string[]) =>
    rows.push({ commune, fromVintage: from.vintage, toVintage: to.vintage, id: p.id, change, relatedIds, section: p.section });

  const deleted: HistoryParcel[] = [];
  const created: HistoryParcel[] = [];
  const reshaped: [before: HistoryParcel, after: HistoryParcel][] = [];
  for (const [id, before] of from.parcels) {
    const after = to.parcels.get(id);
    if (!after) deleted.push(before);
    else if (before.geojson !== after.geojson && changedShape(before, after, areaOf, overlap)) reshaped.push([before, after]);
  }
  for (const [id, after] of to.parcels) if (!from.parcels.has(id)) created.push(after);

  // Candidates for lineage: what disappeared or changed on each side.
  const olds = [...deleted, ...reshaped.map(([b]) => b)];
  const news = [...created, ...reshaped.map(([, a]) => a)];
  const links: { old: HistoryParcel; neu: HistoryParcel; shared: number }[] = [];
  for (const old of olds) {
    for (const neu of news) {
      // The overlap only matters from RELATED_SHARE of the smaller parcel; it cannot
      // exceed the overlap of the bounding boxes, which costs nothing to compute.
      if (bboxOverlapM2(old.bbox, neu.bbox) < RELATED_SHARE * Math.min(areaOf(old), areaOf(neu))) continue;
      const shared = overlap(old, neu);
      if (shared > 0) links.push({ old, neu, shared });
    }
  }
  const related = (shared: number, a: HistoryParcel, b: HistoryParcel) => shared >= RELATED_SHARE * Math.min(areaOf(a), areaOf(b));
  const linksOf = (p: HistoryParcel, side: 'old' | 'neu') => links.filter((l) => l[side] === p);

  for (const p of created) push(p, 'created', linksOf(p, 'neu').filter((l) => related(l.shared, l.old, l.neu)).map((l) => l.old.id));
  for (const p of deleted) push(p, 'deleted', linksOf(p, 'old').filter((l) => related(l.shared, l.old, l.neu)).map((l) => l.neu.id));
  for (const [, after] of reshaped) push(after, 'geometry', []);
  for (const neu of news) {
    const parents = linksOf(neu, 'neu').filter((l) => l.shared > LINEAGE_SHARE * areaOf(l.old));
    if (parents.length >= 2) push(neu, 'merged', parents.map((l) => l.old.id));
  }
  for (const old of olds) {
    const children = linksOf(old, 'old').filter((l) => l.shared > LINEAGE_SHARE * areaOf(l.neu));
    if (children.length >= 2) push(old, 'split', children.map((l) => l.neu.id));
  }

  const counts = emptyCounts();
  const bySection = new Map<string, ChangeCounts>();
  for (const r of rows) {
    counts[r.change]++;
    let s = bySection.get(r.section);
    if (!s) bySection.set(r.section, (s = emptyCounts()));
    s[r.change]++;
  }
  return { rows, countFrom: from.parcels.size, countTo: to.parcels.size, counts, bySection, unmeasured: [...unmeasured].sort() };
}

function changedShape(
  before: HistoryParcel,
  after: HistoryParcel,
  areaOf: (p: HistoryParcel) => number,
  overlap: (a: HistoryParcel, b: HistoryParcel) => number
): boolean {
  // Losing or gaining a usable geometry is a change; two unusable ones are not.
  if (!before.geometry || !after.geometry) return before.geometry !== after.geometry;
  if (provablySameShape(before.geometry, after.geometry)) return false;
  const shared = overlap(before, after);
  const union = areaOf(before) + areaOf(after) - shared;
  return union > 0 && shared / union < SAME_SHAPE_IOU;
}

const M_PER_DEGREE_LAT = 110_540;
const M_PER_DEGREE_LON_EQUATOR = 111_320;

/**
 * Most parcels that keep their id differ only by re-digitising noise (vertices moved
 * by millimetres to centimetres, ~250 per year in Bondy). When both shapes have the
 * same vertices, each moved by at most d metres, the symmetric difference lies in
 * the band of width d around the boundary, of area ≤ 2·P·d + π·d² (P the perimeter):
 * if that is below 1 % of the area, the intersection over union is above 0.99 and
 * no polygon clipping is needed (a local planar approximation, exact enough at the
 * scale of a parcel).
 */
export function provablySameShape(a: AreaGeometry, b: AreaGeometry): boolean {
  if (a.type !== b.type) return false;
  const pa = a.type === 'Polygon' ? [a.coordinates] : a.coordinates;
  const pb = b.type === 'Polygon' ? [b.coordinates] : (b as MultiPolygon).coordinates;
  if (pa.length !== pb.length) return false;
  const lat = pa[0]?.[0]?.[0]?.[1] ?? 0;
  const kx = M_PER_DEGREE_LON_EQUATOR * Math.cos((lat * Math.PI) / 180);
  const metres = (ring: Position[]) => ring.map((q) => [(q[0] as number) * kx, (q[1] as number) * M_PER_DEGREE_LAT] as const);
  let d2 = 0;
  let perimeter = 0;
  let area = 0;
  for (let p = 0; p < pa.length; p++) {
    const ra = pa[p] as Position[][];
    const rb = pb[p] as Position[][];
    if (ra.length !== rb.length) return false;
    for (let r = 0; r < ra.length; r++) {
      const va = metres(ra[r] as Position[]);
      const vb = metres(rb[r] as Position[]);
      const moved = ringDisplacement2(va, vb);
      if (moved === null) return false;
      d2 = Math.max(d2, moved);
      let ring = 0;
      for (let i = 1; i < va.length; i++) {
        const [x, y] = va[i] as readonly [number, number];
        const [px, py] = va[i - 1] as readonly [number, number];
        perimeter += Math.hypot(x - px, y - py);
        ring += px * y - x * py;
      }
      area += (r === 0 ? 1 : -1) * Math.abs(ring / 2);
    }
  }
  const d = Math.sqrt(d2);
  return area > 0 && (2 * perimeter * d + Math.PI * d2) / area < 1 - SAME_SHAPE_IOU;
}

type XY = readonly (readonly [number, number])[];

/**
 * Largest squared move of a vertex between two closed rings listing the same
 * vertices, whatever vertex they start from and whichever way they turn (Etalab's
 * millésimes do both); null when they do not have the same number of vertices.
 */
function ringDisplacement2(a: XY, b: XY): number | null {
  const n = a.length - 1;
  if (n < 3 || b.length - 1 !== n) return null;
  const dist2 = (p: readonly [number, number], q: readonly [number, number]) => (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2;
  const a0 = a[0] as readonly [number, number];
  let k = 0;
  for (let j = 1; j < n; j++) if (dist2(a0, b[j] as readonly [number, number]) < dist2(a0, b[k] as readonly [number, number])) k = j;
  let best = Infinity;
  for (const dir of [1, -1]) {
    let worst = 0;
    for (let i = 0; i < n && worst < best; i++) {
      worst = Math.max(worst, dist2(a[i] as readonly [number, number], b[(((k + dir * i) % n) + n) % n] as readonly [number, number]));
    }
    best = Math.min(best, worst);
  }
  return best;
}

/** Area in m² of the intersection of two WGS84 bounding boxes (0 when disjoint or unknown). */
function bboxOverlapM2(a: BBox | null, b: BBox | null): number {
  if (!a || !b) return 0;
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const kx = M_PER_DEGREE_LON_EQUATOR * Math.cos((((a[1] + a[3]) / 2) * Math.PI) / 180);
  // 1 % margin: the planar approximation must never prune a pair turf would keep.
  return w * kx * h * M_PER_DEGREE_LAT * 1.01;
}

function bboxesMeet(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

function toFeature(g: AreaGeometry): Feature<Polygon | MultiPolygon> {
  return g.type === 'Polygon' ? polygon(g.coordinates) : multiPolygon(g.coordinates);
}
