import { copyFile, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../etl/core/logger.ts';
import { startServer } from './serve.ts';
import { type FixtureDb, createFixtureDb } from './testing/fixture-db.ts';

let dir: string;
let fixture: FixtureDb;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observatoire-serve-'));
  fixture = await createFixtureDb({ dir, buildId: 'build-1' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const logger = () => memoryLogger();

describe('startServer', () => {
  it('serves the API on one port and answers 404 JSON elsewhere while the web app is not built', async () => {
    const running = await startServer({ dbPath: fixture.path, port: 0, hostname: '127.0.0.1', logger: logger(), reloadIntervalMs: 0, webHandlerPath: join(dir, 'absent.js') });
    try {
      const health = await fetch(`${running.url}/api/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { build: { id: string } }).build.id).toBe('build-1');
      const page = await fetch(`${running.url}/portrait/commune/93010`);
      expect(page.status).toBe(404);
      expect(((await page.json()) as { error: { code: string } }).error.code).toBe('route_inconnue');
      const tile = await fetch(`${running.url}/tiles/commune/12/2076/1408.pbf`);
      expect(tile.status).toBe(200);
      expect(tile.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    } finally {
      await running.close();
    }
  });

  it('hands every path outside /api and /tiles to the web app', async () => {
    const seen: string[] = [];
    const running = await startServer({
      dbPath: fixture.path,
      port: 0,
      hostname: '127.0.0.1',
      logger: logger(),
      reloadIntervalMs: 0,
      webHandler: (req, res, next) => {
        if (req.url === '/suivant') return next();
        seen.push(req.url ?? '');
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>web</p>');
      }
    });
    try {
      expect(await (await fetch(`${running.url}/carte?x=1`)).text()).toBe('<p>web</p>');
      expect((await fetch(`${running.url}/api/levels`)).status).toBe(200);
      expect((await fetch(`${running.url}/tiles/commune.json`)).status).toBe(200);
      expect((await fetch(`${running.url}/suivant`)).status).toBe(404);
      expect(seen).toEqual(['/carte?x=1']);
    } finally {
      await running.close();
    }
  });

  it('refuses to start without a database unless asked to build one', async () => {
    await expect(startServer({ dbPath: join(dir, 'vide', 'observatoire.duckdb'), port: 0, logger: logger() })).rejects.toThrow(
      /Base introuvable : .*npm run etl/
    );
  });

  it('builds the database when missing with --build-if-missing, then serves', async () => {
    const dataDir = await mkdtemp(join(dir, 'data-'));
    const dbPath = join(dataDir, 'observatoire.duckdb');
    const calls: string[] = [];
    const running = await startServer({
      dbPath,
      port: 0,
      hostname: '127.0.0.1',
      logger: logger(),
      reloadIntervalMs: 0,
      buildIfMissing: true,
      runBuild: async ({ dataDir: target }) => {
        calls.push(target);
        await copyFile(fixture.path, dbPath);
      }
    });
    try {
      expect(calls).toEqual([dataDir]);
      expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('picks up a newer build without restarting', async () => {
    const next = await createFixtureDb({ dir, buildId: 'build-2' });
    const link = join(dir, 'observatoire.duckdb');
    await symlink(fixture.path, link);
    const running = await startServer({ dbPath: link, port: 0, hostname: '127.0.0.1', logger: logger(), reloadIntervalMs: 20 });
    try {
      const buildId = async () => ((await (await fetch(`${running.url}/api/health`)).json()) as { build: { id: string } }).build.id;
      expect(await buildId()).toBe('build-1');
      await symlink(next.path, `${link}.tmp`);
      await rename(`${link}.tmp`, link);
      const deadline = Date.now() + 5000;
      while ((await buildId()) !== 'build-2' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await buildId()).toBe('build-2');
    } finally {
      await running.close();
    }
  });
});

describe('the fast path for cached tiles', () => {
  const PER_CONNECTION = ['date', 'connection', 'keep-alive'];
  /** Headers of a response minus the per-connection ones. */
  const headersOf = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => !PER_CONNECTION.includes(k)));

  /** A GET with node:http, which, unlike fetch, leaves a gzipped body as it came. */
  function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const kept = Object.entries(res.headers).filter(([k]) => !PER_CONNECTION.includes(k));
          resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(kept.map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  }

  it('answers a cached tile without Hono, with the same status, headers and bytes as the route', async () => {
    const running = await startServer({ dbPath: fixture.path, port: 0, hostname: '127.0.0.1', logger: logger(), reloadIntervalMs: 0 });
    const render = vi.spyOn(running.tiles, 'tile');
    const peek = vi.spyOn(running.tiles, 'peek');
    const path = '/tiles/build-1/commune/12/2076/1408.pbf';
    const get = (headers: Record<string, string>) => rawGet(`${running.url}${path}`, headers);
    try {
      const gzip = { 'Accept-Encoding': 'gzip' };
      const miss = await get(gzip);
      expect(miss.status).toBe(200);
      expect(render).toHaveBeenCalledTimes(1);
      const hit = await get(gzip);
      expect(render).toHaveBeenCalledTimes(1);
      expect(peek).toHaveLastReturnedWith(expect.objectContaining({ etag: expect.any(String) }));
      expect(hit.status).toBe(200);
      expect(hit.headers).toEqual(miss.headers);
      expect(hit.body.equals(miss.body)).toBe(true);
      expect(hit.headers).toMatchObject({
        'content-type': 'application/vnd.mapbox-vector-tile',
        'cache-control': 'public, max-age=31536000, immutable',
        vary: 'Accept-Encoding',
        etag: '"build-1-commune-12-2076-1408"',
        'content-encoding': 'gzip',
        'x-observatoire-build': 'build-1',
        'content-length': String(hit.body.byteLength)
      });

      // without gzip: the identity representation, as the route gives it
      const identity = await get({ 'Accept-Encoding': 'identity' });
      expect(render).toHaveBeenCalledTimes(1);
      expect(identity.headers.etag).toBe('"build-1-commune-12-2076-1408-identity"');
      expect(identity.headers['content-encoding']).toBeUndefined();
      // Hono's answer for the same tile (the unversioned URL always goes through it): same bytes and ETag
      const routed = await rawGet(`${running.url}/tiles/commune/12/2076/1408.pbf`, { 'Accept-Encoding': 'identity' });
      expect(render).toHaveBeenCalledTimes(2);
      expect(identity.body.equals(routed.body)).toBe(true);
      expect({ ...identity.headers, 'cache-control': 'court' }).toEqual({ ...routed.headers, 'cache-control': 'court' });
      expect(identity.body.equals(gunzipSync(hit.body))).toBe(true);

      // a matching If-None-Match: 304 without a body, from the fast path too
      for (const match of [hit.headers.etag as string, `W/${hit.headers.etag}`, `"autre", ${hit.headers.etag}`]) {
        const notModified = await get({ ...gzip, 'If-None-Match': match });
        expect(notModified.status, match).toBe(304);
        expect(notModified.body.byteLength).toBe(0);
        expect(notModified.headers).toMatchObject({ etag: hit.headers.etag, vary: 'Accept-Encoding', 'x-observatoire-build': 'build-1' });
      }
      expect(render).toHaveBeenCalledTimes(2);
    } finally {
      await running.close();
    }
  });

  it('answers a cached empty tile with 204, and leaves everything else to Hono', async () => {
    const running = await startServer({ dbPath: fixture.path, port: 0, hostname: '127.0.0.1', logger: logger(), reloadIntervalMs: 0 });
    const render = vi.spyOn(running.tiles, 'tile');
    try {
      const ocean = '/tiles/build-1/commune/12/1706/1536.pbf';
      const first = await fetch(`${running.url}${ocean}`);
      const second = await fetch(`${running.url}${ocean}`);
      expect([first.status, second.status]).toEqual([204, 204]);
      expect(headersOf(second)).toEqual(headersOf(first));
      expect(render).toHaveBeenCalledTimes(1);

      const path = '/tiles/build-1/commune/12/2076/1408.pbf';
      await fetch(`${running.url}${path}`);
      const calls = render.mock.calls.length;
      // another build's URL: Hono redirects
      const old = await fetch(`${running.url}/tiles/build-0/commune/12/2076/1408.pbf`, { redirect: 'manual' });
      expect(old.status).toBe(302);
      expect(old.headers.get('location')).toBe(path);
      // HEAD, a query string, an unversioned URL: through Hono, which renders (from its cache)
      expect((await fetch(`${running.url}${path}`, { method: 'HEAD' })).status).toBe(200);
      expect((await fetch(`${running.url}${path}?v=1`)).status).toBe(200);
      expect((await fetch(`${running.url}/tiles/commune/12/2076/1408.pbf`)).headers.get('cache-control')).toBe('public, max-age=60');
      expect(render.mock.calls.length).toBe(calls + 3);
      // an invalid tile never reaches the cache, so Hono answers it
      expect((await fetch(`${running.url}/tiles/build-1/commune/1/2/0.pbf`)).status).toBe(400);
    } finally {
      await running.close();
    }
  });
});

