/**
 * Where the time of an uncached tile goes: the stages of TileService.render, run one
 * by one with the server's own functions — search in the per-build feature index,
 * clipping + MVT encoding, gzip — plus MVT decoding for equivalence checks.
 */
import { gzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type { Build } from '../../server/db.ts';
import type { TileLayer } from '../../server/queries/tiles.ts';
import { tileFeatures } from '../../server/tiles/features.ts';
import { tileBBox } from '../../server/tiles/mercator.ts';
import { BUFFER, EXTENT, encodeIndexedTile } from '../../server/tiles/render.ts';
import type { TileRef } from './tileset.ts';

export interface StageTimes {
  search: number;
  encode: number;
  gzip: number;
  features: number;
}

export const STAGE_LABELS: Record<Exclude<keyof StageTimes, 'features'>, string> = {
  search: 'index en mémoire (recherche par bbox)',
  encode: 'découpe, simplification et encodage MVT',
  gzip: 'gzip'
};

export function emptyStages(): StageTimes {
  return { search: 0, encode: 0, gzip: 0, features: 0 };
}

/** Runs the render stages of one tile, adding ms per stage to `t`. */
export async function profileTile(build: Build, layers: Map<string, TileLayer>, ref: TileRef, t: StageTimes): Promise<void> {
  const layer = layers.get(ref.layer);
  if (!layer || ref.z < layer.minZoom) return;
  const bandZoom = Math.min(Math.max(ref.z, layer.bandMinZoom), layer.bandMaxZoom);
  const bbox = tileBBox(ref.z, ref.x, ref.y, BUFFER / EXTENT);
  let t0 = performance.now();
  const features = await tileFeatures(build, layer, bandZoom, bbox);
  let t1 = performance.now();
  t.search += t1 - t0;
  t.features += features.length;
  t0 = t1;
  const pbf = encodeIndexedTile(layer.id, features, ref.z, ref.x, ref.y);
  t1 = performance.now();
  t.encode += t1 - t0;
  if (!pbf) return;
  t0 = t1;
  gzipSync(pbf);
  t.gzip += performance.now() - t0;
}

/** Feature codes of one layer of an MVT (null tile → none). */
export function featureCodes(mvt: Uint8Array | null, layer: string): string[] {
  if (!mvt) return [];
  const l = new VectorTile(new PbfReader(mvt)).layers[layer];
  if (!l) return [];
  const codes: string[] = [];
  for (let i = 0; i < l.length; i++) codes.push(String(l.feature(i).properties.code));
  return codes.sort();
}
