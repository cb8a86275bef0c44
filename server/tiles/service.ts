import { gzipSync } from 'node:zlib';
import type { Build } from '../db.ts';
import type { TileLayer } from '../queries/tiles.ts';
import { ByteLruCache, type CacheStats } from './cache.ts';
import { tileFeatures } from './features.ts';
import { BUFFER, EXTENT, encodeIndexedTile } from './render.ts';
import { tileBBox } from './mercator.ts';
import { TurnQueue } from './turns.ts';

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

/**
 * Cuts tiles from the per-zoom geometries of a build (through its in-memory tile index,
 * `features.ts`), gzips and caches them.
 */
export class TileService {
  private readonly cache: ByteLruCache<Tile>;
  private readonly inflight = new Map<string, Promise<Tile>>();
  private readonly turns = new TurnQueue();
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

  /**
   * A cached tile of build `buildId`, or undefined: never renders, never touches the
   * database (the HTTP fast path in `serve.ts`). Counts as a hit and refreshes the entry.
   */
  peek(buildId: string, layer: string, z: number, x: number, y: number): Tile | undefined {
    if (buildId !== this.lastBuild) return undefined;
    return this.cache.peekHit(`${buildId}|${layer}|${z}|${x}|${y}`);
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
    const features = await tileFeatures(build, layer, bandZoom, bbox);
    return this.turns.run(() => {
      const pbf = encodeIndexedTile(layer.id, features, z, x, y);
      return { gzipped: pbf ? gzipSync(pbf) : null, etag };
    });
  }
}
