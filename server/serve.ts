import { existsSync, readdirSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { type Logger, consoleLogger } from '../etl/core/logger.ts';
import { DEFAULT_LIMITS, type Limits } from './config.ts';
import { ROUTES, requestObserver, setRoute } from './observability/access.ts';
import { answerClientError } from './observability/client-errors.ts';
import { heavyLimiter } from './observability/heavy.ts';
import { countingLeases } from './observability/leases.ts';
import type { AccessSink } from './observability/logger.ts';
import { type ServerMetrics, createMetrics } from './observability/metrics.ts';
import { metricsApp } from './routes/metrics.ts';
import { type AdminStore, defaultAdminStorePath, openAdminStore } from './admin/store.ts';
import type { BuildRunner } from './admin/publishing/build-jobs.ts';
import { createPublishing } from './admin/publishing/context.ts';
import type { PublishingContext } from './admin/publishing/drafts.ts';
import { createApp } from './app.ts';
import { type Db, openDb } from './db.ts';
import { IMMUTABLE, tileAnswer } from './tiles/http.ts';
import type { TileService } from './tiles/service.ts';

/** adapter-node's `handler.js`: a connect-style middleware. */
export type WebHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ServeOptions {
  /** `data/observatoire.duckdb` (symlink, pointer file or DuckDB file). */
  dbPath: string;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  logger?: Logger;
  /** Run the ETL when `dbPath` does not exist. */
  buildIfMissing?: boolean;
  /** The ETL, for tests; by default `runBuild` from `etl/pipeline.ts`. */
  runBuild?: (options: { dataDir: string; logger: Logger; mirror?: string }) => Promise<unknown>;
  /** The SvelteKit server (adapter-node output); mounted for every path outside /api and /tiles when it exists. */
  webHandlerPath?: string;
  webHandler?: WebHandler;
  /** How often to look for a newer build; 0 disables. */
  reloadIntervalMs?: number;
  tileCacheBytes?: number;
  /** Mirror of the producers' files for `buildIfMissing` and the back office's builds (`OBS_MIRROR` via `config.ts`). */
  mirror?: string | undefined;
  /** Timeouts and limits (`config.ts`); `DEFAULT_LIMITS` for those not given. */
  limits?: Partial<Limits>;
  /** One record per request (the access log); none by default, so tests stay quiet. */
  accessLog?: AccessSink | undefined;
  /** Prometheus metrics on `GET /metrics`; off (a 404) by default. */
  metrics?: false | { token?: string | undefined; processMetrics?: boolean };
  /**
   * The back office (accounts, uploads, publication); on unless false. Its store is
   * `storePath` (default `<data-dir>/admin/observatoire-admin.duckdb`, or `OBS_ADMIN_DB`).
   */
  admin?: false | {
    storePath?: string;
    /** Where published datasets, uploads and previews live; default: the folder of `dbPath`. */
    dataDir?: string;
    /** How publication builds run (default: `tsx etl/cli.ts build` in a child process). */
    runner?: BuildRunner;
    /** Mirror of the producers' files for those builds (default: the server's `mirror`). */
    mirror?: string;
    /** `Secure` cookies (default false; `OBS_COOKIE_SECURE` via `config.ts`). */
    secureCookies?: boolean;
    /** Trust `X-Forwarded-For` for the login rate limit (default false; `OBS_TRUST_PROXY` via `config.ts`). */
    trustProxy?: boolean;
  };
}

export interface RunningServer {
  url: string;
  server: Server;
  db: Db;
  /** The app's tile cache (also read by the fast path). */
  tiles: TileService;
  /** The back office, when enabled. */
  admin: { store: AdminStore; publishing: PublishingContext } | null;
  metrics: ServerMetrics | null;
  /**
   * Graceful stop (SIGTERM): readiness turns 503, no new connection is accepted, requests in
   * flight get `timeoutMs` (default `limits.shutdownTimeoutMs`) to finish before their
   * connections are cut; then the back office and the database close. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Hono owns these paths; everything else belongs to the web app. */
const OWNED = /^\/(api|tiles)(\/|\?|$)/;

/**
 * A versioned tile URL in its plainest form: unreserved characters only (nothing to
 * percent-decode), no query string, zoom on two digits at most. Anything else goes to Hono.
 */
const VERSIONED_TILE = /^\/tiles\/([\w.~-]{1,128})\/([\w.~-]{1,64})\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})\.pbf$/;

