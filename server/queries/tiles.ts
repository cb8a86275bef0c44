import type { Build } from '../db.ts';
import type { BBox } from '../tiles/mercator.ts';

export interface TileLayer {
  id: string;
  label: string;
  source: 'territories' | 'overlay';
  /** Advertised zoom range (levels.min_zoom/max_zoom, or the overlay's bands). */
  minZoom: number;
  maxZoom: number;
  /** Zoom range covered by the stored bands. */
  bandMinZoom: number;
  bandMaxZoom: number;
  /** The stored bands, coarsest first, each with the zoom range its rows cover. */
  bands: TileBand[];
  bounds: [number, number, number, number];
  /** Feature properties and their types (TileJSON `fields`). */
  fields: Record<string, string>;
}

export interface TileBand {
  band: number;
  minZoom: number;
  maxZoom: number;
}

const OVERLAY_LABELS: Record<string, string> = { qpv: 'Quartiers prioritaires de la politique de la ville' };

interface LayerRow {
  id: string;
  label: string;
  source: 'territories' | 'overlay';
  min_zoom: number;
  max_zoom: number;
  band_min_zoom: number;
  band_max_zoom: number;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
  prop_keys: string[] | null;
}

/** Map layers of this build: every level with geometries, then overlays (QPV…). Memoised. */
export function tileLayers(build: Build): Promise<Map<string, TileLayer>> {
  return build.memo('tileLayers', async () => {
    const rows = await build.all<LayerRow>(
      `SELECT l.id, l.label_plural AS label, 'territories' AS source, l.min_zoom, l.max_zoom,
              min(g.min_zoom)::INTEGER AS band_min_zoom, max(g.max_zoom)::INTEGER AS band_max_zoom,
              min(g.minx) AS minx, min(g.miny) AS miny, max(g.maxx) AS maxx, max(g.maxy) AS maxy,
              NULL::VARCHAR[] AS prop_keys
       FROM levels l JOIN territory_geoms g ON g.level = l.id
       GROUP BY l.id, l.label_plural, l.min_zoom, l.max_zoom, l.rank
       UNION ALL
       SELECT o.layer, o.layer, 'overlay', min(o.min_zoom)::INTEGER, max(o.max_zoom)::INTEGER,
              min(o.min_zoom)::INTEGER, max(o.max_zoom)::INTEGER,
              min(o.minx), min(o.miny), max(o.maxx), max(o.maxy),
              list_sort(list_distinct(flatten(list(json_keys(o.props)))))
       FROM overlay_features o
       GROUP BY o.layer
       ORDER BY 1`
    );
    const bandRows = await build.all<{ layer: string; band: number; min_zoom: number; max_zoom: number }>(
      `SELECT level AS layer, band::INTEGER AS band, min(min_zoom)::INTEGER AS min_zoom, max(max_zoom)::INTEGER AS max_zoom
       FROM territory_geoms GROUP BY level, band
       UNION ALL
       SELECT layer, band::INTEGER, min(min_zoom)::INTEGER, max(max_zoom)::INTEGER
       FROM overlay_features GROUP BY layer, band
       ORDER BY 1, 2`
    );
    const bands = new Map<string, TileBand[]>();
    for (const b of bandRows) {
      const list = bands.get(b.layer) ?? [];
      list.push({ band: b.band, minZoom: b.min_zoom, maxZoom: b.max_zoom });
      bands.set(b.layer, list);
    }
    return new Map(
      rows.map((r) => {
        const fields: Record<string, string> = { code: 'String', name: 'String' };
        for (const key of r.prop_keys ?? []) fields[key] ??= 'String';
        const layer: TileLayer = {
          id: r.id,
          label: r.source === 'overlay' ? (OVERLAY_LABELS[r.id] ?? r.id) : r.label,
          source: r.source,
          minZoom: Math.min(r.min_zoom, 24),
          maxZoom: Math.min(r.max_zoom, 24),
          bandMinZoom: r.band_min_zoom,
          bandMaxZoom: r.band_max_zoom,
          bands: bands.get(r.id) ?? [],
          bounds: [r.minx, r.miny, r.maxx, r.maxy],
          fields
        };
        return [r.id, layer];
      })
    );
  });
}

export interface TileFeatureRow {
  code: string;
  name: string;
  geojson: string;
  props: string | null;
}

/**
 * Territories of one level whose bbox meets `bbox`, from the band covering zoom `z`.
 * The tile route no longer asks this per tile (see `tiles/features.ts`); it remains the
 * reference the tile index is tested against.
 */
export function territoryFeatures(build: Build, level: string, z: number, bbox: BBox): Promise<TileFeatureRow[]> {
  return build.all<TileFeatureRow>(
    `SELECT g.code, t.name, g.geojson, NULL AS props
     FROM territory_geoms g JOIN territories t ON t.level = g.level AND t.code = g.code
     WHERE g.level = $level AND g.min_zoom <= $z AND g.max_zoom >= $z
       AND g.maxx >= $minx AND g.minx <= $maxx AND g.maxy >= $miny AND g.miny <= $maxy
     ORDER BY g.code`,
    { level, z, ...bbox }
  );
}

export function overlayFeatures(build: Build, layer: string, z: number, bbox: BBox): Promise<TileFeatureRow[]> {
  return build.all<TileFeatureRow>(
    `SELECT code, name, geojson, props::VARCHAR AS props
     FROM overlay_features
     WHERE layer = $layer AND min_zoom <= $z AND max_zoom >= $z
       AND maxx >= $minx AND minx <= $maxx AND maxy >= $miny AND miny <= $maxy
     ORDER BY code`,
    { layer, z, ...bbox }
  );
}

export interface BandFeatureRow {
  code: string;
  name: string;
  geojson: string;
  props: string | null;
  min_zoom: number;
  max_zoom: number;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

/**
 * Every row of one band of a layer, in code order: what the tile index of that band is
 * built from. Territories keep the inner join to `territories` of `territoryFeatures`.
 */
export function bandFeatures(build: Build, layer: Pick<TileLayer, 'id' | 'source'>, band: number): Promise<BandFeatureRow[]> {
  if (layer.source === 'overlay') {
    return build.all<BandFeatureRow>(
      `SELECT code, name, geojson, props::VARCHAR AS props, min_zoom::INTEGER AS min_zoom, max_zoom::INTEGER AS max_zoom,
              minx, miny, maxx, maxy
       FROM overlay_features WHERE layer = $layer AND band = $band ORDER BY code`,
      { layer: layer.id, band }
    );
  }
  return build.all<BandFeatureRow>(
    `SELECT g.code, t.name, g.geojson, NULL::VARCHAR AS props, g.min_zoom::INTEGER AS min_zoom, g.max_zoom::INTEGER AS max_zoom,
            g.minx, g.miny, g.maxx, g.maxy
     FROM territory_geoms g JOIN territories t ON t.level = g.level AND t.code = g.code
     WHERE g.level = $level AND g.band = $band
     ORDER BY g.code`,
    { level: layer.id, band }
  );
}
