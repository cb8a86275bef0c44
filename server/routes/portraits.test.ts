import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { Build, Db } from '../db.ts';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE } from '../testing/fixture-db.ts';

interface Shown {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
}
interface PortraitIndicator {
  id: string;
  year: number | null;
  source: { id: string; vintage: string } | null;
  provenance: string | null;
  value: Shown;
  comparisons: (Shown & { level: string; code: string; name: string })[];
  history: { year: number; value: number | null; status: string }[];
}
interface Portrait {
  territory: { level: string; code: string; name: string; parents: { level: string }[] };
  comparisons: { level: string; code: string; name: string }[];
  indicators: PortraitIndicator[];
}

let t: FixtureApp;
beforeAll(async () => {
  t = await fixtureApp();
});
afterAll(() => t.close());

const get = async (path: string) => {
  const res = await t.json<Portrait>(path);
  expect(res.status, path).toBe(200);
  return res.body;
};
const indicator = (p: Portrait, id: string) => p.indicators.find((i) => i.id === id) as PortraitIndicator;
const comparisonLevels = (p: Portrait) => p.comparisons.map((c) => c.level);

describe('GET /api/portraits/{level}/{code}', () => {
  it('compares a commune with its EPT, département and region', async () => {
    const p = await get(`/api/portraits/commune/${FIXTURE.bondy}`);
    expect(p.territory).toMatchObject({ level: 'commune', code: FIXTURE.bondy, name: 'Bondy' });
    expect(p.comparisons).toEqual([
      { level: 'ept', levelLabel: 'Établissement public territorial', code: FIXTURE.estEnsemble, name: 'Est Ensemble' },
      { level: 'departement', levelLabel: 'Département', code: '93', name: 'Seine-Saint-Denis' },
      { level: 'region', levelLabel: 'Région', code: '11', name: 'Île-de-France' }
    ]);
    const population = indicator(p, 'population');
    expect(population).toMatchObject({ year: 2021, source: { id: 'insee-rp-2021', vintage: '2021' }, value: { value: 54500, status: 'ok' } });
    expect(population.provenance).toContain('recensement de la population 2021');
    expect(population.comparisons.map((c) => [c.code, c.value, c.status])).toEqual([
      [FIXTURE.estEnsemble, 224500, 'ok'],
      ['93', 337500, 'ok'],
      ['11', 2470500, 'ok']
    ]);
    expect(population.history).toEqual([
      { year: 2015, value: 52400, status: 'ok' },
      { year: 2021, value: 54500, status: 'ok' }
    ]);
  });

  it('carries statuses: partial with its secret count, non-aggregable comparisons', async () => {
    const p = await get(`/api/portraits/commune/${FIXTURE.bondy}`);
    const chomage = indicator(p, 'taux-chomage');
    expect(chomage.value).toMatchObject({ status: 'partial', secretParts: 1, numerator: 3000, denominator: 13000 });
    expect(chomage.comparisons.map((c) => [c.level, c.status, c.secretParts])).toEqual([
      ['ept', 'partial', 2],
      ['departement', 'partial', 2],
      ['region', 'partial', 2]
    ]);
    const revenu = indicator(p, 'revenu-median');
    expect(revenu.value).toMatchObject({ value: 17500, status: 'ok' });
    expect(revenu.comparisons.map((c) => [c.level, c.value, c.status])).toEqual([
      ['ept', null, 'not-aggregable'],
      ['departement', 17700, 'ok'],
      ['region', 24000, 'ok']
    ]);
  });

  it('shows a secret value as null with its status', async () => {
    const p = await get(`/api/portraits/commune/${FIXTURE.pantin}`);
    expect(indicator(p, 'taux-chomage').value).toEqual({
      value: null,
      numerator: null,
      denominator: null,
      status: 'secret',
      secretParts: 1,
      missingParts: 0
    });
  });

  it('compares Paris, which has no EPT, with its département and region only', async () => {
    const p = await get(`/api/portraits/commune/${FIXTURE.paris}`);
    expect(comparisonLevels(p)).toEqual(['departement', 'region']);
  });

  it('compares an IRIS with its commune, EPT, département and region, and skips indicators absent at IRIS', async () => {
    const p = await get(`/api/portraits/iris/${FIXTURE.irisCentre}`);
    expect(comparisonLevels(p)).toEqual(['commune', 'ept', 'departement', 'region']);
    expect(p.indicators.map((i) => i.id)).toEqual(['population', 'taux-chomage']);
    expect(indicator(p, 'taux-chomage').value.status).toBe('secret');
    expect(indicator(p, 'taux-chomage').comparisons[0]).toMatchObject({ code: FIXTURE.bondy, status: 'partial' });
  });

  it('compares a zoning group with its département and region', async () => {
    const p = await get(`/api/portraits/${FIXTURE.zoning}/est`);
    expect(comparisonLevels(p)).toEqual(['departement', 'region']);
    expect(indicator(p, 'population').value.value).toBe(165500);
    expect(indicator(p, 'revenu-median').value.status).toBe('not-aggregable');
  });

  it('has nothing to compare a region with', async () => {
    const p = await get('/api/portraits/region/11');
    expect(p.comparisons).toEqual([]);
    expect(indicator(p, 'population').comparisons).toEqual([]);
  });

  it('marks a value missing at the latest year when the territory has none', async () => {
    const p = await get(`/api/portraits/commune/${FIXTURE.saintDenis}`);
    expect(indicator(p, 'revenu-median')).toMatchObject({ year: 2021, value: { value: null, status: 'missing' } });
  });

  it('redirects a former code, and answers 404 for unknown levels and codes', async () => {
    const moved = await t.app.request('/api/portraits/commune/93059');
    expect(moved.status).toBe(301);
    expect(moved.headers.get('Location')).toBe(`/api/portraits/commune/${FIXTURE.saintDenis}`);
    const code = await t.json<{ error: { code: string } }>('/api/portraits/commune/00000');
    expect([code.status, code.body.error.code]).toEqual([404, 'territoire_inconnu']);
    const level = await t.json<{ error: { code: string } }>('/api/portraits/quartier/1');
    expect([level.status, level.body.error.code]).toEqual([404, 'niveau_inconnu']);
  });

  it('runs a fixed number of queries, whatever the number of indicators and comparisons', async () => {
    let queries = 0;
    const counting = (build: Build): Build => ({
      ...build,
      all: (sql, params) => {
        queries++;
        return build.all(sql, params);
      },
      one: (sql, params) => {
        queries++;
        return build.one(sql, params);
      },
      memo: (key, compute) => build.memo(`counting:${key}`, compute)
    });
    const db: Db = {
      ...t.db,
      acquire: () => {
        const lease = t.db.acquire();
        return { build: counting(lease.build), release: () => lease.release() };
      }
    };
    const { app } = createApp({ db, logger: t.logger });
    await app.request(`/api/portraits/iris/${FIXTURE.irisFlamiche}`); // fills the per-build memos
    queries = 0;
    const res = await app.request(`/api/portraits/iris/${FIXTURE.irisFlamiche}`);
    expect(res.status).toBe(200);
    // levels, catalogue, territories and children counts memoised; parents, values
    expect(queries).toBe(2);
  });
});