/**
 * The fast path: a GET of a cached tile of the current build, answered straight from the
 * tile cache, before Hono (no routing, no zod, no lease, no Response object). Same status,
 * headers and bytes as the route (`tileAnswer`), X-Observatoire-Build included. False
 * (nothing written) on anything else: a miss, another build, an unusual URL or method.
 */
export function serveCachedTile(db: Db, tiles: TileService, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url;
  if (req.method !== 'GET' || url === undefined || !url.startsWith('/tiles/')) return false;
  const m = VERSIONED_TILE.exec(url);
  if (!m) return false;
  const buildId = m[1] as string;
  if (buildId !== db.current().id) return false;
  const tile = tiles.peek(buildId, m[2] as string, Number(m[3]), Number(m[4]), Number(m[5]));
  if (!tile) return false;
  const answer = tileAnswer(
    tile,
    { acceptEncoding: req.headers['accept-encoding'], ifNoneMatch: req.headers['if-none-match'] },
    IMMUTABLE
  );
  const headers: Record<string, string | number> = { ...answer.headers, 'x-observatoire-build': buildId };
  if (answer.body) headers['content-length'] = answer.body.byteLength;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
  return true;
}

/** Earlier builds next to the link (`data/builds`): served when the link's target is damaged (db.ts). */
function buildsDirOf(dbPath: string): string {
  return join(dirname(dbPath), 'builds');
}

function hasBuilds(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.duckdb'));
  } catch {
    return false;
  }
}

async function ensureDatabase(options: ServeOptions, logger: Logger): Promise<void> {
  // a link to a missing file with earlier builds beside it is a damaged database, not a missing one
  if (existsSync(options.dbPath) || hasBuilds(buildsDirOf(options.dbPath))) return;
  if (!options.buildIfMissing) {
    throw new Error(`Base introuvable : ${options.dbPath}. Lancez « npm run etl », ou « npm run portal » pour la construire puis servir.`);
  }
  logger.info(`Base introuvable (${options.dbPath}) : construction…`);
  const runBuild = options.runBuild ?? (await loadPipeline());
  await runBuild({ dataDir: dirname(options.dbPath), logger, ...(options.mirror ? { mirror: options.mirror } : {}) });
  if (!existsSync(options.dbPath)) throw new Error(`La construction s'est terminée sans produire ${options.dbPath}.`);
}

async function loadPipeline(): Promise<NonNullable<ServeOptions['runBuild']>> {
  try {
    const pipeline = await import('../etl/pipeline.ts');
    return pipeline.runBuild;
  } catch (cause) {
    throw new Error(
      "La construction automatique de la base n'est pas disponible : etl/pipeline.ts ne se charge pas. Construisez-la avec « npm run etl ».",
      { cause }
    );
  }
}

async function loadWebHandler(options: ServeOptions): Promise<WebHandler | null> {
  if (options.webHandler) return options.webHandler;
  if (!options.webHandlerPath || !existsSync(options.webHandlerPath)) return null;
  const module = (await import(pathToFileURL(options.webHandlerPath).href)) as { handler?: WebHandler };
  if (typeof module.handler !== 'function') throw new Error(`${options.webHandlerPath} n'exporte pas de handler.`);
  return module.handler;
}

async function openBackOffice(options: ServeOptions, config: Exclude<ServeOptions['admin'], false | undefined>, db: Db, logger: Logger) {
  const dataDir = config.dataDir ?? dirname(options.dbPath);
  const store = await openAdminStore(config.storePath ?? defaultAdminStorePath(dataDir));
  const clock = () => new Date();
  const mirror = config.mirror ?? options.mirror;
  const publishing = createPublishing({ dataDir, db, store, clock, logger, ...(config.runner ? { runner: config.runner } : {}), ...(mirror ? { mirror } : {}) });
  const auth = {
    store,
    secureCookies: config.secureCookies ?? false,
    trustProxy: config.trustProxy ?? false
  };
  return { store, publishing, auth };
}

/** Shared with web/lib/server/runtime.ts (same `Symbol.for` key). */
export const RUNTIME_KEY = Symbol.for('observatoire.runtime');

