import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

const firstValue = (header: string | undefined): string | undefined => header?.split(',')[0]?.trim() || undefined;

/**
 * The client's address. `X-Forwarded-For` only behind a trusted proxy, and then its last
 * entry: the one the proxy itself appended; earlier entries are whatever the client claimed.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'inconnue';
  } catch {
    // No Node socket behind the request (app.request in tests, another runtime).
    return 'inconnue';
  }
}

/** The scheme and host the browser used, which behind a proxy only the proxy's headers tell. */
export function requestOrigin(c: Context, trustProxy: boolean): string {
  const url = new URL(c.req.url);
  if (!trustProxy) return url.origin;
  const proto = firstValue(c.req.header('X-Forwarded-Proto')) ?? url.protocol.replace(/:$/, '');
  const host = firstValue(c.req.header('X-Forwarded-Host')) ?? url.host;
  try {
    // Through URL, so `https://portail:443` and `https://portail` are the same origin.
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return url.origin;
  }
}

export function isHttps(c: Context, trustProxy: boolean): boolean {
  return requestOrigin(c, trustProxy).startsWith('https://');
}
