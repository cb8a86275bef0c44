import { describe, expect, it } from 'vitest';
import { summarise } from './map-summary';
import type { TerritoryValue } from './types';

const v = (code: string, name: string, value: number | null, status: TerritoryValue['status'] = 'ok'): TerritoryValue => ({
  code,
  name,
  value,
  status,
  numerator: null,
  denominator: null,
  secretParts: 0,
  missingParts: 0
});

describe('map summary sentence', () => {
  it('names the highest, lowest and median territories', () => {
    const text = summarise({
      label: 'Taux de chômage',
      unit: '%',
      decimals: 1,
      year: 2022,
      levelPlural: 'Communes',
      perimeter: 'de la Seine-Saint-Denis',
      values: [v('1', 'Bondy', 18.3), v('2', 'Pantin', 15.2), v('3', 'Le Raincy', 8.2), v('4', 'Stains', null, 'secret')]
    });
    expect(text).toBe(
      'En 2022, sur les 4 communes de la Seine-Saint-Denis, « taux de chômage » va de 8,2\u202f% (Le Raincy, valeur la plus faible) ' +
        'à 18,3\u202f% (Bondy, valeur la plus élevée) ; le territoire médian est Pantin (15,2\u202f%). 1 territoire est couvert par le secret statistique.'
    );
  });

  it('says when nothing can be mapped', () => {
    const text = summarise({ label: 'X', unit: '', decimals: 0, year: 2020, levelPlural: 'IRIS', perimeter: '', values: [v('1', 'A', null, 'missing')] });
    expect(text).toMatch(/aucune valeur/);
    expect(text).toMatch(/1 territoire n’a pas de donnée/);
  });
});
