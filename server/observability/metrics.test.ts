import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../db.ts';
import { type FixtureDb, createFixtureDb } from '../testing/fixture-db.ts';
import { tileLayers } from '../queries/tiles.ts';
import { TileService } from '../tiles/service.ts';
import { createMetrics } from './metrics.ts';

let fixture: FixtureDb;
let db: Db;
beforeAll(async () => {
  fixture = await createFixtureDb({ buildId: 'build-metrics' });
  db = await openDb(fixture.path);
});
afterAll(async () => {
  await db.close();
  await fixture.cleanup();
});

function sampleOf(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function metricsFor(over: Partial<Parameters<typeof createMetrics>[0]> = {}) {
  const tiles = new TileService({ maxBytes: 1_000_000 });
  return {
    tiles,
    metrics: createMetrics(
      {
        currentBuild: () => db.current(),
        tileStats: () => tiles.stats(),
        fastTiles: () => 3,
        openLeases: () => 2,
        heavyInFlight: () => 1,
        requestsInFlight: () => 5,
        clock: () => new Date('2026-11-24T12:00:00Z'),
        ...over
      },
      { processMetrics: false }
    )
  };
}

describe('createMetrics', () => {
  it('counts requests by route pattern, method and status class, with latency histograms', async () => {
    const { metrics } = metricsFor();
    metrics.observeHttp('/api/territories/{level}/{code}', 'GET', 200, 0.004);
    metrics.observeHttp('/api/territories/{level}/{code}', 'GET', 404, 0.002);
    metrics.observeHttp('/api/territories/{level}/{code}', 'GET', 204, 0.3);
    metrics.observeHttp('web', 'GET', 'abandon', 12);
    const text = await metrics.render();
    const route = 'route="/api/territories/{level}/{code}",method="GET"';
    expect(sampleOf(text, 'observatoire_http_requests_total', `${route},status_class="2xx"`)).toBe(2);
    expect(sampleOf(text, 'observatoire_http_requests_total', `${route},status_class="4xx"`)).toBe(1);
    expect(sampleOf(text, 'observatoire_http_requests_total', 'route="web",method="GET",status_class="abandon"')).toBe(1);
    expect(sampleOf(text, 'observatoire_http_request_duration_seconds_bucket', `le="0.005",${route}`)).toBe(2);
    expect(sampleOf(text, 'observatoire_http_request_duration_seconds_count', route)).toBe(3);
    expect(text).toContain('# TYPE observatoire_http_request_duration_seconds histogram');
  });

  it('reads the tile cache, the build, the leases and the heavy requests at scrape time', async () => {
    const { metrics, tiles } = metricsFor();
    const build = db.current();
    const layer = (await tileLayers(build)).get('commune');
    if (!layer) throw new Error('couche commune absente de la base de test');
    await tiles.tile(build, layer, 12, 2076, 1408);
    await tiles.tile(build, layer, 12, 2076, 1408);
    const stats = tiles.stats();
    const text = await metrics.render();
    expect(sampleOf(text, 'observatoire_tile_cache_hits_total')).toBe(stats.hits);
    expect(sampleOf(text, 'observatoire_tile_cache_misses_total')).toBe(stats.misses);
    expect([stats.hits, stats.misses]).toEqual([1, 1]);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(sampleOf(text, 'observatoire_tile_cache_bytes')).toBe(stats.bytes);
    expect(sampleOf(text, 'observatoire_tile_cache_max_bytes')).toBe(1_000_000);
    expect(sampleOf(text, 'observatoire_tile_fast_path_total')).toBe(3);
    expect(text).toMatch(new RegExp(`observatoire_build_info\\{build_id="build-metrics",[^}]*\\} 1`));
    const age = sampleOf(text, 'observatoire_build_age_seconds');
    expect(age).toBe((Date.parse('2026-11-24T12:00:00Z') - Date.parse(build.createdAt as string)) / 1000);
    expect(sampleOf(text, 'observatoire_db_open_leases')).toBe(2);
    expect(sampleOf(text, 'observatoire_heavy_requests_in_flight')).toBe(1);
    expect(sampleOf(text, 'observatoire_http_requests_in_flight')).toBe(5);
  });

  it('counts API error codes and refusals', async () => {
    const { metrics } = metricsFor();
    metrics.countError('delai_depasse');
    metrics.countError('delai_depasse');
    metrics.countRejected('surcharge');
    const text = await metrics.render();
    expect(sampleOf(text, 'observatoire_http_errors_total', 'code="delai_depasse"')).toBe(2);
    expect(sampleOf(text, 'observatoire_http_rejected_total', 'reason="surcharge"')).toBe(1);
  });

  it('exposes the process metrics unless asked not to', async () => {
    const tiles = new TileService();
    const sources = {
      currentBuild: () => db.current(),
      tileStats: () => tiles.stats(),
      fastTiles: () => 0,
      openLeases: () => 0,
      heavyInFlight: () => 0,
      requestsInFlight: () => 0,
      clock: () => new Date()
    };
    expect(await createMetrics(sources).render()).toContain('process_resident_memory_bytes');
    expect(await createMetrics(sources, { processMetrics: false }).render()).not.toContain('process_resident_memory_bytes');
  });
});
