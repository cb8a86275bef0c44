import { booleanPointInPolygon, pointOnFeature, rewind } from '@turf/turf';
import type { Position } from 'geojson';
import type { AreaGeometry, BBox } from '../core/types.ts';
import { lonLatToEqualArea } from './crs.ts';
import { isFlat, planarArea } from './validate.ts';

export function polygonsOf(g: AreaGeometry): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function bboxOf(g: AreaGeometry): BBox {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (const poly of polygonsOf(g)) {
    // Holes lie inside their exterior ring, so the exterior is enough.
    for (const p of poly[0] ?? []) {
      const x = p[0] as number;
      const y = p[1] as number;
      if (x < minx) minx = x;
      if (x > maxx) maxx = x;
      if (y < miny) miny = y;
      if (y > maxy) maxy = y;
    }
  }
  return [minx, miny, maxx, maxy];
}

/** Number of positions, closing ones included (what is stored and drawn). */
export function countVertices(g: AreaGeometry): number {
  let n = 0;
  for (const poly of polygonsOf(g)) for (const ring of poly) n += ring.length;
  return n;
}

/**
 * Ellipsoidal area in km², computed in an equal-area projection (see
 * `lonLatToEqualArea`) so it agrees with the producers' SUPERF; segments are short
 * enough (< a few km) for the straight-line approximation to be exact at 1e-6.
 */
export function areaKm2(g: AreaGeometry): number {
  let m2 = 0;
  for (const poly of polygonsOf(g)) {
    poly.forEach((ring, r) => {
      const projected = ring.map((p) => lonLatToEqualArea(p[0] as number, p[1] as number));
      const a = Math.abs(planarArea(projected));
      m2 += r === 0 ? a : -a;
    });
  }
  return m2 / 1e6;
}

/**
 * A point strictly inside the territory, for its label. The centroid of the largest
 * part when it falls inside (the natural spot for compact shapes); otherwise the
 * middle of the widest inside stretch of the horizontal line through that centroid,
 * which is inside by construction (crescents, U shapes, holes). turf's
 * `pointOnFeature` falls back to a boundary vertex in that case, hence this.
 */
export function labelPoint(g: AreaGeometry): [number, number] {
  const largest = polygonsOf(g).reduce<Position[][] | null>(
    (best, poly) => (best === null || Math.abs(planarArea(poly[0] ?? [])) > Math.abs(planarArea(best[0] ?? [])) ? poly : best),
    null
  );
  if (!largest) throw new Error('labelPoint : géométrie vide');
  const c = ringCentroid(largest[0] ?? []);
  const polygon = { type: 'Polygon' as const, coordinates: largest };
  if (booleanPointInPolygon(c, polygon, { ignoreBoundary: true })) return c;
  const crossings: number[] = [];
  for (const ring of largest) {
    for (let i = 0; i < ring.length - 1; i++) {
      const a = ring[i] as Position;
      const b = ring[i + 1] as Position;
      const ay = a[1] as number;
      const by = b[1] as number;
      // Half-open rule: a vertex exactly on the line is counted once.
      if (ay > c[1] !== by > c[1]) {
        const ax = a[0] as number;
        crossings.push(ax + ((c[1] - ay) * ((b[0] as number) - ax)) / (by - ay));
      }
    }
  }
  crossings.sort((x, y) => x - y);
  let best: [number, number] | null = null;
  let width = 0;
  for (let i = 0; i + 1 < crossings.length; i += 2) {
    const w = (crossings[i + 1] as number) - (crossings[i] as number);
    if (w > width) {
      width = w;
      best = [((crossings[i] as number) + (crossings[i + 1] as number)) / 2, c[1]];
    }
  }
  return best ?? (pointOnFeature(polygon).geometry.coordinates as [number, number]);
}

function ringCentroid(ring: Position[]): [number, number] {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const p = ring[i] as Position;
    const q = ring[i + 1] as Position;
    const cross = (p[0] as number) * (q[1] as number) - (q[0] as number) * (p[1] as number);
    a += cross;
    cx += ((p[0] as number) + (q[0] as number)) * cross;
    cy += ((p[1] as number) + (q[1] as number)) * cross;
  }
  if (a === 0) {
    const p = ring[0] as Position;
    return [p[0] as number, p[1] as number];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/**
 * Makes a merged or simplified geometry storable: rounds to `decimals`, removes
 * the consecutive duplicates rounding creates, drops rings that became degenerate,
 * and applies RFC 7946 winding (TopoJSON rings come out clockwise). Returns null
 * when nothing is left, so the caller can fall back to a finer band. Neighbours
 * round the same shared arc to the same values, so borders stay identical.
 */
export function normalizeGeometry(polygons: Position[][][], decimals: number): { geometry: AreaGeometry | null; droppedRings: number } {
  const f = 10 ** decimals;
  let droppedRings = 0;
  const out: Position[][][] = [];
  for (const poly of polygons) {
    const rings: Position[][] = [];
    for (let r = 0; r < poly.length; r++) {
      const ring: Position[] = [];
      for (const p of poly[r] as Position[]) {
        const x = Math.round((p[0] as number) * f) / f;
        const y = Math.round((p[1] as number) * f) / f;
        const last = ring[ring.length - 1];
        if (!last || last[0] !== x || last[1] !== y) ring.push([x, y]);
      }
      if (ring.length < 4 || isFlat(ring)) {
        droppedRings++;
        // Without its exterior ring the holes mean nothing.
        if (r === 0) {
          droppedRings += poly.length - 1;
          break;
        }
        continue;
      }
      rings.push(ring);
    }
    if (rings.length > 0) out.push(rings);
  }
  if (out.length === 0) return { geometry: null, droppedRings };
  const geometry: AreaGeometry = out.length === 1 ? { type: 'Polygon', coordinates: out[0] as Position[][] } : { type: 'MultiPolygon', coordinates: out };
  rewind(geometry, { mutate: true });
  return { geometry, droppedRings };
}
