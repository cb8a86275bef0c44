import { describe, expect, it } from 'vitest';
import { formatCell, formatDate, formatNumber, formatShort, formatValue, lowerFirst, statusLabel } from './format';

describe('French formatting', () => {
  it('groups thousands with a narrow no-break space and uses a decimal comma', () => {
    expect(formatNumber(1234.5, 1)).toBe('1\u202f234,5');
    expect(formatNumber(1681725)).toBe('1\u202f681\u202f725');
    expect(formatNumber(-0.01, 1)).toBe('0,0');
  });

  it('writes units after the number', () => {
    expect(formatValue(18.3268, '%', 1)).toBe('18,3\u202f%');
    expect(formatValue(17210, '€')).toBe('17\u202f210\u202f€');
    expect(formatValue(96, 'base 100 en 2016', 1)).toBe('96,0');
    expect(formatShort(36.29, 'emplois pour 100 habitants', 1)).toBe('36,3');
  });

  it('never shows a number for a secret or missing value', () => {
    expect(formatCell(null, 'secret', '%', 1)).toBe('secret statistique');
    expect(formatCell(12, 'secret', '%', 1)).toBe('secret statistique');
    expect(formatCell(null, 'missing', '%', 1)).toBe('donnée manquante');
    expect(statusLabel('not-aggregable')).toBe('non disponible à ce niveau');
  });

  it('writes dates in French', () => {
    expect(formatDate('2026-11-23T15:00:00Z')).toBe('23 novembre 2026');
  });

  it('lowers a label for use in a sentence but keeps acronyms', () => {
    expect(lowerFirst('Taux de chômage')).toBe('taux de chômage');
    expect(lowerFirst('RSA')).toBe('RSA');
  });
});
