import { describe, expect, it } from 'vitest';
import { withinOneEdit } from './suggest.ts';

describe('withinOneEdit', () => {
  it('accepts one substitution, insertion, deletion or adjacent swap, and nothing more', () => {
    expect(withinOneEdit('93010', '93010')).toBe(true);
    expect(withinOneEdit('93011', '93010')).toBe(true);
    expect(withinOneEdit('9301', '93010')).toBe(true);
    expect(withinOneEdit('930100', '93010')).toBe(true);
    expect(withinOneEdit('93100', '93010')).toBe(true);
    expect(withinOneEdit('39010', '93010')).toBe(true);
    expect(withinOneEdit('39001', '93010')).toBe(false);
    expect(withinOneEdit('930', '93010')).toBe(false);
    expect(withinOneEdit('94011', '93010')).toBe(false);
  });
});
