import ExcelJS from 'exceljs';
import type { FeatureCollection, Polygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureApp, fixtureApp } from '../testing/fixture-app.ts';
import { parseCsv } from '../testing/csv.ts';
import { FIXTURE } from '../testing/fixture-db.ts';

interface Value {
  code: string;
  name: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  status: string;
  secretParts: number;
  missingParts: number;
}
interface ValuesBody {
  indicator: string;
  level: string;
  year: number;
  within: { level: string; code: string; name: string } | null;
  source: { id: string; vintage: string; licence: string } | null;
  provenance: string[];
  values: Value[];
}
interface ErrorBody {
  error: { code: string; message: string };
}

let t: FixtureApp;
beforeAll(async () => {
  t = await fixtureApp();
});
afterAll(() => t.close());

const byCode = (values: Value[]) => new Map(values.map((v) => [v.code, v]));

describe('GET /api/indicators', () => {
  it('lists the catalogue with levels, years, source and vintage', async () => {
    const { status, body } = await t.json<{ indicators: Record<string, unknown>[] }>('/api/indicators');
    expect(status).toBe(200);
    expect(body.indicators.map((i) => i.id)).toEqual(['population', 'taux-chomage', 'revenu-median']);
    expect(body.indicators[0]).toMatchObject({
      id: 'population',
      label: 'Population municipale',
      theme: 'population',
      unit: 'habitants',
      kind: 'count',
      years: [2015, 2021],
      levels: ['iris', 'commune', 'ept', 'departement', 'region', FIXTURE.zoning],
      source: { id: 'insee-rp-2021', producer: 'INSEE', licence: 'Licence Ouverte / Open Licence 2.0' },
      vintage: '2021'
    });
  });

  it('describes one indicator with its definition, series and provenance', async () => {
    const { status, body } = await t.json<Record<string, unknown>>('/api/indicators/taux-chomage');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'taux-chomage',
      kind: 'ratio',
      scale: 100,
      decimals: 1,
      secrecy: { threshold: 0, on: 'denominator' },
      definition: { series: [{ year: 2021, numerator: 'P21_CHOM1564', denominator: 'P21_ACT1564' }] },
      series: [{ year: 2021, numeratorVar: 'P21_CHOM1564', baseLevel: 'iris', source: { id: 'insee-rp-2021', url: expect.stringContaining('insee.fr') } }]
    });
    expect(body.provenance).toEqual([expect.objectContaining({ year: 2021, text: expect.stringContaining('P21_CHOM1564') })]);
  });

  it('answers 404 for an unknown indicator', async () => {
    const { status, body } = await t.json<ErrorBody>('/api/indicators/taux-de-bonheur');
    expect(status).toBe(404);
    expect(body.error.code).toBe('indicateur_inconnu');
  });
});

