/**
 * The PostGIS peer of our tile route: the same per-band geometries (WGS84 GeoJSON from
 * `territory_geoms`) in a PostGIS table with a GiST index, cut with
 * ST_AsMVT(ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), 4096, 64)).
 */
import type pg from 'pg';
import type { TileRef } from './tileset.ts';

export interface GeomRow {
  level: string;
  code: string;
  name: string;
  band: number;
  min_zoom: number;
  max_zoom: number;
  geojson: string;
}

/** Creates and fills `territory_geoms`, indexes it; resolves to the load time in ms. */
export async function loadGeometries(client: pg.Client, rows: readonly GeomRow[]): Promise<number> {
  const t0 = performance.now();
  await client.query(`CREATE TABLE territory_geoms (
    level text NOT NULL, code text NOT NULL, name text NOT NULL,
    band smallint NOT NULL, min_zoom smallint NOT NULL, max_zoom smallint NOT NULL,
    geom geometry(Geometry, 4326) NOT NULL,
    PRIMARY KEY (level, code, band))`);
  const batch = 1000;
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    await client.query(
      `INSERT INTO territory_geoms
       SELECT l, c, n, b, mn, mx, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[]) AS u(l, c, n, b, mn, mx, g)`,
      [
        part.map((r) => r.level),
        part.map((r) => r.code),
        part.map((r) => r.name),
        part.map((r) => r.band),
        part.map((r) => r.min_zoom),
        part.map((r) => r.max_zoom),
        part.map((r) => r.geojson)
      ]
    );
  }
  await client.query('CREATE INDEX territory_geoms_geom ON territory_geoms USING gist (geom)');
  await client.query('VACUUM ANALYZE territory_geoms');
  return performance.now() - t0;
}

/** Zoom range covered by the stored bands of each level, as `tileLayers()` computes it. */
export async function bandRanges(client: pg.Client): Promise<Map<string, { min: number; max: number }>> {
  const r = await client.query<{ level: string; min: number; max: number }>(
    'SELECT level, min(min_zoom)::int AS min, max(max_zoom)::int AS max FROM territory_geoms GROUP BY level'
  );
  return new Map(r.rows.map((row) => [row.level, { min: row.min, max: row.max }]));
}

/**
 * $1 layer, $2 z, $3 x, $4 y, $5 the band's zoom, chosen like TileService.render:
 * clamp(z, first band zoom, last band zoom). The bbox filter uses the tile grown by the
 * same 64/4096 buffer as ours, so both sides clip the same candidate features.
 */
export const TILE_SQL = `
SELECT ST_AsMVT(q, $1, 4096, 'geom') AS mvt FROM (
  SELECT code, name, ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($2, $3, $4), 4096, 64, true) AS geom
  FROM territory_geoms
  WHERE level = $1 AND min_zoom <= $5 AND max_zoom >= $5
    AND geom && ST_Transform(ST_TileEnvelope($2, $3, $4, margin => 64.0 / 4096), 4326)
  ORDER BY code
) q WHERE q.geom IS NOT NULL`;

export function bandZoom(ranges: Map<string, { min: number; max: number }>, t: TileRef): number {
  const r = ranges.get(t.layer);
  if (!r) throw new Error(`Couche absente de PostGIS : ${t.layer}`);
  return Math.min(Math.max(t.z, r.min), r.max);
}

/** One tile, as a tile server would ask for it (prepared statement, one round trip). Empty tile → null. */
export async function postgisTile(
  client: pg.Client,
  ranges: Map<string, { min: number; max: number }>,
  t: TileRef
): Promise<Buffer | null> {
  const r = await client.query<{ mvt: Buffer | null }>({
    name: 'tile',
    text: TILE_SQL,
    values: [t.layer, t.z, t.x, t.y, bandZoom(ranges, t)]
  });
  const mvt = r.rows[0]?.mvt;
  return mvt && mvt.length > 0 ? mvt : null;
}

/** Every tile in one statement, server side only (no per-tile round trip): the lower bound of PostGIS. */
export async function postgisAllTilesOneQuery(
  client: pg.Client,
  ranges: Map<string, { min: number; max: number }>,
  tiles: readonly TileRef[]
): Promise<{ ms: number; bytes: number; nonEmpty: number }> {
  const t0 = performance.now();
  const r = await client.query<{ bytes: string; non_empty: string }>(
    `SELECT coalesce(sum(length(t.mvt)), 0) AS bytes, count(*) FILTER (WHERE length(t.mvt) > 0) AS non_empty
     FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[]) AS k(layer, z, x, y, bz)
     CROSS JOIN LATERAL (
       SELECT ST_AsMVT(q, k.layer, 4096, 'geom') AS mvt FROM (
         SELECT code, name, ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(k.z, k.x, k.y), 4096, 64, true) AS geom
         FROM territory_geoms
         WHERE level = k.layer AND min_zoom <= k.bz AND max_zoom >= k.bz
           AND geom && ST_Transform(ST_TileEnvelope(k.z, k.x, k.y, margin => 64.0 / 4096), 4326)
         ORDER BY code
       ) q WHERE q.geom IS NOT NULL
     ) t`,
    [tiles.map((t) => t.layer), tiles.map((t) => t.z), tiles.map((t) => t.x), tiles.map((t) => t.y), tiles.map((t) => bandZoom(ranges, t))]
  );
  const row = r.rows[0];
  return { ms: performance.now() - t0, bytes: Number(row?.bytes ?? 0), nonEmpty: Number(row?.non_empty ?? 0) };
}
