import { describe, expect, it } from 'vitest';
import { lineColumnAt, locateJsonError } from './json-position.ts';

describe('locateJsonError', () => {
  it('points at the token JSON.parse rejects without giving a position', () => {
    const text = '{"type":\n  tru}';
    expect(() => JSON.parse(text)).toThrow();
    const offset = locateJsonError(text);
    expect(offset).toBe(text.indexOf('}'));
    expect(lineColumnAt(text, offset as number)).toEqual({ line: 2, column: 6 });
  });

  it('points at a missing comma between members', () => {
    const text = '{"a": 1 "b": 2}';
    expect(locateJsonError(text)).toBe(8);
  });

  it('points past the end of a truncated document', () => {
    const text = '{"features": [1, 2';
    expect(locateJsonError(text)).toBe(text.length);
  });

  it('returns null for valid JSON, escapes and exponents included', () => {
    expect(locateJsonError('{"a": ["\\u00e9\\n", -1.5e-3, true, null, {}]}')).toBeNull();
  });
});
