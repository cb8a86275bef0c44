import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type Logger, consoleLogger } from '../etl/core/logger.ts';
import type { Db } from './db.ts';
import { aggregate as engineAggregate } from '../etl/engine/aggregate.ts';
import { ApiError, errorBody } from './errors.ts';
import { type AppEnv, type RouteDoc, type Router } from './routing.ts';
import { aggregateRoutes } from './routes/aggregate.ts';
import { cadastreRouters } from './routes/cadastre.ts';
import { docsRoutes } from './routes/docs.ts';
import { type Readiness, healthRoutes } from './routes/health.ts';
import { annotateRequest } from './observability/access.ts';
import { indicatorsRoutes } from './routes/indicators.ts';
import { groupPortraitsRoutes } from './routes/group-portraits.ts';
import { portraitsRoutes } from './routes/portraits.ts';
import { territoriesRoutes } from './routes/territories.ts';
import { tilesRoutes } from './routes/tiles.ts';
import { versionedRoutes } from './routes/versioned.ts';
import { TileService } from './tiles/service.ts';
import { type AuthDeps, mountAuth } from './admin/auth/middleware.ts';
import { previewMiddleware } from './admin/publishing/context.ts';
import type { PublishingContext } from './admin/publishing/drafts.ts';
import { adminAuthRoutes } from './routes/admin-auth.ts';
import { adminPublishingRoutes } from './routes/admin-publishing.ts';

export interface AppOptions {
  db: Db;
  clock?: () => Date;
  logger?: Logger;
  /** The indicator engine (`etl/engine/aggregate.ts` unless a test replaces it). */
  aggregate?: typeof engineAggregate;
  /** Bound of the tile cache in bytes (64 MiB by default). */
  tileCacheBytes?: number;
  /** Readiness beyond the database (`/api/health/ready`): `serve.ts` reports its shutdown. */
  readiness?: Readiness;
  /**
   * The back office (accounts, uploads, drafts, publication). Without it the app is the
   * public portal only: every `/api/admin` route is a 404.
   */
  admin?: {
    auth: Omit<AuthDeps, 'clock' | 'logger'>;
    publishing: PublishingContext;
  };
}

export interface ObservatoireApp {
  app: Hono<AppEnv>;
  /** Every documented route, as in `/api/openapi.json`. */
  docs: readonly RouteDoc[];
  tiles: TileService;
}

/** Builds the Hono app serving `/api` and `/tiles` from a Db. Side effects come in through `options`. */
export function createApp(options: AppOptions): ObservatoireApp {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? consoleLogger;
  const aggregate = options.aggregate ?? engineAggregate;
  const tiles = new TileService({ maxBytes: options.tileCacheBytes });

  const app = new Hono<AppEnv>();
  const docs: RouteDoc[] = [];

  // First: sees every answer and error, for the access log and the metrics (serve.ts).
  app.use('*', annotateRequest);

  // Each request holds the build it started with, so a swap never closes a build under it.
  app.use('*', async (c, next) => {
    const lease = db.acquire();
    c.set('build', lease.build);
    // Before next(): the header goes into every response the handlers, notFound and onError
    // build. Set after, it would make Hono copy the finished response into a new one, which
    // turns @hono/node-server's light Response into a full one (its slow path).
    c.header('X-Observatoire-Build', lease.build.id);
    try {
      await next();
    } finally {
      lease.release();
    }
  });

  const admin = options.admin;
  if (admin) {
    const auth: AuthDeps = { ...admin.auth, clock, logger };
    mountAuth(app, auth);
    app.use('*', previewMiddleware(admin.publishing));
  }

  const routers: Router[] = [
    healthRoutes({ clock, tiles, readiness: options.readiness }),
    territoriesRoutes(),
    indicatorsRoutes({ clock }),
    groupPortraitsRoutes({ aggregate }),
    portraitsRoutes(),
    aggregateRoutes({ aggregate }),
    // cadastre (routes/cadastre.ts): before tilesRoutes, whose /tiles/{build}/{layer}/… would take /tiles/cadastre/…
    ...cadastreRouters({ clock }),
    tilesRoutes({ tiles }),
    versionedRoutes(() => (request) => app.fetch(request)),
    ...(admin ? [adminAuthRoutes({ ...admin.auth, clock, logger }), adminPublishingRoutes(admin.publishing)] : []),
    docsRoutes(() => docs)
  ];
  for (const router of routers) {
    app.route(router.prefix, router.app);
    docs.push(...router.docs);
  }

  app.notFound((c) => c.json(errorBody('route_inconnue', `Aucune route ne correspond à ${c.req.method} ${c.req.path}.`), 404));

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status);
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody('parametre_invalide', `Requête invalide : ${err.message}`), err.status);
    }
    logger.error(`${c.req.method} ${c.req.path} : ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return c.json(errorBody('erreur_interne', 'Erreur interne du serveur. Elle a été journalisée.'), 500);
  });

  return { app, docs, tiles };
}
