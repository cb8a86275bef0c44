/**
 * The HTTP answer for a tile, shared by the Hono route (`routes/tiles.ts`) and the fast
 * path for cached tiles (`serve.ts`), so that both answer with the same status, headers
 * and bytes.
 */
import { gunzipSync } from 'node:zlib';
import type { Tile } from './service.ts';

export const MVT = 'application/vnd.mapbox-vector-tile';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Unversioned URLs change content when a new build is swapped in. */
export const SHORT = 'public, max-age=60';

export interface TileAnswer {
  status: 200 | 204 | 304;
  /** Lower-case names, as Hono writes them. */
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** True when an If-None-Match header names `etag` (weak or strong) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return /\bgzip\b/.test(acceptEncoding ?? '');
}

/**
 * Gzip and identity are two representations, each with its own strong ETag; 304 on a
 * matching If-None-Match, 204 for an empty tile.
 */
export function tileAnswer(
  tile: Tile,
  request: { acceptEncoding: string | undefined; ifNoneMatch: string | undefined },
  cacheControl: string
): TileAnswer {
  const gzip = acceptsGzip(request.acceptEncoding);
  const etag = gzip || !tile.gzipped ? tile.etag : tile.etag.replace(/"$/, '-identity"');
  const headers: Record<string, string> = { etag, 'cache-control': cacheControl, vary: 'Accept-Encoding' };
  if (etagMatches(request.ifNoneMatch, etag)) return { status: 304, headers, body: null };
  if (!tile.gzipped) return { status: 204, headers, body: null };
  headers['content-type'] = MVT;
  if (gzip) {
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: tile.gzipped };
  }
  return { status: 200, headers, body: gunzipSync(tile.gzipped) };
}
