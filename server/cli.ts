/**
 * Starts the portal: `tsx server/cli.ts [--build-if-missing] [--port N] [--db path]`.
 * PORT overrides the default port 3000; OBS_DB the database path.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { consoleLogger } from '../etl/core/logger.ts';
import { startServer } from './serve.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../..');

const { values } = parseArgs({
  options: {
    'build-if-missing': { type: 'boolean', default: false },
    port: { type: 'string' },
    db: { type: 'string' }
  }
});

const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  consoleLogger.error(`port invalide : ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

try {
  const running = await startServer({
    dbPath: resolve(values.db ?? process.env.OBS_DB ?? resolve(repoRoot, 'data/observatoire.duckdb')),
    port,
    buildIfMissing: values['build-if-missing'],
    webHandlerPath: resolve(repoRoot, 'build/web/handler.js'),
    logger: consoleLogger
  });
  consoleLogger.info(`Observatoire : ${running.url} (build ${running.db.current().id})`);
  process.on('SIGHUP', () => {
    running.db.reload().catch((e: unknown) => consoleLogger.error(`rechargement : ${(e as Error).message}`));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.close().then(
        () => process.exit(0),
        () => process.exit(1)
      );
    });
  }
} catch (e) {
  consoleLogger.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
