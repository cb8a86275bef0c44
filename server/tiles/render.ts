import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';
import type { IndexedFeature } from './features.ts';
import { type VtOptions, cutPolygonTile, polygonGeoJSON } from './vt-polygons.ts';

export const EXTENT = 4096;
/** Pixels of the tile drawn beyond each edge, so strokes do not stop at tile seams. */
export const BUFFER = 64;

export interface TileFeatureInput {
  code: string;
  name: string;
  geometry: Geometry;
  /** Extra scalar properties (overlays); `code` and `name` win over them. */
  props?: Record<string, unknown>;
}

/**
 * Clips features to tile z/x/y (with its buffer), simplifies them for the zoom and
 * encodes one layer as a Mapbox Vector Tile v2. Null when nothing lands in the tile.
 */
export function encodeTile(layer: string, inputs: TileFeatureInput[], z: number, x: number, y: number): Uint8Array | null {
  if (inputs.length === 0) return null;
  const features: Feature[] = inputs.map((f) => ({
    type: 'Feature',
    geometry: f.geometry,
    properties: { ...scalars(f.props), code: f.code, name: f.name }
  }));
  const tile = geoJSONToTile({ type: 'FeatureCollection', features }, z, x, y, {
    extent: EXTENT,
    buffer: BUFFER,
    clip: true
  });
  if (tile.features.length === 0) return null;
  return fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT });
}

/** geojson-vt's defaults, spelt out: the dropping rule of `encodeIndexedTile` depends on them. */
const MAX_ZOOM = 14;
const TOLERANCE = 3;
export const VT_OPTIONS: VtOptions = { extent: EXTENT, buffer: BUFFER, maxZoom: MAX_ZOOM, tolerance: TOLERANCE };

/**
 * `encodeTile` for features of the tile index (`features.ts`), with the same result:
 * polygons already converted are only clipped, simplified for the zoom and encoded
 * (`vt-polygons.ts`); a tile holding other geometries goes through `geoJSONToTile`, on
 * positions already projected. Nothing is re-projected or re-simplified per tile.
 *
 * geojson-vt drops a polygon ring whose area is below the square of the zoom's tolerance
 * (a line: whose length is below it), whatever clipping did (slices keep their ring's
 * size; tile.ts, `addLine`), and a feature left without rings. Such features are left out
 * here before any clipping: at low zooms, most communes. Same tile, less work.
 */
export function encodeIndexedTile(layer: string, indexed: readonly IndexedFeature[], z: number, x: number, y: number): Uint8Array | null {
  const tolerance = z === MAX_ZOOM ? 0 : TOLERANCE / ((1 << z) * EXTENT);
  const sqTolerance = tolerance * tolerance;
  const kept: IndexedFeature[] = [];
  let polygonsOnly = true;
  for (const f of indexed) {
    if (!f.polygon && !f.geometry) continue;
    if (tolerance > 0 && ((f.kind === 'polygon' && f.size < sqTolerance) || (f.kind === 'line' && f.size < tolerance))) continue;
    kept.push(f);
    if (!f.polygon) polygonsOnly = false;
  }
  if (kept.length === 0) return null;
  const tile = polygonsOnly
    ? cutPolygonTile(
        kept.map((f) => f.polygon as NonNullable<IndexedFeature['polygon']>),
        z,
        x,
        y,
        VT_OPTIONS
      )
    : geoJSONToTile(
        {
          type: 'FeatureCollection',
          features: kept.map((f): Feature => ({
            type: 'Feature',
            geometry: f.geometry ?? polygonGeoJSON(f.polygon as NonNullable<IndexedFeature['polygon']>),
            properties: f.properties
          }))
        },
        z,
        x,
        y,
        { extent: EXTENT, buffer: BUFFER, clip: true, coordinates: 'unitSquare', maxZoom: MAX_ZOOM, tolerance: TOLERANCE }
      );
  if (tile.features.length === 0) return null;
  return fromGeojsonVt({ [layer]: tile }, { version: 2, extent: EXTENT });
}

function scalars(props: Record<string, unknown> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = value;
    }
  }
  return out;
}
