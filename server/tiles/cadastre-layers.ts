/**
 * Vector tiles of the cadastre layers (parcelles, batiments, sections, lieux-dits):
 * a bbox query on the layer's table for the (commune, millésime) pairs shown, clipped
 * with a buffer by geojson-vt, MVT v2 (vt-pbf), gzip, and a bounded LRU cache of its own
 * (the territory tiles keep theirs). See `queries/cadastre.ts` for why the bbox query
 * needs no index: the millésimes and bounds are pushed into DuckDB's scan.
 */
import { gzipSync } from 'node:zlib';
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Feature, Geometry } from 'geojson';
import type { Build } from '../db.ts';
import {
  type CadastreLayerDef,
  type FeatureRow,
  type LayerInventory,
  cadastreInventory,
  selectVintages,
  tileRows
} from '../queries/cadastre.ts';
import { ByteLruCache, type CacheStats } from './cache.ts';
import { tileBBox } from './mercator.ts';

export const EXTENT = 4096;
/** Pixels drawn beyond each edge of a tile (of 4096), so outlines do not stop at seams. */
export const BUFFER = 64;
export const DEFAULT_CADASTRE_TILE_CACHE_BYTES = 32 * 1024 * 1024;

export interface CadastreTile {
  /** Gzipped MVT, null for an empty tile. */
  gzipped: Uint8Array | null;
  etag: string;
  /** Features encoded (for tests and the bench). */
  features: number;
}

/** MVT properties of a row: the layer's fields, null ones left out (MVT has no null). */
export function tileProperties(def: CadastreLayerDef, row: FeatureRow): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const f of def.fields) {
    const v = row[f.column];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) out[f.name] = v;
  }
  return out;
}

/** Encodes rows as one layer of tile z/x/y, clipped to the tile and its buffer. Null when nothing lands in it. */
export function encodeCadastreTile(def: CadastreLayerDef, rows: readonly FeatureRow[], z: number, x: number, y: number): { pbf: Uint8Array; features: number } | null {
  const features: Feature[] = [];
  for (const row of rows) {
    if (!row.geojson) continue;
    features.push({ type: 'Feature', geometry: JSON.parse(row.geojson) as Geometry, properties: tileProperties(def, row) });
  }
  if (features.length === 0) return null;
  const tile = geoJSONToTile({ type: 'FeatureCollection', features }, z, x, y, { extent: EXTENT, buffer: BUFFER, clip: true });
  if (!tile || tile.features.length === 0) return null;
  return { pbf: fromGeojsonVt({ [def.id]: tile }, { version: 2, extent: EXTENT }), features: tile.features.length };
}

/**
 * Renders and caches the tiles of the cadastre layers. `asOf` null shows the latest
 * millésime of each commune; a date shows each commune as it was then.
 */
export class CadastreTiles {
  private readonly cache: ByteLruCache<CadastreTile>;
  private readonly inflight = new Map<string, Promise<CadastreTile>>();
  private lastBuild: string | null = null;

  constructor(options: { maxBytes?: number } = {}) {
    this.cache = new ByteLruCache<CadastreTile>(options.maxBytes ?? DEFAULT_CADASTRE_TILE_CACHE_BYTES, (t) => t.gzipped?.byteLength ?? 0);
  }

  async tile(build: Build, def: CadastreLayerDef, asOf: string | null, z: number, x: number, y: number): Promise<CadastreTile> {
    if (this.lastBuild !== build.id) {
      this.cache.retainPrefix(`${build.id}|`);
      this.lastBuild = build.id;
    }
    const key = `${build.id}|${def.id}|${asOf ?? 'latest'}|${z}|${x}|${y}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.render(build, def, asOf, z, x, y).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      const tile = await pending;
      this.cache.set(key, tile);
      return tile;
    }
    return pending;
  }

  /** Renders without the cache (the bench measures this path). */
  async render(build: Build, def: CadastreLayerDef, asOf: string | null, z: number, x: number, y: number): Promise<CadastreTile> {
    const etag = `"cadastre-${build.id.replace(/[^\w.-]/g, '_')}-${def.id}-${asOf ?? 'latest'}-${z}-${x}-${y}"`;
    if (z < def.minZoom) return { gzipped: null, etag, features: 0 };
    const layer = (await cadastreInventory(build)).layers[def.id];
    const selection = shownVintages(build, def, layer, asOf);
    const bbox = tileBBox(z, x, y, BUFFER / EXTENT);
    const rows = await tileRows(build, def, bbox, await selection);
    const encoded = encodeCadastreTile(def, rows, z, x, y);
    return encoded ? { gzipped: gzipSync(encoded.pbf), etag, features: encoded.features } : { gzipped: null, etag, features: 0 };
  }

  stats(): CacheStats {
    return this.cache.stats();
  }
}

function shownVintages(build: Build, def: CadastreLayerDef, layer: LayerInventory, asOf: string | null) {
  return build.memo(`cadastre:selection:${def.id}:${asOf ?? 'latest'}`, async () => selectVintages(layer, asOf));
}
