/**
 * The portal under load: the real server in its own process (admin on, on a copy of the
 * test build), 200 concurrent connections for 60 s of mixed traffic from autocannon in a
 * third process — versioned tiles of several layers and zooms (a small tile cache keeps
 * many of them uncached), 304 revalidations, indicator values at the commune and IRIS
 * levels, portraits, search and `POST /api/aggregate`. Every answer must be a success or a
 * 204/3xx; latencies and the server's memory are printed, memory growth is bounded.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dataDirWithBuild } from '../../etl/testing/temp-mirror.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { tileAt } from '../tiles/mercator.ts';
import { type KindResult, type LoadRequest, type LoadScenario, failures, runMixedLoad } from '../testing/mixed-load.ts';
import { rssBytes } from '../testing/proc.ts';
import { type ServerProcess, spawnServer } from '../testing/server-process.ts';

const withGlobalSetup = Boolean(inject('testDataDir'));

const DURATION_S = 60;
// a map's traffic: mostly tiles; the routes that query DuckDB share its 4 connections per build
const CONNECTIONS = { tiles: 110, values: 30, portraits: 10, search: 25, aggregate: 25 };
/** autocannon's limit per request: past it, a request counts as an error. */
const TIMEOUT_S = 60;
const MAX_RSS_GROWTH = 1024 ** 3;

/** Seine-Saint-Denis and its neighbours, where every layer has features. */
const AREA = { west: 2.25, south: 48.8, east: 2.62, north: 49.02 };
const TILE_LAYERS = ['commune', 'iris', 'ept', 'departement', 'qpv'];
const ZOOMS = [8, 10, 11, 12, 13, 14];
const COMMUNES = ['93010', '93066', '93048', '93008', '93001', '93005', '93045', '93070', '93071', '93055'];
const SEARCHES = ['saint denis', 'bondy', 'montreuil', '93200', 'aubervilliers', 'pantin', 'Île-de-France', 'seine', '93059', 'noisy'];

function tilesOf(build: string): string[] {
  const paths: string[] = [];
  for (const z of ZOOMS) {
    const nw = tileAt(AREA.west, AREA.north, z);
    const se = tileAt(AREA.east, AREA.south, z);
    for (const layer of TILE_LAYERS) {
      for (let x = nw.x; x <= se.x; x++) for (let y = nw.y; y <= se.y; y++) paths.push(`/tiles/${build}/${layer}/${z}/${x}/${y}.pbf`);
    }
  }
  return paths;
}

interface Summary {
  id: string;
  kind: string;
  levels: string[];
  years: number[];
}

