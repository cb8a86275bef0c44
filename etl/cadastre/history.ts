/**
 * What happened to the parcels of a commune between two millésimes. Identifiers
 * decide creations and deletions; geometry decides the rest:
 * - `created` / `deleted`: an id present only in the newer / older millésime (one row
 *   per id, so created − deleted is exactly the change in the number of parcels);
 * - `geometry`: same id, shape changed (overlap of old and new shape below 99 % of
 *   their union — re-digitising noise stays above);
 * - `merged`: a parcel of the newer millésime that took most (≥ 50 %) of the area of
 *   two or more parcels of the older one; the row is on the new parcel, `related_ids`
 *   are the old ones;
 * - `split`: a parcel of the older millésime most of whose area went to two or more
 *   new parcels, each lying mostly (≥ 50 %) inside it; the row is on the old parcel.
 * `merged` and `split` describe lineage on top of `created`/`deleted`/`geometry`
 * (a division usually gives one `split` row, one `geometry` or `deleted` row and
 * `created` rows). Only changed parcels are compared, with a bounding-box prefilter.
 */
import { area, featureCollection, intersect, polygon, multiPolygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { AreaGeometry, BBox } from '../core/types.ts';

export const PARCEL_CHANGES = ['created', 'deleted', 'geometry', 'merged', 'split'] as const;
export type ParcelChange = (typeof PARCEL_CHANGES)[number];

/** Intersection over union below which a parcel that kept its id has changed shape. */
export const SAME_SHAPE_IOU = 0.99;
/** Share of a parcel's area that must go into another for a merge/split lineage. */
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
      const inter = intersect(featureCollection([toFeature(a.geometry), toFeature(b.geometry)]));
      return inter ? area(inter) : 0;
    } catch {
      // polyclip refuses some self-intersecting rings (already reported at load).
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
    const parents = linksOf(neu, 'neu').filter((l) => l.shared >= LINEAGE_SHARE * areaOf(l.old));
    if (parents.length >= 2) push(neu, 'merged', parents.map((l) => l.old.id));
  }
  for (const old of olds) {
    const children = linksOf(old, 'old').filter((l) => l.shared >= LINEAGE_SHARE * areaOf(l.neu));
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
  const shared = overlap(before, after);
  const union = areaOf(before) + areaOf(after) - shared;
  return union > 0 && shared / union < SAME_SHAPE_IOU;
}

function bboxesMeet(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

function toFeature(g: AreaGeometry): Feature<Polygon | MultiPolygon> {
  return g.type === 'Polygon' ? polygon(g.coordinates) : multiPolygon(g.coordinates);
}
