import { kinks, rewind } from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import type { AreaGeometry } from '../core/types.ts';

export type GeometryWarningKind = 'anneau-non-ferme' | 'anneau-degenere' | 'polygone-supprime' | 'auto-intersection';

export interface GeometryWarning {
  kind: GeometryWarningKind;
  /** French, self-contained: "anneau 2 du polygone 1 : …". */
  message: string;
}

export interface RepairResult {
  /** Null when nothing usable is left; the caller must report it, never drop it silently. */
  geometry: AreaGeometry | null;
  warnings: GeometryWarning[];
  /** Benign fixes, counted for the build log but not worth a warning each. */
  stats: { duplicatePointsRemoved: number };
}

export interface RepairOptions {
  /**
   * Self-intersection detection (turf `kinks`) is quadratic in the ring size; the
   * default limit keeps it to a few milliseconds per feature. Larger polygons are
   * not checked and that fact is not a warning (IGN deliveries are validated).
   */
  kinksMaxVertices?: number;
}

const DEFAULT_KINKS_MAX_VERTICES = 20_000;


/**
 * Checks and repairs a Polygon/MultiPolygon: closes rings, removes consecutive
 * duplicates, drops degenerate rings (and polygons whose exterior ring is
 * degenerate), applies the RFC 7946 winding, and reports self-intersections
 * without changing them: untangling a ring changes which side is inside, and
 * guessing wrong would misplace population, so a human should look.
 */
export function repairGeometry(geometry: AreaGeometry, options: RepairOptions = {}): RepairResult {
  const warnings: GeometryWarning[] = [];
  const stats = { duplicatePointsRemoved: 0 };
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const multi = geometry.type === 'MultiPolygon';
  const kept: Position[][][] = [];
  polygons.forEach((rings, p) => {
    const where = (r: number): string => (multi ? `polygone ${p + 1}, anneau ${r + 1}` : `anneau ${r + 1}`);
    const out: Position[][] = [];
    for (let r = 0; r < rings.length; r++) {
      const ring = cleanRing(rings[r] as Position[], stats);
      if (ring.closedByUs) {
        warnings.push({ kind: 'anneau-non-ferme', message: `${where(r)} : anneau non fermé, fermé en répétant le premier point` });
      }
      const problem = ring.positions.length < 4 ? `moins de 4 positions (${ring.positions.length})` : isFlat(ring.positions) ? 'aire nulle, points alignés' : null;
      if (problem) {
        if (r === 0) {
          warnings.push({ kind: 'polygone-supprime', message: `${where(r)} : anneau extérieur dégénéré (${problem}), polygone supprimé avec ses ${rings.length - 1} trou(s)` });
          return;
        }
        warnings.push({ kind: 'anneau-degenere', message: `${where(r)} : trou dégénéré (${problem}), supprimé` });
        continue;
      }
      out.push(ring.positions);
    }
    if (out.length > 0) kept.push(out);
  });
  if (kept.length === 0) return { geometry: null, warnings, stats };
  const repaired: AreaGeometry =
    kept.length === 1 && !multi ? { type: 'Polygon', coordinates: kept[0] as Position[][] } : { type: 'MultiPolygon', coordinates: kept };
  rewind(repaired, { mutate: true });
  warnings.push(...selfIntersections(repaired, options.kinksMaxVertices ?? DEFAULT_KINKS_MAX_VERTICES));
  return { geometry: repaired, warnings, stats };
}

function cleanRing(input: Position[], stats: { duplicatePointsRemoved: number }): { positions: Position[]; closedByUs: boolean } {
  const positions: Position[] = [];
  for (const p of input) {
    const last = positions[positions.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) stats.duplicatePointsRemoved++;
    else positions.push([p[0] as number, p[1] as number]);
  }
  const first = positions[0];
  const last = positions[positions.length - 1];
  let closedByUs = false;
  if (first && last && positions.length > 1 && (first[0] !== last[0] || first[1] !== last[1])) {
    positions.push([first[0] as number, first[1] as number]);
    closedByUs = true;
  }
  return { positions, closedByUs };
}

/**
 * True when all the ring's points lie on one line (zero area, a spike). Not tested
 * with the signed area: a bow-tie's two lobes cancel out to zero, yet it is a real
 * shape to report, not a degenerate one to drop.
 */
export function isFlat(ring: Position[]): boolean {
  const o = ring[0] as Position;
  let far = o;
  let farDist = 0;
  for (const p of ring) {
    const d = ((p[0] as number) - (o[0] as number)) ** 2 + ((p[1] as number) - (o[1] as number)) ** 2;
    if (d > farDist) {
      farDist = d;
      far = p;
    }
  }
  if (farDist === 0) return true;
  const dx = (far[0] as number) - (o[0] as number);
  const dy = (far[1] as number) - (o[1] as number);
  // |cross| / |d| is the distance to the line; compare it relative to the ring's size.
  const tolerance = 1e-12 * farDist;
  return ring.every((p) => Math.abs(dx * ((p[1] as number) - (o[1] as number)) - dy * ((p[0] as number) - (o[0] as number))) <= tolerance);
}

/** Shoelace area, planar, in the units of the coordinates (sign = orientation). */
export function planarArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) {
    const a = ring[i] as Position;
    const b = ring[i + 1] as Position;
    sum += (a[0] as number) * (b[1] as number) - (b[0] as number) * (a[1] as number);
  }
  return sum / 2;
}

function selfIntersections(geometry: AreaGeometry, maxVertices: number): GeometryWarning[] {
  const polygons: Position[][][] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const warnings: GeometryWarning[] = [];
  polygons.forEach((rings, p) => {
    const vertices = rings.reduce((n, r) => n + r.length, 0);
    if (vertices > maxVertices) return;
    const found = kinks({ type: 'Polygon', coordinates: rings } satisfies Polygon).features;
    const first = found[0]?.geometry.coordinates;
    if (!first) return;
    const where = geometry.type === 'MultiPolygon' ? `polygone ${p + 1}` : 'polygone';
    warnings.push({
      kind: 'auto-intersection',
      message: `${where} : ${found.length} auto-intersection(s), la première vers [${round7(first[0] as number)}, ${round7(first[1] as number)}] ; géométrie conservée telle quelle, à corriger à la source`
    });
  });
  return warnings;
}

function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