describe('GET /api/indicators/{id}/values', () => {
  it('gives every commune of the département with values and statuses', async () => {
    const { status, body } = await t.json<ValuesBody>('/api/indicators/taux-chomage/values?level=commune&within=departement:93');
    expect(status).toBe(200);
    expect(body).toMatchObject({ indicator: 'taux-chomage', level: 'commune', year: 2021, within: { level: 'departement', code: '93', name: 'Seine-Saint-Denis' } });
    expect(body.source).toMatchObject({ id: 'insee-rp-2021', vintage: '2021' });
    expect(body.values.map((v) => v.code)).toEqual([FIXTURE.bondy, FIXTURE.montreuil, FIXTURE.pantin, FIXTURE.saintDenis]);
    const v = byCode(body.values);
    expect(v.get(FIXTURE.montreuil)).toMatchObject({ name: 'Montreuil', value: 12.727273, numerator: 7000, denominator: 55000, status: 'ok', secretParts: 0 });
  });

  it('never gives the number of a secret value, even when the row holds one', async () => {
    const { body } = await t.json<ValuesBody>('/api/indicators/taux-chomage/values?level=commune');
    expect(byCode(body.values).get(FIXTURE.pantin)).toEqual({
      code: FIXTURE.pantin,
      name: 'Pantin',
      value: null,
      numerator: null,
      denominator: null,
      status: 'secret',
      secretParts: 1,
      missingParts: 0
    });
    const text = await (await t.app.request('/api/indicators/taux-chomage/values?level=commune')).text();
    expect(text).not.toContain('29000');
    expect(text).not.toContain('4000,');
  });

  it('gives a partial value with its count of secret contributions', async () => {
    const { body } = await t.json<ValuesBody>('/api/indicators/taux-chomage/values?level=ept');
    expect(byCode(body.values).get(FIXTURE.estEnsemble)).toMatchObject({ status: 'partial', secretParts: 2, numerator: 10000, denominator: 68000 });
    expect(byCode(body.values).get(FIXTURE.estEnsemble)?.value).toBeCloseTo(14.705882, 5);
  });

  it('reports missing and non-aggregable values without a number', async () => {
    const communes = await t.json<ValuesBody>('/api/indicators/revenu-median/values?level=commune');
    expect(byCode(communes.body.values).get(FIXTURE.saintDenis)).toMatchObject({ value: null, status: 'missing', missingParts: 1 });
    const epts = await t.json<ValuesBody>('/api/indicators/revenu-median/values?level=ept');
    expect(epts.body.values.map((v) => [v.code, v.value, v.status])).toEqual([
      [FIXTURE.estEnsemble, null, 'not-aggregable'],
      [FIXTURE.plaineCommune, null, 'not-aggregable']
    ]);
  });

  it('lists territories without a stored value as missing', async () => {
    const { body } = await t.json<ValuesBody>('/api/indicators/revenu-median/values?level=iris');
    expect(body.values).toHaveLength(2);
    expect(body.values.every((v) => v.status === 'missing' && v.value === null)).toBe(true);
  });

  it('defaults to commune and the latest year, and serves an older year on request', async () => {
    const latest = await t.json<ValuesBody>('/api/indicators/population/values');
    expect(latest.body).toMatchObject({ level: 'commune', year: 2021 });
    expect(byCode(latest.body.values).get(FIXTURE.bondy)?.value).toBe(54500);
    const older = await t.json<ValuesBody>('/api/indicators/population/values?level=commune&year=2015');
    expect(older.body.year).toBe(2015);
    expect(older.body.source?.id).toBe('insee-rp-2015');
    expect(byCode(older.body.values).get(FIXTURE.bondy)?.value).toBe(52400);
  });

  it('filters by any containing territory, zonings included', async () => {
    const ept = await t.json<ValuesBody>(`/api/indicators/population/values?level=iris&within=ept:${FIXTURE.estEnsemble}`);
    expect(ept.body.values.map((v) => v.code)).toEqual([FIXTURE.irisFlamiche, FIXTURE.irisCentre]);
    const zoning = await t.json<ValuesBody>(`/api/indicators/population/values?level=commune&within=${FIXTURE.zoning}:nord`);
    expect(zoning.body.values.map((v) => v.code)).toEqual([FIXTURE.pantin, FIXTURE.saintDenis]);
    const self = await t.json<ValuesBody>('/api/indicators/population/values?level=departement&within=departement:93');
    expect(self.body.values.map((v) => v.code)).toEqual(['93']);
  });

  it('gives the values of a zoning level', async () => {
    const { body } = await t.json<ValuesBody>(`/api/indicators/population/values?level=${FIXTURE.zoning}`);
    expect(body.values.map((v) => [v.code, v.value])).toEqual([
      ['est', 165500],
      ['nord', 172000]
    ]);
  });

  it.each([
    ['/api/indicators/nope/values', 404, 'indicateur_inconnu'],
    ['/api/indicators/population/values?level=canton', 404, 'niveau_inconnu'],
    ['/api/indicators/population/values?year=1999', 404, 'annee_inconnue'],
    ['/api/indicators/population/values?within=departement:94', 404, 'territoire_inconnu'],
    ['/api/indicators/population/values?within=canton:1', 404, 'niveau_inconnu'],
    ['/api/indicators/population/values?year=deux-mille', 400, 'parametre_invalide'],
    ['/api/indicators/population/values?year=2021.5', 400, 'parametre_invalide'],
    ['/api/indicators/population/values?within=93', 400, 'parametre_invalide'],
    ['/api/indicators/population/values?within=departement:', 400, 'parametre_invalide'],
    ['/api/indicators/population/values?format=pdf', 400, 'parametre_invalide']
  ])('%s → %i %s', async (url, status, code) => {
    const res = await t.json<ErrorBody>(url);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(10);
  });
});

const frenchNumber = (s: string | undefined) => (s ? Number(s.replace(',', '.')) : null);

