/**
 * The tile index of a build: per (layer, band), every feature parsed once, projected once
 * to geojson-vt's unit square (spherical Mercator, 0…1) and, for polygons, converted once
 * as geojson-vt converts them, with its bbox and its tile properties. A tile then costs a
 * bbox search in memory, clipping and encoding — no DuckDB query, no JSON.parse, no
 * re-projection or re-simplification of every vertex.
 *
 * Lifetime: one index per (build, layer, band), built lazily on first use through
 * `build.memo`, so it lives exactly as long as its build and is dropped with it.
 */
import type { Geometry, Position } from 'geojson';
import type { Build } from '../db.ts';
import { type BandFeatureRow, type TileLayer, bandFeatures } from '../queries/tiles.ts';
import type { BBox } from './mercator.ts';
import { VT_OPTIONS } from './render.ts';
import { type VtPolygonFeature, convertPolygonal, largestRing } from './vt-polygons.ts';

export type TileProperties = Record<string, string | number | boolean>;

export interface IndexedFeature {
  code: string;
  /** As written in the tile: the overlay's scalar properties, then `code` and `name`. */
  properties: TileProperties;
  /**
   * A Polygon or MultiPolygon, already converted as geojson-vt would (projected, vertex
   * importance, ring areas, bbox): cut per tile by `vt-polygons.ts`.
   */
  polygon: VtPolygonFeature | null;
  /** Any other geometry, projected to geojson-vt's unit square: cut by geojson-vt itself. */
  geometry: Geometry | null;
  /**
   * How geojson-vt measures it when it decides to drop a ring or line that is too small
   * for the zoom: `polygon` → the largest ring's area, `line` → the longest line's length,
   * in the unit square; `other` (points, collections) is never dropped. See `render.ts`.
   */
  kind: 'polygon' | 'line' | 'other';
  size: number;
}

/*
 * geojson-vt's own lngLat → unit square projection (world-coordinate-helper.ts), operation
 * for operation, so that a pre-projected geometry cut with `coordinates: 'unitSquare'`
 * yields the very same doubles, hence the very same tile, as the WGS84 one cut with the
 * default `lngLat`. `render.test.ts` checks the two agree byte for byte.
 */
export function projectX(lng: number): number {
  return lng / 360 + 0.5;
}

export function projectY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

function projectPositions(positions: Position[]): Position[] {
  const out: Position[] = new Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as Position;
    out[i] = [projectX(p[0] as number), projectY(p[1] as number)];
  }
  return out;
}

/** A WGS84 GeoJSON geometry in the unit square (extra coordinates, such as altitude, dropped: tiles are 2D). */
export function projectGeometry(g: Geometry): Geometry {
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: [projectX(g.coordinates[0] as number), projectY(g.coordinates[1] as number)] };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: projectPositions(g.coordinates) };
    case 'LineString':
      return { type: 'LineString', coordinates: projectPositions(g.coordinates) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map(projectPositions) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: g.coordinates.map(projectPositions) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map(projectPositions)) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: g.geometries.map(projectGeometry) };
  }
}

/** geojson-vt's `size` of a line (convert.ts, `convertLine`), operation for operation on the projected positions: its length. */
function lineSize(positions: Position[]): number {
  let x0 = 0;
  let y0 = 0;
  let size = 0;
  for (let j = 0; j < positions.length; j++) {
    const p = positions[j] as Position;
    const x = p[0] as number;
    const y = p[1] as number;
    if (j > 0) size += Math.sqrt(Math.pow(x - x0, 2) + Math.pow(y - y0, 2));
    x0 = x;
    y0 = y;
  }
  return Math.abs(size);
}

/** A feature of the index from its WGS84 geometry: projected, and converted when it is polygonal. */
export function indexedFeature(code: string, name: string, geometry: Geometry, props?: Record<string, unknown>): IndexedFeature {
  const properties = tileProperties(code, name, props);
  const projected = projectGeometry(geometry);
  const longest = (lines: Position[][]) => lines.reduce((m, l) => Math.max(m, lineSize(l)), -Infinity);
  switch (projected.type) {
    case 'Polygon':
    case 'MultiPolygon': {
      // null when geojson-vt would make no feature of it (no ring): nothing to draw
      const polygon = convertPolygonal(projected, properties, VT_OPTIONS);
      return { code, properties, polygon, geometry: null, kind: 'polygon', size: polygon ? largestRing(polygon) : -Infinity };
    }
    case 'LineString':
      return { code, properties, polygon: null, geometry: projected, kind: 'line', size: lineSize(projected.coordinates) };
    case 'MultiLineString':
      return { code, properties, polygon: null, geometry: projected, kind: 'line', size: longest(projected.coordinates) };
    default:
      return { code, properties, polygon: null, geometry: projected, kind: 'other', size: Infinity };
  }
}

/** Scalar properties only (MVT values), in their order, then `code` and `name`, which win. */
export function tileProperties(code: string, name: string, props: Record<string, unknown> | undefined): TileProperties {
  const out: TileProperties = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = value;
    }
  }
  out.code = code;
  out.name = name;
  return out;
}

/** Cells per side of the grid at most; a band of a few thousand features needs far fewer. */
const MAX_GRID = 128;

/**
 * The features of one band, searchable by WGS84 bbox with the same inclusive tests as
 * the SQL it replaces (`maxx >= minx AND minx <= maxx …`), answered in the order of the
 * rows given (`ORDER BY code` in DuckDB's collation). A uniform grid over the band's
 * extent narrows the candidates; each cell lists row numbers in ascending order.
 */
