/**
 * The national profile, built once from the mirror (some 35 000 communes, 16 000 IRIS,
 * 6 M values: a few minutes), then checked level by level, against the producers' files,
 * against the département profile's shared test build, and through the API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { type Build, type Db, openDb } from '../../server/db.ts';
import { memoryLogger } from '../core/logger.ts';
import { runBuild } from '../pipeline.ts';
import { cafAllocatairesIrisAdapter } from '../sources/caf/allocataires-iris.ts';
import { loadCog } from '../sources/cog/decoupage-administratif.ts';
import { contoursIrisAdapter } from '../sources/ign/contours-iris.ts';
import { filosofiIrisAdapter } from '../sources/insee/filosofi-iris.ts';
import { mirrorDir, mirrorFile } from '../testing/mirror.ts';
import { testDbPath } from '../testing/test-db.ts';
import { NATIONAL_REGIONS } from './profiles.ts';

const cog = loadCog();
const regions = new Set<string>(NATIONAL_REGIONS);
const inScope = (commune: string | null) => commune !== null && regions.has(cog.communes.get(commune)?.region ?? '');

let dataDir: string;
let db: Db;
let build: Build;
let departementDb: Db;
let app: ReturnType<typeof createApp>['app'];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'obs-national-'));
  await runBuild({ dataDir, mirror: mirrorDir(), offline: true, cadastreSources: [], logger: memoryLogger(), profile: 'national' });
  db = await openDb(join(dataDir, 'observatoire.duckdb'));
  build = db.current();
  departementDb = await openDb(testDbPath());
  app = createApp({ db, logger: memoryLogger() }).app;
}, 1_200_000);

afterAll(async () => {
  await db?.close();
  await departementDb?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const count = async (level: string) =>
  (await build.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM territories WHERE level = $level', { level }))!.n;

interface StoredValue {
  code: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secret_parts: number;
  missing_parts: number;
}
const values = (b: Build, indicator: string, year: number, level: string) =>
  b.all<StoredValue>(
    `SELECT code, value, numerator, denominator, status, secret_parts, missing_parts FROM indicator_values
     WHERE indicator_id = $indicator AND year = $year AND level = $level ORDER BY code`,
    { indicator, year, level }
  );

describe('national profile: territories', () => {
  it('has every current commune of metropolitan France and the four DROM, and nothing of Mayotte', async () => {
    const expected = [...cog.communes.values()].filter((c) => regions.has(c.region)).length;
    expect(await count('commune')).toBe(expected);
    expect(expected).toBeGreaterThan(34_800);
    expect(expected).toBeLessThan(35_000);
    const mayotte = await build.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM territories WHERE departement = '976'`);
    expect(mayotte!.n).toBe(0);
  });

  it('has an IRIS for every IRIS of the national sources and of the contours, with or without a contour', async () => {
    const codes = new Set<string>();
    const ctx = { logger: memoryLogger() };
    for (const a of [cafAllocatairesIrisAdapter, filosofiIrisAdapter]) {
      for (const v of (await a.read(mirrorFile(a.source.mirrorPath), ctx)).values) codes.add(v.code);
    }
    for (const f of (await contoursIrisAdapter.read(mirrorFile(contoursIrisAdapter.source.mirrorPath), ctx)).features) codes.add(f.code);
    const expected = [...codes].filter((c) => inScope(cog.currentCommune(c.slice(0, 5)))).sort();
    const stored = (await build.all<{ code: string }>(`SELECT code FROM territories WHERE level = 'iris' ORDER BY code`)).map((r) => r.code);
    expect(stored).toEqual(expected);
    expect(stored.length).toBeGreaterThan(16_000);
    // Contours exist for the 614 IRIS of the 93 only; the others are territories without geometry.
    const drawn = await build.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM territories WHERE level = 'iris' AND has_geometry`);
    expect(drawn!.n).toBe(614);
  });

  it('names an IRIS without contour after its commune, or its arrondissement in Lyon', async () => {
    const lyon = await build.one<{ name: string; commune: string }>(`SELECT name, commune FROM territories WHERE level = 'iris' AND code = '693810101'`);
    expect(lyon).toEqual({ name: 'Lyon 1er Arrondissement — IRIS 0101', commune: '69123' });
  });

  it('has the régions, départements, EPCI and EPT of the COG, and one France', async () => {
    expect(await count('region')).toBe(NATIONAL_REGIONS.length);
    expect(await count('departement')).toBe([...cog.departements.values()].filter((d) => regions.has(d.region)).length);
    const epcis = [...cog.epcis.values()].filter((e) => e.members.some((m) => inScope(m)));
    expect(await count('epci')).toBe(epcis.length);
    expect(epcis.length).toBeGreaterThan(1_200);
    expect(await count('ept')).toBe(11);
    const france = await build.all<{ code: string; name: string; has_geometry: boolean }>(`SELECT code, name, has_geometry FROM territories WHERE level = 'pays'`);
    expect(france).toEqual([{ code: 'FR', name: 'France hors Mayotte', has_geometry: false }]);
  });

  it('ranks the levels from the IRIS to France, the EPT inside the EPCI', async () => {
    const levels = await build.all<{ id: string; rank: number }>(`SELECT id, rank FROM levels WHERE kind = 'admin' ORDER BY rank`);
    expect(levels.map((l) => l.id)).toEqual(['iris', 'commune', 'ept', 'epci', 'departement', 'region', 'pays']);
    expect(levels.map((l) => l.rank)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const parents = await build.all<{ parent_level: string; parent_code: string }>(
      `SELECT parent_level, parent_code FROM territory_parents WHERE level = 'ept' AND code = '200057875' ORDER BY parent_level`
    );
    // Est Ensemble, inside the Métropole du Grand Paris (an EPCI spanning several départements).
    expect(parents).toEqual([
      { parent_level: 'departement', parent_code: '93' },
      { parent_level: 'epci', parent_code: '200054781' },
      { parent_level: 'pays', parent_code: 'FR' },
      { parent_level: 'region', parent_code: '11' }
    ]);
  });

  it('draws a group only when all its communes are drawn: Île-de-France, not France', async () => {
    const drawn = await build.all<{ level: string; n: number }>(
      `SELECT level, count(*)::INTEGER AS n FROM territories WHERE has_geometry AND level IN ('region', 'departement', 'pays') GROUP BY level ORDER BY level`
    );
    expect(drawn).toEqual([
      { level: 'departement', n: 8 },
      { level: 'region', n: 1 }
    ]);
    const mgp = await build.one<{ has_geometry: boolean }>(`SELECT has_geometry FROM territories WHERE level = 'epci' AND code = '200054781'`);
    expect(mgp!.has_geometry).toBe(true);
  });
});

describe('national profile: values', () => {
  it('gives France the sum of its communes’ populations, and loses no one of the file', async () => {
    const communes = await values(build, 'population-municipale', 2019, 'commune');
    const [france] = await values(build, 'population-municipale', 2019, 'pays');
    const known = communes.filter((c) => c.value !== null);
    const sum = known.reduce((s, c) => s + c.value!, 0);
    expect(france!.value).toBe(sum);
    // Paris, Lyon and Marseille are published by arrondissement, DOM codes on two columns.
    const published = await build.one<{ total: number }>(
      `SELECT sum(value) AS total FROM raw_values WHERE source_id = 'insee-populations-legales-2019' AND variable = 'PMUN'`
    );
    expect(sum).toBe(published!.total);
    const lyon = communes.find((c) => c.code === '69123')!;
    const arrondissements = await build.one<{ total: number }>(
      `SELECT sum(value) AS total FROM raw_values WHERE variable = 'PMUN' AND published_code BETWEEN '69381' AND '69389'`
    );
    expect(lyon.value).toBe(arrondissements!.total);
    // Communes restored since the producer's COG have no figure of their own: France says so.
    const missing = communes.filter((c) => c.status === 'missing').length;
    expect(france!.missing_parts).toBe(missing);
    expect(france!.status).toBe(missing > 0 ? 'partial' : 'ok');
  });

  it('computes a ratio at France as Σ numerators / Σ denominators, equal to the sum over the régions', async () => {
    const [france] = await values(build, 'part-allocataires-rsa', 2021, 'pays');
    for (const level of ['commune', 'region']) {
      const parts = (await values(build, 'part-allocataires-rsa', 2021, level)).filter((v) => v.numerator !== null);
      const num = parts.reduce((s, v) => s + v.numerator!, 0);
      const den = parts.reduce((s, v) => s + v.denominator!, 0);
      expect(france!.numerator).toBeCloseTo(num, 6);
      expect(france!.denominator).toBeCloseTo(den, 6);
    }
    expect(france!.value).toBeCloseTo((france!.numerator! / france!.denominator!) * 100, 10);
    // Small communes are not in the CAF file by IRIS: France is a lower bound, and says so.
    expect(france!.status).toBe('partial');
    expect(france!.missing_parts).toBeGreaterThan(20_000);
  });

  it('keeps medians not aggregable wherever a territory holds more than one IRIS', async () => {
    for (const level of ['commune', 'epci', 'departement', 'region', 'pays']) {
      const rows = await build.all<{ status: string; value: number | null; units: number }>(
        `SELECT status, value, parts + secret_parts + missing_parts AS units FROM indicator_values
         WHERE indicator_id = 'revenu-disponible-median-uc' AND year = 2018 AND level = $level`,
        { level }
      );
      const several = rows.filter((r) => r.units > 1);
      expect(several.length, level).toBeGreaterThan(0);
      for (const r of several) expect(r, level).toMatchObject({ status: 'not-aggregable', value: null });
      // A territory whose only unit is one IRIS keeps the producer's median as is.
      for (const r of rows.filter((x) => x.value !== null)) expect(r.units, level).toBe(1);
    }
  });

  it('keeps the coverage rule: the comparateur (75, 93) gives France nothing, the 93 its value', async () => {
    const [france] = await values(build, 'taux-chomage', 2022, 'pays');
    expect(france).toMatchObject({ value: null, status: 'missing' });
    const seineSaintDenis = (await values(build, 'taux-chomage', 2022, 'departement')).find((v) => v.code === '93')!;
    expect(seineSaintDenis.status).toBe('ok');
  });

  it('gives the 93 the same values as the département profile', async () => {
    const scope = `(level = 'commune' AND code LIKE '93%') OR (level = 'iris' AND code LIKE '93%') OR (level = 'departement' AND code = '93')
                   OR (level = 'ept' AND code IN ('200057867', '200057875', '200058097', '200058790'))`;
    // The shared build has the cadastre and its DVF indicators; this one was built without.
    const sql = `SELECT indicator_id, year, level, code, value, numerator, denominator, status, secret_parts, missing_parts, parts
                 FROM indicator_values WHERE (${scope}) AND indicator_id NOT LIKE 'dvf-%' ORDER BY indicator_id, year, level, code`;
    const national = await build.all<Record<string, unknown>>(sql);
    const departement = await departementDb.current().all<Record<string, unknown>>(sql);
    expect(national.length).toBeGreaterThan(30_000);
    expect(national).toEqual(departement);
  });
});

describe('national profile: API', () => {
  const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const res = await app.request(path, init);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  it('answers the values of every commune, France being their sum', async () => {
    const body = await json<{ values: { code: string; value: number | null; status: string }[] }>(
      '/api/indicators/population-municipale/values?level=commune&year=2019'
    );
    expect(body.values.length).toBe(await count('commune'));
    const [france] = await values(build, 'population-municipale', 2019, 'pays');
    expect(body.values.reduce((s, v) => s + (v.value ?? 0), 0)).toBe(france!.value);
    expect(body.values.find((v) => v.code === '15031')).toMatchObject({ value: null, status: 'missing' });
  });

  it('compares a commune of the 93 with its EPT, the Métropole du Grand Paris, the 93, Île-de-France and France', async () => {
    const p = await json<{
      comparisons: { level: string; code: string }[];
      indicators: { id: string; comparisons: { level: string; value: number | null; status: string }[] }[];
    }>('/api/portraits/commune/93010');
    expect(p.comparisons.map((c) => `${c.level}:${c.code}`)).toEqual(['ept:200057875', 'epci:200054781', 'departement:93', 'region:11', 'pays:FR']);
    // The CAF file covers France: its latest year has a French value (the comparateur's, 75 and 93 only, has none).
    const rsa = p.indicators.find((i) => i.id === 'part-allocataires-rsa')!;
    const [france] = await values(build, 'part-allocataires-rsa', 2021, 'pays');
    expect(france!.value).toBeGreaterThan(0);
    expect(rsa.comparisons.find((c) => c.level === 'pays')).toMatchObject({ value: france!.value, status: 'partial' });
    const unemployment = p.indicators.find((i) => i.id === 'taux-chomage')!;
    expect(unemployment.comparisons.find((c) => c.level === 'pays')).toMatchObject({ value: null, status: 'missing' });
  });

  it('serves a commune and an IRIS without geometry: portrait, search, aggregate, and no tile layer for France', async () => {
    const lyon = await json<{ territory: { hasGeometry: boolean }; comparisons: { level: string }[] }>('/api/portraits/commune/69123');
    expect(lyon.territory.hasGeometry).toBe(false);
    expect(lyon.comparisons.map((c) => c.level)).toEqual(['epci', 'departement', 'region', 'pays']);
    const iris = await json<{ territory: { name: string }; comparisons: { level: string }[] }>('/api/portraits/iris/693810101');
    expect(iris.comparisons.map((c) => c.level)).toEqual(['commune', 'epci', 'departement', 'region', 'pays']);
    const found = await json<{ results: { level: string; code: string }[] }>('/api/territories?q=693810101');
    expect(found.results[0]).toMatchObject({ level: 'iris', code: '693810101' });
    const communes = (await build.all<{ code: string }>(`SELECT code FROM territories WHERE level = 'commune' AND departement = '69' ORDER BY code LIMIT 300`)).map((r) => r.code);
    const group = await json<{ values: { indicator: string; value: number | null }[] }>('/api/aggregate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ communes, indicators: ['population-municipale'], year: 2019 })
    });
    const stored = (await values(build, 'population-municipale', 2019, 'commune')).filter((v) => communes.includes(v.code));
    expect(group.values[0]!.value).toBe(stored.reduce((s, v) => s + (v.value ?? 0), 0));
    expect((await app.request('/tiles/pays.json')).status).toBe(404);
    expect((await app.request('/tiles/commune.json')).status).toBe(200);
  });
});
