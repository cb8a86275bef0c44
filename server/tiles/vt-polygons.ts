/**
 * geojson-vt's single-tile pipeline (`geoJSONToTile`: convert → clip → createTile →
 * transformTile), for polygons only, split so that the conversion — Douglas-Peucker
 * importance of every vertex, ring areas, bboxes — runs once per feature and build
 * instead of once per feature and tile. geojson-vt does not export these steps.
 *
 * A faithful port of @maplibre/geojson-vt 6.3.1 (src/convert.ts, simplify.ts, feature.ts,
 * clip.ts, tile.ts, transform.ts), restricted to Polygon and MultiPolygon, no wrap, no
 * line metrics, no ids, coordinates already in the unit square. Same operations in the
 * same order, hence the same doubles and the same tiles: `render.test.ts` holds it to
 * `geoJSONToTile` byte for byte, and `real-build.test.ts` on every tile over the 93.
 * Check both again when upgrading geojson-vt.
 *
 * geojson-vt: ISC License, Copyright (c) 2024, Mapbox; MIT License, Copyright (c) 2025
 * MapLibre contributors (full texts in node_modules/@maplibre/geojson-vt/LICENSE).
 */
import type { GeoJSONVTTile } from '@maplibre/geojson-vt';
import type { MultiPolygon, Polygon, Position } from 'geojson';

export interface VtOptions {
  extent: number;
  buffer: number;
  /** geojson-vt's `maxZoom` (14 by default): the zoom cut without simplification. */
  maxZoom: number;
  /** geojson-vt's `tolerance` (3 by default), in tile pixels. */
  tolerance: number;
}

type Tags = Record<string, string | number | boolean>;

/** A ring: x, y, importance per vertex; `size` is its area in the unit square. */
interface Slice {
  points: number[] | Float64Array;
  size: number;
  start: number;
  end: number;
}

interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** geojson-vt's internal feature, as `convertToInternal` makes it (id always null here). */
export type VtPolygonFeature = Bounds &
  ({ type: 'Polygon'; geometry: Slice[]; tags: Tags } | { type: 'MultiPolygon'; geometry: Slice[][]; tags: Tags });

// ---------------------------------------------------------------- convert.ts, simplify.ts, feature.ts

/**
 * `convertToInternal` of one Polygon or MultiPolygon feature, positions in the unit square;
 * null when geojson-vt would make no feature of it.
 */
export function convertPolygonal(geometry: Polygon | MultiPolygon, tags: Tags, options: VtOptions): VtPolygonFeature | null {
  const coords = geometry.coordinates;
  if (!coords?.length) return null;
  const tolerance = Math.pow(options.tolerance / ((1 << options.maxZoom) * options.extent), 2);
  if (geometry.type === 'Polygon') {
    const out: Slice[] = [];
    convertLines(geometry.coordinates, out, tolerance);
    return createFeature('Polygon', out, tags);
  }
  const out: Slice[][] = [];
  for (const polygon of geometry.coordinates) {
    const polygonOut: Slice[] = [];
    convertLines(polygon, polygonOut, tolerance);
    if (!polygonOut.length) continue;
    out.push(polygonOut);
  }
  if (!out.length) return null;
  return createFeature('MultiPolygon', out, tags);
}

function convertLines(rings: Position[][], out: Slice[], tolerance: number): void {
  for (let i = 0; i < rings.length; i++) {
    const geom: Slice = { points: [], size: 0, start: 0, end: 0 };
    convertLine(rings[i] as Position[], geom, tolerance);
    out.push(geom);
  }
}

function convertLine(ring: Position[], out: Slice, tolerance: number): void {
  let x0 = 0;
  let y0 = 0;
  let size = 0;
  const points = out.points as number[];
  for (let j = 0; j < ring.length; j++) {
    const x = (ring[j] as Position)[0] as number;
    const y = (ring[j] as Position)[1] as number;
    points.push(x, y, 0);
    if (j > 0) size += (x0 * y - x * y0) / 2; // area
    x0 = x;
    y0 = y;
  }
  const last = points.length - 3;
  points[2] = 1;
  if (tolerance > 0) simplify(points, 0, last, tolerance);
  points[last + 2] = 1;
  optimizeLineMemory(out);
  out.size = Math.abs(size);
  out.start = 0;
  out.end = out.size;
}

