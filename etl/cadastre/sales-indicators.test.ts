import { describe, expect, it } from 'vitest';
import { buildTerritoryIndex, DEFAULT_SCOPE, type Zoning } from '../build/territory-index.ts';
import { loadCog } from '../sources/cog/decoupage-administratif.ts';
import { DVF_2022_EXTRACT, readDvf } from '../sources/dvf/dvf.ts';
import { groupSales, type Sale } from '../sources/dvf/sales.ts';
import { mirrorFile } from '../testing/mirror.ts';
import { computeSalesIndicators, median, SALES_SECRECY_THRESHOLD } from './sales-indicators.ts';

const cog = loadCog();
/** A zoning made of two communes of the DVF extract, to test pooled medians on a group. */
const zoning: Zoning = {
  id: 'test-zonage',
  label: 'Zonage de test',
  description: '',
  example: true,
  file: 'test',
  groups: new Map([['G', { code: 'G', name: 'Bondy et Romainville', communes: ['93010', '93063'] }]])
};
const index = buildTerritoryIndex(cog, DEFAULT_SCOPE, [], [zoning]);

let n = 0;
function sale(commune: string, over: Partial<Sale> = {}): Sale {
  n++;
  return {
    id: `2022-${n}`, source: 'dvf', commune, date: '2022-05-01', year: 2022, nature: 'Vente', valeur: 100000, codePostal: null,
    parcelIds: [], lines: 1, firstLine: n, appartements: 1, maisons: 0, dependances: 0, locauxActivite: 0, typeLocal: 'Appartement',
    surfaceBati: 50, pieces: 2, surfaceTerrain: null, priceM2: 2000, priceStatus: 'calcule', ...over
  };
}
const flats = (commune: string, prices: number[]) => prices.map((p) => sale(commune, { priceM2: p }));
const houses = (commune: string, prices: number[]) => prices.map((p) => sale(commune, { typeLocal: 'Maison', maisons: 1, appartements: 0, priceM2: p }));

describe('sales indicators computed from the sales themselves', () => {
  const sales = [
    ...flats('93010', [1000, 2000, 3000, 4000, 5000]),
    ...flats('93063', [6000, 7000, 8000, 9000, 10000, 11000, 12000]),
    ...houses('93010', [3000, 3100, 3200, 3300]),
    sale('93010', { nature: 'Echange', priceM2: null, priceStatus: 'nature-exclue' })
  ];
  const { rows, defs, series } = computeSalesIndicators(sales, index);
  const value = (id: string, level: string, code: string) => rows.find((r) => r.indicatorId === id && r.level === level && r.code === code);

  it('pools the sales of a group: the median of all its sales, not the median of medians', () => {
    expect(value('dvf-prix-m2-appartements', 'commune', '93010')).toMatchObject({ value: 3000, parts: 5, status: 'ok' });
    expect(value('dvf-prix-m2-appartements', 'commune', '93063')).toMatchObject({ value: 9000, parts: 7, status: 'ok' });
    // Median of medians would be 6 000.
    expect(value('dvf-prix-m2-appartements', 'test-zonage', 'G')).toMatchObject({ value: 6500, parts: 12, status: 'ok', secretParts: 0, missingParts: 0 });
    expect(value('dvf-prix-m2-appartements', 'test-zonage', 'G')?.provenance).toContain('des 2 communes réunies');
  });

  it('masks a figure resting on fewer than 5 sales, without disclosing how many', () => {
    expect(SALES_SECRECY_THRESHOLD).toBe(5);
    expect(value('dvf-prix-m2-maisons', 'commune', '93010')).toMatchObject({ value: null, status: 'secret', parts: 0, secretParts: 0 });
    expect(value('dvf-prix-m2-maisons', 'commune', '93063')).toMatchObject({ value: null, status: 'secret', parts: 0 });
  });

  it('counts sales (ventes, VEFA, adjudications), not exchanges', () => {
    expect(value('dvf-ventes', 'commune', '93010')).toMatchObject({ value: 9, parts: 9, status: 'ok', numerator: null, denominator: null });
    expect(value('dvf-ventes', 'test-zonage', 'G')).toMatchObject({ value: 16, status: 'ok' });
  });

  it('leaves missing what the DVF extract does not cover, saying so', () => {
    expect(value('dvf-ventes', 'commune', '93001')).toMatchObject({ value: null, status: 'missing', missingParts: 1, parts: 0 });
    expect(value('dvf-ventes', 'commune', '93001')?.provenance).toContain('hors du champ du fichier DVF');
    const ept = value('dvf-prix-m2-appartements', 'ept', '200057875');
    expect(ept).toMatchObject({ value: null, status: 'missing', missingParts: 7 });
    expect(ept?.provenance).toContain('7 des 9 communes de ce territoire n’y figurent pas');
    expect(value('dvf-ventes', 'departement', '93')).toMatchObject({ status: 'missing', missingParts: 35 });
    expect(value('dvf-ventes', 'region', '11')?.status).toBe('missing');
  });

  it('gives one row per indicator, year and territory of every level and zoning', () => {
    const groups = [...index.groups.values()].reduce((k, g) => k + g.size, 0);
    expect(rows).toHaveLength(3 * (index.communes.length + groups));
    expect(new Set(rows.map((r) => r.level))).toEqual(new Set(['commune', 'ept', 'departement', 'region', 'test-zonage']));
    expect(series.map((s) => [s.indicatorId, s.year])).toEqual([['dvf-ventes', 2022], ['dvf-prix-m2-appartements', 2022], ['dvf-prix-m2-maisons', 2022]]);
  });

  it('exports catalogue definitions in the logement theme', () => {
    expect(defs.map((d) => [d.id, d.kind, d.unit, d.theme])).toEqual([
      ['dvf-ventes', 'count', 'ventes', 'logement'],
      ['dvf-prix-m2-appartements', 'median', '€/m²', 'logement'],
      ['dvf-prix-m2-maisons', 'median', '€/m²', 'logement']
    ]);
    expect(defs.every((d) => d.series.length === 1 && d.series[0]?.source === DVF_2022_EXTRACT.id && d.secrecy.reason)).toBe(true);
  });

  it('takes the mean of the two middle values for an even number of sales', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
  });
});

describe('sales indicators of the 2022 extract', async () => {
  const batch = await readDvf(mirrorFile(DVF_2022_EXTRACT.mirrorPath));
  const { rows, outOfScope } = computeSalesIndicators(groupSales(batch.lines, DVF_2022_EXTRACT.id), index);
  const of = (id: string, level: string, code: string) => rows.find((r) => r.indicatorId === id && r.level === level && r.code === code);

  it('gives every commune of the extract a count and two medians', () => {
    expect(outOfScope).toBe(0);
    for (const c of DVF_2022_EXTRACT.communes) {
      for (const id of ['dvf-ventes', 'dvf-prix-m2-appartements', 'dvf-prix-m2-maisons']) expect(of(id, 'commune', c)?.status).toBe('ok');
    }
    expect(of('dvf-prix-m2-appartements', 'commune', '93010')).toMatchObject({ parts: 279 });
    expect(of('dvf-prix-m2-appartements', 'commune', '93010')?.value).toBeCloseTo(3151, -1);
    expect(of('dvf-prix-m2-maisons', 'commune', '93010')).toMatchObject({ parts: 195 });
  });

  it('computes the demo zoning’s bassins only when the extract covers all their communes', () => {
    expect(rows.filter((r) => r.level === 'test-zonage' && r.status === 'ok')).toHaveLength(3);
    expect(rows.filter((r) => r.level === 'ept' && r.status !== 'missing')).toEqual([]);
  });
});
