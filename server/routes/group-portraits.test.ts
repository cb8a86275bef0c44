import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../../etl/core/logger.ts';
import { testDbPath } from '../../etl/testing/test-db.ts';
import { createApp } from '../app.ts';
import { type Db, openDb } from '../db.ts';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE, createFixtureDb } from '../testing/fixture-db.ts';
import { MAX_NAME_LENGTH, groupName, parseCommuneList } from './group-portraits.ts';

interface Shown {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
  missingParts: number;
}
interface Indicator {
  id: string;
  year: number | null;
  provenance: string | null;
  value: Shown;
  comparisons: (Shown & { level: string; code: string; name: string })[];
  history: { year: number; value: number | null; status: string }[];
}
interface Portrait {
  territory: {
    level: string;
    levelLabel: string;
    code: string;
    name: string;
    parents: { level: string; code: string }[];
    children: { level: string; count: number }[];
    childrenCount: number;
    bbox: number[] | null;
    areaKm2: number | null;
    postcodes: string[];
  };
  comparisons: { level: string; code: string; name: string }[];
  indicators: Indicator[];
  communes?: { code: string; name: string; ept: string | null; departement: string | null }[];
  notes?: string[];
}
interface AggValue extends Shown {
  indicator: string;
  year: number;
  provenance: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: { unknown?: string[] } };
}

const EST_ENSEMBLE = [FIXTURE.bondy, FIXTURE.montreuil, FIXTURE.pantin];
const groupPath = (codes: readonly string[], nom?: string) =>
  `/api/portraits/groupe?${new URLSearchParams({ communes: codes.join(','), ...(nom === undefined ? {} : { nom }) })}`;
const byId = (p: Portrait, id: string) => p.indicators.find((i) => i.id === id) as Indicator;

/** Same figure: statuses and counts equal, numbers equal to 6 decimals (the fixture stores rounded ratios). */
function expectSame(actual: Pick<Shown, 'value' | 'status'> & Partial<Shown>, expected: Pick<Shown, 'value' | 'status'> & Partial<Shown>, where: string) {
  const { value, ...rest } = actual;
  const { value: expectedValue, ...expectedRest } = expected;
  expect(rest, where).toEqual(expectedRest);
  if (expectedValue === null) expect(value, where).toBeNull();
  else expect(value, where).toBeCloseTo(expectedValue, 6);
}
function expectSameHistory(actual: Indicator['history'], expected: Indicator['history'], where: string) {
  expect(actual.map((h) => h.year), where).toEqual(expected.map((h) => h.year));
  actual.forEach((h, i) => expectSame(h, expected[i] as Indicator['history'][number], `${where} ${h.year}`));
}