/** Douglas-Peucker importance of each vertex (simplify.ts). */
function simplify(coords: number[], first: number, last: number, sqTolerance: number): void {
  const stack = [first, last];
  while (stack.length) {
    last = stack.pop() as number;
    first = stack.pop() as number;
    simplifySegment(coords, first, last, sqTolerance, stack);
  }
}

function simplifySegment(coords: number[], first: number, last: number, sqTolerance: number, stack: number[]): void {
  let maxSqDist = sqTolerance;
  const mid = first + ((last - first) >> 1);
  let minPosToMid = last - first;
  let index: number | undefined;
  const ax = coords[first] as number;
  const ay = coords[first + 1] as number;
  const bx = coords[last] as number;
  const by = coords[last + 1] as number;
  for (let i = first + 3; i < last; i += 3) {
    const d = getSqSegDist(coords[i] as number, coords[i + 1] as number, ax, ay, bx, by);
    if (d > maxSqDist) {
      index = i;
      maxSqDist = d;
      continue;
    }
    if (d === maxSqDist) {
      const posToMid = Math.abs(i - mid);
      if (posToMid < minPosToMid) {
        index = i;
        minPosToMid = posToMid;
      }
    }
  }
  if (maxSqDist > sqTolerance) {
    const at = index as number;
    coords[at + 2] = maxSqDist;
    if (at - first > 3) stack.push(first, at);
    if (last - at > 3) stack.push(at, last);
  }
}

function getSqSegDist(px: number, py: number, x: number, y: number, bx: number, by: number): number {
  let dx = bx - x;
  let dy = by - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = bx;
      y = by;
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = px - x;
  dy = py - y;
  return dx * dx + dy * dy;
}

function optimizeLineMemory(line: Slice): void {
  if (line.points.length > 64) line.points = new Float64Array(line.points);
}

function createFeature(type: 'Polygon', geom: Slice[], tags: Tags): VtPolygonFeature;
function createFeature(type: 'MultiPolygon', geom: Slice[][], tags: Tags): VtPolygonFeature;
function createFeature(type: 'Polygon' | 'MultiPolygon', geom: Slice[] | Slice[][], tags: Tags): VtPolygonFeature {
  const feature = { type, geometry: geom, tags, minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity } as VtPolygonFeature;
  // the outer ring (ie [0]) contains all inner rings
  if (type === 'Polygon') calcLineBBox(feature, ((geom as Slice[])[0] as Slice).points);
  else for (const polygon of geom as Slice[][]) calcLineBBox(feature, (polygon[0] as Slice).points);
  return feature;
}

function calcLineBBox(feature: Bounds, geom: number[] | Float64Array): void {
  for (let i = 0; i < geom.length; i += 3) {
    feature.minX = Math.min(feature.minX, geom[i] as number);
    feature.minY = Math.min(feature.minY, geom[i + 1] as number);
    feature.maxX = Math.max(feature.maxX, geom[i] as number);
    feature.maxY = Math.max(feature.maxY, geom[i + 1] as number);
  }
}

// ---------------------------------------------------------------- geojson-to-tile.ts, clip.ts

const X = 0;
const Y = 1;

/** `geoJSONToTile(…, {clip: true, wrap: false})` from converted features. */
export function cutPolygonTile(features: readonly VtPolygonFeature[], z: number, x: number, y: number, options: VtOptions): GeoJSONVTTile {
  const pow2 = 1 << z;
  const buffer = options.buffer / options.extent;
  const left = clip(features, pow2, x - buffer, x + 1 + buffer, X, -1, 2);
  const clipped = clip(left || [], pow2, y - buffer, y + 1 + buffer, Y, -1, 2);
  return transformTile(createTile(clipped ?? [], z, x, y, options), options.extent);
}

