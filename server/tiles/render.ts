import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';

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

function scalars(props: Record<string, unknown> | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = value;
    }
  }
  return out;
}
