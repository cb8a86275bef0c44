/**
 * Where the time of an uncached tile goes: the stages of TileService.render, run one
 * by one with the server's own functions (query, GeoJSON parse, geojson-vt clip and
 * simplify, vt-pbf encoding, gzip), plus MVT decoding for equivalence checks.
 */
import { gzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';
import { PbfReader } from 'pbf';
import type { Build } from '../../server/db.ts';
import { type TileLayer, territoryFeatures } from '../../server/queries/tiles.ts';
import { tileBBox } from '../../server/tiles/mercator.ts';
import { BUFFER, EXTENT } from '../../server/tiles/render.ts';
import type { TileRef } from './tileset.ts';

export interface StageTimes {
  query: number;
  parse: number;
  clip: number;
  encode: number;
  gzip: number;
  rows: number;
  geojsonBytes: number;
  /** Diagnostic, not a stage: the bbox query without the join to territories. */
  queryWithoutJoin: number;
}

export const STAGE_LABELS: Record<Exclude<keyof StageTimes, 'rows' | 'geojsonBytes' | 'queryWithoutJoin'>, string> = {
  query: 'requête DuckDB (bbox + jointure territories)',
  parse: 'JSON.parse des géométries',
  clip: 'geojson-vt (découpe + simplification)',
  encode: 'vt-pbf (encodage MVT)',
  gzip: 'gzip'
};

/** The same bbox query without the join to `territories` (diagnostic: what the join costs). */
const NO_JOIN_SQL = `SELECT g.code, g.geojson
     FROM territory_geoms g
     WHERE g.level = $level AND g.min_zoom <= $z AND g.max_zoom >= $z
       AND g.maxx >= $minx AND g.minx <= $maxx AND g.maxy >= $miny AND g.miny <= $maxy
     ORDER BY g.code`;

export function emptyStages(): StageTimes {
  return { query: 0, parse: 0, clip: 0, encode: 0, gzip: 0, rows: 0, geojsonBytes: 0, queryWithoutJoin: 0 };
}

/** Runs the render stages of one tile, adding ms per stage to `t`. */
export async function profileTile(build: Build, layers: Map<string, TileLayer>, ref: TileRef, t: StageTimes): Promise<void> {
  const layer = layers.get(ref.layer);
  if (!layer || ref.z < layer.minZoom || layer.source !== 'territories') return;
  const bandZoom = Math.min(Math.max(ref.z, layer.bandMinZoom), layer.bandMaxZoom);
  const bbox = tileBBox(ref.z, ref.x, ref.y, BUFFER / EXTENT);
  let t0 = performance.now();
  const rows = await territoryFeatures(build, layer.id, bandZoom, bbox);
  let t1 = performance.now();
  t.query += t1 - t0;
  t.rows += rows.length;
  t0 = performance.now();
  await build.all(NO_JOIN_SQL, { level: layer.id, z: bandZoom, ...bbox });
  t.queryWithoutJoin += performance.now() - t0;
  if (rows.length === 0) return;
  t0 = performance.now();
  const features: Feature[] = rows.map((r) => {
    t.geojsonBytes += r.geojson.length;
    return { type: 'Feature', geometry: JSON.parse(r.geojson) as Geometry, properties: { code: r.code, name: r.name } };
  });
  t1 = performance.now();
  t.parse += t1 - t0;
  t0 = t1;
  const vt = geoJSONToTile({ type: 'FeatureCollection', features }, ref.z, ref.x, ref.y, { extent: EXTENT, buffer: BUFFER, clip: true });
  t1 = performance.now();
  t.clip += t1 - t0;
  if (vt.features.length === 0) return;
  t0 = t1;
  const pbf = fromGeojsonVt({ [layer.id]: vt }, { version: 2, extent: EXTENT });
  t1 = performance.now();
  t.encode += t1 - t0;
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