function clip(
  features: readonly VtPolygonFeature[],
  scale: number,
  start: number,
  end: number,
  axis: 0 | 1,
  minAll: number,
  maxAll: number
): readonly VtPolygonFeature[] | null {
  start /= scale;
  end /= scale;
  if (minAll >= start && maxAll < end) return features; // trivial accept
  if (maxAll < start || minAll >= end) return null; // trivial reject
  const clipped: VtPolygonFeature[] = [];
  for (const feature of features) {
    const min = axis === X ? feature.minX : feature.minY;
    const max = axis === X ? feature.maxX : feature.maxY;
    if (min >= start && max < end) {
      clipped.push(feature);
      continue;
    }
    if (max < start || min >= end) continue;
    if (feature.type === 'Polygon') {
      const geom: Slice[] = [];
      clipLines(feature.geometry, geom, start, end, axis);
      if (!geom.length) continue;
      clipped.push(createFeature('Polygon', geom, feature.tags));
    } else {
      const geom: Slice[][] = [];
      for (const polygon of feature.geometry) {
        const newPolygon: Slice[] = [];
        clipLines(polygon, newPolygon, start, end, axis);
        if (!newPolygon.length) continue;
        geom.push(newPolygon);
      }
      if (!geom.length) continue;
      clipped.push(createFeature('MultiPolygon', geom, feature.tags));
    }
  }
  if (!clipped.length) return null;
  return clipped;
}

function clipLines(geom: readonly Slice[], newGeom: Slice[], start: number, end: number, axis: 0 | 1): void {
  for (const line of geom) clipLine(line, newGeom, start, end, axis);
}

/** `clipLine` for a polygon ring, without metrics. */
function clipLine(geom: Slice, newGeom: Slice[], start: number, end: number, axis: 0 | 1): void {
  const slice = newSlice(geom);
  const intersect = axis === X ? intersectX : intersectY;
  const points = geom.points;
  for (let i = 0; i < points.length - 3; i += 3) {
    const ax = points[i] as number;
    const ay = points[i + 1] as number;
    const az = points[i + 2] as number;
    const bx = points[i + 3] as number;
    const by = points[i + 4] as number;
    const a = axis === X ? ax : ay;
    const b = axis === X ? bx : by;
    if (a < start) {
      // ---|-->  | (line enters the clip region from the left)
      if (b >= start) intersect(slice, ax, ay, bx, by, start);
    } else if (a > end) {
      // |  <--|--- (line enters the clip region from the right)
      if (b <= end) intersect(slice, ax, ay, bx, by, end);
    } else {
      addPoint(slice.points as number[], ax, ay, az);
    }
    // <--|---  | or <--|-----|--- (line exits the clip region on the left)
    if (b < start && a >= start) intersect(slice, ax, ay, bx, by, start);
    // |  ---|--> or ---|-----|--> (line exits the clip region on the right)
    if (b > end && a <= end) intersect(slice, ax, ay, bx, by, end);
  }
  // add the last point
  let last = points.length - 3;
  const ax = points[last] as number;
  const ay = points[last + 1] as number;
  const az = points[last + 2] as number;
  const a = axis === X ? ax : ay;
  if (a >= start && a <= end) addPoint(slice.points as number[], ax, ay, az);
  // close the polygon if its endpoints are not the same after clipping
  const out = slice.points as number[];
  last = out.length - 3;
  if (last >= 3 && (out[last] !== out[0] || out[last + 1] !== out[1])) addPoint(out, out[0] as number, out[1] as number, out[2] as number);
  // add the final slice
  if (out.length) {
    optimizeLineMemory(slice);
    newGeom.push(slice);
  }
}

function newSlice(line: Slice): Slice {
  return { points: [], size: line.size, start: line.start, end: line.end };
}

function intersectX(out: Slice, ax: number, ay: number, bx: number, by: number, x: number): number {
  const t = (x - ax) / (bx - ax);
  addPoint(out.points as number[], x, ay + (by - ay) * t, 1);
  return t;
}

function intersectY(out: Slice, ax: number, ay: number, bx: number, by: number, y: number): number {
  const t = (y - ay) / (by - ay);
  addPoint(out.points as number[], ax + (bx - ax) * t, y, 1);
  return t;
}

function addPoint(out: number[], x: number, y: number, z: number): void {
  out.push(x, y, z);
}

// ---------------------------------------------------------------- tile.ts, transform.ts

interface TileFeature {
  type: 3;
  tags: Tags | null;
  geometry: number[][];
}

interface InternalTile {
  transformed: boolean;
  features: TileFeature[];
  source: null;
  x: number;
  y: number;
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  numPoints: number;
  numSimplified: number;
  numFeatures: number;
}

