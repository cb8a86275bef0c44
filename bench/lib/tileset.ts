/** The tiles of the benchmark: every tile of zooms min…max meeting a bounding box, per layer. */
import { tileAt } from '../../server/tiles/mercator.ts';

export interface TileRef {
  layer: string;
  z: number;
  x: number;
  y: number;
}

export interface LayerZooms {
  layer: string;
  /** The layer's first advertised zoom (below it, the server answers 204 without work). */
  minZoom: number;
}

export function tilesOver(
  bbox: { minx: number; miny: number; maxx: number; maxy: number },
  layers: readonly LayerZooms[],
  minZoom: number,
  maxZoom: number
): TileRef[] {
  const tiles: TileRef[] = [];
  for (const { layer, minZoom: layerMin } of layers) {
    for (let z = Math.max(minZoom, layerMin); z <= maxZoom; z++) {
      const nw = tileAt(bbox.minx, bbox.maxy, z);
      const se = tileAt(bbox.maxx, bbox.miny, z);
      for (let x = nw.x; x <= se.x; x++) for (let y = nw.y; y <= se.y; y++) tiles.push({ layer, z, x, y });
    }
  }
  return tiles;
}

export const tileKey = (t: TileRef) => `${t.layer}/${t.z}/${t.x}/${t.y}`;