/** Keeps the requests the server answers with a success before the load: the load then tests the server, not the list. */
async function answered(origin: string, requests: LoadRequest[]): Promise<LoadRequest[]> {
  const kept: LoadRequest[] = [];
  for (const r of requests) {
    const res = await fetch(`${origin}${r.path}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status < 400) kept.push(r);
  }
  return kept;
}

async function scenarios(server: ServerProcess): Promise<LoadScenario[]> {
  const origin = server.url;
  const gzip = { 'accept-encoding': 'gzip' };
  const tiles: LoadRequest[] = tilesOf(server.build).map((path) => ({ method: 'GET', path, headers: gzip }));
  // revalidations of tiles a map already holds: 304 with their ETag
  const revalidated: LoadRequest[] = [];
  for (const t of tiles.filter((_, i) => i % 40 === 0)) {
    const res = await fetch(`${origin}${t.path}`, { headers: gzip });
    await res.arrayBuffer();
    const etag = res.headers.get('etag');
    if (res.status === 200 && etag) revalidated.push({ ...t, headers: { ...gzip, 'if-none-match': etag } });
  }
  const catalogue = ((await (await fetch(`${origin}/api/indicators`)).json()) as { indicators: Summary[] }).indicators;
  const values: LoadRequest[] = [];
  for (const ind of catalogue.slice(0, 60)) {
    const year = ind.years.at(-1);
    for (const level of ['commune', 'iris']) {
      if (ind.levels.includes(level)) values.push({ method: 'GET', path: `/api/indicators/${ind.id}/values?level=${level}&year=${year}` });
    }
  }
  const counts = catalogue.filter((i) => i.kind === 'count' || i.kind === 'ratio').map((i) => i.id);
  const aggregates: LoadRequest[] = [3, 5, 10, 20].flatMap((n, i) =>
    [counts.slice(i * 5, i * 5 + 5), counts.slice(0, 30)].map((indicators) => ({
      method: 'POST' as const,
      path: '/api/aggregate',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ communes: COMMUNES.slice(0, Math.min(n, COMMUNES.length)), indicators })
    }))
  );
  const portraits: LoadRequest[] = [
    ...COMMUNES.map((c) => `/api/portraits/commune/${c}`),
    '/api/portraits/ept/200057875',
    '/api/portraits/departement/93'
  ].map((path) => ({ method: 'GET', path }));
  const search: LoadRequest[] = SEARCHES.map((q) => ({ method: 'GET', path: `/api/territories?q=${encodeURIComponent(q)}&limit=10` }));

  const list = [
    { kind: 'tuiles', connections: CONNECTIONS.tiles, requests: [...tiles, ...revalidated] },
    { kind: 'valeurs', connections: CONNECTIONS.values, requests: await answered(origin, values) },
    { kind: 'portraits', connections: CONNECTIONS.portraits, requests: await answered(origin, portraits) },
    { kind: 'recherche', connections: CONNECTIONS.search, requests: await answered(origin, search) },
    { kind: 'agregats', connections: CONNECTIONS.aggregate, requests: await answered(origin, aggregates) }
  ];
  for (const s of list) expect(s.requests.length, s.kind).toBeGreaterThan(0);
  expect(values.filter((v) => v.path.includes('level=iris')).length).toBeGreaterThan(0);
  return list;
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} Mo`;

describe.skipIf(!withGlobalSetup)('the server under 200 concurrent connections for a minute', () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = dataDirWithBuild(testDbPath()).dataDir;
    mkdirSync(join(dataDir, 'admin'), { recursive: true });
    server = await spawnServer({
      dbPath: join(dataDir, 'observatoire.duckdb'),
      tileCacheBytes: 512 * 1024,
      reloadIntervalMs: 5000,
      admin: { dataDir, storePath: join(dataDir, 'admin', 'observatoire-admin.duckdb') }
    });
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request of a mixed load without error, with bounded memory', { timeout: 300_000 }, async () => {
    const list = await scenarios(server);
    const rssBefore = rssBytes(server.pid);
    const results = await runMixedLoad({ origin: server.url, durationS: DURATION_S, timeoutS: TIMEOUT_S, seed: 93, scenarios: list });
    const rssAfter = rssBytes(server.pid);
    const { tileCache } = (await (await fetch(`${server.url}/api/health`)).json()) as { tileCache: { entries: number; bytes: number; maxBytes: number } };
    const distinctTiles = new Set(list[0]?.requests.map((r) => r.path)).size;

    const rows = Object.entries(results).map(([kind, r]: [string, KindResult]) => {
      const statuses = Object.entries(r.statuses).map(([code, n]) => `${code}×${n}`).join(' ');
      return `${kind.padEnd(10)} ${String(r.requests).padStart(7)} req  p50 ${String(r.p50Ms).padStart(5)} ms  p99 ${String(r.p99Ms).padStart(5)} ms  max ${r.maxMs} ms  ${statuses}  erreurs ${r.errors + r.timeouts}`;
    });
    const total = Object.values(results).reduce((n, r) => n + r.requests, 0);
    console.info(
      [
        `charge : ${Object.values(CONNECTIONS).reduce((a, b) => a + b, 0)} connexions, ${DURATION_S} s, ${total} requêtes (${(total / DURATION_S).toFixed(0)} req/s)`,
        ...rows,
        `cache des tuiles : ${tileCache.entries} tuiles sur ${distinctTiles} demandées, ${(tileCache.bytes / 1024).toFixed(0)} / ${(tileCache.maxBytes / 1024).toFixed(0)} Kio`,
        `mémoire du serveur (RSS) : ${mb(rssBefore)} avant, ${mb(rssAfter)} après`
      ].join('\n')
    );

    for (const [kind, r] of Object.entries(results)) {
      expect(r.requests, kind).toBeGreaterThan(0);
      expect(failures(r), `${kind} : ${JSON.stringify(r)}`).toBe(0);
    }
    expect(results.tuiles?.statuses['304'] ?? 0).toBeGreaterThan(0);
    // the cache cannot hold every tile asked for: tiles kept being rendered during the load
    expect(tileCache.entries).toBeLessThan(distinctTiles);
    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH);
    // the server is still answering normally after the load
    const health = await fetch(`${server.url}/api/health/ready`);
    expect(health.status).toBe(200);
  });
});
