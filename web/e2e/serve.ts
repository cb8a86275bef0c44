/**
 * Starts the real one-process server (server/serve.ts: Hono for /api and /tiles,
 * the built SvelteKit handler for everything else) on a random 127.0.0.1 port, and
 * prints `{"url": …}` on stdout. Used by the browser tests and the web benchmark:
 * `tsx web/e2e/serve.ts <database> [--data-dir DIR]`.
 *
 * The back office writes (accounts, uploads, published datasets, rebuilds) under its data
 * dir: by default a fresh temporary one, so tests sharing the read-only test database never
 * write next to it nor fight over the administration store's lock.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { memoryLogger } from '../../etl/core/logger.ts';
import { startServer } from '../../server/serve.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'data-dir': { type: 'string' } } });
const dbPath = positionals[0];
if (!dbPath) {
  console.error('usage : tsx web/e2e/serve.ts <base.duckdb> [--data-dir DIR]');
  process.exit(2);
}
const dataDir = resolve(values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'observatoire-e2e-admin-')));
// the pages read the API in-process (web/hooks.server.ts): same database
process.env.OBS_DB = resolve(dbPath);
const logger = memoryLogger();
const running = await startServer({
  dbPath: resolve(dbPath),
  port: 0,
  hostname: '127.0.0.1',
  logger,
  reloadIntervalMs: 0,
  admin: { dataDir, storePath: join(dataDir, 'admin', 'observatoire-admin.duckdb') },
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
