/**
 * Starts the real one-process server (server/serve.ts: Hono for /api and /tiles,
 * the built SvelteKit handler for everything else) on a random 127.0.0.1 port, and
 * prints `{"url": …}` on stdout. Used by the browser tests and the web benchmark:
 * `tsx web/e2e/serve.ts <database>`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '../../etl/core/logger.ts';
import { startServer } from '../../server/serve.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const dbPath = process.argv[2];
if (!dbPath) {
  console.error('usage : tsx web/e2e/serve.ts <base.duckdb>');
  process.exit(2);
}
// the pages read the API in-process (web/hooks.server.ts): same database
process.env.OBS_DB = resolve(dbPath);
const logger = memoryLogger();
const running = await startServer({
  dbPath: resolve(dbPath),
  port: 0,
  hostname: '127.0.0.1',
  logger,
  reloadIntervalMs: 0,
  webHandlerPath: resolve(repoRoot, 'build/web/handler.js')
});
console.log(JSON.stringify({ url: running.url }));
const stop = () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1)
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