export class FeatureIndex {
  readonly size: number;
  private readonly features: IndexedFeature[];
  private readonly box: Float64Array;
  private readonly zooms: Int32Array;
  private readonly grid: number;
  private readonly extent: { minx: number; miny: number; maxx: number; maxy: number };
  private readonly cells: Uint32Array[];
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(rows: readonly BandFeatureRow[]) {
    this.size = rows.length;
    this.features = new Array(rows.length);
    this.box = new Float64Array(rows.length * 4);
    this.zooms = new Int32Array(rows.length * 2);
    this.seen = new Uint32Array(rows.length);
    const extent = { minx: Infinity, miny: Infinity, maxx: -Infinity, maxy: -Infinity };
    rows.forEach((row, i) => {
      const props = row.props ? (JSON.parse(row.props) as Record<string, unknown>) : undefined;
      this.features[i] = indexedFeature(row.code, row.name, JSON.parse(row.geojson) as Geometry, props);
      this.box.set([row.minx, row.miny, row.maxx, row.maxy], i * 4);
      this.zooms[i * 2] = row.min_zoom;
      this.zooms[i * 2 + 1] = row.max_zoom;
      extent.minx = Math.min(extent.minx, row.minx);
      extent.miny = Math.min(extent.miny, row.miny);
      extent.maxx = Math.max(extent.maxx, row.maxx);
      extent.maxy = Math.max(extent.maxy, row.maxy);
    });
    this.extent = extent;
    this.grid = rows.length === 0 ? 1 : Math.min(MAX_GRID, Math.max(1, Math.ceil(Math.sqrt(rows.length / 2))));
    const lists: number[][] = Array.from({ length: this.grid * this.grid }, () => []);
    for (let i = 0; i < rows.length; i++) {
      const [cx0, cy0, cx1, cy1] = this.cellRange(this.box[i * 4]!, this.box[i * 4 + 1]!, this.box[i * 4 + 2]!, this.box[i * 4 + 3]!);
      for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) lists[cy * this.grid + cx]!.push(i);
    }
    this.cells = lists.map((l) => Uint32Array.from(l));
  }

  /** Features whose bbox meets `bbox` and whose own zoom range holds `z`, in code order. */
  search(bbox: BBox, z: number): IndexedFeature[] {
    const out: IndexedFeature[] = [];
    if (this.size === 0) return out;
    const e = this.extent;
    if (e.maxx < bbox.minx || e.minx > bbox.maxx || e.maxy < bbox.miny || e.miny > bbox.maxy) return out;
    const [cx0, cy0, cx1, cy1] = this.cellRange(bbox.minx, bbox.miny, bbox.maxx, bbox.maxy);
    const cellCount = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    if (cellCount * 4 >= this.grid * this.grid) {
      // a large part of the band: a straight scan is cheaper than merging cells
      for (let i = 0; i < this.size; i++) if (this.matches(i, bbox, z)) out.push(this.features[i]!);
      return out;
    }
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const found: number[] = [];
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const cell = this.cells[cy * this.grid + cx]!;
        for (let k = 0; k < cell.length; k++) {
          const i = cell[k]!;
          if (this.seen[i] === stamp) continue;
          this.seen[i] = stamp;
          if (this.matches(i, bbox, z)) found.push(i);
        }
      }
    }
    found.sort((a, b) => a - b);
    for (const i of found) out.push(this.features[i]!);
    return out;
  }

  private matches(i: number, b: BBox, z: number): boolean {
    const o = i * 4;
    return (
      this.box[o + 2]! >= b.minx &&
      this.box[o]! <= b.maxx &&
      this.box[o + 3]! >= b.miny &&
      this.box[o + 1]! <= b.maxy &&
      this.zooms[i * 2]! <= z &&
      this.zooms[i * 2 + 1]! >= z
    );
  }

  /** Grid cells covering a WGS84 box, clamped to the grid. */
  private cellRange(minx: number, miny: number, maxx: number, maxy: number): [number, number, number, number] {
    const e = this.extent;
    const n = this.grid;
    const w = e.maxx - e.minx || 1;
    const h = e.maxy - e.miny || 1;
    const cell = (v: number, min: number, span: number) => Math.min(n - 1, Math.max(0, Math.floor(((v - min) / span) * n)));
    return [cell(minx, e.minx, w), cell(miny, e.miny, h), cell(maxx, e.minx, w), cell(maxy, e.miny, h)];
  }
}

/** The index of one band of a layer, built on first use and kept for the build's lifetime. */
export function featureIndex(build: Build, layer: Pick<TileLayer, 'id' | 'source'>, band: number): Promise<FeatureIndex> {
  return build.memo(`tileIndex|${layer.source}|${layer.id}|${band}`, async () => new FeatureIndex(await bandFeatures(build, layer, band)));
}

/**
 * Features of `layer` for a tile whose bbox (with buffer) is `bbox`, from the band(s)
 * covering zoom `bandZoom`: what `territoryFeatures`/`overlayFeatures` return, from memory.
 */
export async function tileFeatures(build: Build, layer: TileLayer, bandZoom: number, bbox: BBox): Promise<IndexedFeature[]> {
  const bands = layer.bands.filter((b) => b.minZoom <= bandZoom && b.maxZoom >= bandZoom);
  if (bands.length === 1) return (await featureIndex(build, layer, bands[0]!.band)).search(bbox, bandZoom);
  const parts = await Promise.all(bands.map(async (b) => (await featureIndex(build, layer, b.band)).search(bbox, bandZoom)));
  // overlapping bands (not written by the ETL today): merged in code order, as ORDER BY code would
  return parts.flat().sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
