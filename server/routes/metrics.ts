import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { errorBody } from '../errors.ts';
import type { ServerMetrics } from '../observability/metrics.ts';

export interface MetricsRouteOptions {
  metrics: ServerMetrics;
  /** When set, `Authorization: Bearer <token>` is required. */
  token?: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * `GET /metrics`, Prometheus text format. Outside `/api` on purpose: it is not part of the
 * public API (nor of its OpenAPI document), and a reverse proxy can keep it internal by
 * path. Served by `serve.ts` only when `OBS_METRICS` is on; elsewhere the path is a 404.
 */
export function metricsApp(options: MetricsRouteOptions): Hono {
  const app = new Hono();
  const expected = options.token === undefined ? null : digest(options.token);
  app.get('/metrics', async (c) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      // digests have one length, so the comparison time tells nothing about the token
      if (!given || !timingSafeEqual(digest(given), expected)) {
        c.header('WWW-Authenticate', 'Bearer realm="observatoire-metrics"');
        return c.json(errorBody('authentification_requise', 'Métriques protégées : en-tête « Authorization: Bearer <OBS_METRICS_TOKEN> » attendu.'), 401);
      }
    }
    c.header('Cache-Control', 'no-store');
    return c.body(await options.metrics.render(), 200, { 'Content-Type': options.metrics.contentType });
  });
  app.notFound((c) => c.json(errorBody('route_inconnue', `Aucune route ne correspond à ${c.req.method} ${c.req.path}.`), 404));
  app.onError((err, c) => c.json(errorBody('erreur_interne', `Métriques indisponibles : ${err.message}`), 500));
  return app;
}
