import { describe, expect, it } from 'vitest';
import { codeFromSlug, portraitPath, slugify } from './slug';

describe('portrait URLs', () => {
  it('makes ASCII slugs from French names', () => {
    expect(slugify('Bondy')).toBe('bondy');
    expect(slugify("L'Île-Saint-Denis")).toBe('l-ile-saint-denis');
    expect(slugify('Bassin Portes de Paris – Canal de l’Ourcq (exemple)')).toBe('bassin-portes-de-paris-canal-de-l-ourcq-exemple');
  });

  it('builds the canonical path and reads the code back', () => {
    expect(portraitPath('commune', '93010', 'Bondy')).toBe('/portrait/commune/93010-bondy');
    expect(codeFromSlug('93010-bondy')).toBe('93010');
    expect(codeFromSlug('93010')).toBe('93010');
  });
});
