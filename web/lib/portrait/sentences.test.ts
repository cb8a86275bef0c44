import { describe, expect, it } from 'vitest';
import type { PortraitIndicator } from '../types';
import { comparisonSentence } from './sentences';

const base = (over: Partial<PortraitIndicator>, own: number | null, dep: number | null): PortraitIndicator => ({
  id: 'x',
  label: 'Taux de chômage des 15-64 ans',
  shortLabel: 'Taux de chômage',
  theme: 'emploi',
  unit: '%',
  kind: 'ratio',
  decimals: 1,
  year: 2022,
  source: null,
  provenance: null,
  value: { value: own, numerator: null, denominator: null, status: own === null ? 'secret' : 'ok', secretParts: 0, missingParts: 0 },
  comparisons: [
    { level: 'ept', levelLabel: 'EPT', code: '200057875', name: 'Est Ensemble', value: 15.8, numerator: null, denominator: null, status: 'ok', secretParts: 0, missingParts: 0 },
    { level: 'departement', levelLabel: 'Département', code: '93', name: 'Seine-Saint-Denis', value: dep, numerator: null, denominator: null, status: dep === null ? 'missing' : 'ok', secretParts: 0, missingParts: 0 }
  ],
  history: [],
  ...over
});

describe('comparison sentences', () => {
  it('compares a rate with the département as a multiple', () => {
    expect(comparisonSentence(base({}, 22.4, 16), 'Bondy')).toBe(
      'Le taux de chômage des 15-64 ans est 1,4\u00a0fois celui de la Seine-Saint-Denis (22,4\u202f% contre 16,0\u202f%).'
    );
  });

  it('says « proche » within 5 %, with the right gender', () => {
    expect(comparisonSentence(base({ label: 'Part des 15-64 ans' }, 63.6, 65.8), 'Bondy')).toBe(
      'La part des 15-64 ans est proche de celle de la Seine-Saint-Denis (63,6\u202f% contre 65,8\u202f%).'
    );
  });

  it('puts a count as a share of the département', () => {
    const s = comparisonSentence(base({ kind: 'count', unit: 'habitants', decimals: 0, label: 'Population municipale' }, 51066, 1681725), 'Bondy');
    expect(s).toBe('Bondy compte 51\u202f066\u202fhabitants, soit 3,0\u202f% du total de la Seine-Saint-Denis (1\u202f681\u202f725\u202fhabitants).');
  });

  it('never compares a territory with itself (Paris, commune and département)', () => {
    const paris = base({}, 7.5, 7.5);
    paris.comparisons = paris.comparisons.map((c) => (c.level === 'departement' ? { ...c, name: 'Paris' } : c));
    expect(comparisonSentence(paris, 'Paris')).toMatch(/d’Est Ensemble/);
  });

  it('falls back on another level, and says nothing without a number', () => {
    expect(comparisonSentence(base({}, 18, null), 'Bondy')).toMatch(/d’Est Ensemble/);
    expect(comparisonSentence(base({}, null, 16), 'Bondy')).toBeNull();
  });
});
