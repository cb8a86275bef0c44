import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { FIXTURE } from '../testing/fixture-db.ts';
import { normaliseQuery } from './territories.ts';

interface SearchBody {
  q: string;
  results: { level: string; code: string; name: string; match: string; departement: string | null }[];
}
interface Detail {
  level: string;
  levelLabel: string;
  code: string;
  name: string;
  parents: { level: string; code: string; name: string }[];
  children: { level: string; count: number }[];
  childrenCount: number;
  bbox: number[] | null;
  center: number[] | null;
  areaKm2: number | null;
  postcodes: string[];
  formerCodes: string[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

let t: FixtureApp;
beforeAll(async () => {
  t = await fixtureApp();
});
afterAll(() => t.close());

describe('GET /api/territories (search)', () => {
  it('finds Saint-Denis from « saint denis », whatever the accents and case', async () => {
    for (const q of ['saint denis', 'SAINT-DÉNIS', 'Saint Denis', 'saint-denis', ' saint  denis ']) {
      const { status, body } = await t.json<SearchBody>(`/api/territories?q=${encodeURIComponent(q)}`);
      expect(status).toBe(200);
      expect(body.results[0]).toMatchObject({ level: 'commune', code: FIXTURE.saintDenis, name: 'Saint-Denis', match: 'nom' });
    }
  });

  it('ranks the exact name before names that merely contain it', async () => {
    const { body } = await t.json<SearchBody>('/api/territories?q=saint%20denis');
    expect(body.results.map((r) => r.name)).toEqual(['Saint-Denis', 'Seine-Saint-Denis']);
  });

  it('finds by INSEE code, SIREN, postcode and former code', async () => {
    const cases: [string, string, string][] = [
      ['93048', FIXTURE.montreuil, 'code'],
      [FIXTURE.estEnsemble, FIXTURE.estEnsemble, 'code'],
      ['93140', FIXTURE.bondy, 'code postal'],
      ['93059', FIXTURE.saintDenis, 'ancien code']
    ];
    for (const [q, code, match] of cases) {
      const { body } = await t.json<SearchBody>(`/api/territories?q=${q}`);
      expect(body.results[0], q).toMatchObject({ code, match });
    }
  });

  it('restricts to a level', async () => {
    const { body } = await t.json<SearchBody>('/api/territories?q=paris&level=departement');
    expect(body.results).toEqual([expect.objectContaining({ level: 'departement', code: '75' })]);
  });

  it('finds an IRIS and a zoning group by name', async () => {
    const iris = await t.json<SearchBody>('/api/territories?q=flamiche');
    expect(iris.body.results[0]).toMatchObject({ level: 'iris', code: FIXTURE.irisFlamiche });
    const group = await t.json<SearchBody>('/api/territories?q=bassin%20est');
    expect(group.body.results[0]).toMatchObject({ level: FIXTURE.zoning, code: 'est' });
  });

  it('treats LIKE wildcards as plain text', async () => {
    const { status, body } = await t.json<SearchBody>('/api/territories?q=%25');
    expect(status).toBe(200);
    expect(body.results).toEqual([]);
  });

  it('honours limit', async () => {
    const { body } = await t.json<SearchBody>('/api/territories?q=e&limit=2');
    expect(body.results).toHaveLength(2);
  });

  it('answers 400 without q, with an empty q or a bad limit', async () => {
    for (const url of ['/api/territories', '/api/territories?q=', '/api/territories?q=%20%20', '/api/territories?q=a&limit=0', '/api/territories?q=a&limit=abc', `/api/territories?q=${'a'.repeat(101)}`]) {
      const { status, body } = await t.json<ErrorBody>(url);
      expect(status, url).toBe(400);
      expect(body.error.code).toBe('parametre_invalide');
      expect(body.error.message).toMatch(/Paramètre invalide/);
    }
  });

  it('answers 404 for an unknown level', async () => {
    const { status, body } = await t.json<ErrorBody>('/api/territories?q=bondy&level=canton');
    expect(status).toBe(404);
    expect(body.error.code).toBe('niveau_inconnu');
  });
});

describe('GET /api/territories/{level}/{code}', () => {
  it('describes a commune: parents up to the region, children, bbox, area', async () => {
    const { status, body } = await t.json<Detail>(`/api/territories/commune/${FIXTURE.bondy}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ level: 'commune', levelLabel: 'Commune', code: '93010', name: 'Bondy', postcodes: ['93140'] });
    expect(body.parents.map((p) => `${p.level}:${p.code}`)).toEqual([
      `ept:${FIXTURE.estEnsemble}`,
      `${FIXTURE.zoning}:est`,
      'departement:93',
      'region:11'
    ]);
    expect(body.parents.find((p) => p.level === 'region')?.name).toBe('Île-de-France');
    expect(body.children).toEqual([{ level: 'iris', label: 'IRIS', count: 2 }]);
    expect(body.childrenCount).toBe(2);
    expect(body.bbox).toEqual([2.47, 48.89, 2.5, 48.91]);
    expect(body.center).toEqual([2.485, 48.9]);
    expect(body.areaKm2).toBeGreaterThan(4);
    expect(body.areaKm2).toBeLessThan(6);
  });

  it('gives Paris no EPT', async () => {
    const { body } = await t.json<Detail>(`/api/territories/commune/${FIXTURE.paris}`);
    expect(body.parents.map((p) => p.level)).toEqual(['departement', 'region']);
  });

  it('counts the children of a département by level, nearest first, admin levels before zonings', async () => {
    const { body } = await t.json<Detail>('/api/territories/departement/93');
    expect(body.children.map((c) => [c.level, c.count])).toEqual([
      ['ept', 2],
      [FIXTURE.zoning, 2],
      ['commune', 4],
      ['iris', 2]
    ]);
    expect(body.childrenCount).toBe(2);
    expect(body.parents).toEqual([{ level: 'region', levelLabel: 'Région', code: '11', name: 'Île-de-France' }]);
  });

  it('describes an EPT by its SIREN and a zoning group by its code', async () => {
    const ept = await t.json<Detail>(`/api/territories/ept/${FIXTURE.estEnsemble}`);
    expect(ept.body).toMatchObject({ name: 'Est Ensemble', childrenCount: 3 });
    const group = await t.json<Detail>(`/api/territories/${FIXTURE.zoning}/nord`);
    expect(group.body).toMatchObject({ name: 'Bassin nord', levelLabel: 'Bassin (exemple)' });
    expect(group.body.parents.map((p) => p.level)).toEqual(['departement', 'region']);
  });

  it('redirects a former code to the commune that absorbed it', async () => {
    const res = await t.app.request('/api/territories/commune/93059');
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe(`/api/territories/commune/${FIXTURE.saintDenis}`);
  });

  it('answers 404 for an unknown code or level, with a French message', async () => {
    const code = await t.json<ErrorBody>('/api/territories/commune/99999');
    expect(code.status).toBe(404);
    expect(code.body.error).toMatchObject({ code: 'territoire_inconnu' });
    expect(code.body.error.message).toContain('« 99999 »');
    const level = await t.json<ErrorBody>('/api/territories/canton/93010');
    expect(level.status).toBe(404);
    expect(level.body.error.code).toBe('niveau_inconnu');
    // a level that exists as a zoning but is not published is unknown
    const draft = await t.json<ErrorBody>('/api/territories/brouillon/1');
    expect(draft.body.error.code).toBe('niveau_inconnu');
  });

  it('never answers 500 to odd codes', async () => {
    for (const code of ["93010'; DROP TABLE territories; --", '%F0%9F%A6%86', 'x'.repeat(64), '..%2F..']) {
      const res = await t.app.request(`/api/territories/commune/${code}`);
      expect([400, 404], code).toContain(res.status);
    }
    const long = await t.json<ErrorBody>(`/api/territories/commune/${'x'.repeat(65)}`);
    expect(long.status).toBe(400);
  });
});

describe('normaliseQuery', () => {
  it('lowers case, drops accents and turns punctuation into single spaces', () => {
    expect(normaliseQuery("  L'Île-Saint-Denis ")).toBe('l ile saint denis');
    expect(normaliseQuery('Cœur')).toBe('coeur');
    expect(normaliseQuery('%_')).toBe('');
  });
});
