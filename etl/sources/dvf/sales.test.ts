import { describe, expect, it } from 'vitest';
import { mirrorFile } from '../../testing/mirror.ts';
import { DVF_2022_EXTRACT, readDvf, type DvfLine } from './dvf.ts';
import { groupSales, MAX_PRICE_M2 } from './sales.ts';

let nextLine = 2;
/** A DVF line of a one-flat sale in Bondy; fields overridden as needed. */
function line(over: Partial<DvfLine> = {}): DvfLine {
  const n = nextLine++;
  return {
    line: n, producerLine: 1000 + n, commune: '93010', date: '2022-03-01', nature: 'Vente', valeur: 200000, disposition: 1,
    codePostal: '93140', parcelId: '930100000A0224', lot1: '12', lots: 1, codeTypeLocal: 2, surfaceBati: 50, pieces: 2,
    natureCulture: null, natureCultureSpeciale: null, surfaceTerrain: null, ...over
  };
}

describe('from DVF lines to sales', () => {
  it('groups consecutive lines of one date, nature, value and commune into one mutation', () => {
    const sales = groupSales([
      line({ codeTypeLocal: 2, lot1: '12' }),
      line({ codeTypeLocal: 3, lot1: '40', surfaceBati: 0, pieces: 0 }),
      line({ valeur: 150000 }),
      line({ valeur: 150000, commune: '93063', parcelId: '93063000AF0126' })
    ], 'dvf');
    expect(sales.map((s) => [s.commune, s.valeur, s.lines, s.appartements, s.dependances])).toEqual([
      ['93010', 200000, 2, 1, 1],
      ['93010', 150000, 1, 1, 0],
      ['93063', 150000, 1, 1, 0]
    ]);
    expect(sales[0]?.id).toMatch(/^2022-\d+$/);
  });

  it('prices a flat with its cellar: value / surface réelle bâtie of the flat', () => {
    const [sale] = groupSales([line(), line({ codeTypeLocal: 3, lot1: '40', surfaceBati: null, pieces: null })], 'dvf');
    expect(sale).toMatchObject({ typeLocal: 'Appartement', surfaceBati: 50, priceM2: 4000, priceStatus: 'calcule' });
  });

  it('counts a house once although DVF repeats it for each nature de culture of its land', () => {
    const house = { codeTypeLocal: 1 as const, lot1: null, surfaceBati: 80, pieces: 4, valeur: 320000 };
    const [sale] = groupSales([
      line({ ...house, natureCulture: 'S', surfaceTerrain: 200 }),
      line({ ...house, natureCulture: 'J', surfaceTerrain: 150 })
    ], 'dvf');
    expect(sale).toMatchObject({ maisons: 1, typeLocal: 'Maison', priceM2: 4000, surfaceTerrain: 350 });
  });

  it('does not price a sale of several goods, whose price cannot be split', () => {
    const [twoFlats] = groupSales([line({ lot1: '1' }), line({ lot1: '2' })], 'dvf');
    expect(twoFlats).toMatchObject({ appartements: 2, typeLocal: null, priceM2: null, priceStatus: 'plusieurs-biens' });
    const [flatAndShop] = groupSales([line(), line({ codeTypeLocal: 4, lot1: '3', surfaceBati: 30, pieces: 0 })], 'dvf');
    expect(flatAndShop?.priceStatus).toBe('plusieurs-biens');
  });

  it('says why a sale has no price per m²', () => {
    const status = (over: Partial<DvfLine>) => groupSales([line(over)], 'dvf')[0]?.priceStatus;
    expect(status({ nature: 'Echange' })).toBe('nature-exclue');
    expect(status({ nature: 'Vente terrain à bâtir' })).toBe('nature-exclue');
    expect(status({ valeur: null })).toBe('sans-valeur');
    expect(status({ codeTypeLocal: null, surfaceBati: null })).toBe('aucun-logement');
    expect(status({ codeTypeLocal: 4 })).toBe('local-activite');
    expect(status({ surfaceBati: 0 })).toBe('sans-surface');
    expect(status({ valeur: (MAX_PRICE_M2 + 1) * 50 })).toBe('prix-aberrant');
    expect(status({ nature: 'Vente en l\'état futur d\'achèvement' })).toBe('calcule');
    expect(status({ nature: 'Adjudication' })).toBe('calcule');
  });

  it('turns the 8 199 lines of the 2022 extract into 3 443 mutations', async () => {
    const batch = await readDvf(mirrorFile(DVF_2022_EXTRACT.mirrorPath));
    const sales = groupSales(batch.lines, DVF_2022_EXTRACT.id);
    expect(sales).toHaveLength(3443);
    expect(sales.reduce((n, s) => n + s.lines, 0)).toBe(8199);
    expect(new Set(sales.map((s) => s.id)).size).toBe(sales.length);
    const priced = sales.filter((s) => s.priceStatus === 'calcule');
    expect(priced).toHaveLength(2061);
    expect(priced.every((s) => s.priceM2 !== null && s.typeLocal !== null)).toBe(true);
    // Bondy's medians are plausible for the inner suburbs in 2022 (2 000–6 000 €/m²).
    const bondyFlats = priced.filter((s) => s.commune === '93010' && s.typeLocal === 'Appartement').map((s) => s.priceM2 as number).sort((a, b) => a - b);
    expect(bondyFlats).toHaveLength(279);
    const median = bondyFlats[139] as number;
    expect(median).toBeGreaterThan(2000);
    expect(median).toBeLessThan(6000);
  });
});
