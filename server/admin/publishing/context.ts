import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Logger } from '../../../etl/core/logger.ts';
import type { Db } from '../../db.ts';
import type { AppEnv } from '../../routing.ts';
import type { AdminStore } from '../store.ts';
import { type BuildRunner, BuildJobs, childProcessRunner } from './build-jobs.ts';
import type { PublishingContext } from './drafts.ts';
import { publishingPaths } from './paths.ts';
import { PreviewBuilds } from './previews.ts';

export interface PublishingOptions {
  dataDir: string;
  db: Db;
  store: AdminStore;
  clock: () => Date;
  logger: Logger;
  /** How builds run; by default `npm run etl` in a child process with this mirror/cache. */
  runner?: BuildRunner;
  mirror?: string;
  offline?: boolean;
}

export function createPublishing(opts: PublishingOptions): PublishingContext {
  const paths = publishingPaths(opts.dataDir);
  const runner =
    opts.runner ??
    childProcessRunner({ dataDir: opts.dataDir, mirror: opts.mirror, offline: opts.offline, cacheDir: join(opts.dataDir, 'cache') });
  return {
    store: opts.store,
    db: opts.db,
    paths,
    jobs: new BuildJobs({ runner, clock: opts.clock, logger: opts.logger }),
    previews: new PreviewBuilds(paths.previews, opts.logger),
    clock: opts.clock,
    logger: opts.logger
  };
}

/** The cookie the web app sets on `?apercu=<draft>`; the query parameter works for API clients. */
export const PREVIEW_COOKIE = 'obs_apercu';

/**
 * A statistician asking with a draft's preview selected gets every public route (values,
 * portraits, catalogue, tiles' TileJSON…) computed on the preview build, marked by
 * `X-Observatoire-Apercu`. Anyone else gets the public build, whatever they send: a draft is
 * never visible to visitors. Runs after the session middleware.
 */
export function previewMiddleware(ctx: PublishingContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const wanted = c.req.query('apercu') ?? getCookie(c, PREVIEW_COOKIE);
    const user = c.get('user');
    if (!wanted || !user || !ctx.previews.exists(wanted)) return next();
    const preview = await ctx.previews.get(wanted);
    if (!preview) return next();
    const lease = preview.acquire();
    c.set('build', lease.build);
    c.header('X-Observatoire-Build', lease.build.id);
    c.header('X-Observatoire-Apercu', wanted);
    try {
      await next();
      // After the handler, which may have set a public cache policy: a preview is never cached.
      c.res.headers.set('Cache-Control', 'private, no-store');
    } finally {
      lease.release();
    }
  };
}