function createTile(features: readonly VtPolygonFeature[], z: number, tx: number, ty: number, options: VtOptions): InternalTile {
  const tolerance = z === options.maxZoom ? 0 : options.tolerance / ((1 << z) * options.extent);
  const tile: InternalTile = {
    transformed: false,
    features: [],
    source: null,
    x: tx,
    y: ty,
    z,
    minX: 2,
    minY: 1,
    maxX: -1,
    maxY: 0,
    numPoints: 0,
    numSimplified: 0,
    numFeatures: features.length
  };
  for (const feature of features) {
    tile.minX = Math.min(tile.minX, feature.minX);
    tile.minY = Math.min(tile.minY, feature.minY);
    tile.maxX = Math.max(tile.maxX, feature.maxX);
    tile.maxY = Math.max(tile.maxY, feature.maxY);
    const geometry: number[][] = [];
    if (feature.type === 'Polygon') {
      for (let i = 0; i < feature.geometry.length; i++) addLine(geometry, feature.geometry[i] as Slice, tile, tolerance, i === 0);
    } else {
      for (const polygon of feature.geometry) {
        for (let i = 0; i < polygon.length; i++) addLine(geometry, polygon[i] as Slice, tile, tolerance, i === 0);
      }
    }
    if (!geometry.length) continue;
    tile.features.push({ type: 3, tags: feature.tags || null, geometry });
  }
  return tile;
}

/** `addLine` for a polygon ring. */
function addLine(result: number[][], geom: Slice, tile: InternalTile, tolerance: number, isOuter: boolean): void {
  const sqTolerance = tolerance * tolerance;
  if (tolerance > 0 && geom.size < sqTolerance) {
    tile.numPoints += geom.points.length / 3;
    return;
  }
  const ring: number[] = [];
  for (let i = 0; i < geom.points.length; i += 3) {
    if (tolerance === 0 || (geom.points[i + 2] as number) > sqTolerance) {
      tile.numSimplified++;
      ring.push(geom.points[i] as number, geom.points[i + 1] as number);
    }
    tile.numPoints++;
  }
  rewind(ring, isOuter);
  result.push(ring);
}

function rewind(ring: number[], clockwise: boolean): void {
  let area = 0;
  for (let i = 0, len = ring.length, j = len - 2; i < len; j = i, i += 2) {
    area += ((ring[i] as number) - (ring[j] as number)) * ((ring[i + 1] as number) + (ring[j + 1] as number));
  }
  if (area > 0 !== clockwise) return;
  for (let i = 0, len = ring.length; i < len / 2; i += 2) {
    const x = ring[i] as number;
    const y = ring[i + 1] as number;
    ring[i] = ring[len - 2 - i] as number;
    ring[i + 1] = ring[len - 1 - i] as number;
    ring[len - 2 - i] = x;
    ring[len - 1 - i] = y;
  }
}

function transformTile(tile: InternalTile, extent: number): GeoJSONVTTile {
  const z2 = 1 << tile.z;
  const tx = tile.x;
  const ty = tile.y;
  for (const feature of tile.features) {
    const rings: [number, number][][] = [];
    for (const geom of feature.geometry) {
      const ring: [number, number][] = [];
      for (let i = 0; i < geom.length; i += 2) {
        ring.push([Math.round(extent * ((geom[i] as number) * z2 - tx)), Math.round(extent * ((geom[i + 1] as number) * z2 - ty))]);
      }
      rings.push(ring);
    }
    (feature as unknown as { geometry: [number, number][][] }).geometry = rings;
  }
  tile.transformed = true;
  return tile as unknown as GeoJSONVTTile;
}

/** Back to GeoJSON (unit square), for a tile that mixes polygons with other geometries and goes through geojson-vt itself. */
export function polygonGeoJSON(feature: VtPolygonFeature): Polygon | MultiPolygon {
  const ring = (slice: Slice): Position[] => {
    const out: Position[] = [];
    for (let i = 0; i < slice.points.length; i += 3) out.push([slice.points[i] as number, slice.points[i + 1] as number]);
    return out;
  };
  if (feature.type === 'Polygon') return { type: 'Polygon', coordinates: feature.geometry.map(ring) };
  return { type: 'MultiPolygon', coordinates: feature.geometry.map((polygon) => polygon.map(ring)) };
}

/** The largest ring area of a converted feature: what `addLine` compares with the zoom's tolerance. */
export function largestRing(feature: VtPolygonFeature): number {
  const rings = feature.type === 'Polygon' ? feature.geometry : feature.geometry.flat();
  return rings.reduce((m, r) => Math.max(m, r.size), -Infinity);
}
