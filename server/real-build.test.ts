/**
 * The API against the database the global setup builds from ../shared/data: laws
 * that must hold on any real build, not fixture numbers. Skipped when the tests run
 * without the global setup (a server-only run); fails with the ETL's error when the
 * build failed.
 */
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STATUSES } from '../etl/engine/types.ts';
import { memoryLogger } from '../etl/core/logger.ts';
import { testDbPath } from '../etl/testing/test-db.ts';
import { type ObservatoireApp, createApp } from './app.ts';
import { type Db, openDb } from './db.ts';
import { tileLayers } from './queries/tiles.ts';
import { parseCsv } from './testing/csv.ts';
import { referenceTile } from './testing/reference-tile.ts';
import { tileAt, tileBBox } from './tiles/mercator.ts';

interface Value {
  code: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
}

const withGlobalSetup = Boolean(inject('testDataDir'));

describe.skipIf(!withGlobalSetup)('API on the build made from ../shared/data', () => {
  let db: Db;
  let app: ObservatoireApp['app'];
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await app.request(path, init);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    db = await openDb(testDbPath());
    app = createApp({ db, logger: memoryLogger() }).app;
  });
  afterAll(() => db?.close());

  it('reports the build it serves', async () => {
    const health = await json<{ build: { id: string }; sources: unknown[] }>('/api/health');
    const row = await db.current().one<{ value: string }>("SELECT value FROM build_info WHERE key = 'build_id'");
    expect(health.build.id).toBe(row?.value);
    expect(health.sources.length).toBeGreaterThan(0);
  });

  it('finds Saint-Denis from « saint denis » and compares it with Plaine Commune, the 93 and the region', async () => {
    const search = await json<{ results: { level: string; code: string }[] }>('/api/territories?q=saint%20denis');
    expect(search.results[0]).toMatchObject({ level: 'commune', code: '93066' });
    const portrait = await json<{ comparisons: { level: string; code: string }[]; indicators: unknown[] }>('/api/portraits/commune/93066');
    expect(portrait.comparisons.map((c) => c.level)).toEqual(['ept', 'departement', 'region']);
    expect(portrait.comparisons.slice(1).map((c) => c.code)).toEqual(['93', '11']);
    expect(portrait.indicators.length).toBeGreaterThan(0);
    const paris = await json<{ comparisons: { level: string }[] }>('/api/portraits/commune/75056');
    expect(paris.comparisons.map((c) => c.level)).toEqual(['departement', 'region']);
  });

  it('gives every indicator for the communes of the 93, never the number of a secret value', async () => {
    const { indicators } = await json<{ indicators: { id: string; levels: string[] }[] }>('/api/indicators');
    const communes = await db.current().one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM territories WHERE level = 'commune' AND departement = '93'");
    for (const indicator of indicators.filter((i) => i.levels.includes('commune'))) {
      const body = await json<{ values: Value[] }>(`/api/indicators/${indicator.id}/values?level=commune&within=departement:93`);
      expect(body.values, indicator.id).toHaveLength(communes?.n ?? -1);
      for (const v of body.values) {
        expect(STATUSES, indicator.id).toContain(v.status);
        if (v.status === 'secret') expect([v.value, v.numerator, v.denominator], `${indicator.id} ${v.code}`).toEqual([null, null, null]);
        if (v.status === 'partial') expect(v.secretParts + (v as unknown as { missingParts: number }).missingParts).toBeGreaterThan(0);
      }
    }
  });

  it('writes a CSV that reads back as the JSON values', async () => {
    const row = await db.current().one<{ indicator_id: string; year: number }>(
      "SELECT indicator_id, year FROM indicator_values WHERE level = 'commune' AND status IN ('secret', 'partial') ORDER BY indicator_id, year DESC LIMIT 1"
    );
    const id = row?.indicator_id ?? 'population-municipale';
    const url = `/api/indicators/${id}/values?level=commune${row ? `&year=${row.year}` : ''}`;
    const body = await json<{ values: Value[] }>(url);
    const csv = await (await app.request(`${url}&format=csv`)).text();
    const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''));
    const col = (name: string) => (header as string[]).indexOf(name);
    expect(rows.map((r) => [r[col('code')], r[col('statut')], r[col('numerateur')] ? Number(r[col('numerateur')]?.replace(',', '.')) : null])).toEqual(
      body.values.map((v) => [v.code, v.status, v.numerator === null ? null : Number(v.numerator.toFixed(6))])
    );
  });

  it('aggregates the communes of each EPT of the 93 to the EPT’s stored values', async () => {
    const epts = await db.current().all<{ code: string; communes: string[] }>(
      `SELECT p.parent_code AS code, list(p.code ORDER BY p.code) AS communes FROM territory_parents p
       JOIN territories t ON t.level = p.level AND t.code = p.code
       WHERE p.level = 'commune' AND p.parent_level = 'ept' AND t.departement = '93' GROUP BY p.parent_code`
    );
    expect(epts.length).toBeGreaterThan(0);
    const { indicators } = await json<{ indicators: { id: string; levels: string[] }[] }>('/api/indicators');
    const ids = indicators.filter((i) => i.levels.includes('commune') && i.levels.includes('ept')).map((i) => i.id);
    for (const ept of epts) {
      const adhoc = await json<{ values: (Value & { indicator: string; year: number })[] }>('/api/aggregate', {
        method: 'POST',
        body: JSON.stringify({ communes: ept.communes, indicators: ids })
      });
      const stored = await db.current().all<{ indicator_id: string; year: number; value: number | null; status: string }>(
        "SELECT indicator_id, year, value, status FROM indicator_values WHERE level = 'ept' AND code = $code",
        { code: ept.code }
      );
      for (const v of adhoc.values) {
        const s = stored.find((r) => r.indicator_id === v.indicator && r.year === v.year);
        expect(v.status, `${ept.code} ${v.indicator}`).toBe(s?.status);
        if (s?.value === null || s?.value === undefined) expect(v.value).toBeNull();
        else expect(v.value, `${ept.code} ${v.indicator}`).toBeCloseTo(s.value, 6);
      }
    }
  });

  it('cuts commune tiles another implementation decodes, with the database’s features', async () => {
    const z = 11;
    const { x, y } = tileAt(2.36, 48.93, z);
    const res = await app.request(`/tiles/commune/${z}/${x}/${y}.pbf`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    const tile = new VectorTile(new PbfReader(gunzipSync(new Uint8Array(await res.arrayBuffer()))));
    const layer = tile.layers.commune;
    const decoded = Array.from({ length: layer?.length ?? 0 }, (_, i) => layer?.feature(i).properties);
    const b = tileBBox(z, x, y, 64 / 4096);
    const expected = await db.current().all<{ code: string; name: string }>(
      `SELECT g.code, t.name FROM territory_geoms g JOIN territories t USING (level, code)
       WHERE g.level = 'commune' AND g.min_zoom <= $z AND g.max_zoom >= $z
         AND g.maxx >= $minx AND g.minx <= $maxx AND g.maxy >= $miny AND g.miny <= $maxy`,
      { z, ...b }
    );
    const names = new Map(expected.map((e) => [e.code, e.name]));
    expect(decoded.length).toBeGreaterThan(0);
    for (const p of decoded) expect(names.get(String(p?.code))).toBe(p?.name);
    expect(decoded.map((p) => p?.code)).toContain('93066');
  });

  it('cuts the same commune and IRIS tiles from its in-memory index as the per-tile query did, over the 93', async () => {
    const build = db.current();
    const layers = await tileLayers(build);
    const box = await build.one<{ minx: number; miny: number; maxx: number; maxy: number }>(
      "SELECT minx, miny, maxx, maxy FROM territories WHERE level = 'departement' AND code = '93'"
    );
    expect(box).toBeDefined();
    let compared = 0;
    let nonEmpty = 0;
    for (const id of ['commune', 'iris']) {
      const layer = layers.get(id);
      expect(layer, id).toBeDefined();
      for (let z = 0; z <= 14; z++) {
        const nw = tileAt(box!.minx, box!.maxy, z);
        const se = tileAt(box!.maxx, box!.miny, z);
        let k = 0;
        for (let x = nw.x; x <= se.x; x++) {
          for (let y = nw.y; y <= se.y; y++) {
            // every tile up to zoom 12, one in seven beyond
            if (z > 12 && k++ % 7 !== 0) continue;
            const res = await app.request(`/tiles/${build.id}/${id}/${z}/${x}/${y}.pbf`, { headers: { 'Accept-Encoding': 'gzip' } });
            const expected = await referenceTile(build, layer!, z, x, y);
            const where = `${id}/${z}/${x}/${y}`;
            if (expected === null) expect(res.status, where).toBe(204);
            else {
              expect(res.status, where).toBe(200);
              expect(Buffer.from(gunzipSync(new Uint8Array(await res.arrayBuffer()))).equals(Buffer.from(expected)), where).toBe(true);
              nonEmpty++;
            }
            compared++;
          }
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(100);
    expect(compared).toBeGreaterThan(nonEmpty);
  });
});
