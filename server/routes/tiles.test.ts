import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import type { Polygon, Position } from 'geojson';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tileLayers } from '../queries/tiles.ts';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE } from '../testing/fixture-db.ts';
import { referenceTile } from '../testing/reference-tile.ts';
import { tileAt, tileBBox } from '../tiles/mercator.ts';

let t: FixtureApp;
let build: string;
beforeAll(async () => {
  t = await fixtureApp();
  build = t.fixture.buildId;
});
afterAll(() => t.close());

const GZIP = { headers: { 'Accept-Encoding': 'gzip, deflate, br' } };
const BONDY = { lon: 2.485, lat: 48.9 };

async function fetchTile(path: string, init: RequestInit = GZIP) {
  const res = await t.app.request(path, init);
  const raw = new Uint8Array(await res.arrayBuffer());
  const gzipped = res.headers.get('Content-Encoding') === 'gzip';
  const bytes = gzipped ? gunzipSync(raw) : raw;
  return { res, bytes, tile: res.status === 200 ? new VectorTile(new PbfReader(bytes)) : null };
}

function features(tile: VectorTile | null, layer: string) {
  const l = tile?.layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => l.feature(i));
}

/** Codes of the territories the database says meet tile z/x/y (with its 64/4096 buffer), from the band for z. */
async function expectedCodes(level: string, z: number, x: number, y: number): Promise<string[]> {
  const b = tileBBox(z, x, y, 64 / 4096);
  const rows = await t.db.current().all<{ code: string }>(
    `SELECT code FROM territory_geoms WHERE level = $level AND min_zoom <= $z AND max_zoom >= $z
       AND maxx >= $minx AND minx <= $maxx AND maxy >= $miny AND miny <= $maxy ORDER BY code`,
    { level, z, ...b }
  );
  return rows.map((r) => r.code);
}

async function dbRing(level: string, code: string, z: number): Promise<Position[]> {
  const row = await t.db.current().one<{ geojson: string }>(
    'SELECT geojson FROM territory_geoms WHERE level = $level AND code = $code AND min_zoom <= $z AND max_zoom >= $z',
    { level, code, z }
  );
  return (JSON.parse(row?.geojson ?? 'null') as Polygon).coordinates[0] as Position[];
}

function expectSameRing(actual: Position[], expected: Position[], tolerance: number) {
  const distinct = (ring: Position[]) => ring.slice(0, -1);
  expect(distinct(actual)).toHaveLength(distinct(expected).length);
  for (const p of distinct(expected)) {
    const near = distinct(actual).some((q) => Math.abs((q[0] as number) - (p[0] as number)) < tolerance && Math.abs((q[1] as number) - (p[1] as number)) < tolerance);
    expect(near, `sommet ${p.join(',')}`).toBe(true);
  }
}

