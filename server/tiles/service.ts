import { gzipSync } from 'node:zlib';
import type { Geometry } from 'geojson';
import type { Build } from '../db.ts';
import { type TileFeatureRow, type TileLayer, overlayFeatures, territoryFeatures } from '../queries/tiles.ts';
import { ByteLruCache, type CacheStats } from './cache.ts';
import { BUFFER, EXTENT, encodeTile } from './render.ts';
import { tileBBox } from './mercator.ts';

export interface Tile {
  /** Gzipped MVT, or null for an empty tile. */
  gzipped: Uint8Array | null;
  etag: string;
}

export interface TileServiceOptions {
  /** Bound of the in-memory cache, in bytes of gzipped tiles. */
  maxBytes?: number;
}

export const DEFAULT_TILE_CACHE_BYTES = 64 * 1024 * 1024;

/** Cuts tiles from the per-zoom geometries of a build, gzips and caches them. */
export class TileService {
  private readonly cache: ByteLruCache<Tile>;
  private readonly inflight = new Map<string, Promise<Tile>>();
  private lastBuild: string | null = null;

  constructor(options: TileServiceOptions = {}) {
    this.cache = new ByteLruCache<Tile>(options.maxBytes ?? DEFAULT_TILE_CACHE_BYTES, (t) => t.gzipped?.byteLength ?? 0);
  }

  async tile(build: Build, layer: TileLayer, z: number, x: number, y: number): Promise<Tile> {
    if (this.lastBuild !== build.id) {
      this.cache.retainPrefix(`${build.id}|`);
      this.lastBuild = build.id;
    }
    const key = `${build.id}|${layer.id}|${z}|${x}|${y}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.render(build, layer, z, x, y).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      const tile = await pending;
      this.cache.set(key, tile);
      return tile;
    }
    return pending;
  }

  stats(): CacheStats {
    return this.cache.stats();
  }

  private async render(build: Build, layer: TileLayer, z: number, x: number, y: number): Promise<Tile> {
    const etag = `"${build.id.replace(/[^\w.-]/g, '_')}-${layer.id}-${z}-${x}-${y}"`;
    if (z < layer.minZoom) return { gzipped: null, etag };
    // beyond the stored bands, the nearest band serves (over-zoom keeps full resolution)
    const bandZoom = Math.min(Math.max(z, layer.bandMinZoom), layer.bandMaxZoom);
    const bbox = tileBBox(z, x, y, BUFFER / EXTENT);
    const rows =
      layer.source === 'overlay'
        ? await overlayFeatures(build, layer.id, bandZoom, bbox)
        : await territoryFeatures(build, layer.id, bandZoom, bbox);
    const pbf = encodeTile(layer.id, rows.map(toInput), z, x, y);
    return { gzipped: pbf ? gzipSync(pbf) : null, etag };
  }
}

function toInput(row: TileFeatureRow) {
  return {
    code: row.code,
    name: row.name,
    geometry: JSON.parse(row.geojson) as Geometry,
    props: row.props ? (JSON.parse(row.props) as Record<string, unknown>) : undefined
  };
}
