import { describe, expect, it } from 'vitest';
import { aggregateGroup, coversAll, MISSING_VALUE } from './group.ts';
import type { ComputedValue, IndicatorDefinition } from './types.ts';

const count: IndicatorDefinition = {
  id: 'n',
  label: 'n',
  theme: 'population',
  unit: 'habitants',
  kind: 'count',
  scale: 1,
  decimals: 0,
  secrecy: { threshold: 0, on: 'value' },
  series: [{ year: 2022, source: 's', value: 'V' }]
};
const ok = (v: number): ComputedValue => ({ value: v, numerator: null, denominator: null, status: 'ok', secretParts: 0, missingParts: 0, parts: 1 });

describe('group coverage', () => {
  it('treats null coverage as the whole of France', () => {
    expect(coversAll(null, ['93', '2A'])).toBe(true);
  });
  it('refuses a group with a member outside the covered départements', () => {
    expect(coversAll(['75', '93'], ['93', '94'])).toBe(false);
  });
  it('never aggregates an extract of scattered communes (empty coverage)', () => {
    expect(coversAll([], ['93'])).toBe(false);
  });
});

describe('aggregateGroup', () => {
  it('gives missing rather than an under-count when the source does not cover a member', () => {
    const r = aggregateGroup(count, ['93'], [
      { departement: '93', value: ok(10) },
      { departement: '94', value: ok(5) }
    ]);
    expect(r.covered).toBe(false);
    expect(r.value).toEqual(MISSING_VALUE);
  });
  it('counts a covered member without value as a missing part of a partial sum', () => {
    const r = aggregateGroup(count, ['93'], [
      { departement: '93', value: ok(10) },
      { departement: '93', value: undefined }
    ]);
    expect(r.value.status).toBe('partial');
    expect(r.value.value).toBe(10);
    expect(r.value.missingParts).toBe(1);
  });
});