describe('GET /tiles/{build}/{layer}/{z}/{x}/{y}.pbf', () => {
  it('serves a tile another implementation decodes, with the features the database has', async () => {
    const z = 12;
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, z);
    const { res, tile } = await fetchTile(`/tiles/${build}/commune/${z}/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    const decoded = features(tile, 'commune');
    expect(tile?.layers.commune?.extent).toBe(4096);
    expect(decoded.map((f) => f.properties.code).sort()).toEqual(await expectedCodes('commune', z, x, y));
    const bondy = decoded.find((f) => f.properties.code === FIXTURE.bondy);
    expect(bondy?.properties).toEqual({ code: FIXTURE.bondy, name: 'Bondy' });
    expect(bondy?.type).toBe(3);
    const geometry = bondy?.toGeoJSON(x, y, z).geometry as Polygon;
    expect(geometry.type).toBe('Polygon');
    // zoom 12 is in band 1, whose rings have a notch: 5 distinct vertices
    expectSameRing(geometry.coordinates[0] as Position[], await dbRing('commune', FIXTURE.bondy, z), 1e-4);
  });

  it('cuts low zooms from the coarser band', async () => {
    const z = 10;
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, z);
    const { tile } = await fetchTile(`/tiles/${build}/commune/${z}/${x}/${y}.pbf`);
    const bondy = features(tile, 'commune').find((f) => f.properties.code === FIXTURE.bondy);
    const ring = (bondy?.toGeoJSON(x, y, z).geometry as Polygon).coordinates[0] as Position[];
    expectSameRing(ring, await dbRing('commune', FIXTURE.bondy, z), 5e-4);
    expect(ring).toHaveLength(5);
  });

  it('clips features to the tile and its buffer', async () => {
    const z = 14;
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, z);
    const { tile } = await fetchTile(`/tiles/${build}/commune/${z}/${x}/${y}.pbf`);
    const bondy = features(tile, 'commune').find((f) => f.properties.code === FIXTURE.bondy);
    const points = bondy?.loadGeometry().flat() ?? [];
    expect(points.length).toBeGreaterThan(0);
    for (const p of points) {
      expect(p.x).toBeGreaterThanOrEqual(-64);
      expect(p.x).toBeLessThanOrEqual(4096 + 64);
      expect(p.y).toBeGreaterThanOrEqual(-64);
      expect(p.y).toBeLessThanOrEqual(4096 + 64);
    }
  });

  it('answers with MVT, gzip, a build-bound ETag and a year-long immutable cache', async () => {
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, 12);
    const { res } = await fetchTile(`/tiles/${build}/commune/12/${x}/${y}.pbf`);
    expect(res.headers.get('Content-Type')).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('ETag')).toBe(`"${build}-commune-12-${x}-${y}"`);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('Vary')).toBe('Accept-Encoding');
  });

  it('answers 304 when If-None-Match carries the ETag', async () => {
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, 12);
    const path = `/tiles/${build}/commune/12/${x}/${y}.pbf`;
    const etag = (await t.app.request(path, GZIP)).headers.get('ETag') as string;
    for (const header of [etag, `W/${etag}`, `"autre", ${etag}`]) {
      const res = await t.app.request(path, { headers: { ...GZIP.headers, 'If-None-Match': header } });
      expect(res.status, header).toBe(304);
      expect(await res.text()).toBe('');
    }
    expect((await t.app.request(path, { headers: { ...GZIP.headers, 'If-None-Match': '"autre"' } })).status).toBe(200);
  });

  it('serves the uncompressed tile to a client that does not accept gzip', async () => {
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, 12);
    const { res, tile } = await fetchTile(`/tiles/${build}/commune/12/${x}/${y}.pbf`, {});
    expect(res.headers.get('Content-Encoding')).toBeNull();
    expect(res.headers.get('ETag')).toBe(`"${build}-commune-12-${x}-${y}-identity"`);
    expect(features(tile, 'commune').length).toBeGreaterThan(0);
  });

  it('answers 204 for an empty tile and below the layer’s minimum zoom', async () => {
    const ocean = tileAt(-30, 40, 12);
    const empty = await t.app.request(`/tiles/${build}/commune/12/${ocean.x}/${ocean.y}.pbf`, GZIP);
    expect(empty.status).toBe(204);
    expect(empty.headers.get('ETag')).toContain(build);
    const low = tileAt(BONDY.lon, BONDY.lat, 8);
    expect((await t.app.request(`/tiles/${build}/iris/8/${low.x}/${low.y}.pbf`, GZIP)).status).toBe(204);
  });

  it('serves over-zoomed tiles from the finest band', async () => {
    const z = 23;
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, z);
    const { res, tile } = await fetchTile(`/tiles/${build}/commune/${z}/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    expect(features(tile, 'commune').map((f) => f.properties.code)).toEqual([FIXTURE.bondy]);
  });

  it('serves IRIS, zoning and QPV layers', async () => {
    const z = 12;
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, z);
    const iris = await fetchTile(`/tiles/${build}/iris/${z}/${x}/${y}.pbf`);
    expect(features(iris.tile, 'iris').map((f) => f.properties.name).sort()).toEqual(['La Flamiche', 'Le Centre Ville']);
    const zoning = await fetchTile(`/tiles/${build}/${FIXTURE.zoning}/${z}/${x}/${y}.pbf`);
    expect(features(zoning.tile, FIXTURE.zoning).map((f) => f.properties.code)).toEqual(await expectedCodes(FIXTURE.zoning, z, x, y));
    const qpv = await fetchTile(`/tiles/${build}/qpv/${z}/${x}/${y}.pbf`);
    expect(features(qpv.tile, 'qpv').map((f) => f.properties)).toEqual([
      { code: FIXTURE.qpv, name: 'Abreuvoir - Bondy Nord - Bondy Centre - Pont-De-Bondy', commune: FIXTURE.bondy, npnru: true }
    ]);
  });

  it('caches tiles in memory', async () => {
    const { x, y } = tileAt(2.45, 48.86, 13);
    const path = `/tiles/${build}/commune/13/${x}/${y}.pbf`;
    const before = t.tiles.stats();
    const first = new Uint8Array(await (await t.app.request(path, GZIP)).arrayBuffer());
    const second = new Uint8Array(await (await t.app.request(path, GZIP)).arrayBuffer());
    const after = t.tiles.stats();
    expect(second).toEqual(first);
    expect(after.entries).toBe(before.entries + 1);
    expect(after.hits).toBe(before.hits + 1);
    expect(after.bytes).toBeGreaterThan(before.bytes);
  });

  it('redirects a previous build’s URL to the current build', async () => {
    const res = await t.app.request('/tiles/ancien-build/commune/12/2076/1408.pbf');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(`/tiles/${build}/commune/12/2076/1408.pbf`);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each([
    ['/tiles/BUILD/canton/12/2076/1408.pbf', 404, 'couche_inconnue'],
    ['/tiles/BUILD/commune/1/2/0.pbf', 400, 'parametre_invalide'],
    ['/tiles/BUILD/commune/1/0/2.pbf', 400, 'parametre_invalide'],
    ['/tiles/BUILD/commune/25/0/0.pbf', 400, 'parametre_invalide'],
    ['/tiles/BUILD/commune/a/0/0.pbf', 400, 'parametre_invalide'],
    ['/tiles/BUILD/commune/1/0/abc.pbf', 400, 'parametre_invalide'],
    ['/tiles/BUILD/commune/1/-1/0.pbf', 400, 'parametre_invalide'],
    ['/tiles/commune/12/2076/1408.png', 404, 'route_inconnue']
  ])('%s → %i %s', async (path, status, code) => {
    const res = await t.json<{ error: { code: string } }>(path.replace('BUILD', build));
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});

describe('the tile index', () => {
  it('cuts the same tiles as the per-tile query it replaced, with the database’s features and names', async () => {
    const db = t.db.current();
    const layers = await tileLayers(db);
    const places = [BONDY, { lon: 2.36, lat: 48.92 }, { lon: 2.3, lat: 48.85 }, { lon: 2.445, lat: 48.865 }];
    let compared = 0;
    for (const layer of layers.values()) {
      const names = new Map(
        (
          await db.all<{ code: string; name: string }>(
            layer.source === 'overlay'
              ? 'SELECT code, name FROM overlay_features WHERE layer = $level'
              : 'SELECT code, name FROM territories WHERE level = $level',
            { level: layer.id }
          )
        ).map((r) => [r.code, r.name])
      );
      for (const z of [0, 6, 9, 10, 11, 12, 14, 16, 23]) {
        for (const place of places) {
          const { x, y } = tileAt(place.lon, place.lat, z);
          const { res, bytes, tile } = await fetchTile(`/tiles/${build}/${layer.id}/${z}/${x}/${y}.pbf`);
          const expected = await referenceTile(db, layer, z, x, y);
          const where = `${layer.id}/${z}/${x}/${y}`;
          if (!expected) {
            expect(res.status, where).toBe(204);
            continue;
          }
          expect(res.status, where).toBe(200);
          expect(Buffer.from(bytes), where).toEqual(Buffer.from(expected));
          const decoded = features(tile, layer.id);
          const bandZoom = Math.min(Math.max(z, layer.bandMinZoom), layer.bandMaxZoom);
          const candidates = (
            await db.all<{ code: string }>(
              `SELECT code FROM ${layer.source === 'overlay' ? 'overlay_features WHERE layer' : 'territory_geoms WHERE level'} = $level
                 AND min_zoom <= $z AND max_zoom >= $z AND maxx >= $minx AND minx <= $maxx AND maxy >= $miny AND miny <= $maxy`,
              { level: layer.id, z: bandZoom, ...tileBBox(z, x, y, 64 / 4096) }
            )
          ).map((r) => r.code);
          for (const f of decoded) {
            const code = String(f.properties.code);
            expect(f.properties.name, where).toBe(names.get(code));
            expect(candidates, where).toContain(code);
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('is built once per band and build, then reused', async () => {
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, 15);
    await fetchTile(`/tiles/${build}/commune/15/${x}/${y}.pbf`);
    const db = t.db.current();
    const spy = vi.spyOn(db, 'all');
    try {
      const next = await fetchTile(`/tiles/${build}/commune/15/${x + 1}/${y}.pbf`);
      const deep = tileAt(BONDY.lon, BONDY.lat, 20);
      const over = await fetchTile(`/tiles/${build}/commune/20/${deep.x}/${deep.y}.pbf`);
      expect([next.res.status, over.res.status]).toEqual([200, 200]);
      expect(spy.mock.calls.map(([sql]) => sql).filter((sql) => /territory_geoms/.test(sql))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('GET /tiles/{layer}/{z}/{x}/{y}.pbf', () => {
  it('serves the current build with a short cache', async () => {
    const { x, y } = tileAt(BONDY.lon, BONDY.lat, 12);
    const { res, tile } = await fetchTile(`/tiles/commune/12/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    expect(res.headers.get('ETag')).toContain(build);
    expect(features(tile, 'commune').length).toBeGreaterThan(0);
  });
});

describe('GET /tiles/{layer}.json', () => {
  it('describes the layer with its versioned URL, zooms, bounds and fields', async () => {
    const res = await t.json<Record<string, unknown>>('/tiles/commune.json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tilejson: '3.0.0',
      tiles: [`http://localhost/tiles/${build}/commune/{z}/{x}/{y}.pbf`],
      minzoom: 6,
      maxzoom: 16,
      bounds: [2.25, 48.815, 2.5, 48.95],
      vector_layers: [{ id: 'commune', fields: { code: 'String', name: 'String' } }]
    });
    const qpv = await t.json<{ vector_layers: { fields: Record<string, string> }[] }>('/tiles/qpv.json');
    expect(Object.keys(qpv.body.vector_layers[0]?.fields ?? {})).toEqual(['code', 'name', 'commune', 'npnru']);
  });

  it('answers 404 for an unknown layer', async () => {
    const res = await t.json<{ error: { code: string } }>('/tiles/canton.json');
    expect([res.status, res.body.error.code]).toEqual([404, 'couche_inconnue']);
  });
});
