import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../errors.ts';

/**
 * Requests that hold a lot for long: a PDF (a Chromium page for tens of seconds), an
 * XLSX or GeoPackage export (the whole file built in memory).
 */
const HEAVY = /^\/portrait\/[^/?]+\/[^/?]+\/(?:pdf|donnees\.xlsx)(?:[/?]|$)|^\/api\/[^?]*\?(?:[^#]*&)?format=(?:xlsx|gpkg)(?:&|#|$)/;

export function isHeavy(url: string): boolean {
  return HEAVY.test(url);
}

export interface HeavyLimiter {
  /**
   * True when the request may go on (not heavy, or a slot is free and now taken until the
   * response closes). False when it was answered 503 `surcharge` with `Retry-After`.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  inFlight(): number;
}

/** Seconds a refused client is asked to wait: about one PDF. */
export const RETRY_AFTER_S = 10;

export function heavyLimiter(max: number, onReject?: () => void): HeavyLimiter {
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    admit(req, res) {
      if (!isHeavy(req.url ?? '/')) return true;
      if (inFlight >= max) {
        onReject?.();
        const body = JSON.stringify(
          errorBody('surcharge', `Le serveur prépare déjà ${max} documents (PDF ou exports) : réessayez dans ${RETRY_AFTER_S} secondes.`)
        );
        res.writeHead(503, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'retry-after': String(RETRY_AFTER_S),
          'cache-control': 'no-store'
        });
        res.end(body);
        return false;
      }
      inFlight++;
      res.once('close', () => inFlight--);
      return true;
    }
  };
}
