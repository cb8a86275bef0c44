import type { Geometry } from 'geojson';
import type { Build } from '../db.ts';
import { type TileLayer, overlayFeatures, territoryFeatures } from '../queries/tiles.ts';
import { tileBBox } from '../tiles/mercator.ts';
import { BUFFER, EXTENT, encodeTile } from '../tiles/render.ts';

/**
 * A tile as the server cut it before its in-memory tile index: one bbox query per tile
 * (`territoryFeatures`/`overlayFeatures`), JSON.parse, `encodeTile` on WGS84 geometries.
 * The uncompressed MVT, or null for an empty tile. Tests hold the index to it, byte for byte.
 */
export async function referenceTile(build: Build, layer: TileLayer, z: number, x: number, y: number): Promise<Uint8Array | null> {
  if (z < layer.minZoom) return null;
  const bandZoom = Math.min(Math.max(z, layer.bandMinZoom), layer.bandMaxZoom);
  const bbox = tileBBox(z, x, y, BUFFER / EXTENT);
  const rows =
    layer.source === 'overlay'
      ? await overlayFeatures(build, layer.id, bandZoom, bbox)
      : await territoryFeatures(build, layer.id, bandZoom, bbox);
  return encodeTile(
    layer.id,
    rows.map((r) => ({
      code: r.code,
      name: r.name,
      geometry: JSON.parse(r.geojson) as Geometry,
      props: r.props ? (JSON.parse(r.props) as Record<string, unknown>) : undefined
    })),
    z,
    x,
    y
  );
}
