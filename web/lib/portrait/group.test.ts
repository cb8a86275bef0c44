import { describe, expect, it } from 'vitest';
import { canonicalCodes, codesFromSegment, groupFileStem, groupMapPath, groupPortraitPath } from './group';

describe('group portrait addresses', () => {
  it('sorts codes and collapses duplicates, whatever the order they were picked in', () => {
    expect(canonicalCodes(['93064', '93010', '93064', '93048'])).toEqual(['93010', '93048', '93064']);
    expect(groupPortraitPath(['93064', '93010', '93048'])).toBe('/portrait/groupe/93010-93048-93064');
  });

  it('carries the name in the query, escaped, and nothing for a blank one', () => {
    expect(groupPortraitPath(['93010', '93048'], ' Mon secteur ')).toBe('/portrait/groupe/93010-93048?nom=Mon+secteur');
    expect(groupPortraitPath(['93010'], '   ')).toBe('/portrait/groupe/93010');
  });

  it('puts a download suffix before the query', () => {
    expect(groupPortraitPath(['93010', '93048'], 'A/B', '/donnees.csv')).toBe('/portrait/groupe/93010-93048/donnees.csv?nom=A%2FB');
  });

  it('reads the codes back from the path segment', () => {
    expect(codesFromSegment('93010-93048-93064')).toEqual(['93010', '93048', '93064']);
    expect(codesFromSegment('93010--')).toEqual(['93010']);
  });

  it('links back to the map composing the same group', () => {
    expect(groupMapPath(['93048', '93010'], 'Mon secteur')).toBe('/carte?niveau=commune&groupe=93010,93048&nomgroupe=Mon+secteur');
    expect(groupMapPath(['93010'])).toBe('/carte?niveau=commune&groupe=93010');
  });

  it('names a download after its codes while they are short, else after their number', () => {
    expect(groupFileStem(['93010', '93048'])).toBe('groupe-93010-93048');
    expect(groupFileStem(Array.from({ length: 39 }, (_, i) => String(93001 + i)))).toBe('groupe-39-communes');
  });
});
