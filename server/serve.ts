import { existsSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { type Logger, consoleLogger } from '../etl/core/logger.ts';
import { createApp } from './app.ts';
import { type Db, openDb } from './db.ts';

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
}

export interface RunningServer {
  url: string;
  server: Server;
  db: Db;
  close(): Promise<void>;
}

/** Hono owns these paths; everything else belongs to the web app. */
const OWNED = /^\/(api|tiles)(\/|\?|$)/;

async function ensureDatabase(options: ServeOptions, logger: Logger): Promise<void> {
  if (existsSync(options.dbPath)) return;
  if (!options.buildIfMissing) {
    throw new Error(`Base introuvable : ${options.dbPath}. Lancez « npm run etl », ou « npm run portal » pour la construire puis servir.`);
  }
  logger.info(`Base introuvable (${options.dbPath}) : construction…`);
  const runBuild = options.runBuild ?? (await loadPipeline());
  await runBuild({ dataDir: dirname(options.dbPath), logger, ...(process.env.OBS_MIRROR ? { mirror: process.env.OBS_MIRROR } : {}) });
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

/** One process, one port: the API and tiles through Hono, the rest through SvelteKit when built. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const logger = options.logger ?? consoleLogger;
  await ensureDatabase(options, logger);
  const db = await openDb(options.dbPath, { logger });
  const { app } = createApp({ db, logger, tileCacheBytes: options.tileCacheBytes });
  const hono = getRequestListener(app.fetch);
  const web = await loadWebHandler(options);

  const server = createServer((req, res) => {
    if (web && !OWNED.test(req.url ?? '/')) web(req, res, () => void hono(req, res));
    else void hono(req, res);
  });
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

  const { port } = server.address() as AddressInfo;
  const host = options.hostname && options.hostname !== '0.0.0.0' ? options.hostname : 'localhost';
  return {
    url: `http://${host}:${port}`,
    server,
    db,
    async close() {
      if (timer) clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await db.close();
    }
  };
}
