import { copyFile, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