describe('downloads', () => {
  const url = '/api/indicators/taux-chomage/values?level=commune&within=departement:93';

  it('CSV: BOM, « ; », decimal comma, CRLF, a filename, and the same values as JSON', async () => {
    const res = await t.app.request(`${url}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="taux-chomage_commune_2021_departement-93.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
    expect(text).toContain('\r\n');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
      'code', 'nom', 'annee', 'valeur', 'numerateur', 'denominateur', 'statut',
      'contributions_secretes', 'contributions_manquantes', 'source', 'millesime', 'licence'
    ]);
    const json = (await t.json<ValuesBody>(url)).body;
    expect(rows).toHaveLength(json.values.length);
    rows.forEach((row, i) => {
      const v = json.values[i] as Value;
      const cell = (name: string) => row[(header as string[]).indexOf(name)];
      expect(cell('code')).toBe(v.code);
      expect(cell('nom')).toBe(v.name);
      expect(cell('annee')).toBe('2021');
      expect(cell('statut')).toBe(v.status);
      expect(frenchNumber(cell('numerateur'))).toBe(v.numerator);
      expect(frenchNumber(cell('denominateur'))).toBe(v.denominator);
      if (v.value === null) expect(cell('valeur')).toBe('');
      else expect(frenchNumber(cell('valeur'))).toBeCloseTo(v.value, 1);
      expect(Number(cell('contributions_secretes'))).toBe(v.secretParts);
      expect(cell('source')).toBe('INSEE, Recensement de la population 2021');
      expect(cell('millesime')).toBe('2021');
      expect(cell('licence')).toBe('Licence Ouverte / Open Licence 2.0');
    });
    expect(rows.find((r) => r[0] === FIXTURE.bondy)?.[3]).toBe('23,1');
  });

  it('XLSX: the data sheet and a Sources sheet with vintage and licence', async () => {
    const res = await t.app.request(`${url}&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('Content-Disposition')).toContain('taux-chomage_commune_2021_departement-93.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const data = workbook.getWorksheet('taux-chomage');
    expect(data).toBeDefined();
    const values = (data?.getSheetValues() ?? []).slice(1) as unknown[][];
    const [header, ...rows] = values.map((r) => r.slice(1));
    expect(header?.slice(0, 4)).toEqual(['code', 'nom', 'annee', 'valeur']);
    const json = (await t.json<ValuesBody>(url)).body;
    expect(rows.map((r) => [r[0], r[3] ?? null, r[6]])).toEqual(json.values.map((v) => [v.code, v.value, v.status]));
    expect(data?.getCell('D2').numFmt).toBe('#,##0.0');
    const sources = workbook.getWorksheet('Sources');
    const meta = new Map((sources?.getSheetValues() ?? []).slice(2).map((r) => [(r as unknown[])[1], (r as unknown[])[2]]));
    expect(meta.get('Source')).toBe('INSEE, Recensement de la population 2021');
    expect(meta.get('Millésime')).toBe('2021');
    expect(meta.get('Licence')).toBe('Licence Ouverte / Open Licence 2.0');
    expect(meta.get('Base')).toContain(t.fixture.buildId);
    expect(meta.get('Extraction')).toBe('2026-11-23T15:00:00.000Z');
  });

  it('GeoJSON: a valid FeatureCollection with geometries and the same values', async () => {
    const res = await t.app.request(`${url}&format=geojson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/geo+json; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toContain('.geojson');
    const fc = (await res.json()) as FeatureCollection<Polygon> & { metadata: Record<string, unknown> };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.metadata).toMatchObject({ indicator: 'taux-chomage', year: 2021, source: { licence: 'Licence Ouverte / Open Licence 2.0', vintage: '2021' }, build: t.fixture.buildId });
    const json = (await t.json<ValuesBody>(url)).body;
    expect(fc.features.map((f) => f.properties)).toEqual(
      json.values.map((v) => ({ ...v, year: 2021 }))
    );
    for (const feature of fc.features) {
      expect(feature.type).toBe('Feature');
      expect(feature.geometry.type).toBe('Polygon');
      for (const ring of feature.geometry.coordinates) validRing(ring);
      // RFC 7946: exterior rings counter-clockwise
      expect(signedArea(feature.geometry.coordinates[0] as Position[])).toBeGreaterThan(0);
    }
    // the finest band: its notch adds a vertex
    expect(fc.features[0]?.geometry.coordinates[0]).toHaveLength(6);
  });
});

function validRing(ring: Position[]) {
  expect(ring.length).toBeGreaterThanOrEqual(4);
  expect(ring[0]).toEqual(ring.at(-1));
  for (const [lon, lat] of ring) {
    expect(Math.abs(lon as number)).toBeLessThanOrEqual(180);
    expect(Math.abs(lat as number)).toBeLessThanOrEqual(90);
  }
}

function signedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i] as [number, number];
    const [x2, y2] = ring[i + 1] as [number, number];
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}
