/**
 * The real server (`startServer`, admin included) in a child process for the resilience
 * tests: `node --import tsx server/testing/server-child.ts '<json ServerChildConfig>'`.
 * Prints one line `{"url", "pid", "build"}` on stdout once it listens; log lines go to
 * stderr; SIGHUP reloads the database, SIGTERM stops it gracefully (exit 0).
 *
 * Two extra paths, outside /api and /tiles (served where the web app would be), let a test
 * hold a build across a swap as a slow request would:
 * - `GET /__essai/bail/<name>` takes a lease on the current build and answers its headers
 *   at once (`X-Observatoire-Build`), the body only when released;
 * - `GET /__essai/rendre/<name>` queries the held build (`build_info`), ends the held
 *   response with `{build, queried}`, then releases the lease.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../etl/core/logger.ts';
import type { Lease } from '../db.ts';
import { type RunningServer, startServer } from '../serve.ts';

export interface ServerChildConfig {
  dbPath: string;
  reloadIntervalMs?: number;
  tileCacheBytes?: number;
  /** The back office's data dir and store; `false` turns it off. */
  admin?: { dataDir: string; storePath: string } | false;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ServerChildConfig;

const logger: Logger = {
  info: (m) => process.stderr.write(`info ${m}\n`),
  warn: (m) => process.stderr.write(`warn ${m}\n`),
  error: (m) => process.stderr.write(`error ${m}\n`)
};

let running: RunningServer | null = null;
const held = new Map<string, { lease: Lease; res: ServerResponse }>();

function hooks(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const m = /^\/__essai\/(bail|rendre)\/([\w-]{1,40})$/.exec(req.url ?? '');
  if (!m || !running) return next();
  const [, action, name] = m as unknown as [string, 'bail' | 'rendre', string];
  if (action === 'bail') {
    const lease = running.db.acquire();
    held.set(name, { lease, res });
    res.writeHead(200, { 'content-type': 'application/json', 'x-observatoire-build': lease.build.id });
    res.flushHeaders();
    return;
  }
  const hold = held.get(name);
  if (!hold) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"aucun bail"}');
    return;
  }
  held.delete(name);
  hold.lease.build
    .one<{ value: string }>("SELECT value FROM build_info WHERE key = 'build_id'")
    .then(
      (row) => ({ build: hold.lease.build.id, queried: row?.value ?? null }),
      (e: unknown) => ({ build: hold.lease.build.id, queried: null, error: String(e) })
    )
    .then((answer) => {
      hold.res.end(JSON.stringify(answer));
      hold.lease.release();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
}

running = await startServer({
  dbPath: config.dbPath,
  port: 0,
  hostname: '127.0.0.1',
  logger,
  reloadIntervalMs: config.reloadIntervalMs ?? 0,
  ...(config.tileCacheBytes ? { tileCacheBytes: config.tileCacheBytes } : {}),
  admin: config.admin === false || config.admin === undefined ? false : { dataDir: config.admin.dataDir, storePath: config.admin.storePath },
  webHandler: hooks
});
process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid, build: running.db.current().id })}\n`);

process.on('SIGHUP', () => {
  running?.db.reload().catch((e: unknown) => logger.error(`rechargement de la base : ${(e as Error).message}`));
});
process.once('SIGTERM', () => {
  for (const { lease, res } of held.values()) {
    res.end();
    lease.release();
  }
  void running?.close({ timeoutMs: 2000 }).then(
    () => process.exit(0),
    () => process.exit(1)
  );
});