/** One process, one port: the API and tiles through Hono, the rest through SvelteKit when built. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const logger = options.logger ?? consoleLogger;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  await ensureDatabase(options, logger);
  const db = await openDb(options.dbPath, { logger, queryTimeoutMs: limits.queryTimeoutMs, fallbackDir: buildsDirOf(options.dbPath) });
  const leases = countingLeases(db);
  let draining = false;
  const admin = options.admin === false ? null : await openBackOffice(options, options.admin ?? {}, db, logger);
  const { app, tiles } = createApp({
    db: leases.db,
    logger,
    tileCacheBytes: options.tileCacheBytes,
    readiness: {
      timeoutMs: limits.readyTimeoutMs,
      notReady: () => (draining ? 'Arrêt du serveur en cours : il ne prend plus de nouvelles requêtes.' : null)
    },
    ...(admin ? { admin: { auth: admin.auth, publishing: admin.publishing } } : {})
  });
  const hono = getRequestListener(app.fetch);
  // The SvelteKit build bundles its own copy of the server modules: it finds this process's
  // app and database through a global symbol (web/lib/server/runtime.ts), so pages and the
  // API share one Db and one tile cache. Registered before the web handler is loaded.
  const runtime = { fetch: (request: Request) => app.fetch(request), db: leases.db };
  (globalThis as Record<symbol, unknown>)[RUNTIME_KEY] = runtime;
  const web = await loadWebHandler(options);
  if (!web && options.webHandlerPath) {
    logger.warn(`application web absente (${options.webHandlerPath}) : seules /api et /tiles répondent. Lancez « npm run build ».`);
  }

  // a plain counter: the fast path must stay cheap
  let fastTiles = 0;
  let metrics: ServerMetrics | null = null;
  const heavy = heavyLimiter(limits.heavyMax, () => metrics?.countRejected('surcharge'));
  const observer = requestObserver({ access: options.accessLog ?? null, currentBuild: () => db.current().id });
  if (options.metrics) {
    metrics = createMetrics(
      {
        currentBuild: () => db.current(),
        tileStats: () => tiles.stats(),
        fastTiles: () => fastTiles,
        openLeases: leases.open,
        heavyInFlight: heavy.inFlight,
        requestsInFlight: observer.inFlight,
        clock: () => new Date()
      },
      { processMetrics: options.metrics.processMetrics ?? true }
    );
    observer.attachMetrics(metrics);
  }
  const metricsListener = metrics ? getRequestListener(metricsApp({ metrics, token: options.metrics ? options.metrics.token : undefined }).fetch) : null;

  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // how often node looks for requests past those two; its default (30 s) would let a
      // slow client overstay a short timeout by that much
      connectionsCheckingInterval: Math.max(50, Math.min(5000, Math.floor(limits.headersTimeoutMs / 4)))
    },
    (req, res) => {
      observer.observe(req, res);
      if (draining) res.setHeader('Connection', 'close');
      if (serveCachedTile(db, tiles, req, res)) {
        fastTiles++;
        setRoute(req, ROUTES.fastTile, db.current().id);
        return;
      }
      const url = req.url ?? '/';
      if (metricsListener && (url === '/metrics' || url.startsWith('/metrics?'))) return void metricsListener(req, res);
      if (!heavy.admit(req, res)) return;
      if (web && !OWNED.test(url)) web(req, res, () => void hono(req, res));
      else void hono(req, res);
    }
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // no 'timeout' listener: node destroys a socket idle for this long (a client that stopped reading)
  server.setTimeout(limits.socketTimeoutMs);
  server.on('clientError', (err: Error & { code?: string }, socket) => answerClientError(err, socket, (reason) => metrics?.countRejected(reason)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname ?? '0.0.0.0', () => resolve());
  });

  const interval = options.reloadIntervalMs ?? 5000;
  const timer =
    interval > 0
      ? setInterval(() => {
          db.reload().catch((e: unknown) => logger.error(`rechargement de la base : ${(e as Error).message}`));
        }, interval)
      : null;
  timer?.unref();

  async function shutdown(timeoutMs: number): Promise<void> {
    draining = true;
    if (timer) clearInterval(timer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // a keep-alive connection whose last response just ended is idle: close it too
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    let cut: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      cut = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([closed, late])) === 'late') {
      logger.warn(`arrêt : ${observer.inFlight()} requête(s) encore en cours après ${timeoutMs} ms, connexions coupées`);
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(cut);
    clearInterval(sweeper);
    const holder = globalThis as Record<symbol, unknown>;
    if (holder[RUNTIME_KEY] === runtime) delete holder[RUNTIME_KEY];
    if (admin) {
      await admin.publishing.previews.closeAll();
      admin.store.close();
    }
    await db.close();
  }

  const { port } = server.address() as AddressInfo;
  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : 'localhost';
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    server,
    db,
    tiles,
    admin: admin ? { store: admin.store, publishing: admin.publishing } : null,
    metrics,
    close(closeOptions = {}) {
      closing ??= shutdown(closeOptions.timeoutMs ?? limits.shutdownTimeoutMs);
      return closing;
    }
  };
}
