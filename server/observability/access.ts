import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ApiError } from '../errors.ts';
import { openApiPath } from '../routing.ts';
import type { AccessSink } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';

/** What the Hono app learnt about a request, for the access log and the metrics. */
interface Annotation {
  route: string;
  /** The build that answered: node cannot read back headers given to `writeHead`. */
  build?: string | undefined;
  err?: Error | undefined;
  code?: string | undefined;
}

const annotations = new WeakMap<IncomingMessage, Annotation>();

/** Labels of requests that no Hono route answered; kept few so the metrics stay bounded. */
export const ROUTES = {
  unrouted: 'non_routee',
  web: 'web',
  webStatic: 'web:statique',
  webPdf: 'web:pdf',
  metrics: '/metrics',
  /** Same label as the Hono route, so a tile counts alike on both paths. */
  fastTile: '/tiles/{build}/{layer}/{z}/{x}/{y}.pbf'
} as const;

export function setRoute(req: IncomingMessage, route: string, build?: string): void {
  annotations.set(req, { route, build });
}

/**
 * Hono middleware, mounted first: records the route pattern that answered and the error
 * behind the answer on the Node request (`c.env.incoming`, from @hono/node-server).
 * In-process calls (`app.request`, the web app's `runtime.fetch`) have no Node request: no-op.
 */
export const annotateRequest: MiddlewareHandler = async (c, next) => {
  await next();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return;
  // the handler's pattern even when a middleware answered first (a 401, a CSRF refusal)
  const handler = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  const route = handler ? openApiPath(handler.path) : ROUTES.unrouted;
  const err = c.error;
  const code = err instanceof ApiError ? err.code : err ? 'erreur_interne' : undefined;
  // the lease's build, as in X-Observatoire-Build (reading c.res.headers would cost the light Response its fast path)
  const build = (c.get('build') as { id: string } | undefined)?.id;
  annotations.set(incoming, { route, build, err, code });
};

const SENSITIVE = /pass|token|secret|session|cookie|auth|key|csrf|signature/i;
const MAX_TARGET = 1024;

/** The request target for the log: path apart, sensitive query values masked, bounded length. */
export function splitTarget(url: string): { path: string; query?: string } {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).slice(0, MAX_TARGET);
  if (q < 0 || q === url.length - 1) return { path };
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // a malformed escape is logged as sent
      }
      return eq >= 0 && SENSITIVE.test(key) ? `${rawKey}=***` : pair;
    })
    .join('&')
    .slice(0, MAX_TARGET);
  return { path, query };
}

const PDF = /^\/portrait\/[^/?]+\/[^/?]+\/pdf(?:[/?]|$)/;

/** The route label of a request Hono did not annotate (web app, fast path, metrics). */
export function classifyUnannotated(url: string): string {
  if (url === '/metrics' || url.startsWith('/metrics?')) return ROUTES.metrics;
  if (/^\/(api|tiles)(\/|\?|$)/.test(url)) return ROUTES.unrouted;
  if (PDF.test(url)) return ROUTES.webPdf;
  if (url.startsWith('/_app/') || /^\/[^/?]+\.(?:png|svg|ico|txt|webmanifest|json|js|css|woff2?)(?:\?|$)/.test(url)) return ROUTES.webStatic;
  return ROUTES.web;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REQUEST_ID = /^[\w.:-]{1,64}$/;

export interface RequestObserverDeps {
  access?: AccessSink | null;
  metrics?: ServerMetrics | null;
  /** The build in service, for answers that do not name theirs (web pages). */
  currentBuild(): string;
}

export interface RequestObserver {
  /** Call first thing for every request: the record is written when the response closes. */
  observe(req: IncomingMessage, res: ServerResponse): void;
  /** Requests received and not yet answered (or abandoned). */
  inFlight(): number;
  /** The metrics read `inFlight`, so they come after the observer. */
  attachMetrics(metrics: ServerMetrics): void;
}

/**
 * One access-log line and one metrics sample per request, on every path (Hono, the
 * cached-tile fast path, the web app). Costs one timestamp and one `close` listener.
 */
export function requestObserver(deps: RequestObserverDeps): RequestObserver {
  const { access } = deps;
  let metrics = deps.metrics ?? null;
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    attachMetrics(m) {
      metrics = m;
    },
    observe(req, res) {
      inFlight++;
      const started = process.hrtime.bigint();
      const socket = req.socket;
      const bytesBefore = socket.bytesWritten;
      res.once('close', () => {
        inFlight--;
        if (!access && !metrics) return;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const url = req.url ?? '/';
        const note = annotations.get(req);
        const route = note?.route ?? classifyUnannotated(url);
        const aborted = !res.writableFinished;
        const method = METHODS.has(req.method ?? '') ? (req.method as string) : 'AUTRE';
        metrics?.observeHttp(route, method, aborted ? 'abandon' : res.statusCode, seconds);
        if (note?.code) metrics?.countError(note.code);
        if (!access) return;
        const requestId = req.headers['x-request-id'];
        access({
          method,
          ...splitTarget(url),
          route,
          status: res.statusCode,
          durationMs: Math.round(seconds * 1e4) / 10,
          bytes: socket.bytesWritten - bytesBefore,
          build: note?.build ?? deps.currentBuild(),
          ...(typeof requestId === 'string' && REQUEST_ID.test(requestId) ? { requestId } : {}),
          ...(aborted ? { aborted } : {}),
          ...(note?.err && res.statusCode >= 500 ? { err: note.err } : {})
        });
      });
    }
  };
}