describe('GET /api/portraits/groupe (fixture build)', () => {
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

  it('describes the group as a synthetic territory with its communes, parents and children', async () => {
    const p = await get(groupPath([FIXTURE.pantin, FIXTURE.bondy, FIXTURE.montreuil]));
    expect(p.territory).toMatchObject({
      level: 'groupe',
      levelLabel: 'Groupe de communes',
      code: '93010-93048-93055',
      name: 'Groupe de 3 communes',
      childrenCount: 3,
      postcodes: ['93100', '93140', '93500']
    });
    expect(p.territory.children).toEqual([
      { level: 'commune', label: 'Communes', count: 3 },
      { level: 'iris', label: 'IRIS', count: 2 }
    ]);
    expect(p.territory.parents.map((x) => `${x.level}:${x.code}`)).toEqual([`ept:${FIXTURE.estEnsemble}`, 'departement:93', 'region:11']);
    // the union of the three fixture rectangles
    expect(p.territory.bbox).toEqual([2.39, 48.85, 2.5, 48.91]);
    expect(p.communes?.map((c) => c.name)).toEqual(['Bondy', 'Montreuil', 'Pantin']);
    expect(p.notes).toEqual([]);
  });

  it('gives a group equal to an EPT the EPT’s published values, history included', async () => {
    const group = await get(groupPath(EST_ENSEMBLE));
    const ept = await get(`/api/portraits/ept/${FIXTURE.estEnsemble}`);
    expect(group.comparisons).toEqual([
      { level: 'ept', levelLabel: 'Établissement public territorial', code: FIXTURE.estEnsemble, name: 'Est Ensemble' },
      ...ept.comparisons
    ]);
    for (const id of ['population', 'taux-chomage']) {
      const g = byId(group, id);
      const e = byId(ept, id);
      expect(g.year, id).toBe(e.year);
      expectSame(g.value, e.value, id);
      expectSameHistory(g.history, e.history, id);
    }
    expect(byId(group, 'taux-chomage').value).toMatchObject({ status: 'partial', secretParts: 2, numerator: 10000, denominator: 68000 });
    expect(byId(group, 'population').history).toEqual([
      { year: 2015, value: expect.any(Number), status: 'ok' },
      { year: 2021, value: 224500, status: 'ok' }
    ]);
  });

  it('gives a group equal to a published zoning group that group’s values', async () => {
    const group = await get(groupPath([FIXTURE.montreuil, FIXTURE.bondy]));
    const zoning = await get(`/api/portraits/${FIXTURE.zoning}/est`);
    for (const id of ['population', 'taux-chomage', 'revenu-median']) {
      expectSame(byId(group, id).value, byId(zoning, id).value, id);
      expectSameHistory(byId(group, id).history, byId(zoning, id).history, id);
    }
    expect(byId(group, 'population').value.value).toBe(165500);
    expect(byId(group, 'revenu-median').value.status).toBe('not-aggregable');
    expect(group.territory.parents.map((x) => x.level)).toContain(FIXTURE.zoning);
  });

  it('computes every indicator exactly as POST /api/aggregate does for the same communes', async () => {
    for (const codes of [EST_ENSEMBLE, [FIXTURE.bondy, FIXTURE.paris], [FIXTURE.pantin], [FIXTURE.saintDenis, FIXTURE.montreuil]]) {
      const group = await get(groupPath(codes));
      const agg = await t.json<{ values: AggValue[] }>('/api/aggregate', {
        method: 'POST',
        body: JSON.stringify({ communes: codes, indicators: group.indicators.map((i) => i.id) })
      });
      expect(agg.status).toBe(200);
      for (const v of agg.body.values) {
        const g = byId(group, v.indicator);
        const { value, numerator, denominator, status, secretParts, missingParts } = v;
        expect(g.value, `${codes.join(',')} ${v.indicator}`).toEqual({ value, numerator, denominator, status, secretParts, missingParts });
        expect(g.year).toBe(v.year);
        expect(g.provenance).toBe(v.provenance);
      }
    }
  });

  it('never gives the number of a secret group value', async () => {
    const p = await get(groupPath([FIXTURE.pantin]));
    expect(byId(p, 'taux-chomage').value).toEqual({ value: null, numerator: null, denominator: null, status: 'secret', secretParts: 1, missingParts: 0 });
    expect(byId(p, 'taux-chomage').history).toEqual([{ year: 2021, value: null, status: 'secret' }]);
  });

  it('gives a one-commune group the commune’s own values and comparisons', async () => {
    const group = await get(groupPath([FIXTURE.bondy]));
    const commune = await get(`/api/portraits/commune/${FIXTURE.bondy}`);
    expect(group.territory.name).toBe('Groupe d’une commune');
    expect(group.comparisons).toEqual(commune.comparisons);
    for (const i of commune.indicators) {
      expectSame(byId(group, i.id).value, i.value, i.id);
      expect(byId(group, i.id).comparisons, i.id).toEqual(i.comparisons);
    }
  });

  it('compares a group over two départements with each of them and the region, without an EPT', async () => {
    const p = await get(groupPath([FIXTURE.bondy, FIXTURE.paris]));
    expect(p.comparisons.map((c) => `${c.level}:${c.code}`)).toEqual(['departement:75', 'departement:93', 'region:11']);
    expect(p.territory.parents.map((x) => x.level)).toEqual(['region']);
    const revenu = byId(p, 'revenu-median');
    expect(revenu.value).toMatchObject({ value: null, status: 'missing' });
    expect(revenu.provenance).toContain('ne couvre pas toutes les communes');
    // the comparisons keep their own published values
    expect(revenu.comparisons.map((c) => [c.code, c.value])).toEqual([
      ['75', 29000],
      ['93', 17700],
      ['11', 24000]
    ]);
  });

  it('compares communes of two EPTs with their département and region only', async () => {
    const p = await get(groupPath([FIXTURE.bondy, FIXTURE.saintDenis]));
    expect(p.comparisons.map((c) => c.level)).toEqual(['departement', 'region']);
  });

  it('converts a former code with a note and collapses duplicates', async () => {
    const p = await get(groupPath(['93059', FIXTURE.saintDenis, FIXTURE.bondy, FIXTURE.bondy]));
    expect(p.territory.code).toBe(`${FIXTURE.bondy}-${FIXTURE.saintDenis}`);
    expect(p.territory.name).toBe('Groupe de 2 communes');
    expect(p.notes).toEqual(['Le code 93059, d’une commune qui n’existe plus, est remplacé par 93066 (Saint-Denis).']);
  });

  it('takes the name given, trimmed, without control characters, cut to its maximum length', async () => {
    expect((await get(groupPath(EST_ENSEMBLE, '  Mon   secteur\u202e '))).territory.name).toBe('Mon secteur');
    const long = (await get(groupPath(EST_ENSEMBLE, 'é'.repeat(200)))).territory.name;
    expect([...long]).toHaveLength(MAX_NAME_LENGTH);
    expect((await get(groupPath(EST_ENSEMBLE, '   '))).territory.name).toBe('Groupe de 3 communes');
  });

  it('answers 404 territoire_inconnu naming every unknown commune', async () => {
    const res = await t.json<ErrorBody>(groupPath([FIXTURE.bondy, '94001', '2A004']));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('territoire_inconnu');
    expect(res.body.error.message).toContain('94001, 2A004');
    expect(res.body.error.details?.unknown).toEqual(['94001', '2A004']);
  });

  it.each([
    { what: 'no communes', path: '/api/portraits/groupe', status: 400, code: 'parametre_invalide' },
    { what: 'an empty list', path: '/api/portraits/groupe?communes=,,', status: 400, code: 'parametre_invalide' },
    { what: 'a malformed code', path: '/api/portraits/groupe?communes=93010,9301', status: 400, code: 'parametre_invalide' },
    { what: 'a fragment of SQL', path: `/api/portraits/groupe?communes=${encodeURIComponent("93010') OR 1=1 --")}`, status: 400, code: 'parametre_invalide' },
    { what: 'a name too long to be one', path: `/api/portraits/groupe?communes=93010&nom=${'x'.repeat(2001)}`, status: 400, code: 'parametre_invalide' },
    { what: 'more communes than the database holds', path: groupPath(['93010', '93048', '93055', '93066', '75056', '93001']), status: 400, code: 'limite_depassee' }
  ])('answers $what with $status $code', async ({ path, status, code }) => {
    const res = await t.json<ErrorBody>(path);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('leaves the portrait of a level and code to /api/portraits/{level}/{code}', async () => {
    expect((await t.json<Portrait>(`/api/portraits/commune/${FIXTURE.bondy}`)).body.territory.level).toBe('commune');
    const res = await t.json<ErrorBody>('/api/portraits/groupe/93010');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('niveau_inconnu');
  });
});

describe('GET /api/portraits/groupe with secondary-secrecy blocks', () => {
  // The fixture build plus one block of masked units: Bondy's secret IRIS and Pantin (numbers made up for the test).
  let db: Db;
  let cleanup: () => Promise<void>;
  let request: (path: string, init?: RequestInit) => Promise<Response>;
  beforeAll(async () => {
    const fixture = await createFixtureDb();
    cleanup = fixture.cleanup;
    const instance = await DuckDBInstance.create(fixture.path);
    const connection = await instance.connect();
    await connection.run(
      `INSERT INTO secrecy_blocks VALUES ('taux-chomage', 2021, 'bloc-test', 'ept', '${FIXTURE.estEnsemble}', ['${FIXTURE.bondy}', '${FIXTURE.pantin}'], 2, 40, 300)`
    );
    connection.closeSync();
    instance.closeSync();
    db = await openDb(fixture.path);
    const app = createApp({ db, logger: memoryLogger() }).app;
    request = async (path, init) => app.request(path, init);
  });
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  const chomage = async (codes: string[]) => {
    const portrait = (await (await request(groupPath(codes))).json()) as Portrait;
    const agg = (await (
      await request('/api/aggregate', { method: 'POST', body: JSON.stringify({ communes: codes, indicators: ['taux-chomage'] }) })
    ).json()) as { values: AggValue[] };
    return { group: byId(portrait, 'taux-chomage').value, aggregate: agg.values[0] };
  };

  it('counts a block only when the group holds all its communes, as POST /api/aggregate does', async () => {
    const whole = await chomage([FIXTURE.bondy, FIXTURE.pantin]);
    expect(whole.group).toMatchObject({ status: 'ok', secretParts: 0, numerator: 3040, denominator: 13300 });
    expect(whole.group.value).toBeCloseTo((3040 / 13300) * 100, 10);
    expect(whole.group).toMatchObject({ value: whole.aggregate?.value, status: whole.aggregate?.status, secretParts: whole.aggregate?.secretParts });

    const cut = await chomage([FIXTURE.bondy, FIXTURE.montreuil]);
    expect(cut.group).toMatchObject({ status: 'partial', secretParts: 1 });
    expect(cut.group).toMatchObject({ value: cut.aggregate?.value, numerator: cut.aggregate?.numerator, secretParts: cut.aggregate?.secretParts });
  });
});

describe('group names and code lists', () => {
  it('collapses duplicate codes and keeps their order', () => {
    expect(parseCommuneList(' 93048,93010,93048 ,')).toEqual(['93048', '93010']);
  });
  it('defaults to a name saying how many communes, in French number format', () => {
    expect(groupName(undefined, 1266)).toBe('Groupe de 1\u202f266 communes');
    expect(groupName('\u0000\n', 2)).toBe('Groupe de 2 communes');
  });
});

const withGlobalSetup = Boolean(inject('testDataDir'));

describe.skipIf(!withGlobalSetup)('GET /api/portraits/groupe on the build made from ../shared/data', () => {
  let db: Db;
  let request: (path: string, init?: RequestInit) => Promise<Response>;
  beforeAll(async () => {
    db = await openDb(testDbPath());
    const app = createApp({ db, logger: memoryLogger() }).app;
    request = async (path, init) => app.request(path, init);
  });
  afterAll(() => db?.close());

  it('gives each example bassin and each EPT of the 93, as an ad-hoc group, its published values for every year', async () => {
    const groups = await db.current().all<{ level: string; code: string; communes: string[] }>(
      `SELECT p.parent_level AS level, p.parent_code AS code, list(p.code ORDER BY p.code) AS communes
       FROM territory_parents p JOIN territories t ON t.level = p.level AND t.code = p.code
       WHERE p.level = 'commune' AND t.departement = '93' AND p.parent_level IN ('bassins-exemple', 'ept')
       GROUP BY p.parent_level, p.parent_code ORDER BY 1, 2`
    );
    expect(groups.filter((g) => g.level === 'bassins-exemple')).toHaveLength(4);
    expect(groups.filter((g) => g.level === 'ept')).toHaveLength(4);
    let compared = 0;
    let secretOrPartial = 0;
    for (const g of groups) {
      const res = await request(groupPath(g.communes));
      expect(res.status, g.code).toBe(200);
      const portrait = (await res.json()) as Portrait;
      expect(portrait.territory.code).toBe(g.communes.join('-'));
      const stored = await db.current().all<{ indicator_id: string; year: number; value: number | null; status: string; secret_parts: number }>(
        'SELECT indicator_id, year, value, status, secret_parts FROM indicator_values WHERE level = $level AND code = $code',
        { level: g.level, code: g.code }
      );
      const at = new Map(stored.map((s) => [`${s.indicator_id}:${s.year}`, s]));
      for (const i of portrait.indicators) {
        for (const h of i.history) {
          const s = at.get(`${i.id}:${h.year}`);
          if (!s) continue;
          const where = `${g.level} ${g.code} ${i.id} ${h.year}`;
          expect(h.status, where).toBe(s.status);
          if (s.value === null || s.status === 'secret') expect(h.value, where).toBeNull();
          else expect(h.value, where).toBeCloseTo(s.value, 6);
          compared++;
        }
        const latest = at.get(`${i.id}:${i.year}`);
        if (latest) {
          expect(i.value.secretParts, `${g.code} ${i.id}`).toBe(latest.secret_parts);
          if (latest.status === 'secret' || latest.status === 'partial') secretOrPartial++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
    // the comparison must cover masked values, where secrecy could differ
    expect(secretOrPartial).toBeGreaterThan(0);
  });

  it('matches POST /api/aggregate for a group across two départements', async () => {
    const codes = ['93010', '93048', '93064', '75056'];
    const portrait = (await (await request(groupPath(codes, 'Test'))).json()) as Portrait;
    expect(portrait.comparisons.map((c) => c.level)).toEqual(['departement', 'departement', 'region']);
    const agg = (await (
      await request('/api/aggregate', { method: 'POST', body: JSON.stringify({ communes: codes, indicators: portrait.indicators.map((i) => i.id) }) })
    ).json()) as { values: AggValue[] };
    expect(agg.values.length).toBeGreaterThan(50);
    for (const v of agg.values) {
      const g = byId(portrait, v.indicator);
      expect(g.value.status, v.indicator).toBe(v.status);
      expect(g.value.value, v.indicator).toBe(v.value);
      expect(g.value.secretParts, v.indicator).toBe(v.secretParts);
    }
  });
});
