import { resolve } from 'node:path';
import { env } from '$env/dynamic/private';
import { createApp } from '$server/app.ts';
import { type Db, openDb } from '$server/db.ts';

/**
 * What the web app needs from the API process: something that answers `/api` and
 * `/tiles` requests in-process (the Hono app), and the database it reads.
 */
export interface Runtime {
  fetch(request: Request): Response | Promise<Response>;
  db: Db;
}

/**
 * The process-wide registration point. `server/serve.ts` (or a test) that already
 * holds the Hono app and its Db sets `globalThis[RUNTIME_KEY] = { fetch, db }` before
 * loading the SvelteKit handler, so pages and API share one Db and one tile cache.
 * A global symbol rather than an import: the web build bundles its own copy of the
 * server modules, so a module-level singleton would not be shared.
 */
export const RUNTIME_KEY = Symbol.for('observatoire.runtime');

type Holder = { [RUNTIME_KEY]?: Runtime | Promise<Runtime> };

export function registerRuntime(runtime: Runtime): void {
  (globalThis as Holder)[RUNTIME_KEY] = runtime;
}

export function unregisterRuntime(): void {
  delete (globalThis as Holder)[RUNTIME_KEY];
}

/** `OBS_DB`, else `data/observatoire.duckdb` under the working directory (the repository root). */
export function defaultDbPath(): string {
  return resolve(env.OBS_DB || resolve(process.cwd(), 'data/observatoire.duckdb'));
}

/**
 * The registered runtime, or one created on first use from `OBS_DB` (vite dev, or a
 * SvelteKit server started without server/serve.ts). The fallback polls for a newer
 * build like serve.ts does.
 */
export function runtime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  const existing = holder[RUNTIME_KEY];
  if (existing) return Promise.resolve(existing);
  const created = (async () => {
    const db = await openDb(defaultDbPath());
    const { app } = createApp({ db });
    const timer = setInterval(() => {
      db.reload().catch((e: unknown) => console.error(`rechargement de la base : ${(e as Error).message}`));
    }, 5000);
    timer.unref();
    return { fetch: (request: Request) => app.fetch(request), db } satisfies Runtime;
  })();
  holder[RUNTIME_KEY] = created;
  created.catch(() => {
    if (holder[RUNTIME_KEY] === created) delete holder[RUNTIME_KEY];
  });
  return created;
}
