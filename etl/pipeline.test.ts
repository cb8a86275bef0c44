import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, queryRows, type OpenDb } from './db/duckdb.ts';
import { testDbPath } from './testing/test-db.ts';

let db: OpenDb;
const rows = <T = Record<string, unknown>>(sql: string, params?: Record<string, string | number>) =>
  queryRows<T>(db.conn, sql, params);

beforeAll(async () => {
  db = await openDb(testDbPath(), { readOnly: true });
});
afterAll(() => db?.close());

const value = async (indicator: string, level: string, code: string, year?: number) => {
  const r = await rows<{ value: number | null; numerator: number | null; denominator: number | null; status: string; secret_parts: number; missing_parts: number; provenance: string }>(
    `SELECT value, numerator, denominator, status, secret_parts, missing_parts, provenance FROM indicator_values
     WHERE indicator_id = $i AND level = $l AND code = $c ${year ? 'AND year = $y' : ''} ORDER BY year DESC LIMIT 1`,
    year ? { i: indicator, l: level, c: code, y: year } : { i: indicator, l: level, c: code }
  );
  if (!r[0]) throw new Error(`pas de valeur ${indicator} ${level} ${code}`);
  return r[0];
};

describe('territories of the 2026 COG', () => {
  it('has 39 communes in Seine-Saint-Denis, Pierrefitte-sur-Seine merged into Saint-Denis', async () => {
    const communes = await rows<{ code: string }>(`SELECT code FROM territories WHERE level = 'commune' AND departement = '93'`);
    expect(communes).toHaveLength(39);
    expect(communes.map((c) => c.code)).not.toContain('93059');
    const [sd] = await rows<{ former_codes: string[]; area_km2: number }>(
      `SELECT former_codes, area_km2 FROM territories WHERE level = 'commune' AND code = '93066'`
    );
    expect(sd!.former_codes).toContain('93059');
    // Pre-1968 Seine codes (Saint-Denis was 75066) are history, not codes in use.
    expect(sd!.former_codes).not.toContain('75066');
    // INSEE SUPERF of the new Saint-Denis is 15.77 km² (12.36 + 3.41).
    expect(sd!.area_km2).toBeGreaterThan(15.77 * 0.97);
    expect(sd!.area_km2).toBeLessThan(15.77 * 1.03);
  });

  it('gives communes of the 93 the area of their IRIS contours, within 1 % of INSEE (Bondy 5.47 km²)', async () => {
    const [b] = await rows<{ area_km2: number }>(`SELECT area_km2 FROM territories WHERE level = 'commune' AND code = '93010'`);
    expect(Math.abs(b!.area_km2 - 5.47) / 5.47).toBeLessThan(0.01);
  });

  it('stores one geometry per zoom band for Saint-Denis, not two features with one code', async () => {
    const g = await rows<{ band: number; geojson: string }>(
      `SELECT band, geojson FROM territory_geoms WHERE level = 'commune' AND code = '93066' ORDER BY band`
    );
    expect(g.map((x) => x.band)).toEqual([0, 1, 2, 3]);
    const full = JSON.parse(g[3]!.geojson) as { type: string; coordinates: unknown[] };
    // One polygon: the union shares the old border between Saint-Denis and Pierrefitte.
    expect(full.type === 'Polygon' || full.coordinates.length === 1).toBe(true);
  });

  it('attaches the IRIS of Pierrefitte to the new Saint-Denis', async () => {
    const r = await rows<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM territories WHERE level = 'iris' AND code LIKE '93059%' AND commune = '93066'`
    );
    expect(r[0]!.n).toBeGreaterThan(5);
  });

  it('has the four EPT of Seine-Saint-Denis with their communes', async () => {
    const epts = await rows<{ code: string; name: string; n: number }>(
      `SELECT t.code, t.name, (SELECT count(*)::INTEGER FROM territory_parents p WHERE p.level = 'commune' AND p.parent_level = 'ept' AND p.parent_code = t.code) AS n
       FROM territories t WHERE t.level = 'ept' AND t.departement = '93' ORDER BY t.code`
    );
    expect(epts.map((e) => [e.code, e.n])).toEqual([
      ['200057867', 8],
      ['200057875', 9],
      ['200058097', 8],
      ['200058790', 14]
    ]);
  });

  it('finds Saint-Denis by its search name without accents or hyphens', async () => {
    const r = await rows<{ code: string }>(`SELECT code FROM territories WHERE level = 'commune' AND search_name = 'saint denis'`);
    expect(r.map((x) => x.code)).toContain('93066');
  });
});

describe('indicators computed by one engine at every level', () => {
  it('gives each EPT the sum of its communes’ population', async () => {
    const r = await rows<{ code: string; ept: number; sum: number }>(
      `SELECT e.code, e.value AS ept, sum(c.value) AS sum
       FROM indicator_values e
       JOIN territory_parents p ON p.parent_level = 'ept' AND p.parent_code = e.code AND p.level = 'commune'
       JOIN indicator_values c ON c.indicator_id = e.indicator_id AND c.year = e.year AND c.level = 'commune' AND c.code = p.code
       WHERE e.indicator_id = 'population-municipale' AND e.year = 2022 AND e.level = 'ept' AND e.status = 'ok'
       GROUP BY e.code, e.value`
    );
    expect(r.length).toBeGreaterThanOrEqual(4);
    for (const x of r) expect(x.ept).toBeCloseTo(x.sum, 6);
  });

  it('computes the unemployment rate of Est Ensemble as ΣP22_CHOM1564 / ΣP22_ACT1564 of its 9 communes', async () => {
    const [raw] = await rows<{ chom: number; act: number; n: number }>(
      `SELECT sum(value) FILTER (WHERE variable = 'P22_CHOM1564') AS chom, sum(value) FILTER (WHERE variable = 'P22_ACT1564') AS act,
              count(DISTINCT code)::INTEGER AS n
       FROM raw_values WHERE source_id = 'insee-comparateur-2025'
         AND code IN (SELECT code FROM territory_parents WHERE level = 'commune' AND parent_level = 'ept' AND parent_code = '200057875')`
    );
    expect(raw!.n).toBe(9);
    const v = await value('taux-chomage', 'ept', '200057875', 2022);
    expect(v.status).toBe('ok');
    expect(v.value).toBeCloseTo((100 * raw!.chom) / raw!.act, 10);
    // Not the mean of the communes' rates.
    const [mean] = await rows<{ m: number }>(
      `SELECT avg(value) AS m FROM indicator_values WHERE indicator_id = 'taux-chomage' AND year = 2022 AND level = 'commune'
       AND code IN (SELECT code FROM territory_parents WHERE level = 'commune' AND parent_level = 'ept' AND parent_code = '200057875')`
    );
    expect(Math.abs(mean!.m - v.value!)).toBeGreaterThan(0.01);
  });

  it('gives Saint-Denis after the merger the population of Pierrefitte too (populations légales 2019, COG 2022)', async () => {
    const raw = await rows<{ published_code: string; value: number }>(
      `SELECT published_code, value FROM raw_values WHERE source_id = 'insee-populations-legales-2019' AND variable = 'PMUN'
       AND commune = '93066' ORDER BY published_code`
    );
    expect(raw.map((r) => r.published_code)).toEqual(['93059', '93066']);
    const v = await value('population-municipale', 'commune', '93066', 2019);
    expect(v.status).toBe('ok');
    expect(v.value).toBe(raw[0]!.value + raw[1]!.value);
    expect(v.provenance).toMatch(/93059/);
  });

  it('does not count the empty census cells of 93059 in the comparateur as a missing contribution', async () => {
    const v = await value('population-municipale', 'commune', '93066', 2022);
    expect(v.status).toBe('ok');
    expect(v.value).toBe(148907);
  });

  it('marks the median income of the merged Saint-Denis not-aggregable rather than inventing one', async () => {
    const v = await value('revenu-disponible-median-uc', 'commune', '93066', 2021);
    expect(v.status).toBe('not-aggregable');
    expect(v.value).toBeNull();
    const bondy = await value('revenu-disponible-median-uc', 'commune', '93010', 2021);
    expect(bondy.status).toBe('ok');
    expect(bondy.value).toBeGreaterThan(10000);
  });

  it('never aggregates medians above the level the producer published', async () => {
    const v = await value('revenu-disponible-median-uc', 'ept', '200057875', 2021);
    expect(v.status).toBe('not-aggregable');
    expect(v.value).toBeNull();
  });

  it('makes a CAF count of a commune with a blanked IRIS partial: sum of known IRIS plus the count of secret ones', async () => {
    const communes = await rows<{ commune: string; known: number; secret: number }>(
      `SELECT commune, sum(value) FILTER (WHERE status = 'ok') AS known, count(*) FILTER (WHERE status = 'secret')::INTEGER AS secret
       FROM raw_values WHERE source_id = 'caf-allocataires-iris-2021' AND variable = 'arsas' AND commune LIKE '93%'
       GROUP BY commune HAVING count(*) FILTER (WHERE status = 'secret') > 0 ORDER BY commune LIMIT 3`
    );
    expect(communes.length).toBeGreaterThan(0);
    for (const c of communes) {
      const v = await value('allocataires-rsa', 'commune', c.commune, 2021);
      expect(v.status).toBe('partial');
      expect(v.value).toBe(c.known);
      expect(v.secret_parts).toBe(c.secret);
    }
  });

  it('makes the département partial as soon as one commune is, never a silent under-count', async () => {
    const v = await value('allocataires-rsa', 'departement', '93', 2021);
    expect(v.status).toBe('partial');
    expect(v.secret_parts + v.missing_parts).toBeGreaterThan(0);
  });

  it('gives a commune whose only IRIS is absent from the CAF file the status missing (Coubron)', async () => {
    const v = await value('allocataires-caf', 'commune', '93015', 2021);
    expect(v.status).toBe('missing');
    expect(v.value).toBeNull();
  });

  it('never stores a number under a secret status', async () => {
    const r = await rows<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM indicator_values WHERE status = 'secret' AND (value IS NOT NULL OR numerator IS NOT NULL)`
    );
    expect(r[0]!.n).toBe(0);
    const secrets = await rows<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM indicator_values WHERE status = 'secret'`);
    expect(secrets[0]!.n).toBeGreaterThan(0);
  });

  it('does not publish a region value for a source covering only Paris and Seine-Saint-Denis', async () => {
    const v = await value('taux-chomage', 'region', '11', 2022);
    expect(v.status).toBe('missing');
    expect(v.provenance).toMatch(/ne couvre pas/);
  });

  it('computes bassins (a zoning) with the same engine as EPT', async () => {
    const [z] = await rows<{ value: number; status: string }>(
      `SELECT value, status FROM indicator_values WHERE indicator_id = 'population-municipale' AND year = 2022 AND level = 'bassins-exemple' AND code = 'B3'`
    );
    const [sum] = await rows<{ s: number }>(
      `SELECT sum(value) AS s FROM indicator_values WHERE indicator_id = 'population-municipale' AND year = 2022 AND level = 'commune'
       AND code IN (SELECT commune_code FROM zoning_members WHERE zoning_id = 'bassins-exemple' AND group_code = 'B3')`
    );
    expect(z!.status).toBe('ok');
    expect(z!.value).toBeCloseTo(sum!.s, 6);
  });

  it('records every source with its vintage, licence, official URL and checksum', async () => {
    const s = await rows<{ id: string; sha256: string; url: string; vintage: string }>(`SELECT id, sha256, url, vintage FROM sources`);
    expect(s.length).toBeGreaterThanOrEqual(11);
    for (const x of s.filter((y) => y.id !== 'cog-decoupage-administratif')) {
      expect(x.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(x.url).toMatch(/^https:\/\//);
    }
  });
});
