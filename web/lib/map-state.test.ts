import { describe, expect, it } from 'vitest';
import { parseMapState, serialiseMapState, valuesPath } from './map-state';
import type { IndicatorSummary, Level } from './types';

const indicator = (id: string, kind: string, levels: string[], years: number[]): IndicatorSummary => ({
  id,
  label: id,
  shortLabel: id,
  description: '',
  theme: 'emploi',
  unit: '%',
  kind,
  decimals: 1,
  levels,
  years,
  source: null,
  vintage: null
});
const catalogue = [
  indicator('taux-chomage', 'ratio', ['commune', 'ept', 'departement'], [2022]),
  indicator('menages', 'count', ['iris', 'commune'], [2019, 2022])
];
const levels: Level[] = ['iris', 'commune', 'ept', 'departement', 'region'].map((id, rank) => ({
  id,
  label: id,
  labelPlural: id,
  rank,
  kind: 'admin',
  example: false,
  minZoom: 0,
  maxZoom: 22
}));

describe('map state in the URL', () => {
  it('defaults to a choropleth of the unemployment rate by commune', () => {
    const s = parseMapState(new URLSearchParams(), catalogue, levels);
    expect(s).toMatchObject({ indicator: 'taux-chomage', level: 'commune', year: 2022, method: 'quantiles', classes: 5, rendering: 'aplats' });
  });

  it('draws counts as proportional symbols by default', () => {
    expect(parseMapState(new URLSearchParams('indicateur=menages'), catalogue, levels).rendering).toBe('symboles');
  });

  it('round-trips every setting, the view included', () => {
    const s = parseMapState(
      new URLSearchParams('indicateur=menages&niveau=iris&annee=2019&methode=manuel&seuils=10_20.5&classes=7&palette=RdBu&inverse=1&opacite=60&rendu=aplats&vue=11.50/48.90000/2.45000'),
      catalogue,
      levels
    );
    expect(s).toMatchObject({ level: 'iris', year: 2019, method: 'manuel', manual: [10, 20.5], classes: 7, palette: 'RdBu', reverse: true, opacity: 60 });
    expect(s.view).toEqual({ zoom: 11.5, lat: 48.9, lon: 2.45 });
    const again = parseMapState(serialiseMapState(s), catalogue, levels);
    expect(again).toEqual(s);
  });

  it('falls back on valid values for anything unknown', () => {
    const s = parseMapState(new URLSearchParams('indicateur=nope&niveau=iris&annee=1900&classes=42&palette=Nope&methode=x&vue=a/b/c'), catalogue, levels);
    expect(s).toMatchObject({ indicator: 'taux-chomage', level: 'commune', year: 2022, classes: 9, palette: 'YlOrRd', method: 'quantiles', view: null });
  });

  it('asks the API for the perimeter of the state', () => {
    const s = parseMapState(new URLSearchParams('perimetre=idf'), catalogue, levels);
    expect(valuesPath(s)).toBe('/api/indicators/taux-chomage/values?level=commune&year=2022&within=region%3A11');
    expect(valuesPath({ ...s, level: 'departement' })).toBe('/api/indicators/taux-chomage/values?level=departement&year=2022');
  });
});
